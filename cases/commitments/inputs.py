"""What a commitment application's registration and transitions accept (DESIGN §6, §8)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.commitments.models import CommitmentApplication
from cases.inputs import CreditCode, text


class CommitmentInput(serializers.Serializer):
    """`POST /api/commitments/`: an application in draft."""

    project_name = text(_("Project name"), max_length=200)
    company_name = text(_("Company name"), max_length=200)
    credit_code = CreditCode(label=_("Unified social credit code"))
    zone = serializers.SlugField(max_length=60, label=_("Pilot zone"))
    unit = serializers.SlugField(max_length=40, label=_("Handling unit"))
    project_type = serializers.ChoiceField(
        choices=CommitmentApplication.ProjectType.choices, label=_("Project type")
    )
    investment_nature = serializers.ChoiceField(
        choices=CommitmentApplication.Nature.choices, label=_("Investment nature")
    )
    land_supply = serializers.ChoiceField(
        choices=CommitmentApplication.LandSupply.choices, label=_("Land supply")
    )
    industrial_content = serializers.BooleanField(
        default=False, label=_("Industrial content (production lines or equipment)")
    )
    lead = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True, default=None, label=_("Lead #")
    )


class ApproveInput(serializers.Serializer):
    """`approve`: the enterprise's written commitments, one text each."""

    commitments = serializers.ListField(
        child=text(max_length=2000),
        min_length=1,
        max_length=200,
        label=_("Commitments"),
        error_messages={"min_length": _("List the enterprise's written commitments, one text each.")},
    )


class InspectionInput(serializers.Serializer):
    """`record_inspection`: every commitment met, or what must be rectified."""

    result = serializers.ChoiceField(
        choices=[("compliant", _("Every commitment met")), ("rectify", _("Rectification needed"))],
        label=_("Result"),
    )
    findings = text(_("Findings"), required=False, allow_blank=True, default="")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["result"] == "rectify" and not data["findings"].strip():
            raise serializers.ValidationError({"findings": _("Describe what must be rectified.")})
        return data


class StandardInput(serializers.Serializer):
    """`POST /api/commitments/standards/`: a new version of a pilot zone's standards."""

    zone = serializers.SlugField(max_length=60, label=_("Pilot zone"))
    items = serializers.ListField(
        child=text(max_length=2000), min_length=1, max_length=200, label=_("Standards")
    )
