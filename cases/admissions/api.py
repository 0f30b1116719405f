"""API views (DESIGN §6b)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
