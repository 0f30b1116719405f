"""`/api/commitments/`: the same pattern as leads (DESIGN §8)."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.serializers import CaseFields, CasePage, ClockSerializer
from cases.api.serializers import local as _local
from cases.api.transitions import transition_urls
from cases.commitments import selectors, services
from cases.commitments.inputs import CommitmentInput, StandardInput
from cases.commitments.machine import COMMITMENT
from cases.commitments.models import CommitmentApplication, CommitmentStandard
from cases.leads.selectors import clock_summary
from workflow import workdays


class StandardSerializer(serializers.ModelSerializer):
    zone: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = CommitmentStandard
        fields = ["id", "zone", "version", "items", "created_by", "created_at"]


class CommitmentListSerializer(CasePage):
    """A page of applications: what each row shows beyond its columns (the caller's transitions, the
    history, the clock's calendar) is read once for the page, not once per row."""

    def read(self, cases: list[Any], user: Any) -> dict[str, Any]:
        histories = selectors.commitment_page(applications=cases, user=user)
        return {
            "histories": histories,
            "calendar": workdays.current(lazy=True),
        }  # read if a paused clock needs it


class CommitmentSerializer(CaseFields, serializers.ModelSerializer):
    case_type = COMMITMENT

    zone: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state_label = serializers.CharField(source="get_state_display")
    standard_version = serializers.IntegerField(source="standard.version", default=None, allow_null=True)
    clock = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = CommitmentApplication
        fields = [
            "id", "project_name", "company_name", "credit_code", "zone", "unit", "project_type", "investment_nature",
            "land_supply", "industrial_content", "lead", "eligibility_reason", "state", "state_label",
            "standard_version", "commitments", "findings", "decision_reason", "approved_at", "clock",
            "available_transitions", "history", "created_at", "updated_at",
        ]  # fmt: skip
        list_serializer_class = CommitmentListSerializer

    @extend_schema_field(ClockSerializer(allow_null=True))
    def get_clock(self, app: CommitmentApplication):  # type: ignore[no-untyped-def]
        # the pause ledger is not part of an application's clock (one query per row for nothing)
        summary = clock_summary(clock=app.clock, pauses=False, calendar=self.context.get("calendar"))
        if summary is None:
            return None
        summary["pauses"] = []
        return {k: _local(v) for k, v in summary.items()} | {"kind": getattr(app.clock, "kind", None)}


class CommitmentList(generics.ListCreateAPIView):
    serializer_class = CommitmentSerializer

    @extend_schema(parameters=[OpenApiParameter("state"), OpenApiParameter("unit")])
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        p = self.request.query_params
        return selectors.commitment_list(user=self.request.user, state=p.get("state"), unit=p.get("unit"))

    @extend_schema(request=CommitmentInput, responses={201: CommitmentSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        app = services.commitment_create(actor=request.user, data=request.data)
        app = selectors.commitment_get(user=request.user, application_id=app.pk)
        return Response(
            CommitmentSerializer(app, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class CommitmentDetail(APIView):
    @extend_schema(responses=CommitmentSerializer)
    def get(self, request: Request, pk: int) -> Response:
        app = selectors.commitment_get(user=request.user, application_id=pk)
        return Response(CommitmentSerializer(app, context={"request": request}).data)


class StandardList(generics.ListCreateAPIView):
    """The commitment standards of each pilot zone, every version; city roles publish a new one."""

    serializer_class = StandardSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.standards(zone=self.request.query_params.get("zone"))

    @extend_schema(request=StandardInput, responses={201: StandardSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        standard = services.standard_publish(actor=request.user, data=request.data)
        return Response(StandardSerializer(standard).data, status=status.HTTP_201_CREATED)


transitions = transition_urls(
    COMMITMENT,
    prefix="commitments",
    get=lambda user, pk: selectors.commitment_get(user=user, application_id=pk),
    serializer=CommitmentSerializer,
)
