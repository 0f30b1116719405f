"""Writes about outcomes that are not transitions: §12 fund attribution, the units' landing capacity.
(§15 reward cases change state through the engine: cases.outcomes.machine.)"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.leads.models import Lead, Referrer, State
from cases.outcomes.inputs import CapacityInput, FundAttributionInput
from cases.outcomes.models import Credit
from workflow import engine
from workflow.models import OrgUnit, Role, UnitCapacity


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


def capacity_update(*, actor: Any, unit_code: str, data: Any, now: datetime | None = None) -> UnitCapacity:
    """A unit's officers and leaders keep its landing capacity current (used to rank landing units).
    Figures beyond what the columns hold are refused before anything is saved."""
    now = now or timezone.now()
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None or not unit.hosts_leads:
        raise NotFound(_("No such unit."))
    if not access.holds_role(unit, actor, Role.OFFICER, Role.LEADER):
        raise NotPermitted(_("Only the unit's own people maintain its capacity figures."))
    d = engine.validate(CapacityInput, data)
    capacity, _created = UnitCapacity.objects.update_or_create(
        unit=unit, defaults={**d, "updated_on": timezone.localdate(now), "updated_by": actor}
    )
    capacity.refresh_from_db()  # the stored figures, at the column's precision
    return capacity
