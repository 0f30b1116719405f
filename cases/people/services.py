"""Writes of the people page: add a person, give and take roles, deactivate and reactivate, reset a
password. Only the people administrator (a member of the ADMIN_GROUP group, or a superuser) may; every
write is checked here, before anything is written, and recorded in Django's admin log.

Passwords: a new person, a reset and a reactivation each get a temporary password that the page shows
once to the administrator, who hands it over; the person changes it on their password page. A reset mail
is not sent: mail leaves only from the worker, not every person has an address on file, and a person
locked out of their account must not depend on a mailbox the administrator cannot see. A new password
ends the person's sessions and API tokens (config/tokens.py fingerprints the password hash)."""

import json
import secrets
import string
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.people.inputs import ADMINISTRATOR, PersonInput, RoleInput
from workflow import engine
from workflow.models import Membership, OrgUnit
from workflow.services import member_add, member_remove

ADMIN_GROUP = "people_admin"
# what the group's members may do, as Django names it (the admin and the permission checks agree)
ADMIN_PERMISSIONS = ("add_user", "change_user", "view_user")
# no look-alikes (0/O, 1/l/I): the administrator reads the password out to the person
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
TEMPORARY_LENGTH = 14


def may_administer(user: Any) -> bool:
    """The people administrator: an active member of the ADMIN_GROUP group (or a superuser)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.groups.filter(name=ADMIN_GROUP).exists())


def admin_group() -> Group:
    group, created = Group.objects.get_or_create(name=ADMIN_GROUP)
    if created:
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="auth", codename__in=ADMIN_PERMISSIONS)
        )
    return group


def administrators() -> Any:
    """The active people who may use the people page."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name=ADMIN_GROUP) | Q(is_superuser=True), is_active=True)
        .distinct()
    )


def _check(actor: Any) -> None:
    if not may_administer(actor):
        raise NotPermitted(_("Only the people administrator manages people and roles."))


def _person(username: str) -> Any:
    person = get_user_model().objects.filter(username=username).first()
    if person is None:
        raise NotFound(_("No such person."))
    return person


def _unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise Invalid(
            _("No unit has the code %(unit)s."), {"unit": code}, code="unknown_unit",
            errors={"unit": [{"message": str(_("No such unit.")), "code": "unknown_unit"}]},
        )  # fmt: skip
    return unit


