"""`/api/service-requests/`: the same pattern as leads (DESIGN §6b, §8)."""

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.serializers import CaseFields, CasePage, local
from cases.api.transitions import transition_urls
from cases.servicerequests import selectors, services
from cases.servicerequests.inputs import RaiseInput
from cases.servicerequests.machine import SERVICE_REQUEST
from cases.servicerequests.models import ServiceRequest


class ServiceRequestLeadSerializer(serializers.Serializer):
    """What the responsible unit learns of the lead: enough to answer, not the lead itself."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    company_name = serializers.CharField()
    sector = serializers.CharField(source="sector_id")
    unit = serializers.CharField(
        source="unit.code", allow_null=True, help_text="the lead's unit (code), or null"
    )
    total_investment_cny = serializers.DecimalField(max_digits=18, decimal_places=2)


class ServiceRequestListSerializer(CasePage):
    """A page of requests: the caller's grants, the histories and the SLA deadlines, read once for the page."""

    def read(self, cases: list[Any], user: Any) -> dict[str, Any]:
        histories = selectors.request_page(requests=cases, user=user)
        return {"histories": histories, "deadlines": selectors.sla_deadlines(requests=cases)}


class ServiceRequestSerializer(CaseFields, serializers.ModelSerializer):
    case_type = SERVICE_REQUEST

    lead_summary = ServiceRequestLeadSerializer(source="lead", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display")
    responsible_unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    raised_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    state_label = serializers.CharField(source="get_state_display")
    sla_deadline = serializers.SerializerMethodField(help_text="the SLA's deadline while the request waits")
    available_transitions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id", "lead", "lead_summary", "kind", "kind_label", "description", "responsible_unit", "raised_by",
            "raised_at", "state", "state_label", "answer", "reason", "resolved_at", "sla_deadline",
            "available_transitions", "history", "updated_at",
        ]  # fmt: skip
        list_serializer_class = ServiceRequestListSerializer

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_sla_deadline(self, request: ServiceRequest) -> Any:
        deadlines = self.context.get("deadlines")
        if deadlines is None:
            deadlines = selectors.sla_deadlines(requests=[request])
        moment = deadlines.get(request.pk)
        return local(moment) if moment else None


class ServiceRequestList(generics.ListCreateAPIView):
    serializer_class = ServiceRequestSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("state", description="one state or several, comma-separated"),
            OpenApiParameter("lead", description="a lead's id"),
            OpenApiParameter("unit", description="the responsible unit's code"),
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        p = self.request.query_params
        return selectors.request_list(
            user=self.request.user, state=p.get("state"), lead=p.get("lead"), unit=p.get("unit")
        )

    @extend_schema(request=RaiseInput, responses={201: ServiceRequestSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        raised = services.service_request_raise(actor=request.user, data=request.data)
        raised = selectors.request_get(user=request.user, request_id=raised.pk)
        return Response(
            ServiceRequestSerializer(raised, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ServiceRequestDetail(APIView):
    @extend_schema(responses=ServiceRequestSerializer)
    def get(self, request: Request, pk: int) -> Response:
        found = selectors.request_get(user=request.user, request_id=pk)
        return Response(ServiceRequestSerializer(found, context={"request": request}).data)


urlpatterns: list[URLPattern] = [
    path("service-requests/", ServiceRequestList.as_view(), name="api-service-requests"),
    path("service-requests/<int:pk>/", ServiceRequestDetail.as_view(), name="api-service-request"),
    *transition_urls(
        SERVICE_REQUEST,
        prefix="service-requests",
        get=lambda user, pk: selectors.request_get(user=user, request_id=pk),
        serializer=ServiceRequestSerializer,
    ),
]
