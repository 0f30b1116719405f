"""Pages render the same input serializers the services check: a Django form is built from a
serializer's fields only to draw it (labels, widgets, the values entered, the errors returned).

Money on the pages: every CNY amount is entered and shown in 万元, every USD amount in 万美元, the unit
in the label; the API and the services keep whole yuan / dollars with fen. `web_params` converts what a
page posts, exactly (Decimal), refusing what the stored amount cannot keep; the form keeps showing what
the person typed, in 万元."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.forms.utils import ErrorDict, ErrorList
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.errors import Invalid
from cases.inputs import Money

WAN_PLACES = 4  # 1万 = 10**4
UNITS = {"CNY": _("10,000 yuan"), "USD": _("10,000 USD")}  # 万元, 万美元
# a unit at the end of a label, as the API's labels carry it: "Amount (yuan)", "金额（元）"
_LABEL_UNIT = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def unit_of(currency: str) -> str:
    """The unit amounts of `currency` are entered and shown in on the pages: 万元 / 万美元."""
    return str(UNITS[currency])


def _money_label(label: Any, currency: str) -> str:
    base = _LABEL_UNIT.sub("", str(label or "")) or str(_("Amount"))
    return str(_("%(label)s (%(unit)s)") % {"label": base, "unit": unit_of(currency)})


money_label = lazy(_money_label, str)


def wan_to_units(value: Any, field: Money) -> str:
    """What a person typed in 万元 (万美元) as the field's whole units, exactly: "1,500.25" → "15002500.00".
    Refused (`ValueError`, with the message to show): not a number, finer than a fen/cent, more
    digits than the stored amount keeps, less than the field's least."""
    unit = unit_of(field.currency)
    text = str(value).replace(",", "").replace("，", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ValueError(_("Enter the amount in %(unit)s as a number, e.g. 1500.5.") % {"unit": unit})
    places = (field.decimal_places or 0) + WAN_PLACES
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(
            _("An amount in %(unit)s has at most %(places)s decimal places (it is kept to the fen).")
            % {"unit": unit, "places": places}
        )
    whole = (field.max_digits or 15) - (field.decimal_places or 0) - WAN_PLACES
    if abs(amount) >= Decimal(10) ** whole:
        raise ValueError(
            _("An amount in %(unit)s has at most %(digits)s digits before the decimal point.")
            % {"unit": unit, "digits": whole}
        )
    units = amount.scaleb(WAN_PLACES).quantize(Decimal(1).scaleb(-(field.decimal_places or 0)))
    least = field.min_value
    if least is not None and units < Decimal(least):
        raise ValueError(
            _("The amount is at least %(least)s %(unit)s.")
            % {"least": units_to_wan(Decimal(least)), "unit": unit}
        )
    return str(units)


def units_to_wan(value: Decimal | int | str | None) -> str:
    """An amount in whole units shown in 万: exact, no trailing zeros, no grouping (an input's value)."""
    if value is None or value == "":
        return ""
    wan = Decimal(value).scaleb(-WAN_PLACES)
    text = format(wan.normalize(), "f")
    return text


def wan_initial(input_cls: type[serializers.Serializer], values: dict[str, Any]) -> dict[str, Any]:
    """A form's initial values (`values` as stored, in whole units) with every amount in 万."""
    fields = input_cls().fields
    return {k: units_to_wan(v) if isinstance(fields.get(k), Money) else v for k, v in values.items()}


def web_params(input_cls: type[serializers.Serializer] | None, data: dict[str, Any]) -> dict[str, Any]:
    """`data` as a page posted it, with every amount typed in 万 converted to the units the services
    take; `Invalid` (nothing is fired) naming each amount that cannot be converted."""
    params = dict(data)
    if input_cls is None:
        return params
    errors: dict[str, list[dict[str, str]]] = {}
    for name, field in input_cls().fields.items():
        if not isinstance(field, Money) or params.get(name) in (None, ""):
            continue
        if not isinstance(params[name], str):
            continue
        try:
            params[name] = wan_to_units(params[name], field)
        except ValueError as exc:
            errors[name] = [{"message": str(exc), "code": "invalid_amount"}]
    if errors:
        raise Invalid(_("Please correct the amounts marked below."), errors=errors)
    return params


def form_for(
    input_cls: type[serializers.Serializer] | None,
    data: Any = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
    initial: dict[str, Any] | None = None,
) -> forms.Form:
    """A form drawing `input_cls`'s fields; bound to `data` (what the person typed) and showing
    `errors` (the engine's `{field: [{message, code}]}`) when given."""
    fields = {name: _field(f) for name, f in (input_cls().fields.items() if input_cls else [])}
    form_cls = type("InputForm", (forms.Form,), fields)
    form = form_cls(data, initial=initial)
    if errors is not None:
        shown = ErrorDict()
        for name, items in errors.items():
            key = name if name in form.fields else "__all__"
            shown.setdefault(key, ErrorList()).extend(item["message"] for item in items)
        form._errors = shown  # what the service said, instead of a second validation by the form
    return form


class MoneyInput(forms.NumberInput):
    """An amount typed in 万元 / 万美元 (the unit is in the field's label), to the fen."""

    def __init__(self, field: Money) -> None:
        places = (field.decimal_places or 0) + WAN_PLACES
        least = Decimal(field.min_value).scaleb(-WAN_PLACES) if field.min_value is not None else None
        attrs = {"step": format(Decimal(1).scaleb(-places), "f"), "data-unit": unit_of(field.currency)}
        if least is not None:
            attrs["min"] = format(least.normalize(), "f")
        super().__init__(attrs=attrs)


def _field(f: serializers.Field) -> forms.Field:
    common: dict[str, Any] = {
        "label": f.label,
        "required": f.required and not getattr(f, "allow_blank", False),
    }
    if isinstance(f, serializers.ChoiceField):
        choices = list(f.choices.items())
        if not common["required"] and "" not in f.choices:
            choices = [("", "—"), *choices]
        return forms.ChoiceField(choices=choices, **common)
    if isinstance(f, serializers.SlugRelatedField):
        return forms.ChoiceField(
            choices=[(getattr(o, f.slug_field), str(o)) for o in f.get_queryset() or []], **common
        )
    if isinstance(f, serializers.BooleanField):
        return forms.BooleanField(**{**common, "required": False})
    if isinstance(f, serializers.DateField):
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if isinstance(f, Money):
        common["label"] = money_label(f.label, f.currency)
        return forms.CharField(widget=MoneyInput(f), **common)
    if isinstance(f, serializers.DecimalField):
        return forms.DecimalField(**common)
    if isinstance(f, serializers.ListField):  # one item per line
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), **common)
    max_length = getattr(f, "max_length", None)
    widget = forms.Textarea(attrs={"rows": 3}) if max_length is None or max_length > 200 else None
    return forms.CharField(max_length=max_length, widget=widget, **common)


def lines(value: str) -> list[str]:
    """A textarea's lines as a list field's items (empty lines dropped)."""
    return [line.strip() for line in value.splitlines() if line.strip()]
