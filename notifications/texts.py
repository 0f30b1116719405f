"""How each notification reads, in the reader's language."""

import functools

from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.admissions.models import AdmissionState
from cases.financing.models import NeedState
from cases.majorprojects.models import MajorProjectState
from cases.models import CommitmentState, RewardState, State
from cases.servicerequests.models import ServiceRequestState
from cases.supportplans.models import SupportPlanState
from notifications.models import Notification
from workflow.models import OrgUnit

TEXTS = {
    "service_request_raised": _("A service request for “%(lead)s” is addressed to your unit."),
    "service_request_accepted": _("Your service request for “%(lead)s” was accepted."),
    "service_request_resolved": _(
        "Your service request for “%(lead)s” was answered; please confirm or reopen it."
    ),
    "service_request_declined": _("Your service request for “%(lead)s” was declined."),
    "service_request_closed": _("The raiser confirmed the answer to the service request for “%(lead)s”."),
    "service_request_reopened": _("The service request for “%(lead)s” was reopened; please answer it again."),
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
    "push_confirmed_no_credit": _(
        "The city accepted the push of “%(lead)s”; your unit did not discover it, so it earns no referral credit."
    ),
    "push_rejected": _("The city returned “%(lead)s” to your unit; the clock runs again."),
    "escalated": _(
        "“%(lead)s”: 3 months passed without substantive progress at %(unit)s; the city must reassign it."
    ),
    "clock_warning": _(
        "“%(lead)s”: %(days)s days left (deadline %(deadline)s) to report substantive progress."
    ),
    "landed": _("Lead “%(lead)s” has landed."),
    "closed": _("Lead “%(lead)s” was closed."),
    "assigned_to_you": _("Lead “%(lead)s” is now yours to handle."),
    "merged": _(
        "Lead “%(lead)s” was closed as a duplicate and merged into another registration of the company."
    ),
    "commitment_to_review": _("Commitment application “%(lead)s” awaits your decision."),
    "commitment_decided": _("Commitment application “%(lead)s” is now “%(state)s”."),
    "commitment_inspected": _("Inspection of “%(lead)s” recorded: now “%(state)s”."),
    "commitment_revoked": _("The commitment approval of “%(lead)s” was revoked for breach."),
    "commitment_due_soon": _(
        "“%(lead)s”: %(days)s days left (deadline %(deadline)s) for the inspection or rectification."
    ),
    "commitment_overdue": _("“%(lead)s”: the inspection or rectification deadline %(deadline)s has passed."),
    "reward_decided": _("The agency reward for “%(lead)s” is now “%(state)s”."),
    "reward_paid": _("The agency reward for “%(lead)s” was paid."),
    "support_plan_to_cosign": _("The support plan for “%(lead)s” awaits the finance bureau's co-signature."),
    "support_plan_to_approve": _("The support plan for “%(lead)s” awaits the city government's approval."),
    "support_plan_returned": _("The support plan for “%(lead)s” was returned for revision."),
    "support_plan_decided": _("The support plan for “%(lead)s” is now “%(state)s”."),
    "support_plan_disbursed": _("A disbursement under the support plan for “%(lead)s” was recorded."),
    "calendar_running_out": _(
        "The statutory holiday calendar runs out on %(deadline)s: ask the operators to load the State "
        "Council's holiday notice for the next year (manage.py load_holidays)."
    ),
    "major_project_designated": _("“%(lead)s” is now a city major project (§4); a city steward follows it."),
    "major_project_steward": _("The city steward of major project “%(lead)s” changed."),
    "major_project_ended": _("“%(lead)s” is no longer a city major project."),
    "admission_to_decide": _("%(unit)s asks for admission support for “%(lead)s” (§14); please decide."),
    "admission_decided": _("The admission support for “%(lead)s” is now “%(state)s”."),
    "financing_published": _("A new financing need is published: “%(lead)s”."),
    "financing_offer": _("A bank made an offer on the financing need of “%(lead)s”."),
    "financing_accepted": _("Your offer on the financing need of “%(lead)s” was accepted."),
    "wait_reminder": _(
        "Reminder: “%(lead)s” has waited %(days)s working days in “%(state)s” for your action."
    ),
    "wait_escalation": _(
        "Escalated: “%(lead)s” has waited %(days)s working days in “%(state)s”; please see to it."
    ),
}


def render(notification: Notification) -> str:
    p = notification.params
    text = _text(notification)
    if p.get("for_user"):  # a deputy's copy (DESIGN §7), naming whom it stands in for
        return str(_("For %(name)s, who is away: %(text)s")) % {"name": p.get("for_name", ""), "text": text}
    return text


def _text(notification: Notification) -> str:
    p = notification.params
    deadline = parse_datetime(p["deadline_at"]) if p.get("deadline_at") else None
    return str(TEXTS.get(notification.kind, notification.kind)) % {
        "lead": p.get("lead_name", ""),
        "unit": unit_name(p.get("unit"), get_language() or "zh-hans"),
        "days": p.get("days"),
        # a moment in Beijing time; a day (the calendar's last) as it is
        "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
        if deadline
        else p.get("deadline_at") or "",
        "state": _state_label(p.get("state"), notification),
    }


STATES = {
    "lead": State,
    "commitment": CommitmentState,
    "reward": RewardState,
    "support_plan": SupportPlanState,
    "service_request": ServiceRequestState,
}
STATES["majorproject"] = MajorProjectState
STATES["admission"] = AdmissionState
STATES["financing"] = NeedState


def _state_label(state: str | None, notification: Notification) -> str:
    if not state:
        return ""
    case = notification.params.get("case") or ("commitment" if notification.commitment_id else "lead")
    return str(STATES[case](state).label)


def render_all(notification: Notification) -> dict[str, str]:
    """The text in every language the product speaks (websocket and webhook payloads carry both)."""
    out = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            out[lang] = render(notification)
    return out


def unit_name(code: str | None, lang: str) -> str:
    if not code:
        return ""
    names = _unit_names(code)
    return code if names is None else (names[1] if lang == "en" else names[0])


@functools.lru_cache(maxsize=512)
def _unit_names(code: str) -> tuple[str, str] | None:
    # Unit names change only when load_org reloads the data files, which ships with a deploy (and a
    # restart); caching them keeps rendering a list of notifications from querying once per row.
    return OrgUnit.objects.filter(code=code).values_list("name_zh", "name_en").first()
