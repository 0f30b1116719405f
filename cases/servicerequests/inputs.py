"""What raising a service request and its transitions accept (DESIGN §6b, §8, §11)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.inputs import text
from cases.servicerequests.models import ServiceRequest


class RaiseInput(serializers.Serializer):
    """`POST /api/service-requests/`: a request in `open`."""

    lead = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label=_("Lead"))
    kind = serializers.ChoiceField(choices=ServiceRequest.Kind.choices, label=_("Kind"))
    description = text(_("Description"), max_length=4000)
    responsible_unit = serializers.SlugField(max_length=40, label=_("Responsible unit"))


class ResolveInput(serializers.Serializer):
    """`resolve`: the responsible unit's answer."""

    answer = text(
        _("Answer"),
        max_length=4000,
        error_messages={"required": _("Give the answer."), "blank": _("Give the answer.")},
    )
