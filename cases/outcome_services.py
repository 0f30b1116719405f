"""Writes about outcomes: §15 agency rewards, §12 fund attribution, the units' landing capacity."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from cases import access, policy
from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.models import Credit, Lead, Referrer, RewardCase, RewardState, State
from cases.services import official_language
from workflow import services as engine
from workflow.models import OrgUnit, Role, UnitCapacity


def _decimal(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise Invalid(
            _("Give the amount as a number."), errors={field: [{"message": "number", "code": "invalid"}]}
        ) from exc
    if not amount.is_finite() or amount < 0:
        raise Invalid(
            _("Give the amount as a number."), errors={field: [{"message": "number", "code": "invalid"}]}
        )
    return amount


@official_language
def reward_transition(
    *, reward_id: int, name: str, actor: Any, params: dict[str, Any], now: datetime | None = None
) -> RewardCase:
    """approve {"amount_cny" ≥ 1000万元, default the minimum} / reject {"reason"} / pay, by the landing unit's leader."""
    now = now or timezone.now()
    if name not in ("approve", "reject", "pay"):
        raise NotFound(_("There is no action called %(name)s."), {"name": name})
    with transaction.atomic():
        reward = RewardCase.objects.select_for_update().select_related("unit").filter(pk=reward_id).first()
        if reward is None:
            raise NotFound(_("No such reward case."))
        if not can_proceed(getattr(reward, name)):
            raise Conflict(
                _("This is not possible while the reward case is “%(state)s”."),
                {"state": RewardState(reward.state).label},
                code="wrong_state",
            )
        if not access.can_decide_reward(reward, actor):
            raise NotPermitted(_("Only the landing unit's leaders decide its agency rewards."))
        source = reward.state
        if name == "approve":
            amount = _decimal(params.get("amount_cny", policy.REWARD_MIN_AMOUNT_CNY), "amount_cny")
            if amount < policy.REWARD_MIN_AMOUNT_CNY:
                raise Invalid(_("§15: the reward is at least 10 million yuan."), code="below_minimum")
            reward.amount_cny, reward.decided_at = amount, now
        elif name == "reject":
            reason = str(params.get("reason", "")).strip()
            if not reason:
                raise Invalid(
                    _("A reason is required."),
                    errors={"reason": [{"message": "required", "code": "required"}]},
                )
            reward.decision_reason, reward.decided_at = reason, now
        else:
            reward.paid_at = now
        getattr(reward, name)()
        reward.save()
        engine.history_record(
            subject=reward, transition=name, source=source, target=reward.state, actor_id=actor.pk, at=now,
            params={k: str(v) for k, v in params.items()}, rule=str(_("§15 agency reward")),
        )  # fmt: skip
    return reward


@official_language
def fund_attribute(
    *, lead_id: int, actor: Any, amount_cny: Any, note: str = "", now: datetime | None = None
) -> Credit:
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
    amount = _decimal(amount_cny, "amount_cny")
    if amount <= 0 or amount > lead.total_investment_cny:
        raise Invalid(_("The attributed share must be more than 0 and at most the lead's total investment."))
    try:
        with transaction.atomic():
            return Credit.objects.create(
                lead=lead, referrer=lead.referrer, kind=Credit.Kind.FUND, amount_cny=amount, note=note, at=now
            )
    except IntegrityError as exc:
        raise Conflict(_("The fund's share of this lead is already confirmed."), code="duplicate") from exc


def capacity_update(
    *, actor: Any, unit_code: str, industrial_land_mu: Any, factory_space_m2: Any, now: datetime | None = None
) -> UnitCapacity:
    """A unit's officers and leaders keep its landing capacity current (used to rank landing units)."""
    now = now or timezone.now()
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None or not unit.hosts_leads:
        raise NotFound(_("No such unit."))
    if not access.holds_role(unit, actor, Role.OFFICER, Role.LEADER):
        raise NotPermitted(_("Only the unit's own people maintain its capacity figures."))
    capacity, _created = UnitCapacity.objects.update_or_create(
        unit=unit,
        defaults={
            "industrial_land_mu": _decimal(industrial_land_mu, "industrial_land_mu"),
            "factory_space_m2": _decimal(factory_space_m2, "factory_space_m2"),
            "updated_on": timezone.localdate(now),
            "updated_by": actor,
        },
    )
    capacity.refresh_from_db()  # the stored figures, at the column's precision
    return capacity