def temporary_password(person: Any) -> str:
    """A random password that passes the password validators (checked, not assumed)."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _i in range(TEMPORARY_LENGTH))
        try:
            validate_password(candidate, person)
        except ValidationError:  # pragma: no cover - 14 random characters are never "common"
            continue
        return candidate


def record(actor: Any, person: Any, flag: int, event: str, fields: list[str], **facts: Any) -> None:
    """One row of the admin log: who (actor), when (now), what (the event and its facts, readable by
    cases.people.selectors.person_history; `fields` keep the admin's own history page readable)."""
    message = [{"changed": {"fields": fields}, "people": {"event": event, **facts}}]
    LogEntry.objects.log_actions(
        user_id=actor.pk, queryset=[person], action_flag=flag, change_message=json.dumps(message),
        single_object=True,
    )  # fmt: skip


def person_add(*, actor: Any, data: Any) -> tuple[Any, str]:
    """A new person with their roles; returns the person and their temporary password (shown once)."""
    _check(actor)
    d = engine.validate(PersonInput, data)
    unit = _unit(d["unit"]) if d["unit"] else None
    User = get_user_model()
    if User.objects.filter(username__iexact=d["username"]).exists():
        raise Conflict(
            _("The username %(username)s is taken."), {"username": d["username"]}, code="duplicate",
            errors={"username": [{"message": str(_("This username is taken.")), "code": "duplicate"}]},
        )  # fmt: skip
    try:
        with transaction.atomic():
            person = User(username=d["username"], first_name=d["full_name"].strip(), email=d["email"])
            password = temporary_password(person)
            person.set_password(password)
            person.save()
            if unit is not None:  # the input has a unit whenever it has roles
                for role in sorted(d["roles"]):
                    member_add(user=person, unit=unit, role=role)
            if d["administrator"]:
                person.groups.add(admin_group())
            record(
                actor, person, ADDITION, "added", ["username", "first_name"],
                full_name=person.first_name, unit=unit.code if unit else "", roles=sorted(d["roles"]),
                administrator=d["administrator"],
            )  # fmt: skip
    except IntegrityError as exc:  # a second administrator took the name at the same moment
        raise Conflict(
            _("The username %(username)s is taken."), {"username": d["username"]}, code="duplicate"
        ) from exc
    return person, password


def role_give(*, actor: Any, username: str, data: Any) -> Any:
    _check(actor)
    d = engine.validate(RoleInput, data)
    with transaction.atomic():
        person = _locked(username)
        if d["role"] == ADMINISTRATOR:
            if person.groups.filter(name=ADMIN_GROUP).exists():
                raise Conflict(_("%(username)s is the people administrator already."), {"username": username})
            person.groups.add(admin_group())
            record(actor, person, CHANGE, "role_given", ["groups"], role=ADMINISTRATOR, unit="")
            return person
        unit = _unit(d["unit"])
        if Membership.objects.filter(user=person, unit=unit, role=d["role"]).exists():
            raise Conflict(
                _("%(username)s holds this role already."), {"username": username}, code="duplicate"
            )
        member_add(user=person, unit=unit, role=d["role"])
        record(actor, person, CHANGE, "role_given", ["groups"], role=d["role"], unit=unit.code)
    return person


def role_take(*, actor: Any, username: str, data: Any) -> Any:
    _check(actor)
    d = engine.validate(RoleInput, data)
    with transaction.atomic():
        person = _locked(username)
        if d["role"] == ADMINISTRATOR:
            if not person.groups.filter(name=ADMIN_GROUP).exists():
                raise Conflict(_("%(username)s is not the people administrator."), {"username": username})
            _keep_an_administrator(person)
            person.groups.remove(admin_group())
            record(actor, person, CHANGE, "role_taken", ["groups"], role=ADMINISTRATOR, unit="")
            return person
        unit = _unit(d["unit"])
        if not member_remove(user=person, unit=unit, role=d["role"]):
            raise Conflict(_("%(username)s does not hold this role."), {"username": username}, code="no_role")
        record(actor, person, CHANGE, "role_taken", ["groups"], role=d["role"], unit=unit.code)
    return person


def person_deactivate(*, actor: Any, username: str) -> Any:
    """The person can no longer sign in; their API tokens are deleted (a session already open is
    refused at its next request, as Django refuses an inactive person's session)."""
    _check(actor)
    with transaction.atomic():
        person = _locked(username, actor)
        if person.pk == actor.pk:
            raise Conflict(_("You cannot deactivate yourself."), code="self")
        if not person.is_active:
            raise Conflict(_("%(username)s is deactivated already."), {"username": username})
        if person.is_superuser or person.groups.filter(name=ADMIN_GROUP).exists():
            _keep_an_administrator(person)
        person.is_active = False
        person.save(update_fields=["is_active"])
        AuthToken.objects.filter(user=person).delete()
        record(actor, person, CHANGE, "deactivated", ["is_active"])
    return person


def person_reactivate(*, actor: Any, username: str) -> tuple[Any, str]:
    """The person may sign in again, with a new temporary password (shown once): a session or
    password from before the deactivation does not come back with them."""
    _check(actor)
    with transaction.atomic():
        person = _locked(username, actor)
        if person.is_active:
            raise Conflict(_("%(username)s is active already."), {"username": username})
        password = temporary_password(person)
        person.set_password(password)
        person.is_active = True
        person.save(update_fields=["is_active", "password"])
        record(actor, person, CHANGE, "reactivated", ["is_active", "password"])
    return person, password


def password_reset(*, actor: Any, username: str) -> tuple[Any, str]:
    """A new temporary password (shown once); the old one, the person's sessions and tokens end."""
    _check(actor)
    with transaction.atomic():
        person = _locked(username, actor)
        if person.pk == actor.pk:
            raise Conflict(_("Change your own password on your password page."), code="self")
        if not person.is_active:
            raise Conflict(
                _("Reactivate %(username)s first: that sets a new password."), {"username": username}
            )
        password = temporary_password(person)
        person.set_password(password)
        person.save(update_fields=["password"])
        AuthToken.objects.filter(user=person).delete()
        record(actor, person, CHANGE, "password_reset", ["password"])
    return person, password


def _locked(username: str, actor: Any = None) -> Any:
    """The person, locked for the rest of the transaction (two administrators at once: one waits).
    With `actor`: a superuser's sign-in (password, active or not) is only a superuser's to change, or
    a people administrator could read out a superuser's new password and sign in as them."""
    person = get_user_model().objects.select_for_update().filter(username=username).first()
    if person is None:
        raise NotFound(_("No such person."))
    if actor is not None and person.is_superuser and not actor.is_superuser:
        raise NotPermitted(_("Only a superuser may change a superuser's password or sign-in."))
    return person


def _keep_an_administrator(person: Any) -> None:
    """Refuse to leave the page without an active administrator. The administrators are locked first,
    so two administrators removing each other at the same moment cannot both succeed."""
    others = administrators().exclude(pk=person.pk)
    if not list(get_user_model().objects.select_for_update().filter(pk__in=others.values("pk"))):
        raise Conflict(
            _("%(username)s is the last people administrator: make someone else administrator first."),
            {"username": person.username}, code="last_administrator",
        )  # fmt: skip
