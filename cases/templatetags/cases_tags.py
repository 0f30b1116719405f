from datetime import datetime, timedelta
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str = "CNY") -> str:
    """Amounts the way Chinese officers read them: 1.5亿元, 3,000万元; plain figures in English."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    zh = (get_language() or "zh-hans").startswith("zh")
    unit = "元" if currency == "CNY" else "美元"
    if not zh:
        return f"{'¥' if currency == 'CNY' else 'US$'}{value:,.0f}"
    if value >= 100_000_000:
        return f"{value / 100_000_000:,.2f}".rstrip("0").rstrip(".") + "亿" + unit
    if value >= 10_000:
        return f"{value / 10_000:,.2f}".rstrip("0").rstrip(".") + "万" + unit
    return f"{value:,.0f}{unit}"


@register.filter
def get(mapping: dict, key: str):  # type: ignore[no-untyped-def]
    return mapping.get(key, key)


@register.filter
def end_of_day(moment: datetime | None) -> str:
    """A deadline as the Civil Code reads it: 00:00 Beijing is shown as 24:00 of the day before
    ("2026-10-08 24:00", the last day of the period), any other moment as it is."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"{(local - timedelta(days=1)):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"
