"""What an admission support accepts (DESIGN §6b, §8)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.inputs import text


class AdmissionInput(serializers.Serializer):
    """`POST /api/admission-supports/`: a draft, asked for by the lead's district or zone."""

    lead = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label=_("Lead"))
    chain_leader = text(_("Chain-leading firm"), max_length=200)
    standard_not_met = text(_("Standard not met"), max_length=4000)
    justification = text(_("Justification"), max_length=4000)
