"""Reads of the people page: the people with their roles, one person's change history."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from cases.people.inputs import ADMINISTRATOR
from cases.people.services import ADMIN_GROUP
from workflow.models import Membership, OrgUnit, Role


def people(*, q: str = "", unit: str = "") -> QuerySet:
    """Everyone, active first then by username, with their memberships and groups read in two queries;
    `q` matches username or name, `unit` a unit's code."""
    rows = get_user_model().objects.order_by("-is_active", "username")
    if q:
        rows = rows.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    if unit:
        rows = rows.filter(memberships__unit__code=unit).distinct()
    return rows.prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.select_related("unit").order_by("unit_id", "role")
        ),
        "groups",
    )


def roles_of(person: Any) -> list[dict[str, Any]]:
    """The person's roles as the page shows them (from the prefetched rows): unit, role, labels."""
    roles = [
        {"unit": m.unit.code, "unit_name": m.unit.display_name, "role": m.role, "label": Role(m.role).label}
        for m in person.memberships.all()
    ]
    if is_administrator(person):
        roles.append({"unit": "", "unit_name": "", "role": ADMINISTRATOR, "label": _("People administrator")})
    return roles


def is_administrator(person: Any) -> bool:
    return any(g.name == ADMIN_GROUP for g in person.groups.all())


def units() -> QuerySet:
    return OrgUnit.objects.order_by("id")


@dataclass
class Change:
    at: datetime
    by: str
    text: str
    event: str
    facts: dict[str, Any] = field(default_factory=dict)


def person_history(*, person: Any) -> list[Change]:
    """Every change the people page made to the person, newest first (Django's admin log)."""
    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(get_user_model()), object_id=str(person.pk)
        )
        .select_related("user")
        .order_by("-action_time", "-id")
    )
    names = {u.code: u.display_name for u in OrgUnit.objects.only("code", "name_zh", "name_en")}
    out = []
    for entry in entries:
        facts = _facts(entry.change_message)
        out.append(
            Change(
                at=entry.action_time,
                by=entry.user.get_full_name() or entry.user.username,
                text=describe(facts, names) if facts else entry.get_change_message() or _("Changed"),
                event=facts.get("event", ""),
                facts=facts,
            )
        )
    return out


def _facts(message: str) -> dict[str, Any]:
    try:
        parsed = json.loads(message)
    except (TypeError, ValueError):
        return {}
    if isinstance(parsed, list):
        for part in parsed:
            if isinstance(part, dict) and isinstance(part.get("people"), dict):
                return part["people"]
    return {}


def role_label(role: str, unit: str, names: dict[str, str]) -> str:
    if role == ADMINISTRATOR:
        return _("People administrator")
    label = str(Role(role).label) if role in Role.values else role
    return f"{names.get(unit, unit)} {label}"


def describe(facts: dict[str, Any], names: dict[str, str]) -> str:
    """One change in words, in the reader's language."""
    event = facts.get("event")
    if event == "added":
        roles = [role_label(r, facts.get("unit", ""), names) for r in facts.get("roles", [])]
        if facts.get("administrator"):
            roles.append(role_label(ADMINISTRATOR, "", names))
        return _("Added as %(name)s with the roles: %(roles)s") % {
            "name": facts.get("full_name", ""), "roles": "、".join(roles) or "—"}  # fmt: skip
    if event == "role_given":
        return _("Role given: %(role)s") % {"role": role_label(facts["role"], facts.get("unit", ""), names)}
    if event == "role_taken":
        return _("Role taken: %(role)s") % {"role": role_label(facts["role"], facts.get("unit", ""), names)}
    return {
        "deactivated": _("Deactivated"),
        "reactivated": _("Reactivated with a temporary password"),
        "password_reset": _("Password reset to a temporary password"),
    }.get(str(event), str(event))
