"""API views that belong to no case type: the token, the units, and a JSON 404 for the rest."""

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.schema import ErrorSerializer
from cases.api.serializers import UnitSerializer
from cases.errors import Invalid, NotFound
from config import signin
from config.tokens import TokenAuthentication, token_issue
from workflow.models import OrgUnit


class SignInInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """`POST /api/auth/token/ {username, password}` → `{token, expires_at}`; `DELETE` revokes the token
    the request is made with. Sign-ins are throttled (config/signin.py)."""

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Signing in reads nothing but the body: a stale token still sent along must not stop it.
        # Revoking needs the token itself (a browser session has none to revoke).
        return [] if self._signing_in() else [TokenAuthentication()]

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if self._signing_in() else [IsAuthenticated()]

    def _signing_in(self) -> bool:
        return getattr(self.request, "method", None) == "POST"  # no request while the schema is built

    @extend_schema(
        request=SignInInput,
        responses={200: TokenOutput, 429: ErrorSerializer},
        description="Sign in: a token for `Authorization: Token <token>`, valid until `expires_at`, or until "
        "the person's password changes or they are deactivated. Repeated failures for a username or "
        "from an address are refused with 429 and `Retry-After` (seconds) until the cool-off has passed.",
    )
    def post(self, request: Request) -> Response:
        given = SignInInput(data=request.data)
        given.is_valid(raise_exception=True)
        credentials = dict(given.validated_data)
        # axes needs Django's request: it counts and refuses on it, and its middleware reads it
        user = authenticate(request._request, **credentials)
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                raise signin.throttled(request._request, credentials)
            raise Invalid(_("The username or password is wrong."), code="invalid_credentials")
        token, key = token_issue(user=user)
        user_logged_in.send(sender=type(user), request=request._request, user=user)  # last_login; axes clears
        return Response(TokenOutput({"token": key, "expires_at": token.expiry}).data)

    @extend_schema(
        request=None, responses={204: None}, description="Revoke the token this request is made with."
    )
    def delete(self, request: Request) -> Response:
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


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
