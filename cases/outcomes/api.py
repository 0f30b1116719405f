"""API for outcomes: recommendations, fund attribution, reward cases, capacity, the §16 KPIs and targets."""

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.transitions import transition_urls
from cases.leads import selectors as lead_selectors
from cases.leads.api import SummaryList
from cases.leads.serializers import LeadSummarySerializer
from cases.outcomes import exports, selectors, services
from cases.outcomes.inputs import (
    CapacityInput,
    FundAttributionInput,
    KpiLeadsQuery,
    KpiQuery,
    TargetsInput,
    TargetYearQuery,
)
from cases.outcomes.machine import REWARD
from cases.outcomes.models import RewardCase
from workflow import engine

RECOMMENDATION = inline_serializer(
    "Recommendation",
    {
        "unit": serializers.CharField(),
        "name_zh": serializers.CharField(),
        "name_en": serializers.CharField(),
        "score": serializers.FloatField(help_text="out of 100: the sum of `points`"),
        "points": inline_serializer(
            "RecommendationPoints",
            {
                name: serializers.FloatField(help_text=f"out of {most}")
                for name, most in selectors.POINTS.items()
            },
        ),
        "reasons": serializers.ListField(child=serializers.CharField()),
    },
    many=True,
)


class Recommendations(APIView):
    @extend_schema(responses=RECOMMENDATION)
    def get(self, request: Request, pk: int) -> Response:
        lead = lead_selectors.lead_get(user=request.user, lead_id=pk)
        return Response(selectors.lead_recommendations(lead=lead))


class FundAttribution(APIView):
    @extend_schema(request=FundAttributionInput,
                   responses={201: inline_serializer("FundCredit", {"id": serializers.IntegerField(),
                                                                    "kind": serializers.CharField(),
                                                                    "amount_cny": serializers.DecimalField(18, 2)})})  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        credit = services.fund_attribute(lead_id=pk, actor=request.user, data=request.data)
        return Response(
            {"id": credit.pk, "kind": credit.kind, "amount_cny": str(credit.amount_cny)}, status=201
        )


class RewardCaseSerializer(serializers.ModelSerializer):
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency = serializers.CharField(source="agency.name")
    lead_name = serializers.CharField(source="lead.name")

    class Meta:
        model = RewardCase
        fields = ["id", "lead", "lead_name", "unit", "agency", "amount_cny", "state", "facts", "decision_reason",
                  "opened_at", "decided_at", "paid_at"]  # fmt: skip


class RewardList(generics.ListAPIView):
    serializer_class = RewardCaseSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.rewards_visible(user=self.request.user)


class Capacity(APIView):
    @extend_schema(
        request=CapacityInput,
        responses=inline_serializer("CapacitySaved", {"unit": serializers.CharField(),
                                                      "industrial_land_mu": serializers.DecimalField(12, 2),
                                                      "factory_space_m2": serializers.DecimalField(14, 2),
                                                      "updated_on": serializers.DateField()}),
    )  # fmt: skip
    def put(self, request: Request, code: str) -> Response:
        cap = services.capacity_update(actor=request.user, unit_code=code, data=request.data)
        return Response({"unit": code, "industrial_land_mu": str(cap.industrial_land_mu),
                         "factory_space_m2": str(cap.factory_space_m2), "updated_on": str(cap.updated_on)})  # fmt: skip


# --- §16 assessment ------------------------------------------------------------------------------


def _sum(**kwargs: Any) -> serializers.DecimalField:
    """A sum of many amounts of up to 16 digits before the point: more digits than one amount's column."""
    return serializers.DecimalField(max_digits=30, decimal_places=2, **kwargs)


class KpiFiguresSerializer(serializers.Serializer):
    """The §16 figures of one unit, or city-wide, for the period (docs/outcomes.md)."""

    submitted = serializers.IntegerField(help_text="leads first submitted in the period (drafts never count)")
    first_negotiations_confirmed = serializers.IntegerField()
    landed = serializers.IntegerField()
    landed_investment_cny = _sum()
    referral_credits = serializers.IntegerField()
    lost_to_clock = serializers.IntegerField()
    median_days_to_progress = serializers.FloatField(allow_null=True)
    landing_rate = serializers.FloatField(
        allow_null=True, help_text="landed ÷ (landed + lost to the clock + closed)"
    )
    target_leads_landed = serializers.IntegerField(
        allow_null=True,
        help_text="the annual target of target_year; null: none set, or the period spans years",
    )
    leads_landed_completion = serializers.FloatField(
        allow_null=True, help_text="landed ÷ target_leads_landed"
    )
    target_investment_landed_cny = _sum(allow_null=True)
    investment_landed_completion = serializers.FloatField(
        allow_null=True, help_text="landed_investment_cny ÷ target_investment_landed_cny"
    )


