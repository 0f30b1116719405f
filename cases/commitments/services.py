"""Writes to commitment applications that are not transitions (§6): registration, the standards,
and what the inspection and rectification clocks say when due. State changes go through the engine."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from cases import access, audiences, policy
from cases.commitments import selectors
from cases.commitments.inputs import CommitmentInput, StandardInput
from cases.commitments.models import CommitmentApplication, CommitmentStandard, CommitmentState
from cases.errors import Conflict, Invalid, NotPermitted
from cases.leads.selectors import leads_visible
from workflow import engine, locks, registry
from workflow import services as engine_services
from workflow.models import OrgUnit, PilotZone, Role

INSPECTION = "commitment_inspection"
RECTIFICATION = "commitment_rectification"


def commitment_create(*, actor: Any, data: Any, now: datetime | None = None) -> CommitmentApplication:
    """Register a draft application for a unit the actor is an officer of. Refuses, with the reason,
    anything §6 does not allow, an enterprise still barred by a breach, and a lead the actor cannot see."""
    now = now or timezone.now()
    d = engine.validate(CommitmentInput, data)
    unit = OrgUnit.objects.filter(code=d["unit"]).first()
    zone = PilotZone.objects.filter(slug=d["zone"]).first()
    if unit is None or zone is None:
        raise Invalid(_("Unknown unit or pilot zone."), code="unknown_unit")
    if not access.holds_role(unit, actor, Role.OFFICER):
        raise NotPermitted(_("Only an officer of the handling unit can register its applications."))
    decision = _eligibility(d, zone, unit)
    refuse_barred(credit_code=d["credit_code"], now=now)
    lead = None
    if d["lead"] is not None:
        lead = leads_visible(user=actor).filter(pk=d["lead"]).first()
        if lead is None:  # one answer for "no such lead" and "not yours": ids tell nothing
            raise Invalid(
                _("There is no lead #%(id)s that you can see."), {"id": d["lead"]}, code="unknown_lead",
                errors={"lead": [{"message": "unknown", "code": "unknown_lead"}]},
            )  # fmt: skip
    with transaction.atomic():
        application = CommitmentApplication.objects.create(
            **{k: d[k] for k in ("project_name", "company_name", "credit_code", "project_type")},
            **{k: d[k] for k in ("investment_nature", "land_supply", "industrial_content")},
            zone=zone,
            unit=unit,
            lead=lead,
            eligibility_reason=decision.reason,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        engine_services.grants_sync(
            obj=application,
            desired={
                (unit.pk, Role.OFFICER): {"view_commitmentapplication", "work_commitment"},
                (unit.pk, Role.LEADER): {"view_commitmentapplication", "approve_commitment"},
            },
        )
    return application


def _eligibility(d: dict, zone: PilotZone, unit: OrgUnit) -> policy.Decision:
    facts = {
        "zone": zone.slug,
        "unit_in_zone": zone.units.filter(pk=unit.pk).exists(),
        **{k: d[k] for k in ("project_type", "industrial_content", "investment_nature", "land_supply")},
    }
    with translation.override(settings.LANGUAGE_CODE):
        decision = policy.commitment_eligibility(**facts)
    if not decision.applies:
        # the refusal is worded again in whatever language it is read in
        raise Invalid(lazy(lambda: policy.commitment_eligibility(**facts).reason, str)(), code="ineligible")
    return decision


def refuse_barred(*, credit_code: str, now: datetime) -> None:
    """Conflict (409) while a breach on record bars this enterprise from the commitment route."""
    breach = selectors.breach_in_force(credit_code=credit_code, now=now)
    if breach is not None:
        raise Conflict(
            _(
                "This enterprise broke its commitments (application #%(id)s, %(date)s) and may not use the "
                "commitment route again before %(until)s."
            ),
            {
                "id": breach.application_id,
                "date": timezone.localtime(breach.at).date().isoformat(),
                "until": timezone.localtime(breach.barred_until).date().isoformat(),
            },
            code="breach_bar",
        )


def standard_publish(*, actor: Any, data: Any, now: datetime | None = None) -> CommitmentStandard:
    """Publish a new version of a pilot zone's standards (city roles). Earlier versions stay as they were."""
    now = now or timezone.now()
    if not actor.has_perm("cases.add_commitmentstandard"):
        raise NotPermitted(_("Only the city maintains the commitment standards."))
    d = engine.validate(StandardInput, data)
    zone = PilotZone.objects.filter(slug=d["zone"]).first()
    items = [item.strip() for item in d["items"] if item.strip()]
    if zone is None or not items:
        raise Invalid(_("Name a pilot zone and list at least one standard."))
    try:
        with transaction.atomic():
            latest = (
                CommitmentStandard.objects.select_for_update()
                .filter(zone=zone)
                .aggregate(v=Max("version"))["v"]
            )
            return CommitmentStandard.objects.create(
                zone=zone, version=(latest or 0) + 1, items=items, created_by=actor, created_at=now
            )
    except IntegrityError as exc:
        raise Conflict(_("Someone published a version at the same moment; reload."), code="race") from exc


# --- the inspection and rectification clocks ---------------------------------------------------------


def commitment_lock_for_clock(subject_ids: list[int]) -> set[int]:
    return locks.lock_free(CommitmentApplication, subject_ids)


def commitment_clocks_due(events: list[registry.ClockEvent], now: datetime) -> None:
    """Inspections or rectifications due soon (warning the unit) or overdue (escalated to its leader)."""
    from cases.commitments.machine import COMMITMENT

    apps = CommitmentApplication.objects.filter(
        pk__in=[e.subject_id for e in events],
        state__in=(CommitmentState.APPROVED, CommitmentState.RECTIFYING),
    ).in_bulk()
    soon = engine.Notice("commitment_due_soon", (audiences.UNIT,))
    overdue = engine.Notice("commitment_overdue", (audiences.UNIT_LEADERS,))
    items = [
        (
            apps[e.subject_id],
            overdue if e.is_deadline else soon,
            {
                "clock_id": e.clock_id,
                "clock_kind": e.kind,
                "days": e.warning_days,
                "deadline_at": timezone.localtime(e.deadline_at).isoformat(),
            },
            f"clock:{e.clock_id}:{e.warning_days or 'deadline'}",
        )  # fmt: skip
        for e in events
        if e.subject_id in apps and apps[e.subject_id].clock_id == e.clock_id
    ]
    engine.announce(COMMITMENT, items, at=now, name="clock")
