"""What the people page's writes accept."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rest_framework import serializers

from workflow.models import Role

# a role that is not a unit's: the people administrator (cases.people.services.ADMIN_GROUP)
ADMINISTRATOR = "administrator"
ROLE_CHOICES = [(Role.OFFICER.value, Role.OFFICER.label), (Role.LEADER.value, Role.LEADER.label),
                (ADMINISTRATOR, _("People administrator"))]  # fmt: skip


def unit_field() -> serializers.SlugField:
    """The unit a role is in, by its code (empty: no unit, for the people administrator's role)."""
    return serializers.SlugField(
        label=pgettext_lazy("a person's unit", "Unit"),
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
    )


class PersonInput(serializers.Serializer):
    """A new person: a unique username, their full name, and the roles they start with (a unit's officer
    or leader, the people administrator, or both)."""

    username = serializers.RegexField(
        r"^[\w.@+-]+\Z",
        label=_("Username"),
        max_length=150,
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    full_name = serializers.CharField(label=_("Full name"), max_length=150)
    email = serializers.EmailField(
        label=_("Email"), max_length=254, required=False, allow_blank=True, default=""
    )
    unit = unit_field()
    roles = serializers.MultipleChoiceField(
        label=_("Roles in the unit"), choices=ROLE_CHOICES[:2], required=False, default=set
    )
    administrator = serializers.BooleanField(label=_("People administrator"), required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["unit"] and not attrs["roles"]:
            raise serializers.ValidationError({"roles": _("Choose the person's role in the unit.")})
        if attrs["roles"] and not attrs["unit"]:
            raise serializers.ValidationError({"unit": _("Choose the unit the role is in.")})
        if not attrs["roles"] and not attrs["administrator"]:
            raise serializers.ValidationError(
                {"roles": _("Give the person at least one role: without one they see nothing.")}
            )
        return attrs


class RoleInput(serializers.Serializer):
    """A role to give or take: a unit's officer or leader, or the people administrator (no unit)."""

    role = serializers.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    unit = unit_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["role"] != ADMINISTRATOR and not attrs["unit"]:
            raise serializers.ValidationError({"unit": _("Choose the unit the role is in.")})
        if attrs["role"] == ADMINISTRATOR:
            attrs["unit"] = ""
        return attrs
