"""What designating a city major project and its transitions accept (DESIGN §6b, §8)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.inputs import text

REASON_ERRORS = {"required": _("A reason is required."), "blank": _("A reason is required.")}


def steward_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=150, label=_("City steward"), help_text="the username of an active city officer"
    )


class DesignateInput(serializers.Serializer):
    """`POST /api/major-projects/`: the lead, why the city follows it, and its city steward (服务管家)."""

    lead = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label=_("Lead"))
    reason = text(_("Reason"), max_length=2000, error_messages=REASON_ERRORS)
    steward = steward_field()


class ChangeStewardInput(serializers.Serializer):
    """`change_steward`: the new steward and why."""

    steward = steward_field()
    reason = text(_("Reason"), max_length=2000, error_messages=REASON_ERRORS)
