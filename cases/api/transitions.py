"""`POST /api/<cases>/{id}/transitions/{name}/` for every case type, generated from its declarations:
one operation per transition, so the OpenAPI schema states each one's request body exactly."""

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.errors import NotFound
from workflow import engine

Getter = Callable[[Any, Any], Any]  # (user, pk) → the case as the caller may see it (NotFound otherwise)


def transition_urls(
    case_type: engine.CaseType, *, prefix: str, get: Getter, serializer: type[serializers.Serializer]
) -> list[URLPattern]:
    """A URL per transition a person may fire, and one for any other name (a JSON 404, or the
    engine's 403 for a transition only the system fires)."""
    urls = [
        path(
            f"{prefix}/<int:pk>/transitions/{name}/",
            _view(case_type, name, get, serializer).as_view(),
            name=f"api-{case_type.key}-transition-{name}",
        )
        for name, t in case_type.transitions.items()
        if not engine.declared(t).system and not engine.declared(t).own_endpoint
    ]
    urls.append(
        path(
            f"{prefix}/<int:pk>/transitions/<str:name>/",
            _view(case_type, None, get, serializer).as_view(),
            name=f"api-{case_type.key}-transition",
        )
    )
    return urls


def _view(case_type: engine.CaseType, name: str | None, get: Getter, serializer: type) -> type[APIView]:
    if name is None:
        schema = extend_schema(exclude=True)
    else:
        declared = engine.declared(case_type.transitions[name])
        schema = extend_schema(
            operation_id=f"{case_type.key}_{name}",
            summary=f"{case_type.key}: {name}",
            request=engine.input_of(declared),
            responses={200: serializer},
            tags=[f"{case_type.key} transitions"],
        )

    class TransitionView(APIView):
        @schema
        def post(self, request: Request, pk: int, **kwargs: Any) -> Response:
            if name is None and engine.declared(case_type.transition(kwargs["name"])).own_endpoint:
                raise NotFound(_("There is no action called %(name)s."), {"name": kwargs["name"]})
            engine.fire(
                case_type, pk=pk, name=name or kwargs["name"], actor=request.user, params=request.data
            )
            case = get(request.user, pk)
            return Response(serializer(case, context={"request": request}).data)

    TransitionView.__name__ = TransitionView.__qualname__ = (
        f"{case_type.key.title()}{(name or 'any').title().replace('_', '')}Transition"
    )
    return TransitionView
