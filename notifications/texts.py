"""How each notification reads, in the reader's language."""

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification
from notifications.rules import unit_name

TEXTS = {
    "awaits_city": _("Lead “%(lead)s” awaits the city's decision."),
    "first_negotiation_confirmed": _(
        "The city confirmed your unit as first-negotiation unit for “%(lead)s”."
    ),
    "claim_declined": _("The city declined your first-negotiation claim on “%(lead)s”."),
    "assigned": _("Lead “%(lead)s” was assigned to %(unit)s."),
    "progress_to_review": _("Progress on “%(lead)s” awaits your review."),
    "progress_approved": _("Substantive progress on “%(lead)s” was approved."),
    "progress_rejected": _("Reported progress on “%(lead)s” was not accepted; the clock runs again."),
    "push_to_confirm": _("%(unit)s pushed lead “%(lead)s” to the city; please decide."),
    "push_confirmed": _("The city accepted the push of “%(lead)s”; it counts as your unit's referral."),
    "push_rejected": _("The city returned “%(lead)s” to your unit; the clock runs again."),
    "escalated": _(
        "“%(lead)s”: 3 months passed without substantive progress at %(unit)s; the city must reassign it."
    ),
    "clock_warning": _(
        "“%(lead)s”: %(days)s days left (deadline %(deadline)s) to report substantive progress."
    ),
    "landed": _("Lead “%(lead)s” has landed."),
    "closed": _("Lead “%(lead)s” was closed."),
}


def render(notification: Notification) -> str:
    p = notification.params
    deadline = parse_datetime(p["deadline_at"]) if p.get("deadline_at") else None
    return str(TEXTS.get(notification.kind, notification.kind)) % {
        "lead": p.get("lead_name", ""),
        "unit": unit_name(p.get("unit"), get_language() or "zh-hans"),
        "days": p.get("days"),
        "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") if deadline else "",
    }
