"""`GET|POST /api/absences/`, `DELETE /api/absences/{id}/` — one's own absences (DESIGN §7, §8)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.absences import services
from cases.absences.services import AbsenceInput
from workflow.models import Absence


class AbsenceSerializer(serializers.ModelSerializer):
    deputy: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Absence
        fields = ["id", "start", "end", "deputy", "created_at"]


class AbsenceList(generics.ListAPIView):
    serializer_class = AbsenceSerializer

    def get_queryset(self) -> Any:
        return services.absences_of(user=self.request.user)

    @extend_schema(request=AbsenceInput, responses={201: AbsenceSerializer})
    def post(self, request: Request) -> Response:
        absence = services.absence_create(actor=request.user, data=request.data)
        return Response(AbsenceSerializer(absence).data, status=status.HTTP_201_CREATED)


class AbsenceDetail(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.absence_delete(actor=request.user, absence_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
