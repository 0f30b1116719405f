"""What writes about outcomes accept: reward decisions (§15), fund attribution (§12), capacity."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import policy
from cases.inputs import money, text


class RewardApproveInput(serializers.Serializer):
    """`approve`: the reward, at least 1000万元 (§15); the minimum when not given."""

    amount_cny = money(_("Reward (yuan)"), required=False, default=policy.REWARD_MIN_AMOUNT_CNY)

    def validate_amount_cny(self, value: Decimal) -> Decimal:
        if value < policy.REWARD_MIN_AMOUNT_CNY:
            raise serializers.ValidationError(
                _("§15: the reward is at least 10 million yuan."), code="below_minimum"
            )
        return value


class FundAttributionInput(serializers.Serializer):
    """`POST /api/leads/{id}/fund_attribution/`: the fund's share of a landed lead (§12)."""

    amount_cny = money(_("Amount (yuan)"))
    note = text(_("Note"), max_length=2000, required=False, allow_blank=True, default="")


class CapacityInput(serializers.Serializer):
    """`PUT /api/units/{code}/capacity/`: the landing capacity a unit maintains, as its columns hold it."""

    industrial_land_mu = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0))
    factory_space_m2 = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0))
