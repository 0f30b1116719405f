"""API for outcomes: recommendations, fund attribution, reward cases, capacity, the §16 KPIs."""

import csv
import io
from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import outcome_selectors, outcome_services, selectors
from cases.api.views import form_data
from cases.errors import Invalid
from cases.models import RewardCase
from workflow.models import Level, OrgUnit

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
        lead = selectors.lead_get(user=request.user, lead_id=pk)
        return Response(outcome_selectors.lead_recommendations(lead=lead))


class FundAttribution(APIView):
    @extend_schema(request=inline_serializer("FundAttribution", {"amount_cny": serializers.DecimalField(18, 2),
                                                                "note": serializers.CharField()}),
                   responses=inline_serializer("FundCredit", {"id": serializers.IntegerField()}))  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        data = form_data(request.data)
        credit = outcome_services.fund_attribute(
            lead_id=pk, actor=request.user, amount_cny=data.get("amount_cny"), note=str(data.get("note", ""))
        )
        return Response(
            {"id": credit.pk, "kind": credit.kind, "amount_cny": str(credit.amount_cny)}, status=201
        )


class RewardCaseSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency = serializers.CharField(source="agency.name")
    lead_name = serializers.CharField(source="lead.name")

    class Meta:
        model = RewardCase
        fields = ["id", "lead", "lead_name", "unit", "agency", "amount_cny", "state", "facts", "decision_reason",
                  "opened_at", "decided_at", "paid_at"]  # fmt: skip


class RewardList(generics.ListAPIView):
    serializer_class = RewardCaseSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return outcome_selectors.rewards_visible(user=self.request.user)


class RewardTransition(APIView):
    @extend_schema(request=None, responses=RewardCaseSerializer)
    def post(self, request: Request, pk: int, name: str) -> Response:
        reward = outcome_services.reward_transition(
            reward_id=pk, name=name, actor=request.user, params=form_data(request.data)
        )
        return Response(RewardCaseSerializer(reward).data)


class Capacity(APIView):
    @extend_schema(
        request=inline_serializer("Capacity", {"industrial_land_mu": serializers.DecimalField(12, 2),
                                               "factory_space_m2": serializers.DecimalField(14, 2)}),
        responses=inline_serializer("CapacitySaved", {"unit": serializers.CharField()}),
    )  # fmt: skip
    def put(self, request: Request, code: str) -> Response:
        data = form_data(request.data)
        cap = outcome_services.capacity_update(
            actor=request.user, unit_code=code, industrial_land_mu=data.get("industrial_land_mu", 0),
            factory_space_m2=data.get("factory_space_m2", 0),
        )  # fmt: skip
        return Response({"unit": code, "industrial_land_mu": str(cap.industrial_land_mu),
                         "factory_space_m2": str(cap.factory_space_m2), "updated_on": str(cap.updated_on)})  # fmt: skip


def kpi_period(request_params) -> tuple[date, date]:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    start = (
        parse_date(request_params.get("from") or "") if request_params.get("from") else date(today.year, 1, 1)
    )
    end = parse_date(request_params.get("to") or "") if request_params.get("to") else today
    if start is None or end is None or start > end:
        raise Invalid(_("Give the period as from=YYYY-MM-DD and to=YYYY-MM-DD, from not after to."))
    return start, end


def kpi_units(user):  # type: ignore[no-untyped-def]
    """City roles see every unit; a unit's people see their own units (and the city-wide totals)."""
    units = OrgUnit.objects.exclude(level=Level.CITY).order_by("id")
    return units if user.has_perm("cases.view_lead") else units.filter(memberships__user=user).distinct()


class Kpis(APIView):
    @extend_schema(parameters=[OpenApiParameter("from"), OpenApiParameter("to"), OpenApiParameter("format", enum=["json", "csv", "xlsx"])],
                   responses=inline_serializer("Kpis", {"from": serializers.DateField(), "to": serializers.DateField(),
                                                        "units": serializers.ListField(), "totals": serializers.DictField()}))  # fmt: skip
    def get(self, request: Request) -> Response | HttpResponse:
        start, end = kpi_period(request.query_params)
        report = outcome_selectors.kpis(start=start, end=end, units=kpi_units(request.user))
        fmt = request.query_params.get("format", "json")
        if fmt == "csv":
            return kpi_csv(report)
        if fmt == "xlsx":
            return kpi_xlsx(report)
        return Response(report)


def _table(report: dict) -> list[list]:
    header = ["unit", "name_zh", *outcome_selectors.KPI_FIELDS]
    rows = [[row.get(k) for k in header] for row in report["units"]]
    rows.append(["total", "全市合计", *[report["totals"].get(k) for k in outcome_selectors.KPI_FIELDS]])
    return [header, *rows]


def kpi_csv(report: dict) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
    csv.writer(buffer).writerows([["" if v is None else v for v in row] for row in _table(report)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpis-{report["from"]}-{report["to"]}.csv"'
    return response


def kpi_xlsx(report: dict) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "KPIs"
    for row in _table(report):
        sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="kpis-{report["from"]}-{report["to"]}.xlsx"'
    return response
