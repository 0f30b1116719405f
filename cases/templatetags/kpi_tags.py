"""How the assessment's figures read on the pages: rates in %, days with their unit, and "—" where a
figure has no value (no lead ended, none progressed), which a true 0 never shows."""

from typing import Any

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """A ratio as a percentage: 1.0 → 100%, 0.333 → 33%, None → —."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.0f}%"


@register.filter
def days(value: Any) -> str:
    """A number of days with its unit: 12.5 → 12.5 天 (12.5 days), None → —."""
    if value is None or value == "":
        return "—"
    number = f"{float(value):.1f}".removesuffix(".0")
    return gettext("%(days)s days") % {"days": number}
