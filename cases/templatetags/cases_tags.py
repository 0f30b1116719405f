from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

register = template.Library()


DISPLAY = {
    "CNY": _("%(amount)s × 10,000 yuan"),  # zh: %(amount)s万元
    "USD": _("%(amount)s × 10,000 USD"),  # zh: %(amount)s万美元
}


@register.filter
def money(value: Decimal | int | str | None, currency: str = "CNY") -> str:
    """An amount kept in yuan (dollars) as the pages show every amount: in 万元 (万美元), exact, grouped,
    with its unit — 1.5亿元 reads "15,000万元", 1,234.56元 "0.123456万元"."""
    if value is None or value == "":
        return "—"
    wan = Decimal(value).scaleb(-4).normalize()
    return str(DISPLAY.get(currency, DISPLAY["CNY"]) % {"amount": format(wan, ",f")})


@register.filter
def wan(value: Decimal | int | str | None) -> str:
    """An amount kept in yuan (dollars) as an input's value in 万 (no grouping, exact)."""
    from cases.webforms import units_to_wan

    return units_to_wan(value)


@register.filter
def unit(currency: str = "CNY") -> str:
    """The unit the pages enter amounts of `currency` in: 万元 / 万美元."""
    from cases.webforms import unit_of

    return unit_of(currency or "CNY")


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


@register.filter
def weighty(case: object, name: str) -> bool:
    """Is transition `name` of `case` a weighty one (its case type's `weighty`): pages show it last,
    as danger, behind a confirmation."""
    from workflow import engine

    for case_type in engine.case_types().values():
        if isinstance(case, case_type.model):
            return case_type.is_weighty(name)
    return False


@register.filter
def person(user: Any) -> str:
    """A person as pages name them: "王磊（haidian_officer）", the username alone when no name is recorded."""
    if user is None:
        return ""
    name = user.get_full_name().strip()
    return f"{name}（{user.username}）" if name else user.username
