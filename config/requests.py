"""Refuse a request whose query parameters carry a NUL character (DESIGN §11: strings valid and bounded).

No parameter of the product can hold one, and PostgreSQL refuses even to compare text with one: a filter
such as `?unit=a%00b` would end in a database error (a 500) instead of the 400 it is. Bodies are checked
by the input serializers (DRF's CharField refuses NUL; cases.inputs.SlugRef for related slugs)."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            raise BadRequest("A parameter contains a NUL character.")  # → the 400 handler (JSON under /api/)
        return self.get_response(request)
