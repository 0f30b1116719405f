"""Writes to support plans that are not transitions: drafting one (DESIGN §6b). Every state change,
disbursements included, goes through the engine (cases.supportplans.models declares them)."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.errors import Conflict, Invalid, NotPermitted
from cases.leads.models import Lead
from cases.majorprojects.models import MajorProject, MajorProjectState
from cases.supportplans import access
from cases.supportplans.inputs import SupportPlanInput
from cases.supportplans.machine import grants
from cases.supportplans.models import SupportPlan
from workflow import engine
from workflow import services as engine_services


def refuse_unless_major(lead: Lead) -> None:
    """409 unless the lead is an active city major project: a support plan (§10) is drafted, decided and
    paid only for one (a project the city stopped following takes its plans no further)."""
    if not MajorProject.objects.filter(lead=lead, state=MajorProjectState.ACTIVE).exists():
        raise Conflict(
            _("“%(lead)s” is not an active city major project: support plans (§10) are only for those."),
            {"lead": lead.name},
            code="not_major_project",
        )


def support_plan_create(*, actor: Any, data: Any, now: datetime | None = None) -> SupportPlan:
    """Draft a support plan for an active city major project (city officers). Refuses anyone else
    (403), bad input (400), a lead that does not exist (400) and a lead that is not an active city
    major project (409), before anything is written."""
    now = now or timezone.now()
    if not access.may_draft(actor):
        raise NotPermitted(_("Only city officers draft support plans."))
    d = engine.validate(SupportPlanInput, data)
    lead = Lead.objects.filter(pk=d["lead"]).first()
    if lead is None:
        raise Invalid(
            _("There is no lead #%(id)s."), {"id": d["lead"]}, code="unknown_lead",
            errors={"lead": [{"message": "unknown", "code": "unknown_lead"}]},
        )  # fmt: skip
    refuse_unless_major(lead)
    with transaction.atomic():
        plan = SupportPlan.objects.create(
            lead=lead,
            amount_cny=d["amount_cny"],
            methods=d["methods"],
            terms=d["terms"],
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        engine_services.grants_sync_many(grants([plan]))
    return plan
