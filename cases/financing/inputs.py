"""What a financing need's registration, its transitions, the §13 report and the people page accept
(DESIGN §6b, §11: bounded numbers, real dates, valid text)."""

from decimal import Decimal
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.inputs import money, text
from workflow.models import Role

MAX_ID = 2**63 - 1


def _amount(label: Any) -> serializers.DecimalField:
    """A positive amount in yuan (an amount of nothing is no amount)."""
    return money(label, min_value=Decimal("0.01"))


def _term(label: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=600, label=label, help_text="1–600 months")


class NeedInput(serializers.Serializer):
    """`POST /api/financing-needs/`: a need in draft, for a lead whose enterprise consented to share it."""

    lead = serializers.IntegerField(min_value=1, max_value=MAX_ID, label=_("Lead"))
    consent = serializers.BooleanField(
        label=_("The enterprise consents to sharing the need with financial institutions")
    )
    amount_cny = _amount(_("Amount needed (yuan)"))
    term_months = _term(_("Term (months)"))
    purpose = text(_("Purpose"), max_length=2000)

    def validate_consent(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError(
                _("Record the enterprise's consent: without it the need is not shared with anyone.")
            )
        return value


class OfferInput(serializers.Serializer):
    """`offer`: a bank's offer on a published need."""

    product = text(_("Product"), max_length=200)
    amount_cny = _amount(_("Amount offered (yuan)"))
    rate_percent = serializers.DecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=Decimal(0),
        max_value=Decimal(100),
        label=_("Annual rate (%)"),
        help_text="0–100, at most 4 decimals",
    )
    term_months = _term(_("Term (months)"))


class AcceptInput(serializers.Serializer):
    """`accept`: the offer (of this need) the enterprise takes."""

    offer = serializers.IntegerField(min_value=1, max_value=MAX_ID, label=_("Offer"))


class ReportQuery(serializers.Serializer):
    """`?from=&to=` of the §13 report (as the KPI endpoints parse them)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        from cases.outcomes.inputs import KpiPeriodQuery

        return KpiPeriodQuery().get_fields()


class InstitutionInput(serializers.Serializer):
    """The people page: a financial institution (a unit of level `bank`)."""

    code = serializers.SlugField(max_length=40, label=_("Code"))
    name_zh = text(_("Chinese name"), max_length=60)
    name_en = text(_("English name"), max_length=120, required=False, allow_blank=True, default="")


class MemberInput(serializers.Serializer):
    """The people page: a person with a role in a financial institution (created if new)."""

    username = serializers.CharField(
        max_length=150, validators=[UnicodeUsernameValidator()], label=_("Username")
    )
    unit = serializers.SlugField(max_length=40, label=_("Financial institution"))
    role = serializers.ChoiceField(choices=Role.choices, label=_("Role"))
