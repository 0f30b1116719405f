"""API views that belong to no case type: the token, the units, and a JSON 404 for the rest."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.serializers import UnitSerializer
from cases.errors import NotFound
from workflow.models import OrgUnit


class TokenView(ObtainAuthToken):
    """`POST /api/auth/token/ {username, password}` → `{token}`."""


class UnitList(generics.ListAPIView):
    serializer_class = UnitSerializer
    queryset = OrgUnit.objects.select_related("parent").prefetch_related("leading_industries").order_by("id")


class NoSuchPath(APIView):
    """Any other path under /api/: a 404 in the API's error shape, not an HTML page."""

    permission_classes = ()

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        raise NotFound(_("There is no such address in the API."))

    post = put = patch = delete = get
