"""`/api/admission-supports/`: the same pattern as leads (DESIGN §6b, §8)."""

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.admissions import selectors, services
from cases.admissions.inputs import AdmissionInput
from cases.admissions.machine import ADMISSION
from cases.admissions.models import AdmissionSupport
from cases.api.serializers import CaseFields, CasePage
from cases.api.transitions import transition_urls


class AdmissionListSerializer(CasePage):
    """A page of supports: the histories and the caller's grants read once for the page."""

    def read(self, cases: list[Any], user: Any) -> dict[str, Any]:
        return {"histories": selectors.support_page(supports=cases, user=user)}


class AdmissionSerializer(CaseFields, serializers.ModelSerializer):
    case_type = ADMISSION

    lead_name = serializers.CharField(source="lead.name", read_only=True)
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state_label = serializers.CharField(source="get_state_display")
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    decided_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    available_transitions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = AdmissionSupport
        fields = [
            "id", "lead", "lead_name", "unit", "chain_leader", "standard_not_met", "justification", "state",
            "state_label", "decision_reason", "decided_by", "decided_at", "created_by", "created_at", "updated_at",
            "available_transitions", "history",
        ]  # fmt: skip
        list_serializer_class = AdmissionListSerializer


class AdmissionList(generics.ListCreateAPIView):
    serializer_class = AdmissionSerializer

    @extend_schema(parameters=[OpenApiParameter("state"), OpenApiParameter("lead")])
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        p = self.request.query_params
        return selectors.support_list(user=self.request.user, state=p.get("state"), lead=p.get("lead"))

    @extend_schema(request=AdmissionInput, responses={201: AdmissionSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        support = services.admission_create(actor=request.user, data=request.data)
        support = selectors.support_get(user=request.user, support_id=support.pk)
        return Response(
            AdmissionSerializer(support, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class AdmissionDetail(APIView):
    @extend_schema(responses=AdmissionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        support = selectors.support_get(user=request.user, support_id=pk)
        return Response(AdmissionSerializer(support, context={"request": request}).data)


urlpatterns: list[URLPattern] = [
    path("admission-supports/", AdmissionList.as_view(), name="api-admission-supports"),
    path("admission-supports/<int:pk>/", AdmissionDetail.as_view(), name="api-admission-support"),
    *transition_urls(
        ADMISSION,
        prefix="admission-supports",
        get=lambda user, pk: selectors.support_get(user=user, support_id=pk),
        serializer=AdmissionSerializer,
    ),
]
