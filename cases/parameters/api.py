"""`/api/policy/parameters/`: the versions of the policy parameters (everyone with a role reads them,
city leaders publish), and the what-if preview of a proposed set (DESIGN §8 "Additions")."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.errors import NotPermitted
from cases.parameters import selectors, services
from cases.parameters.inputs import PreviewInput, PublishInput
from cases.parameters.models import PolicyVersion


class PolicyVersionSerializer(serializers.ModelSerializer):
    published_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    warning_days = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = PolicyVersion
        fields = [
            "version", "effective_from", "basis", "no_progress_months", "warning_days", "remind_working_days",
            "escalate_working_days", "inspection_days", "rectification_days", "service_request_working_days",
            "published_by", "published_at",
        ]  # fmt: skip


class NumbersSerializer(serializers.Serializer):
    no_progress_months = serializers.IntegerField()
    warning_days = serializers.ListField(child=serializers.IntegerField())
    remind_working_days = serializers.IntegerField()
    escalate_working_days = serializers.IntegerField()
    inspection_days = serializers.IntegerField()
    rectification_days = serializers.IntegerField()
    service_request_working_days = serializers.IntegerField()


class CurrentNumbersSerializer(NumbersSerializer):
    version = serializers.IntegerField(allow_null=True, help_text="null: the measures' defaults")


class MovedLeadSerializer(serializers.Serializer):
    lead = serializers.IntegerField()
    name = serializers.CharField()
    state = serializers.CharField()
    unit = serializers.CharField(allow_null=True)
    paused = serializers.BooleanField(help_text="paused: `from` is the deadline if it resumed now")
    from_ = serializers.DateTimeField(help_text="the deadline now")
    to = serializers.DateTimeField(help_text="the deadline with the proposed numbers")
    days = serializers.IntegerField(help_text="how many days later (negative: earlier)")
    overdue_at_once = serializers.BooleanField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # a Python keyword as a key of the answer
        return fields


class CountsSerializer(serializers.Serializer):
    examined = serializers.IntegerField()
    moved = serializers.IntegerField()
    overdue_at_once = serializers.IntegerField()


class PreviewSerializer(CountsSerializer):
    """What would move: the open leads' no-progress deadlines (counts, and the most urgent moved ones
    listed), the waiting leads' ladders and the commitment clocks (counts)."""

    now = serializers.DateTimeField()
    current = CurrentNumbersSerializer()
    proposed = NumbersSerializer()
    results = MovedLeadSerializer(many=True)
    truncated = serializers.BooleanField(help_text=f"more than {selectors.PREVIEW_ROWS} leads moved")
    ladder = CountsSerializer()
    commitments = CountsSerializer()


class ParameterList(generics.ListAPIView):
    """`GET`: every version, newest first (everyone with a role). `POST`: publish a new one (city leaders)."""

    serializer_class = PolicyVersionSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if not services.may_read(self.request.user):
            raise NotPermitted(self._no_role)
        return selectors.versions()

    _no_role = services.NO_ROLE

    @extend_schema(request=PublishInput, responses={201: PolicyVersionSerializer})
    def post(self, request: Request) -> Response:
        version = services.parameters_publish(actor=request.user, data=request.data)
        return Response(PolicyVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class ParameterPreview(APIView):
    @extend_schema(request=PreviewInput, responses={200: PreviewSerializer})
    def post(self, request: Request) -> Response:
        preview = selectors.parameters_preview(user=request.user, data=request.data)
        return Response(PreviewSerializer(preview).data)
