"""The OpenAPI schema tells the truth about errors too: every operation documents the answers the
API can give besides success, each in the one error shape (cases.api.errors)."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class MessagesSerializer(serializers.Serializer):
    """The message in each language the product speaks (a key with a hyphen: added by get_fields)."""

    en = serializers.CharField()

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"zh-hans": serializers.CharField(), **super().get_fields()}


class FieldErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """`{detail, code, messages, errors}`: what went wrong, for a person and for a program."""

    detail = serializers.CharField()
    code = serializers.CharField()
    messages = MessagesSerializer(required=False)
    # the metaclass takes declared fields out of the class: this does not shadow Serializer.errors
    errors = serializers.DictField(child=FieldErrorSerializer(many=True), required=False)  # type: ignore[assignment]


class Schema(AutoSchema):
    """AutoSchema plus the error answers: 401 and 403 everywhere (a person, with a right), 400 and 404
    everywhere (bad parameters, an unknown case or page), 409 where something is written."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += ["409", "413"]
        for code in codes:
            responses.setdefault(
                code, self._get_response_for_code(ErrorSerializer, code, direction=direction)
            )
        return responses
