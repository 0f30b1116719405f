"""What a support plan's drafting and transitions accept (DESIGN §6b, §11)."""

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.inputs import Date, money, text
from cases.supportplans.models import Method


def amount(label: Any) -> serializers.DecimalField:
    """A positive amount in yuan (an amount of nothing is no amount)."""
    return money(label, min_value=Decimal("0.01"))


class PlanFields(serializers.Serializer):
    amount_cny = amount(_("Amount (CNY)"))
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=Method.choices),
        min_length=1,
        max_length=len(Method.choices),
        label=_("Support methods"),
        error_messages={"min_length": _("Choose at least one support method.")},
    )
    terms = text(_("Terms (the conditions tied to the project's contribution)"), max_length=4000)

    def validate_methods(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("Name each support method once."), code="duplicate")
        return value


class SupportPlanInput(PlanFields):
    """`POST /api/support-plans/`: a plan in draft for a city major project."""

    lead = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label=_("Lead"))


class CosignInput(serializers.Serializer):
    """`cosign`: the finance bureau's opinion."""

    opinion = text(
        _("Opinion"),
        max_length=4000,
        error_messages={"required": _("An opinion is required."), "blank": _("An opinion is required.")},
    )


class DisbursementInput(serializers.Serializer):
    """`record_disbursement`: one payment under the approved plan."""

    amount_cny = amount(_("Amount (CNY)"))
    date = Date(not_future=True, label=_("Date paid"))
    note = text(_("Note"), max_length=2000, required=False, allow_blank=True, default="")

    def validate_date(self, value: Any) -> Any:
        plan = self.context.get("case")
        approved = getattr(plan, "approved_at", None)
        if approved is not None and value < timezone.localdate(approved):
            raise serializers.ValidationError(_("A payment cannot precede the plan's approval."))
        return value
