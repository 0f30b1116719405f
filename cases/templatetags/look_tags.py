"""Who is signed in, as the top bar and the menu show it: the full name (the username when there is
none), with the unit and role each membership gives, in the page's language."""

import time
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import translation

from workflow.models import Membership, Role

register = template.Library()


@dataclass(frozen=True)
class Person:
    name: str
    post: str  # "海淀区 · 经办人员", several joined by "；"

    @property
    def initial(self) -> str:
        return self.name[:1].upper()

    def __str__(self) -> str:
        return f"{self.name} · {self.post}" if self.post else self.name


def _unit_name(unit: Any) -> str:
    english = (translation.get_language() or "").startswith("en")
    return unit.name_en if english and unit.name_en else unit.name_zh


# Kept in the session for a few minutes: every page shows the person, and a page's reads are budgeted
# (tests/cases/test_web.py); a role given or taken shows within this time, or at the next sign-in.
SESSION_SECONDS = 300


@register.simple_tag
def who(request: Any) -> Person | str:
    """The person signed in on `request`, in the page's language."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    cached = getattr(user, "_sc_person", None)  # the top bar and the menu both ask
    if cached is not None:
        return cached
    key = f"sc-person-{translation.get_language()}"
    kept = request.session.get(key)
    now = time.time()
    if kept and kept.get("user") == user.pk and now - kept.get("at", 0) < SESSION_SECONDS:
        person = Person(name=kept["name"], post=kept["post"])
    else:
        person = _person(user)
        request.session[key] = {"user": user.pk, "at": now, "name": person.name, "post": person.post}
    user._sc_person = person
    return person


def _person(user: Any) -> Person:
    name = user.get_full_name().strip() or user.get_username()
    roles = dict(Role.choices)
    posts = [
        f"{_unit_name(m.unit)} · {roles.get(m.role, m.role)}"
        for m in Membership.objects.filter(user=user).select_related("unit").order_by("unit_id", "role")
    ]
    return Person(name=name, post="；".join(posts))
