"""One error shape for the whole API: `{"detail", "code", "messages": {"zh-hans", "en"}, "errors"}`."""

from typing import Any

from django.utils import translation
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases.errors import CaseError
from workflow.engine import error_list


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, CaseError):
        body = {"detail": exc.text(), "code": exc.code, "messages": exc.messages()}
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _invalid(), "code": "invalid", "errors": error_list(response.data)}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "detail": str(exc.detail) if not isinstance(exc.detail, dict | list) else _invalid(),
            "code": codes if isinstance(codes, str) else exc.default_code,
        }
    return response


def _invalid() -> str:
    return str(translation.gettext("Some fields are missing or wrong."))
