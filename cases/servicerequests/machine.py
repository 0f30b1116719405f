"""The service-request case type (DESIGN §6b): who sees a request, what each state grants, its SLA
ladder and who its audiences are. The transitions are declared on the model (ServiceRequest)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from cases import policy
from cases.leads.machine import UNIT_FOLLOWERS
from cases.majorprojects.models import MajorProject, MajorProjectState
from cases.parameters.selectors import parameters_at
from cases.servicerequests import access
from cases.servicerequests.models import RAISER, RESPONSIBLE_OFFICERS, ServiceRequest, ServiceRequestState
from workflow import engine
from workflow.engine import CaseType, Members, Rungs, Wait, city, register
from workflow.models import Level, Role

RESPONSIBLE = "responsible_unit"  # its officers and leaders: reminded at half time
ESCALATION = "escalation"  # a major project's city leaders, otherwise the lead's unit leaders
STEWARD = "steward"  # a major project's city steward (服务管家), told of an escalation too
BOTH = (Role.OFFICER, Role.LEADER)


def lead_unit_id(request: ServiceRequest) -> int:
    """The lead's unit now: the one negotiating it, or while none does, the one that found it."""
    lead = request.lead
    return lead.unit_id or lead.discovering_unit_id


def steward_id(lead_id: int) -> int | None:
    """The city steward of the lead, while the city follows it as a major project."""
    return (
        MajorProject.objects.filter(lead_id=lead_id, state=MajorProjectState.ACTIVE)
        .values_list("steward_id", flat=True)
        .first()
    )


def _escalation(request: ServiceRequest, data: Mapping[str, Any]) -> Members:
    if steward_id(request.lead_id) is not None:
        return Members(level=Level.CITY, roles=(Role.LEADER,))
    return Members(unit_id=lead_unit_id(request), roles=(Role.LEADER,))


def _steward(request: ServiceRequest, data: Mapping[str, Any]) -> Members | None:
    user_id = steward_id(request.lead_id)
    return Members(user_id=user_id) if user_id is not None else None


AUDIENCES: dict[str, engine.Audience] = {
    RESPONSIBLE: lambda r, data: Members(unit_id=r.responsible_unit_id, roles=BOTH),
    RESPONSIBLE_OFFICERS: lambda r, data: Members(unit_id=r.responsible_unit_id, roles=(Role.OFFICER,)),
    RAISER: lambda r, data: Members(user_id=r.raised_by_id),
    ESCALATION: _escalation,
    STEWARD: _steward,
    "city_officers": city(Role.OFFICER),
    "city_leaders": city(Role.LEADER),
}


def grants(requests: list[ServiceRequest]) -> dict[Any, dict[tuple[int, str], set[str]]]:
    """The responsible unit sees the request and its officers work it; the raising side (the lead's
    unit then and now) sees it. Nobody gets a grant on the lead itself: the request carries its summary."""
    wanted = {}
    for r in requests:
        desired: dict[tuple[int, str], set[str]] = {
            (u, role): {access.VIEW} for u in {r.raising_unit_id, lead_unit_id(r)} for role in BOTH
        }
        desired.setdefault((r.responsible_unit_id, Role.LEADER), set()).add(access.VIEW)
        desired.setdefault((r.responsible_unit_id, Role.OFFICER), set()).update({access.VIEW, access.WORK})
        wanted[r] = desired
    return wanted


def sla_rungs(now: datetime) -> Rungs:
    """The SLA from the policy parameters in force when it starts: a reminder at half time (rounded
    up), the escalation at the deadline."""
    p = parameters_at(when=now)
    days = p.service_request_working_days
    return Rungs(
        remind_days=policy.service_request_reminder_days(days), escalate_days=days, version=p.version
    )


# one Wait for both states: accepting a request does not restart its SLA (the engine keeps one ladder
# across states that share a Wait); a reopen comes from `resolved`, which does not wait, so it starts anew
# the escalation tells a major project's city leaders and its steward together (or the unit's leaders)
SLA = Wait(
    remind=RESPONSIBLE, escalate=(ESCALATION, STEWARD), remind_days=5, escalate_days=10, rungs=sla_rungs
)

SERVICE_REQUEST = register(
    CaseType(
        key="service_request",
        weighty=frozenset({"decline"}),  # ends, refuses or pays: last, as danger, confirmed
        model=ServiceRequest,
        can_view=access.can_view,
        not_found=_("No such service request."),
        noun=_("service request"),
        audiences=AUDIENCES,
        grants=grants,
        waits={ServiceRequestState.OPEN: SLA, ServiceRequestState.ACCEPTED: SLA},
        notice_refs=lambda r: {"lead_id": r.lead_id},
        notice_params=lambda r: {"lead_name": r.lead.name, "case": "service_request", "case_id": r.pk},
        related=("lead", "responsible_unit"),
    )
)


def _follow(leads: list[Any]) -> None:
    """The lead moved to another unit: its requests' grants follow it (the new unit sees them)."""
    from workflow.services import grants_sync_many

    grants_sync_many(grants(list(ServiceRequest.objects.filter(lead__in=leads).select_related("lead"))))


UNIT_FOLLOWERS.append(_follow)
