"""API for outcomes: recommendations, fund attribution, reward cases, capacity, the §16 KPIs."""

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.transitions import transition_urls
from cases.leads import selectors as lead_selectors
from cases.outcomes import exports, selectors, services
from cases.outcomes.inputs import CapacityInput, FundAttributionInput
from cases.outcomes.machine import REWARD
from cases.outcomes.models import RewardCase

RECOMMENDATION = inline_serializer(
    "Recommendation",
    {
        "unit": serializers.CharField(),
        "name_zh": serializers.CharField(),
        "name_en": serializers.CharField(),
        "score": serializers.FloatField(),
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


class Kpis(APIView):
    @extend_schema(parameters=[OpenApiParameter("from"), OpenApiParameter("to"), OpenApiParameter("format", enum=["json", "csv", "xlsx"])],
                   responses={(200, "application/json"): inline_serializer(
                                  "Kpis", {"from": serializers.DateField(), "to": serializers.DateField(),
                                           "units": serializers.ListField(child=serializers.DictField()),
                                           "totals": serializers.DictField()}),
                              (200, "text/csv"): OpenApiTypes.STR,
                              (200, exports.XLSX): OpenApiTypes.BINARY})  # fmt: skip
    def get(self, request: Request) -> Response | HttpResponse:
        start, end = exports.kpi_period(request.query_params)
        report = selectors.kpis(start=start, end=end, units=exports.kpi_units(request.user))
        fmt = request.query_params.get("format", "json")
        if fmt == "csv":
            return exports.kpi_csv(report)
        if fmt == "xlsx":
            return exports.kpi_xlsx(report)
        return Response(_texts(report))


def _reward(user: Any, pk: Any) -> RewardCase:
    return selectors.reward_get(user=user, reward_id=pk)


transitions = transition_urls(REWARD, prefix="rewards", get=_reward, serializer=RewardCaseSerializer)


def _texts(report: Any) -> Any:
    """Amounts as decimal strings in JSON, like every amount of the API (never a float)."""
    if isinstance(report, dict):
        return {k: _texts(v) for k, v in report.items()}
    if isinstance(report, list):
        return [_texts(v) for v in report]
    return f"{report:.2f}" if isinstance(report, Decimal) else report
