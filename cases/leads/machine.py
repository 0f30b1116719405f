"""The lead case type (DESIGN §3, §7): what is not one transition's — who sees a lead, what each
state grants, the ladder of its waiting states, and who its audiences are. The transitions are
declared on the model (cases.leads.models.Lead)."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from cases import access, audiences, policy
from cases.leads.models import Exclusion, Lead, State
from cases.parameters.selectors import parameters_at
from workflow.engine import CaseType, Rungs, Wait, register
from workflow.models import Role

# States in which the assigned unit works the lead (its officers work, its leader approves).
ASSIGNED_STATES = (State.NEGOTIATING, State.PROGRESS_REVIEW, State.PUSH_REQUESTED, State.PROGRESSING)
BOTH_ROLES = (Role.OFFICER, Role.LEADER)


def grants(leads: list[Lead]) -> dict[Any, dict[tuple[int, str], set[str]]]:
    """What each lead's state gives each unit (DESIGN §2), and nothing more.

    Every unit that ever held the lead keeps `view` (the discoverer, the current unit, units that
    pushed or lost it). The discoverer works a draft; the assigned unit works an active lead.
    """
    excluded: dict[int, set[int]] = {lead.pk: set() for lead in leads}
    for lead_id, unit_id in Exclusion.objects.filter(lead__in=leads).values_list("lead_id", "unit_id"):
        excluded[lead_id].add(unit_id)
    wanted = {}
    for lead in leads:
        viewers = {lead.discovering_unit_id, *excluded[lead.pk]}
        if lead.unit_id:
            viewers.add(lead.unit_id)
        desired: dict[tuple[int, str], set[str]] = {
            (u, r): {access.VIEW} for u in viewers for r in BOTH_ROLES
        }
        worker = lead.discovering_unit_id if lead.state == State.DRAFT else None
        if lead.state in ASSIGNED_STATES:
            worker = lead.unit_id
        if worker is not None:
            desired[(worker, Role.OFFICER)].add(access.WORK)
            desired[(worker, Role.LEADER)] |= {access.WORK, access.APPROVE}
        wanted[lead] = desired
    return wanted


# Cases of other types whose grants follow a lead's unit (service requests, support plans register
# theirs): each gets the leads whose unit just changed, after the lead's own grants are synced.
UNIT_FOLLOWERS: list[Any] = []
UNIT_MOVED = (
    "unit_moved"  # set on a lead by the effect that changed its unit (effects._assignee_follows_unit)
)


def _unit_followers(leads: list[Lead]) -> None:
    moved = [lead for lead in leads if lead.__dict__.pop(UNIT_MOVED, False)]
    if moved:
        for follow in UNIT_FOLLOWERS:
            follow(moved)


def _rungs(now: datetime) -> Rungs:
    """The ladder's working days from the policy parameters in force when the wait starts."""
    p = parameters_at(when=now)
    return Rungs(remind_days=p.remind_working_days, escalate_days=p.escalate_working_days, version=p.version)


def _ladder(remind: str, escalate: str) -> Wait:
    return Wait(
        remind=remind,
        escalate=escalate,
        remind_days=policy.WAIT_REMIND_WORKING_DAYS,
        escalate_days=policy.WAIT_ESCALATE_WORKING_DAYS,
        rungs=_rungs,
    )


LEAD = register(
    CaseType(
        key="lead",
        weighty=frozenset(
            {"decline", "reject_progress", "reject_push", "close"}
        ),  # ends, refuses or pays: last, as danger, confirmed
        model=Lead,
        can_view=access.can_view,
        not_found=_("No such lead."),
        noun=_("lead"),
        audiences=audiences.LEAD,
        grants=grants,
        followers=_unit_followers,
        # waiting state → (who must act: reminded, the level above: escalated to)
        waits={
            State.PENDING_CONFIRMATION: _ladder(audiences.CITY_OFFICERS, audiences.CITY_LEADERS),
            # the city's own queue has a deadline too: picking the landing unit (DESIGN §7)
            State.PENDING_ASSIGNMENT: _ladder(audiences.CITY_OFFICERS, audiences.CITY_LEADERS),
            State.PUSH_REQUESTED: _ladder(audiences.CITY_OFFICERS, audiences.CITY_LEADERS),
            State.ESCALATED: _ladder(audiences.CITY_OFFICERS, audiences.CITY_LEADERS),
            State.PROGRESS_REVIEW: _ladder(audiences.UNIT_LEADERS, audiences.CITY_OFFICERS),
        },
        notice_refs=lambda lead: {"lead_id": lead.pk},
        notice_params=lambda lead: {"lead_name": lead.name, "case": "lead"},
        related=("unit", "clock", "referrer", "discovering_unit", "first_negotiation_unit"),
    )
)
