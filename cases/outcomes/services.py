"""Writes about outcomes that are not transitions: §12 fund attribution, the units' landing capacity, the
§16 annual targets. (§15 reward cases change state through the engine: cases.outcomes.machine.)"""

import json
from datetime import datetime
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.leads.models import Lead, Referrer, State
from cases.outcomes.inputs import CapacityInput, FundAttributionInput, TargetsInput
from cases.outcomes.models import Credit, Target
from workflow import engine
from workflow.models import HOSTING_LEVELS, Level, Membership, OrgUnit, Role, UnitCapacity


def fund_attribute(*, lead_id: int, actor: Any, data: Any, now: datetime | None = None) -> Credit:
    """§12: the city confirms part of a landed fund-referred lead's investment as the fund's in-Beijing
    investment. Once per lead; at most the lead's total investment."""
    now = now or timezone.now()
    if not actor.has_perm(access.DISPATCH):
        raise NotPermitted(_("Only the city confirms a fund's contribution."))
    lead = Lead.objects.select_related("referrer").filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(_("No such lead."))
    if lead.state != State.LANDED or lead.referrer is None or lead.referrer.kind != Referrer.Kind.FUND:
        raise Conflict(
            _("Only a landed lead referred by an industry fund can be attributed to it."),
            code="not_fund_landed",
        )
    d = engine.validate(FundAttributionInput, data)
    if d["amount_cny"] <= 0 or d["amount_cny"] > lead.total_investment_cny:
        raise Invalid(_("The attributed share must be more than 0 and at most the lead's total investment."))
    try:
        with transaction.atomic():
            return Credit.objects.create(
                lead=lead, referrer=lead.referrer, kind=Credit.Kind.FUND, amount_cny=d["amount_cny"],
                note=d["note"], at=now,
            )  # fmt: skip
    except IntegrityError as exc:
        raise Conflict(_("The fund's share of this lead is already confirmed."), code="duplicate") from exc


def may_maintain_capacity(unit: OrgUnit, user: Any) -> bool:
    """A unit's officers and leaders keep its landing capacity current; the city's officers, who choose
    the landing unit with it, may enter and correct any unit's (issue 16)."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.is_active
        and (user.has_perm(access.DISPATCH) or access.holds_role(unit, user, Role.OFFICER, Role.LEADER))
    )


def capacity_update(*, actor: Any, unit_code: str, data: Any, now: datetime | None = None) -> UnitCapacity:
    """A unit's people (or a city officer) keep its landing capacity current (used to rank landing units).
    Figures beyond what the columns hold are refused before anything is saved. Each change is recorded
    in Django's admin log with the figures before and after (cases.outcomes.capacity reads it)."""
    now = now or timezone.now()
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None or not unit.hosts_leads:
        raise NotFound(_("No such unit."))
    if not may_maintain_capacity(unit, actor):
        raise NotPermitted(
            _("Only the unit's own people and the city's officers maintain its capacity figures.")
        )
    d = engine.validate(CapacityInput, data)
    with transaction.atomic():
        before = UnitCapacity.objects.select_for_update().filter(unit=unit).first()
        capacity, _created = UnitCapacity.objects.update_or_create(
            unit=unit, defaults={**d, "updated_on": timezone.localdate(now), "updated_by": actor}
        )
        capacity.refresh_from_db()  # the stored figures, at the column's precision
        change = {
            name: [str(getattr(before, name)) if before else None, str(getattr(capacity, name))]
            for name in CAPACITY_FIGURES
        }
        LogEntry.objects.log_actions(
            user_id=actor.pk, queryset=[capacity], action_flag=CHANGE if before else ADDITION,
            change_message=json.dumps(
                [{"changed": {"fields": list(CAPACITY_FIGURES)}, "capacity": {"unit": unit.code, **change}}]
            ),
            single_object=True,
        )  # fmt: skip
    return capacity


CAPACITY_FIGURES = ("industrial_land_mu", "factory_space_m2")


def targets_set(*, actor: Any, data: Any, now: datetime | None = None) -> int:
    """§16: the city's leaders set the year's targets per unit. All or nothing: afterwards the year holds
    exactly the rows given (a unit left out has no target); any bad row refuses the whole request.
    Returns the year."""
    now = now or timezone.now()
    if not may_set_targets(actor):
        raise NotPermitted(_("Only the city's leaders set the annual targets."))
    d = engine.validate(TargetsInput, data)
    codes = [row["unit"] for row in d["targets"]]
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes).filter(level__in=HOSTING_LEVELS)}
    errors = [
        {"message": str(_("Row %(row)s: no district or zone has the code %(unit)s.") % {"row": i, "unit": code}),
         "code": "unknown_unit"}
        for i, code in enumerate(codes, start=1) if code not in units
    ] + [
        {"message": str(_("Row %(row)s: %(unit)s is given twice.") % {"row": i, "unit": code}), "code": "duplicate"}
        for i, code in enumerate(codes, start=1) if code in codes[: i - 1]
    ]  # fmt: skip
    if errors:
        raise Invalid(
            _("Targets are for districts and zones, one row each."),
            code=errors[0]["code"] if errors[0]["code"] == "unknown_unit" else "invalid",
            errors={"targets": errors},
        )
    rows = [
        Target(unit=units[row["unit"]], year=d["year"], leads_landed=row["leads_landed"],
               investment_landed_cny=row["investment_landed_cny"], set_by=actor, set_at=now)
        for row in d["targets"]
    ]  # fmt: skip
    with transaction.atomic():
        Target.objects.filter(year=d["year"]).exclude(unit__code__in=codes).delete()
        Target.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["year", "unit"],
            update_fields=["leads_landed", "investment_landed_cny", "set_by", "set_at"],
        )
    return d["year"]


def may_set_targets(user: Any) -> bool:
    """§16 targets are the city's: its leaders set them."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.is_active
        and Membership.objects.filter(user=user, role=Role.LEADER, unit__level=Level.CITY).exists()
    )
