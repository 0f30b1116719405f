"""What a lead's registration and each of its transitions accept (DRF serializers, DESIGN §8)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import policy
from cases.inputs import CreditCode, Date, ReasonInput, money, text
from cases.leads.models import Referrer, Source
from workflow.models import Sector

__all__ = [
    "AssignInput", "ConfirmInput", "DeclineInput", "LandInput", "LeadInput", "ProgressInput", "PushInput",
    "ReasonInput", "StrategicInput", "UnitInput",
]  # fmt: skip


class LeadInput(serializers.Serializer):
    """`POST /api/leads/`: a lead in draft (DESIGN §3)."""

    name = text(_("Project name"), max_length=200)
    company_name = text(_("Company name"), max_length=200)
    credit_code = CreditCode(label=_("Unified social credit code"))
    sector = serializers.SlugRelatedField(slug_field="slug", queryset=Sector.objects.all(), label=_("Sector"))
    segment = serializers.ChoiceField(choices=list(policy.SEGMENTS.items()), label=_("Segment (§8)"))
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


def _reason(label: Any, **kwargs: Any) -> serializers.CharField:
    return text(label, max_length=2000, **kwargs)


class UnitInput(serializers.Serializer):
    """`reassign` (and `assign`): the landing unit's code, and the city's reason where §8 ranks the
    unit out for the lead (a production lead in a central urban district)."""

    unit = serializers.SlugField(
        max_length=40, label=_("Unit"), error_messages={"required": _("Choose the unit.")}
    )
    override_reason = _reason(
        _("Override reason (only where §8 rules the unit out)"), required=False, allow_blank=True
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data.get("override_reason", "").strip():
            data.pop("override_reason", None)  # nothing overridden: nothing to record
        return super().validate(data)


class StrategicRuling(serializers.Serializer):
    """The city's optional ruling on the strategic flag while it confirms, declines or assigns (§5):
    `strategic` true or false with a reason; absent (or null), the registering officer's proposal stands."""

    strategic = serializers.BooleanField(
        required=False, allow_null=True, label=_("Strategic (the city's ruling; empty: no ruling)")
    )
    strategic_reason = _reason(_("Reason for the ruling"), required=False, allow_blank=True)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        data = super().validate(data)
        if data.get("strategic") is None:
            if data.get("strategic_reason", "").strip():
                raise serializers.ValidationError(
                    {
                        "strategic": _(
                            "Say how the city rules on the strategic flag, or leave the reason empty."
                        )
                    },
                    code="required",
                )
            data.pop("strategic", None)
            data.pop("strategic_reason", None)
        elif not data.get("strategic_reason", "").strip():
            raise serializers.ValidationError(
                {"strategic_reason": _("A ruling on the strategic flag needs a reason.")}, code="required"
            )
        return data


class ConfirmInput(StrategicRuling):
    """`confirm`: optionally, the city's ruling on the strategic flag."""


class DeclineInput(ReasonInput, StrategicRuling):
    """`decline`: the reason, and optionally the city's ruling on the strategic flag."""


class AssignInput(UnitInput, StrategicRuling):
    """`assign`: the landing unit (with the §8 override reason where needed), and optionally the
    city's ruling on the strategic flag."""


class StrategicInput(serializers.Serializer):
    """`rule_strategic`: the city rules on the strategic flag later, with a reason (§5)."""

    strategic = serializers.BooleanField(label=_("Strategic"))
    reason = _reason(
        _("Reason"),
        error_messages={"required": _("A reason is required."), "blank": _("A reason is required.")},
    )


class ProgressInput(serializers.Serializer):
    """`report_progress`: the substantive milestone (DESIGN §3). Its date lies between the day the
    no-progress clock started (a lead without a clock: the day it was registered) and today."""

    milestone = serializers.ChoiceField(choices=list(policy.MILESTONE_KINDS.items()), label=_("Milestone"))
    date = Date(not_future=True, label=_("Date"))
    evidence = text(_("Evidence"), error_messages={"required": _("Describe the evidence.")})

    def validate_date(self, value: dt.date) -> dt.date:
        lead = self.context.get("case")
        if lead is None:  # drawing the form: no lead to read the start from
            return value
        start = timezone.localdate(lead.clock.started_at if lead.clock is not None else lead.created_at)
        if value < start:
            raise serializers.ValidationError(
                _("The milestone date must lie between %(start)s, when this negotiation started, and today.")
                % {"start": start.isoformat()},
                code="before_start",
            )
        return value


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
