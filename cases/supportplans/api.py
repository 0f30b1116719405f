"""`/api/support-plans/`: the same pattern as leads (DESIGN §6b, §8)."""

from typing import Any, cast

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.serializers import CaseFields, CasePage, HistorySerializer
from cases.api.transitions import transition_urls
from cases.supportplans import selectors, services
from cases.supportplans.inputs import SupportPlanInput
from cases.supportplans.machine import SUPPORT_PLAN_TYPE
from cases.supportplans.models import Disbursement, SupportPlan
from workflow import selectors as engine_selectors

# the transitions whose parameters are a reviewer's words on the plan
OPINIONS = {"cosign": "opinion", "return": "reason", "reject": "reason"}


class DisbursementSerializer(serializers.ModelSerializer):
    recorded_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Disbursement
        fields = ["id", "amount_cny", "date", "note", "recorded_by", "recorded_at"]


class OpinionSerializer(serializers.Serializer):
    transition = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    text = serializers.CharField()


class SupportPlanListSerializer(CasePage):
    """A page of plans: the caller's grants and every plan's history read once for the page."""

    def read(self, cases: list[Any], user: Any) -> dict[str, Any]:
        return {"histories": selectors.plan_page(plans=cases, user=user)}


class SupportPlanSerializer(CaseFields, serializers.ModelSerializer):
    case_type = SUPPORT_PLAN_TYPE

    lead_name = serializers.CharField(source="lead.name", read_only=True)
    company_name = serializers.CharField(source="lead.company_name", read_only=True)
    lead_unit = serializers.CharField(source="lead.unit.code", default=None, allow_null=True, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    remaining_cny = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    disbursements = DisbursementSerializer(many=True, read_only=True)
    opinions = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = SupportPlan
        fields = [
            "id", "lead", "lead_name", "company_name", "lead_unit", "amount_cny", "methods", "terms", "state",
            "state_label", "finance_opinion", "decision_reason", "approved_at", "disbursed_cny", "remaining_cny",
            "disbursements", "opinions", "available_transitions", "history", "created_by", "created_at",
            "updated_at",
        ]  # fmt: skip
        list_serializer_class = SupportPlanListSerializer

    def _history(self, plan: SupportPlan) -> list[Any]:
        page = self.context.get("histories")  # a list's page: read for every row at once
        if page is not None and plan.pk in page:
            return page[plan.pk]
        # opinions and history read one timeline per plan (the root's own dict, which both read)
        cache = cast(dict[str, Any], self.context).setdefault("history_of", {})
        if plan.pk not in cache:
            cache[plan.pk] = list(engine_selectors.history(subject=plan))
        return cache[plan.pk]

    @extend_schema_field(OpinionSerializer(many=True))
    def get_opinions(self, plan: SupportPlan):  # type: ignore[no-untyped-def]
        opinions = [
            {
                "transition": h.transition,
                "actor": getattr(h.actor, "username", None),
                "at": h.at,
                "text": h.params.get(OPINIONS[h.transition], ""),
            }
            for h in self._history(plan)
            if h.transition in OPINIONS
        ]
        return OpinionSerializer(opinions, many=True).data

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, plan: SupportPlan):  # type: ignore[no-untyped-def]
        return HistorySerializer(self._history(plan), many=True).data


class SupportPlanList(generics.ListCreateAPIView):
    serializer_class = SupportPlanSerializer

    @extend_schema(parameters=[OpenApiParameter("state"), OpenApiParameter("lead", int)])
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        p = self.request.query_params
        return selectors.plan_list(user=self.request.user, state=p.get("state"), lead=p.get("lead"))

    @extend_schema(request=SupportPlanInput, responses={201: SupportPlanSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        plan = services.support_plan_create(actor=request.user, data=request.data)
        plan = selectors.plan_get(user=request.user, plan_id=plan.pk)
        return Response(
            SupportPlanSerializer(plan, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class SupportPlanDetail(APIView):
    @extend_schema(responses=SupportPlanSerializer)
    def get(self, request: Request, pk: int) -> Response:
        plan = selectors.plan_get(user=request.user, plan_id=pk)
        return Response(SupportPlanSerializer(plan, context={"request": request}).data)


urlpatterns: list[URLPattern] = [
    path("support-plans/", SupportPlanList.as_view(), name="api-support-plans"),
    path("support-plans/<int:pk>/", SupportPlanDetail.as_view(), name="api-support-plan"),
    *transition_urls(
        SUPPORT_PLAN_TYPE,
        prefix="support-plans",
        get=lambda user, pk: selectors.plan_get(user=user, plan_id=pk),
        serializer=SupportPlanSerializer,
    ),
]
