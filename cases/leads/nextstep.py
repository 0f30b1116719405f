"""What a case waits for next, in words, read from its machine: the queues' "next action" column
and the line on a case's page that says who it waits for when the caller has nothing to do.

The moves out of a state are the machine's own transitions from it that a person fires to another
state (not the system's, not case work that leaves the state as it is, not closing); whose move each
is follows from its permission function. Nothing here is written per page or per state.
"""

import functools
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import Transition

from cases import access
from workflow.engine import CaseType, case_types, declared

CITY, LEADER, OFFICER = "city", "leader", "officer"
# whose move a transition is, by its permission (a permission missing here, such as closing, which
# the unit's leader and the city both may, is no one's next step)
MOVER = {
    access.can_dispatch: CITY,
    access.can_approve: LEADER,
    access.can_work: OFFICER,
    access.can_approve_commitment: LEADER,
    access.can_work_commitment: OFFICER,
}


def _moves(case_type: CaseType, state: str) -> tuple[tuple[str, str], ...]:
    """(transition name, mover) of each move out of `state`, in declaration order."""
    return _moves_of(case_type.key, state)


@functools.cache
def _moves_of(key: str, state: str) -> tuple[tuple[str, str], ...]:
    case_type = case_types()[key]
    field = case_type.model._meta.get_field(case_type.field_name)
    out = []
    for t in field.get_all_transitions(case_type.model):  # type: ignore[union-attr] # FSMField's own method
        d = declared(t) if "engine" in t.custom else None
        if d is None or d.system or d.own_endpoint or t.source != state or _is_self_loop(t):
            continue
        mover = MOVER.get(t.permission)
        if mover is not None:
            out.append((d.name or t.name, mover))
    return tuple(out)


def _is_self_loop(t: Transition) -> bool:
    targets = getattr(t.target, "allowed_states", None) or [t.target]
    return list(targets) == [t.source]


def moves(case_type: CaseType, state: str) -> list[str]:
    """The names of the moves out of `state` (see the module's docstring)."""
    return [name for name, _mover in _moves(case_type, state)]


def unit_name(unit: Any) -> str:
    """A unit's name in the reader's language."""
    if unit is None:
        return ""
    english = (get_language() or "").startswith("en")
    return unit.name_en if english and unit.name_en else unit.name_zh


def person_name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def whom(case: Any, mover: str) -> str:
    """Who makes a move of `mover` on this case, in words: the city's bureau; the leaders of the
    case's unit; its assignee, or else its unit's officers (a draft's: the registering unit's)."""
    unit = getattr(case, "unit", None) or getattr(case, "discovering_unit", None)
    if mover == CITY:
        return str(_("the city's economy and IT bureau"))
    if mover == LEADER:
        return str(_("the leaders of %(unit)s")) % {"unit": unit_name(unit)}
    assignee = getattr(case, "assignee", None)
    if assignee is not None:
        return str(_("%(name)s (assignee)")) % {"name": person_name(assignee)}
    return str(_("the officers of %(unit)s")) % {"unit": unit_name(unit)}


def next_step(case_type: CaseType, case: Any, available: list[str]) -> dict[str, Any]:
    """What comes next on `case` for the caller, who may fire `available` (CaseType.available):
    `mine` with the `actions` (name, label) that move it on, or else whom it `waits_for` and for
    what (`action`, the machine's first move out of the state); `text` says it in one line;
    `finished` when nothing moves it any more."""
    state = getattr(case, case_type.field_name)
    out = _moves(case_type, state)
    names = {name for name, _mover in out}
    mine = [(name, case_type.label(name)) for name in available if name in names]
    if mine:
        return {
            "mine": True,
            "actions": mine,
            "text": " / ".join(str(label) for _name, label in mine),
        }
    if not out:
        return {"mine": False, "finished": True, "text": str(_("Nothing more to do."))}
    name, mover = out[0]
    who, action = whom(case, mover), case_type.label(name)
    return {
        "mine": False,
        "waits_for": who,
        "mover": mover,
        "action": action,
        "text": str(_("Waiting for %(whom)s: %(action)s")) % {"whom": who, "action": action},
    }