class KpiUnitSerializer(KpiFiguresSerializer):
    unit = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    rank = serializers.IntegerField(
        min_value=1,
        help_text="among all ranked_units: by landed investment, then landed leads; equals share a rank",
    )


class TrendSeriesSerializer(serializers.Serializer):
    """One value per month of `months`, a month without activity 0."""

    submitted = serializers.ListField(child=serializers.IntegerField())
    landed = serializers.ListField(child=serializers.IntegerField())
    landed_investment_cny = serializers.ListField(child=_sum())


class UnitTrendSerializer(TrendSeriesSerializer):
    unit = serializers.CharField()


class KpiTrendSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.RegexField(r"^\d{4}-\d{2}$"), help_text="YYYY-MM")
    totals = TrendSeriesSerializer()
    units = UnitTrendSerializer(many=True)


class KpisSerializer(serializers.Serializer):
    """`GET /api/kpis/`: units ranked (only those the caller sees), city-wide totals, the month trend."""

    target_year = serializers.IntegerField(
        allow_null=True, help_text="whose targets apply: null if the period spans years"
    )
    ranked_units = serializers.IntegerField(help_text="how many units the ranking ranks")
    units = KpiUnitSerializer(many=True)
    totals = KpiFiguresSerializer()
    trend = KpiTrendSerializer()

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": serializers.DateField(), "to": serializers.DateField(), **super().get_fields()}


class Kpis(APIView):
    @extend_schema(parameters=[KpiQuery],
                   responses={(200, "application/json"): KpisSerializer,
                              (200, "text/csv"): OpenApiTypes.STR,
                              (200, exports.XLSX): OpenApiTypes.BINARY})  # fmt: skip
    def get(self, request: Request) -> Response | HttpResponse:
        units = selectors.assessment_units(user=request.user)
        start, end, query = exports.kpi_period(request.query_params, KpiQuery)
        report = selectors.kpis(start=start, end=end, units=units)
        fmt = query.get("format", "json")
        if fmt == "csv":
            return exports.kpi_csv(report)
        if fmt == "xlsx":
            return exports.kpi_xlsx(report)
        return Response(KpisSerializer(report).data)


class KpiLeads(SummaryList, generics.ListAPIView):
    """The leads behind one §16 figure (what the caller may see of them)."""

    serializer_class = LeadSummarySerializer

    @extend_schema(parameters=[KpiLeadsQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        selectors.assessment_units(user=self.request.user)
        start, end, query = exports.kpi_period(self.request.query_params, KpiLeadsQuery)
        return selectors.kpi_leads(
            user=self.request.user, figure=query["figure"], start=start, end=end, unit=query.get("unit")
        )


class TargetSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code")
    name_zh = serializers.CharField(source="unit.name_zh")
    leads_landed = serializers.IntegerField()
    investment_landed_cny = serializers.DecimalField(max_digits=18, decimal_places=2)
    set_by = serializers.CharField(source="set_by.username")
    set_at = serializers.DateTimeField()


class TargetsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    targets = TargetSerializer(many=True)


class Targets(APIView):
    """§16 annual targets per unit: everyone with a role reads them, the city's leaders set them."""

    @extend_schema(parameters=[TargetYearQuery], responses=TargetsSerializer)
    def get(self, request: Request) -> Response:
        selectors.assessment_units(user=request.user)
        year = engine.validate(TargetYearQuery, request.query_params).get("year", timezone.localdate().year)
        return _targets(year)

    @extend_schema(request=TargetsInput, responses=TargetsSerializer)
    def put(self, request: Request) -> Response:
        return _targets(services.targets_set(actor=request.user, data=request.data))


def _targets(year: int) -> Response:
    return Response(TargetsSerializer({"year": year, "targets": selectors.targets_of(year=year)}).data)


def _reward(user: Any, pk: Any) -> RewardCase:
    return selectors.reward_get(user=user, reward_id=pk)


transitions = transition_urls(REWARD, prefix="rewards", get=_reward, serializer=RewardCaseSerializer)
