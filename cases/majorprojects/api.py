"""`/api/major-projects/`: the same pattern as leads (DESIGN §6b, §8)."""

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access as lead_access
from cases.api.serializers import CaseFields, CasePage
from cases.api.transitions import transition_urls
from cases.leads.models import Lead
from cases.majorprojects import selectors, services
from cases.majorprojects.inputs import DesignateInput
from cases.majorprojects.machine import MAJOR_PROJECT
from cases.majorprojects.models import MajorProject
from workflow import selectors as engine_selectors


class MajorProjectLeadSerializer(serializers.ModelSerializer):
    """What a major project shows of its lead (the lead's own detail is /api/leads/{id}/)."""

    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    assignee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Lead
        fields = [
            "id",
            "name",
            "company_name",
            "state",
            "unit",
            "assignee",
            "total_investment_cny",
            "segment",
        ]


class MajorProjectListSerializer(CasePage):
    """A page of projects: the histories and the caller's rights read once for the page."""

    def read(self, cases: list[Any], user: Any) -> dict[str, Any]:
        lead_access.prefetch_object_perms([p.lead for p in cases], user)
        return {"histories": engine_selectors.histories(subjects=cases)}


class MajorProjectSerializer(CaseFields, serializers.ModelSerializer):
    case_type = MAJOR_PROJECT

    lead = MajorProjectLeadSerializer(read_only=True)
    steward: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    designated_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    state_label = serializers.CharField(source="get_state_display")
    available_transitions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = MajorProject
        fields = [
            "id", "lead", "steward", "reason", "state", "state_label", "designated_by", "designated_at",
            "ended_reason", "updated_at", "available_transitions", "history",
        ]  # fmt: skip
        list_serializer_class = MajorProjectListSerializer


class MajorProjectList(generics.ListCreateAPIView):
    serializer_class = MajorProjectSerializer

    @extend_schema(parameters=[OpenApiParameter("state"), OpenApiParameter("steward")])
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        p = self.request.query_params
        return selectors.project_list(user=self.request.user, state=p.get("state"), steward=p.get("steward"))

    @extend_schema(request=DesignateInput, responses={201: MajorProjectSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        project = services.major_project_create(actor=request.user, data=request.data)
        project = selectors.project_get(user=request.user, project_id=project.pk)
        return Response(
            MajorProjectSerializer(project, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class MajorProjectDetail(APIView):
    @extend_schema(responses=MajorProjectSerializer)
    def get(self, request: Request, pk: int) -> Response:
        project = selectors.project_get(user=request.user, project_id=pk)
        return Response(MajorProjectSerializer(project, context={"request": request}).data)


urlpatterns: list[URLPattern] = [
    path("major-projects/", MajorProjectList.as_view(), name="api-major-projects"),
    path("major-projects/<int:pk>/", MajorProjectDetail.as_view(), name="api-major-project"),
    *transition_urls(
        MAJOR_PROJECT,
        prefix="major-projects",
        get=lambda user, pk: selectors.project_get(user=user, project_id=pk),
        serializer=MajorProjectSerializer,
    ),
]
