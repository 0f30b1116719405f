"""The support plan case type (DESIGN §6b, §7): who sees a plan, what each state grants, the ladder
of the two reviews, and who its audiences are. The transitions are declared on the model."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from cases import policy
from cases.audiences import CITY_LEADERS
from cases.leads.machine import UNIT_FOLLOWERS
from cases.parameters.selectors import parameters_at
from cases.supportplans import access
from cases.supportplans.audiences import (
    FINANCE_OFFICERS,
    FINANCE_UNIT,
    GOVERNMENT_LEADERS,
    GOVERNMENT_UNIT,
    SUPPORT_PLAN,
)
from cases.supportplans.models import SupportPlan, SupportPlanState
from workflow.engine import CaseType, Rungs, Wait, register
from workflow.models import OrgUnit, Role

BOTH_ROLES = (Role.OFFICER, Role.LEADER)


def grants(plans: list[SupportPlan]) -> dict[Any, dict[tuple[int, str], set[str]]]:
    """What each plan's state gives each unit (DESIGN §6b), and nothing more.

    The lead's unit sees its lead's plans (read-only). The finance bureau sees a plan from the day it
    first reached it, and co-signs it while it waits there; the city government sees it from the day
    it was first sent up, and its leaders decide it while it waits there. City roles see every plan
    through their model-level permission.
    """
    units = dict(OrgUnit.objects.filter(code__in=(FINANCE_UNIT, GOVERNMENT_UNIT)).values_list("code", "pk"))
    finance, government = units.get(FINANCE_UNIT), units.get(GOVERNMENT_UNIT)
    wanted = {}
    for plan in plans:
        desired: dict[tuple[int, str], set[str]] = {}
        lead_unit = plan.lead.unit_id or plan.lead.discovering_unit_id
        reviewers = [
            (finance, plan.reached_finance_at),
            (government, plan.reached_government_at),
            (lead_unit, True),
        ]
        for unit_id, reached in reviewers:
            if unit_id is not None and reached:
                for role in BOTH_ROLES:
                    desired[(unit_id, role)] = {access.VIEW}
        if plan.state == SupportPlanState.FINANCE_REVIEW and finance is not None:
            desired[(finance, Role.OFFICER)].add(access.COSIGN)
        if plan.state == SupportPlanState.GOVERNMENT_REVIEW and government is not None:
            desired[(government, Role.LEADER)].add(access.DECIDE)
        wanted[plan] = desired
    return wanted


def _rungs(now: datetime) -> Rungs:
    """The ladder's working days from the policy parameters in force when the wait starts."""
    p = parameters_at(when=now)
    return Rungs(remind_days=p.remind_working_days, escalate_days=p.escalate_working_days, version=p.version)


def _ladder(remind: str) -> Wait:
    return Wait(
        remind=remind,
        escalate=CITY_LEADERS,
        remind_days=policy.WAIT_REMIND_WORKING_DAYS,
        escalate_days=policy.WAIT_ESCALATE_WORKING_DAYS,
        rungs=_rungs,
    )


SUPPORT_PLAN_TYPE = register(
    CaseType(
        key="support_plan",
        weighty=frozenset({"reject"}),  # ends, refuses or pays: last, as danger, confirmed
        model=SupportPlan,
        can_view=access.can_view,
        not_found=_("No such support plan."),
        noun=_("support plan"),
        audiences=SUPPORT_PLAN,
        grants=grants,
        # each review is a wait of its own: a plan co-signed by finance starts afresh at the government
        waits={
            SupportPlanState.FINANCE_REVIEW: _ladder(FINANCE_OFFICERS),
            SupportPlanState.GOVERNMENT_REVIEW: _ladder(GOVERNMENT_LEADERS),
        },
        notice_refs=lambda plan: {"lead_id": plan.lead_id},
        notice_params=lambda plan: {
            "lead_name": plan.lead.name,
            "state": plan.state,
            "case": "support_plan",
            "case_id": plan.pk,
        },
        related=("lead",),
    )
)


def _follow(leads: list[Any]) -> None:
    """The lead moved to another unit: its plans' grants follow it (the new unit sees them)."""
    from workflow.services import grants_sync_many

    grants_sync_many(grants(list(SupportPlan.objects.filter(lead__in=leads).select_related("lead"))))


UNIT_FOLLOWERS.append(_follow)
