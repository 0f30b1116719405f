"""What the attachment sections of the lead, commitment and transition pages show."""

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

from cases.attachments import selectors
from cases.attachments.serializers import download_url
from cases.attachments.uploads import megabytes

register = template.Library()


def _rows(attachments: Any) -> list[Any]:
    rows = list(attachments)
    for a in rows:
        vars(a)["download_url"] = download_url(a.pk)  # for the template; not a field
    return rows


def _box(owner: Any, user: Any, kind: str) -> dict[str, Any]:
    route = "cases:attachments:lead_upload" if kind == "lead" else "cases:attachments:commitment_upload"
    return {
        "items": _rows(selectors.attachments_of(owner=owner)),
        "can_upload": selectors.upload_open(owner=owner, user=user),
        "upload_url": reverse(route, args=[owner.pk]),
        "max_mb": megabytes(settings.ATTACHMENT_MAX_BYTES),
    }


@register.simple_tag
def lead_attachments(lead: Any, user: Any) -> dict[str, Any]:
    """The lead's files, whether `user` may upload, where the form posts."""
    return _box(lead, user, "lead")


@register.simple_tag
def commitment_attachments(application: Any, user: Any) -> dict[str, Any]:
    return _box(application, user, "commitment")


@register.simple_tag
def milestone_attachments(lead: Any, name: str | None) -> list[Any]:
    """The files a transition page shows: the pending milestone's evidence to the leader deciding on it
    (approve_progress, reject_progress); the lead's files to the officer reporting progress."""
    if name in ("approve_progress", "reject_progress"):
        return _rows(selectors.attachments_pending_review(lead=lead))
    if name == "report_progress":
        return _rows(selectors.attachments_of(owner=lead))
    return []
