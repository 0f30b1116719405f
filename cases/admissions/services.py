"""Writes to admission supports that are not transitions (DESIGN §6b): asking for one. State changes
go through the engine."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access as lead_access
from cases.admissions.inputs import AdmissionInput
from cases.admissions.models import AdmissionSupport
from cases.errors import Conflict, Invalid, NotPermitted
from cases.leads.models import Lead, State
from cases.leads.selectors import leads_visible
from workflow import engine
from workflow import services as engine_services
from workflow.models import HOSTING_LEVELS, OrgUnit, Role

NOT_OPEN = (State.DRAFT, State.LANDED, State.CLOSED)


def asking_unit(lead: Lead) -> OrgUnit:
    """The district or zone that asks for a lead's admission: the unit working it, or — while the city
    holds it (awaiting confirmation or assignment) — the unit that discovered it."""
    return lead.unit if lead.unit is not None else lead.discovering_unit


def may_ask(*, lead: Lead, user: Any) -> bool:
    unit = asking_unit(lead)
    return (
        unit.level in HOSTING_LEVELS
        and lead.state not in NOT_OPEN
        and lead_access.holds_role(unit, user, Role.OFFICER)
    )


def admission_create(*, actor: Any, data: Any, now: datetime | None = None) -> AdmissionSupport:
    """An officer of the lead's district or zone asks for admission support (§14): a draft. A lead the
    actor cannot see is a 400 like a lead that does not exist; a lead that is not open, a 409."""
    from cases.admissions.machine import ADMISSION

    now = now or timezone.now()
    d = engine.validate(AdmissionInput, data)
    lead = leads_visible(user=actor).select_related("unit", "discovering_unit").filter(pk=d["lead"]).first()
    if lead is None:  # one answer for "no such lead" and "not yours": ids tell nothing
        raise Invalid(
            _("There is no lead #%(id)s that you can see."), {"id": d["lead"]}, code="unknown_lead",
            errors={"lead": [{"message": str(_("There is no such lead.")), "code": "unknown_lead"}]},
        )  # fmt: skip
    unit = asking_unit(lead)
    if unit.level not in HOSTING_LEVELS or not lead_access.holds_role(unit, actor, Role.OFFICER):
        raise NotPermitted(_("Only the officers of the lead's district or zone ask for admission support."))
    refuse_closed_lead(lead)
    with transaction.atomic():
        support = AdmissionSupport.objects.create(
            lead=lead, unit=unit, chain_leader=d["chain_leader"], standard_not_met=d["standard_not_met"],
            justification=d["justification"], created_by=actor, created_at=now, updated_at=now,
        )  # fmt: skip
        engine_services.grants_sync_many(ADMISSION.grants([support]))  # type: ignore[misc] # declared
    return support


def refuse_closed_lead(lead: Lead) -> None:
    """Admission is asked and given only for a submitted lead that is still open (409 otherwise)."""
    if lead.state in NOT_OPEN:
        raise Conflict(
            _("Admission support is for a submitted lead that is still open (it is “%(state)s”)."),
            {"state": State(lead.state).label},
            code="lead_not_open",
        )
