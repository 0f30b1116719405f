"""Errors the case services raise, each with its HTTP status and a message an officer understands."""

from typing import Any

from django.utils import translation


class CaseError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: Any, *, code: str | None = None, errors: dict | None = None) -> None:
        super().__init__(str(message))
        self.message = message  # usually a lazy translation, rendered per language on demand
        self.code = code or self.code
        self.errors = errors or {}

    def messages(self) -> dict[str, str]:
        """The message in every language the product speaks (API errors carry both)."""
        out = {}
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                out[lang] = str(self.message)
        return out


class Invalid(CaseError):
    status = 400
    code = "invalid"


class NotPermitted(CaseError):
    status = 403
    code = "not_permitted"


class NotFound(CaseError):
    status = 404
    code = "not_found"


class Conflict(CaseError):
    status = 409
    code = "conflict"
