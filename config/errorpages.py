"""The product's error pages even with DEBUG on.

The demo and a developer's machine run with DEBUG=1 (scripts/run.sh, tests/servers.py), and then Django
answers a wrong address or a crash with its technical pages: the whole URL table, settings, a traceback,
in English, looking like nothing of the product. Here, outside /api/ (which keeps its JSON error shape,
cases/api/errors.py), such answers are the product's own 404 and 500 pages (config/urls.py handler404,
handler500), as in production. The traceback still goes to the log; TECHNICAL_ERROR_PAGES=1 brings
Django's pages back for whoever wants them.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_resolver
from django.utils.log import log_response


class ProductErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # no view matched the address: Django drew its technical 404 (it does only with DEBUG on)
        if response.status_code == 404 and request.resolver_match is None and _applies(request):
            return _handler(404)(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _applies(request) or isinstance(exception, PermissionDenied | SuspiciousOperation):
            return None  # 403s already get the product's page; a 400's page is Django's handler400
        if isinstance(exception, Http404):
            return _handler(404)(request, exception)
        response = _handler(500)(request)
        log_response("Internal Server Error: %s", request.path, response=response, request=request,
                     exception=exception)  # fmt: skip
        got_request_exception.send(sender=None, request=request)
        return response


def _applies(request: HttpRequest) -> bool:
    return settings.DEBUG and not settings.TECHNICAL_ERROR_PAGES and not request.path.startswith("/api/")


def _handler(status: int) -> Callable[..., HttpResponse]:
    return get_resolver().resolve_error_handler(status)
