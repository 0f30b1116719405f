"""What a lead's registration and each of its transitions accept (DRF serializers, DESIGN §8)."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import policy
from cases.inputs import CreditCode, Date, ReasonInput, money, text
from cases.leads.models import Referrer, Source
from workflow.models import Sector

__all__ = ["LeadInput", "LandInput", "ProgressInput", "PushInput", "ReasonInput", "UnitInput"]


class LeadInput(serializers.Serializer):
    """`POST /api/leads/`: a lead in draft (DESIGN §3)."""

    name = text(_("Project name"), max_length=200)
    company_name = text(_("Company name"), max_length=200)
    credit_code = CreditCode(label=_("Unified social credit code"))
    sector = serializers.SlugRelatedField(slug_field="slug", queryset=Sector.objects.all(), label=_("Sector"))
    total_investment_cny = money(_("Total investment (yuan)"))
    strategic = serializers.BooleanField(default=False, label=_("Strategic"))
    # the metaclass takes declared fields out of the class, so this does not shadow Field.source
    source = serializers.ChoiceField(choices=Source.choices, label=_("Source"))  # type: ignore[assignment]
    referrer = text(_("Referrer"), max_length=200, required=False, allow_blank=True, default="")
    referrer_kind = serializers.ChoiceField(
        choices=Referrer.Kind.choices, required=False, allow_blank=True, default=""
    )
    discovering_unit = serializers.SlugField(max_length=40, required=False, allow_blank=True, default="")
    foreign_investment_usd = money(
        _("Foreign investment (USD)"), required=False, allow_null=True, default=None
    )
    land_need_mu = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True, default=None,
        label=_("Land need (mu)"),
    )  # fmt: skip
    contacts = text(_("Contacts"), required=False, allow_blank=True, default="")
    notes = text(_("Notes"), max_length=10000, required=False, allow_blank=True, default="")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("referrer") and not data.get("referrer_kind"):
            # A fund or agency source names its own kind; otherwise a named referrer that served
            # the lead is a third-party agency (§15), the only other kind the measures know.
            source = data.get("source")
            data["referrer_kind"] = source if source in Referrer.Kind.values else Referrer.Kind.AGENCY
        return data


class UnitInput(serializers.Serializer):
    """`assign`, `reassign`: the landing unit's code."""

    unit = serializers.SlugField(
        max_length=40, label=_("Unit"), error_messages={"required": _("Choose the unit.")}
    )


class ProgressInput(serializers.Serializer):
    """`report_progress`: the substantive milestone (DESIGN §3)."""

    milestone = serializers.ChoiceField(choices=list(policy.MILESTONE_KINDS.items()), label=_("Milestone"))
    date = Date(not_future=True, label=_("Date"))
    evidence = text(_("Evidence"), error_messages={"required": _("Describe the evidence.")})


class PushInput(serializers.Serializer):
    """`request_push`: why the unit hands the lead back (§5)."""

    reason = serializers.ChoiceField(choices=list(policy.PUSH_REASONS.items()), label=_("Reason"))
    note = text(_("Note"), error_messages={"required": _("Explain why in a note.")})


class LandInput(serializers.Serializer):
    """`land`: the landing facts (§15 reads them)."""

    landed_on = Date(not_future=True, label=_("Landed on"))
    paid_in_capital_cny = money(_("New paid-in capital (yuan)"))
    actual_fdi_usd = money(
        _("Actual foreign investment (USD)"), required=False, allow_null=True, default=None
    )
