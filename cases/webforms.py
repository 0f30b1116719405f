"""Pages render the same input serializers the services check: a Django form is built from a
serializer's fields only to draw it (labels, widgets, the values entered, the errors returned)."""

from typing import Any

from django import forms
from django.forms.utils import ErrorDict, ErrorList
from rest_framework import serializers


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


def _field(f: serializers.Field) -> forms.Field:
    common: dict[str, Any] = {
        "label": f.label,
        "required": f.required and not getattr(f, "allow_blank", False),
    }
    if isinstance(f, serializers.ChoiceField):
        return forms.ChoiceField(choices=list(f.choices.items()), **common)
    if isinstance(f, serializers.SlugRelatedField):
        return forms.ChoiceField(
            choices=[(getattr(o, f.slug_field), str(o)) for o in f.get_queryset() or []], **common
        )
    if isinstance(f, serializers.BooleanField):
        return forms.BooleanField(**{**common, "required": False})
    if isinstance(f, serializers.DateField):
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
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
