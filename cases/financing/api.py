"""`/api/financing-needs/` and `/api/financing/report/` (DESIGN §6b, §8, §13).

A need reads in one of two shapes, chosen per caller: all of it (the unit that raised it and the city
roles), or the limited projection a bank sees (no lead, contacts, notes or history; its own offers)."""

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.serializers import CaseFields, CasePage
from cases.api.transitions import transition_urls
from cases.financing import selectors, services
from cases.financing.inputs import NeedInput, ReportQuery
from cases.financing.machine import FINANCING
from cases.financing.models import FinancingNeed, FinancingOffer, NeedState
from cases.outcomes.exports import kpi_period


class FinancingOfferSerializer(serializers.ModelSerializer):
    bank: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    bank_name = serializers.CharField(source="bank.name_zh")
    made_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    accepted = serializers.SerializerMethodField()

    class Meta:
        model = FinancingOffer
        fields = ["id", "bank", "bank_name", "product", "amount_cny", "rate_percent", "term_months",
                  "made_by", "made_at", "accepted", "accepted_at"]  # fmt: skip

    def get_accepted(self, offer: FinancingOffer) -> bool:
        return offer.accepted_at is not None


COMMON = ["id", "project_name", "company_name", "sector", "sector_name", "unit", "unit_name",
          "total_investment_cny", "amount_cny", "term_months", "purpose", "state", "state_label",
          "published_at", "offers", "available_transitions"]  # fmt: skip


class FinancingNeedProjectionSerializer(CaseFields, serializers.ModelSerializer):
    case_type = FINANCING

    """What everyone who may see a need reads; a bank reads nothing more (DESIGN §6b), and of the
    offers only its own bank's."""

    project_name = serializers.CharField(source="lead.name")
    company_name = serializers.CharField(source="lead.company_name")
    sector = serializers.CharField(source="lead.sector_id")
    sector_name = serializers.CharField(source="lead.sector.name_zh")
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name_zh")
    total_investment_cny = serializers.DecimalField(
        source="lead.total_investment_cny", max_digits=18, decimal_places=2
    )
    # plain text here: the one enum of the states is the full view's (no second component of it)
    state = serializers.CharField(help_text=" | ".join(NeedState.values))
    state_label = serializers.CharField(source="get_state_display")
    offers = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = FinancingNeed
        fields = COMMON

    @extend_schema_field(FinancingOfferSerializer(many=True))
    def get_offers(self, need: FinancingNeed):  # type: ignore[no-untyped-def]
        return FinancingOfferSerializer(
            selectors.offers_for(need=need, user=self.context["request"].user), many=True
        ).data


class FinancingNeedSerializer(FinancingNeedProjectionSerializer):
    """All of a need: the unit that raised it and the city roles."""

    state = serializers.ChoiceField(choices=NeedState.choices)  # type: ignore[assignment]
    consent_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    history = serializers.SerializerMethodField()

    class Meta:
        model = FinancingNeed
        fields = [*COMMON, "lead", "consent", "consent_by", "consent_at", "accepted_offer", "history",
                  "created_by", "created_at", "updated_at"]  # fmt: skip


class FinancingNeedListSerializer(CasePage):
    def read(self, cases: list[Any], user: Any) -> dict[str, Any]:
        return {"histories": selectors.need_page(needs=cases, user=user)}


class FinancingNeedAnswer(serializers.Serializer):
    """A need as the caller may read it: all of it, or the projection (in the schema: anyOf the two)."""

    class Meta:
        list_serializer_class = FinancingNeedListSerializer

    def to_representation(self, need: FinancingNeed) -> dict[str, Any]:
        user = self.context["request"].user
        full = selectors.sees_everything(need=need, user=user)
        cls = FinancingNeedSerializer if full else FinancingNeedProjectionSerializer
        return cls(need, context=self.context).data


class FinancingNeedAnswerSchema(OpenApiSerializerExtension):
    target_class = FinancingNeedAnswer

    def map_serializer(self, auto_schema, direction):  # type: ignore[no-untyped-def]
        return {
            "anyOf": [
                auto_schema.resolve_serializer(FinancingNeedSerializer, direction).ref,
                auto_schema.resolve_serializer(FinancingNeedProjectionSerializer, direction).ref,
            ]
        }


class NeedList(generics.ListAPIView):
    serializer_class = FinancingNeedAnswer

    @extend_schema(
        parameters=[
            OpenApiParameter("state", description=" | ".join(NeedState.values)),
            OpenApiParameter("unit"),
            OpenApiParameter("lead", int),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        p = self.request.query_params
        return selectors.need_list(
            user=self.request.user, state=p.get("state"), unit=p.get("unit"), lead=p.get("lead")
        )

    @extend_schema(request=NeedInput, responses={201: FinancingNeedSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        need = services.need_create(actor=request.user, data=request.data)
        need = selectors.need_get(user=request.user, need_id=need.pk)
        return Response(
            FinancingNeedSerializer(need, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class NeedDetail(APIView):
    @extend_schema(responses=FinancingNeedAnswer)
    def get(self, request: Request, pk: int) -> Response:
        need = selectors.need_get(user=request.user, need_id=pk)
        return Response(FinancingNeedAnswer(need, context={"request": request}).data)


class FinancingInstitutionSerializer(serializers.Serializer):
    unit = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    offers = serializers.IntegerField(help_text="offers made in the period")
    accepted = serializers.IntegerField(help_text="offers accepted in the period")
    amount_financed_cny = serializers.DecimalField(max_digits=20, decimal_places=2)


class FinancingTotalsSerializer(serializers.Serializer):
    offers = serializers.IntegerField()
    accepted = serializers.IntegerField()
    amount_financed_cny = serializers.DecimalField(max_digits=20, decimal_places=2)


class FinancingReportSerializer(serializers.Serializer):
    """`GET /api/financing/report/`: the §13 figures per institution (those the caller may read)."""

    institutions = FinancingInstitutionSerializer(many=True)
    totals = FinancingTotalsSerializer()

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": serializers.DateField(), "to": serializers.DateField(), **super().get_fields()}


class Report(APIView):
    @extend_schema(parameters=[ReportQuery], responses=FinancingReportSerializer)
    def get(self, request: Request) -> Response:
        selectors.report_scope(user=request.user)  # 403 before the parameters are judged
        start, end, _rest = kpi_period(request.query_params, ReportQuery)
        return Response(
            FinancingReportSerializer(selectors.report(user=request.user, start=start, end=end)).data
        )


transitions = transition_urls(
    FINANCING,
    prefix="financing-needs",
    get=lambda user, pk: selectors.need_get(user=user, need_id=pk),
    serializer=FinancingNeedAnswer,
)

urlpatterns: list[URLPattern] = [
    path("financing-needs/", NeedList.as_view(), name="api-financing-needs"),
    path("financing-needs/<int:pk>/", NeedDetail.as_view(), name="api-financing-need"),
    *transitions,
    path("financing/report/", Report.as_view(), name="api-financing-report"),
]
