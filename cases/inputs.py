"""Input fields and serializers every case type shares (DESIGN §11: bounded, real, valid).

API views and web pages hand raw input to the services, which check it with these DRF serializers
before anything is written; drf-spectacular reads the same classes, so the OpenAPI schema states
every request body as it is checked.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.creditcode import validate_credit_code

EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


class Money(serializers.DecimalField):
    """An amount of whole yuan (CNY) or dollars (USD) with fen/cents. The API speaks these units;
    the web pages enter and show them in 万元 / 万美元 (cases.webforms converts at the page)."""

    def __init__(self, *, currency: str | None = None, **kwargs: Any) -> None:
        self._currency = currency
        super().__init__(**kwargs)

    @property
    def currency(self) -> str:
        """ "CNY" or "USD": as declared, else by the field's name (`…_usd` is dollars)."""
        if self._currency:
            return self._currency
        return "USD" if (getattr(self, "field_name", "") or "").endswith("_usd") else "CNY"


def money(label: Any = None, *, min_value: Decimal = Decimal(0), **kwargs: Any) -> Money:
    """An amount in yuan (or dollars): at most 13 digits before the point (ten trillion), 2 after, not
    negative — 15 significant digits, which every database keeps exactly (SQLite, the embedded default,
    keeps a decimal column as a double: more digits would come back changed)."""
    return Money(max_digits=15, decimal_places=2, min_value=min_value, label=label, **kwargs)


def text(label: Any = None, *, max_length: int = 4000, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, label=label, **kwargs)


class Date(serializers.DateField):
    """A real date between 1900 and 2100; with `not_future`, not after the day of the transition."""

    default_error_messages = {
        "range": _("Give a date between 1900-01-01 and 2100-12-31."),
        "future": _("The date cannot be in the future."),
    }

    def __init__(self, *, not_future: bool = False, **kwargs: Any) -> None:
        self.not_future = not_future
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            day = value  # from code (tests, commands), not from a request
        elif isinstance(value, str):  # a list, a number, an object: not a date as JSON writes one
            day = super().to_internal_value(value)
        else:
            self.fail("invalid", format="YYYY-MM-DD")
        if not EARLIEST <= day <= LATEST:
            self.fail("range")
        if self.not_future and day > timezone.localdate(self.context.get("now") or timezone.now()):
            self.fail("future")
        return day


class SlugRef(serializers.SlugRelatedField):
    """A related row named by its slug (a sector). Text no slug can be — not a string, or with a NUL
    character, which PostgreSQL refuses even to compare — is refused before any query."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class CreditCode(serializers.CharField):
    """A unified social credit code, trimmed and upper-cased, then checked (GB 32100-2015)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=18, validators=[validate_credit_code], **kwargs)

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(data).upper()


class ReasonInput(serializers.Serializer):
    reason = text(
        _("Reason"),
        max_length=2000,
        error_messages={"required": _("A reason is required."), "blank": _("A reason is required.")},
    )


def id_param(value: Any, name: str) -> int:
    """A list filter naming a case by its id (`?lead=12`), given: 400 when it is not one (ASCII
    digits, within a database id — "²" and 20-digit numbers are not ids)."""
    from cases.errors import Invalid

    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise Invalid(_("%(name)s must be an id (a whole number)."), {"name": name}, code="invalid_id")
    return int(text)
