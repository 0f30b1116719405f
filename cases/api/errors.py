"""One error shape for the whole API: `{"detail", "code", "messages": {"zh-hans", "en"}, "errors"}`.

`exception_handler` shapes what a DRF view raises, an unexpected exception included (500, no traceback:
that goes to the log). The `api_*` handlers (config/urls.py: handler400 … handler500) shape what
Django itself answers under /api/ outside a view — a request refused by a middleware, a bad Host, an
exception before the view — and leave every other page to Django's own.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.log import log_response
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from cases.errors import CaseError, Invalid, NotFound, NotPermitted
from workflow.engine import error_list


class SignInThrottled(CaseError):
    """Too many failed sign-ins for a username or from an address (config/signin.py)."""

    status = 429
    code = "throttled"

    def __init__(self, *, wait: int, until: datetime) -> None:
        self.wait = wait
        super().__init__(
            _("Too many failed sign-ins for this username or from this address. Try again after %(time)s."),
            {"time": until.strftime("%H:%M")},
        )


class RequestTooLarge(CaseError):
    status = 413
    code = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("The request body is too large: the API accepts at most %(size)s MB."),
            {"size": f"{limit / 1024 / 1024:.1f}"},
        )


class ServerError(CaseError):
    status = 500
    code = "server_error"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Something went wrong on the server. Try again later; if it keeps happening, tell the administrator."
            )
        )


def error_body(exc: CaseError) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": exc.text(), "code": exc.code, "messages": exc.messages()}
    if exc.errors:
        body["errors"] = exc.errors
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, SuspiciousOperation):
        exc = _suspicious(exc)
    if isinstance(exc, CaseError):
        set_rollback()
        response = Response(error_body(exc), status=exc.status)
        if isinstance(exc, SignInThrottled):
            response["Retry-After"] = str(exc.wait)
        return response
    handled = drf_exception_handler(exc, context)
    if handled is None:
        return _unexpected(exc, context["request"])
    return _reshaped(handled, exc)


def _reshaped(response: Response, exc: Exception) -> Response:
    """DRF's own errors (401, 403, parse errors, invalid fields …) in the one shape."""
    if response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _invalid(), "code": "invalid", "errors": error_list(response.data)}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "detail": str(exc.detail) if not isinstance(exc.detail, dict | list) else _invalid(),
            "code": codes if isinstance(codes, str) else exc.default_code,
        }
    return response


def _suspicious(exc: SuspiciousOperation) -> CaseError:
    """Django's refusals of a request body (too large, too many fields) as the API's 413 or 400."""
    from django.conf import settings

    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return Invalid(_("The request is malformed."), code="bad_request")


def _unexpected(exc: Exception, request: Any) -> Response:
    """A bug: logged with its traceback as Django logs an unhandled one (and signalled, so the test
    client re-raises it and error trackers see it); the caller gets the error shape and no detail."""
    set_rollback()
    django_request = getattr(request, "_request", request)
    response = Response(error_body(ServerError()), status=500)
    log_response("Internal Server Error: %s", django_request.path, response=response, request=django_request,
                 exception=exc)  # fmt: skip
    got_request_exception.send(sender=None, request=django_request)
    return response


def _invalid() -> str:
    return str(translation.gettext("Some fields are missing or wrong."))


# --- Django's own error answers (config/urls.py) -----------------------------------------------------


def _json(error: CaseError) -> HttpResponse:
    return JsonResponse(error_body(error), status=error.status, json_dumps_params={"ensure_ascii": False})


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, SuspiciousOperation):
        return _json(_suspicious(exception))
    return _json(Invalid(_("The request is malformed."), code="bad_request"))


def api_permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    return _json(NotPermitted(_("You are not permitted to do this.")))


def api_page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return _json(NotFound(_("There is no such address in the API.")))


def api_server_error(request: HttpRequest) -> HttpResponse:
    if not _is_api(request):
        return defaults.server_error(request)
    return _json(ServerError())
