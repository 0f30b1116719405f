"""Errors the engine and the case services raise, each with its HTTP status and a message an officer understands."""

from typing import Any

from django.utils import translation
from django.utils.functional import Promise


class Bilingual:
    """A name with its Chinese and English forms (a unit's), shown in the reader's language."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        return self.en if (translation.get_language() or "").startswith("en") else self.zh


class CaseError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        message: Any,
        params: dict[str, Any] | None = None,
        *,
        code: str | None = None,
        errors: dict | None = None,
    ) -> None:
        # `message` is a lazy translation and `params` its %-arguments, kept apart so the text is
        # rendered in whatever language the reader needs, at the moment it is read.
        self.message = message
        self.params = params or {}
        self.code = code or self.code
        self.errors = errors or {}
        super().__init__(self.text())

    def text(self) -> str:
        """The message in the active language."""
        params = {k: (str(v) if isinstance(v, Promise | Bilingual) else v) for k, v in self.params.items()}
        return str(self.message) % params if params else str(self.message)

    def messages(self) -> dict[str, str]:
        """The message in every language the product speaks (API errors carry both)."""
        out = {}
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                out[lang] = self.text()
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
