"""API views (DESIGN §8)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
