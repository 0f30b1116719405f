"""Shared test helpers: fire transitions and snapshot everything a rejected one must not touch."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cases.leads.machine import LEAD
from cases.models import Credit, Exclusion, Lead, LeadGroupObjectPermission, Milestone
from notifications.models import Notification
from workflow import engine
from workflow.models import Clock, TransitionRecord

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """'2026-11-30 09:00' in Asia/Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def today() -> str:
    """Today in Beijing as a date input, read when called: a milestone reported now lies between its
    clock's start and today."""
    return timezone.localdate().isoformat()


def fire(lead: Lead, name: str, actor: Any, now: datetime | None = None, **params: Any) -> Lead:
    return engine.fire(LEAD, pk=lead.pk, name=name, actor=actor, params=params, now=now)


def snapshot(lead: Lead) -> dict:
    """Everything a transition could touch for this lead."""
    row = Lead.objects.filter(pk=lead.pk).values().get()
    return {
        "lead": row,
        "history": TransitionRecord.objects.filter(subject_id=lead.pk).count(),
        "grants": sorted(
            LeadGroupObjectPermission.objects.filter(content_object=lead).values_list(
                "group_id", "permission_id"
            )
        ),
        "clocks": list(Clock.objects.filter(subject_id=lead.pk).values().order_by("id")),
        "milestones": Milestone.objects.filter(lead=lead).count(),
        "exclusions": Exclusion.objects.filter(lead=lead).count(),
        "credits": Credit.objects.filter(lead=lead).count(),
        "notifications": Notification.objects.count(),
    }


def api(user: Any) -> APIClient:
    """The API as `user` (signed in without a token round trip)."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def browser(user: Any) -> Client:
    """The pages as `user` (a session)."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client
