"""What writes about outcomes accept: reward decisions (§15), fund attribution (§12), capacity."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import policy
from cases.inputs import EARLIEST, LATEST, Date, money, text
from cases.outcomes.selectors import DRILLABLE


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

    industrial_land_mu = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), label=_("Industrial land available (mu)")
    )
    factory_space_m2 = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), label=_("Factory space available (m²)")
    )


# --- §16 assessment ------------------------------------------------------------------------------

TARGET_LEADS_MAX = 1_000_000  # far beyond what a unit lands in a year; refuses nonsense, not ambition
TARGET_ROWS_MAX = 200  # one row per unit hosting leads (17 today; zones may be added as data)


class TargetRowInput(serializers.Serializer):
    """One unit's annual targets (§16): leads landed and investment landed (yuan)."""

    unit = serializers.SlugField(label=_("Unit"), max_length=40)
    leads_landed = serializers.IntegerField(label=_("Leads landed"), min_value=0, max_value=TARGET_LEADS_MAX)
    investment_landed_cny = money(_("Investment landed (yuan)"))


class TargetsInput(serializers.Serializer):
    """`PUT /api/targets/`: the year's targets, one row per unit; afterwards the year holds exactly these."""

    year = serializers.IntegerField(label=_("Year"), min_value=EARLIEST.year, max_value=LATEST.year)
    # DRF ≥ 3.14 passes max_length on to the ListSerializer; the stubs do not know it yet
    targets = TargetRowInput(many=True, allow_empty=True, max_length=TARGET_ROWS_MAX, label=_("Targets"))  # type: ignore[call-arg]


class TargetYearQuery(serializers.Serializer):
    """`GET /api/targets/?year=`: the year (default: this year)."""

    year = serializers.IntegerField(
        label=_("Year"), min_value=EARLIEST.year, max_value=LATEST.year, required=False
    )


class KpiPeriodQuery(serializers.Serializer):
    """`?from=&to=` of the §16 figures (default: this year so far); `from` is a Python keyword, so the
    fields are named in get_fields."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": Date(
                label=_("From"), required=False, help_text="YYYY-MM-DD, default 1 January of this year"
            ),
            "to": Date(label=_("To"), required=False, help_text="YYYY-MM-DD, default today"),
        }


KPI_FORMATS = ["json", "csv", "xlsx"]


class KpiQuery(KpiPeriodQuery):
    """`GET /api/kpis/`: the period and the answer's format."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            **super().get_fields(),
            "format": serializers.ChoiceField(KPI_FORMATS, required=False, label=_("Format")),
        }


class KpiLeadsQuery(KpiPeriodQuery):
    """`GET /api/kpis/leads/`: the leads behind one figure of one unit (none: city-wide) in the period."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            **super().get_fields(),
            "figure": serializers.ChoiceField(DRILLABLE, label=_("Figure")),
            "unit": serializers.SlugField(
                max_length=40, required=False, help_text="a unit's code; none: city-wide", label=_("Unit")
            ),
        }
