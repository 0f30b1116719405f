"""One error shape for the whole API: `{"detail", "code", "messages": {"zh-hans", "en"}, "errors"}`."""

from typing import Any

from django.utils import translation
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases.errors import CaseError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, CaseError):
        body = {"detail": exc.text(), "code": exc.code, "messages": exc.messages()}
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status)
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ValidationError({"detail": str(exc.detail)})
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and response.status_code == status.HTTP_400_BAD_REQUEST
        and "detail" not in response.data
    ):
        response.data = {"detail": _invalid(), "code": "invalid", "errors": response.data}
    return response


def _invalid() -> str:
    return str(translation.gettext("Some fields are missing or wrong."))
