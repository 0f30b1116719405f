"""What publishing and previewing policy parameters accept (DESIGN §8 "Additions", §11: bounded numbers,
real dates within 1900–2100)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import policy
from cases.inputs import Date, text

# the shortest a month can be: a warning must fall inside even the shortest period of that many months
SHORTEST_MONTH_DAYS = 28


def _number(name: str, label: Any) -> serializers.IntegerField:
    low, high = policy.PARAMETER_BOUNDS[name]
    return serializers.IntegerField(min_value=low, max_value=high, label=label)


class ParametersInput(serializers.Serializer):
    """The seven numbers of a version. Missing ones (a preview may leave some out) are the current
    version's, given in the context as `current` (a policy.Parameters)."""

    no_progress_months = _number("no_progress_months", _("No-progress period (months)"))
    warning_days = serializers.ListField(
        child=serializers.IntegerField(
            min_value=policy.PARAMETER_BOUNDS["warning_days"][0],
            max_value=policy.PARAMETER_BOUNDS["warning_days"][1],
        ),
        max_length=policy.MAX_WARNINGS,
        label=_("Warnings (days before the deadline)"),
    )
    remind_working_days = _number("remind_working_days", _("Reminder after (working days)"))
    escalate_working_days = _number("escalate_working_days", _("Escalation after (working days)"))
    inspection_days = _number("inspection_days", _("Commitment inspection within (days)"))
    rectification_days = _number("rectification_days", _("Rectification within (days)"))
    service_request_working_days = _number(
        "service_request_working_days", _("Service request SLA (working days)")
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        current: policy.Parameters = self.context.get("current") or policy.DEFAULT_PARAMETERS
        merged = {name: data.get(name, getattr(current, name)) for name in policy.PARAMETER_NAMES}
        errors: dict[str, Any] = {}
        warnings = list(merged["warning_days"])
        if len(set(warnings)) != len(warnings):
            errors["warning_days"] = _("Each warning offset may appear once.")
        elif warnings and max(warnings) >= merged["no_progress_months"] * SHORTEST_MONTH_DAYS:
            errors["warning_days"] = _("Every warning must fall inside the no-progress period.")
        if merged["escalate_working_days"] <= merged["remind_working_days"]:
            errors["escalate_working_days"] = _("The escalation must come after the reminder.")
        if errors:
            raise serializers.ValidationError(errors)
        merged["warning_days"] = sorted(set(warnings), reverse=True)
        return {**data, **merged}


class PreviewInput(ParametersInput):
    """`POST /api/policy/parameters/preview/`: a proposed set; what is left out stays as it is now."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class PublishInput(ParametersInput):
    """`POST /api/policy/parameters/`: a new version — every number, the day it takes effect (today or
    later: a clock that already started keeps its numbers anyway) and the decision it rests on."""

    effective_from = Date(label=_("Effective from"))
    basis = text(_("Basis (the decision or document)"), max_length=500)

    def validate_effective_from(self, value: Any) -> Any:
        if value < timezone.localdate(self.context.get("now") or timezone.now()):
            raise serializers.ValidationError(
                _("A new version cannot take effect before today."), code="past"
            )
        return value

    def validate_basis(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(
                _("Name the decision or document these numbers rest on."), code="blank"
            )
        return value.strip()
