"""The one transition runner, and what a case type declares to use it (DESIGN §9, house rule 1).

A case type is a model with a django-fsm-2 state field whose `@transition` methods carry the whole
declaration: source, target and who (`permission`) as django-fsm-2 has them, and in
`custom=declare(...)` the label, the input serializer, the effect, whom it notifies. The rest —
how to see a case, the grants each state gives, the escalation ladder of its waiting states, who
an audience name stands for — is one `CaseType` beside the model. `fire` and `fire_many` are the
only way any case changes state. The engine imports nothing from cases/ or notifications/: the
case type hands it functions, and notifications/ subscribes to the events it publishes.
"""

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, connection, models, transaction
from django.db.models import CharField, Exists, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, Transition, can_proceed
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model
from rest_framework import serializers

from workflow import history, locks, refcache, registry
from workflow import services as engine
from workflow.errors import Conflict, Invalid, NotFound, NotPermitted
from workflow.models import Clock, Level, Membership, Role, TransitionRecord

# --- declarations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """Whom a transition tells, and how the notification reads (`kind` names its text)."""

    kind: str
    audiences: tuple[str, ...]


@dataclass(frozen=True)
class Declared:
    """What django-fsm-2 does not hold of a transition (kept in its `custom`)."""

    label: Any
    # dotted paths, resolved when first used (and by the system check at start-up), so a model's
    # declaration need not import the modules that import the model
    input: str | None = None  # a DRF serializer class: the transition's parameters
    effect: str | None = None  # `effect(steps: list[Step]) -> None`
    notice: Notice | None = None
    name: str | None = None  # the API's name, where the method's differs (`return_` → `return`)
    system: bool = False  # fired by the system only (the clock), never by a person
    # fired through an endpoint of its own (a correction is a PATCH of the case, not an action):
    # neither among the generic `…/transitions/{name}/` nor among the available actions
    own_endpoint: bool = False


def declare(
    label: Any,
    *,
    input: str | None = None,  # noqa: A002 - the declaration's own word
    effect: str | None = None,
    notify: Notice | None = None,
    name: str | None = None,
    system: bool = False,
    own_endpoint: bool = False,
) -> dict[str, Declared]:
    """`@transition(..., custom=declare(...))`: the rest of a transition's declaration."""
    return {
        "engine": Declared(
            label=label,
            input=input,
            effect=effect,
            notice=notify,
            name=name,
            system=system,
            own_endpoint=own_endpoint,
        )
    }


def system_only(case: Any, user: Any) -> bool:
    """The permission of a transition only the system fires (no person passes it)."""
    return False


@dataclass(frozen=True)
class Members:
    """The people an audience stands for: active members of a unit (by id or code) or of every
    unit of a level, in some roles. Hashable, so a batch of events looks each group up once."""

    unit_id: int | None = None
    unit_code: str | None = None
    level: str | None = None
    roles: tuple[str, ...] = (Role.OFFICER, Role.LEADER)
    user_id: int | None = None  # one person (a case's assignee), whatever their roles


Audience = Callable[[Any, Mapping[str, Any]], Members | None]


@dataclass(frozen=True)
class Rungs:
    """How many working days a ladder waits before it reminds and before it escalates, and the
    version of the policy parameters those numbers come from (None: the case type's defaults)."""

    remind_days: int
    escalate_days: int
    version: int | None = None


@dataclass(frozen=True)
class Wait:
    """The escalation ladder of a waiting state (DESIGN §7): `remind` is told after
    `remind_days` working days, `escalate` (the level above) after `escalate_days`. With `rungs`,
    the days come from it at the moment the ladder starts (versioned policy parameters), and each
    ladder clock keeps the numbers and the version it started with."""

    remind: str | tuple[str, ...]  # an audience, or several told together
    escalate: str | tuple[str, ...]
    remind_days: int
    escalate_days: int
    rungs: Callable[[datetime], Rungs] | None = None

    def at(self, now: datetime) -> Rungs:
        if self.rungs is not None:
            return self.rungs(now)
        return Rungs(self.remind_days, self.escalate_days)


@dataclass
class CaseType:
    """Everything about a case type that is not one transition's."""

    key: str  # events are "<key>.<transition>", ladder clocks "<key>_wait_…"
    model: type[models.Model]
    can_view: Callable[[Any, Any], bool]
    not_found: Any  # the message for a case that does not exist (for the caller)
    noun: Any  # how a message names one case ("lead", "application")
    audiences: dict[str, Audience] = field(default_factory=dict)
    grants: Callable[[list[Any]], dict[Any, dict[tuple[int, str], set[str]]]] | None = None
    waits: dict[str, Wait] = field(default_factory=dict)
    notice_refs: Callable[[Any], dict[str, Any]] = lambda case: {}
    notice_params: Callable[[Any], dict[str, Any]] = lambda case: {}
    field_name: str = "state"
    related: tuple[str, ...] = ()  # select_related of the locked row
    # after the grants of the cases that moved: re-sync the grants of other cases that follow them
    # (a lead's service requests follow it to its new unit); in the same transaction
    followers: Callable[[list[Any]], None] | None = None
    # the transitions that end, refuse or pay something and cannot simply be undone (terminate,
    # decline, reject, withdraw, mark paid …): pages list them last, as danger, behind a confirmation
    weighty: frozenset[str] = frozenset()

    @functools.cached_property
    def transitions(self) -> dict[str, Transition]:
        """API name → django-fsm-2 transition, in declaration order."""
        fsm_field = self.model._meta.get_field(self.field_name)
        return {
            declared(t).name or t.name: t
            for t in fsm_field.get_all_transitions(self.model)  # type: ignore[union-attr] # FSMField's own method
            if "engine" in t.custom
        }

    def labels(self) -> dict[str, Any]:
        """API name → how people call it (buttons, timelines, messages)."""
        return {name: declared(t).label for name, t in self.transitions.items()}

    def edges(self) -> list[dict[str, Any]]:
        """Every (source, transition, target) of the machine, for drawing it — without the case work
        that leaves the state as it is (who holds the case, corrections: not moves of the machine)."""
        fsm_field = self.model._meta.get_field(self.field_name)
        return [
            {"name": declared(t).name or t.name, "source": t.source, "target": target}
            for t in fsm_field.get_all_transitions(self.model)  # type: ignore[union-attr] # FSMField's own method
            for target in (getattr(t.target, "allowed_states", None) or [t.target])
            if not (declared(t).own_endpoint and target == t.source)
        ]

    def transition(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise NotFound(_("There is no action called %(name)s."), {"name": name}) from None

    def label(self, name: str) -> Any:
        return declared(self.transitions[name]).label

    def state_label(self, state: str) -> Any:
        return dict(self.model._meta.get_field(self.field_name).choices or [])[state]  # type: ignore[union-attr] # a concrete field

    def available(self, case: Any, user: Any) -> list[str]:
        """The transitions `user` may fire on `case` now, straight from the machine; the weighty ones last."""
        method = getattr(case, f"get_available_user_{self.field_name}_transitions")
        names = [
            declared(t).name or t.name
            for t in method(user)
            if "engine" in t.custom and not declared(t).own_endpoint
        ]
        return sorted(names, key=self.is_weighty)  # stable: the machine's order otherwise

    def is_weighty(self, name: str) -> bool:
        """Does `name` end, refuse or pay something (pages guard it with a confirmation)?"""
        return name in self.weighty

    def may(self, case: Any, user: Any, name: str) -> bool:
        """May `user` fire `name` on `case` now (the state allows it and the permission holds)."""
        t = self.transitions[name]
        return can_proceed(getattr(case, t.name)) and t.has_perm(case, user)

    def wait_kinds(self) -> tuple[str, str]:
        remind, escalate = engine.LADDER_SUFFIXES
        return (f"{self.key}{remind}", f"{self.key}{escalate}")


def declared(t: Transition) -> Declared:
    return t.custom["engine"]


_case_types: dict[str, CaseType] = {}


def register(case_type: CaseType) -> CaseType:
    """Make a case type known to the engine: its ladder clocks get their handler, and the system
    check looks at its declarations."""
    _case_types[case_type.key] = case_type
    if case_type.waits:
        lock = functools.partial(locks.lock_free, case_type.model)
        for kind in case_type.wait_kinds():
            registry.register_clock_handler(kind, functools.partial(_waits_due, case_type), lock)
    return case_type


def case_types() -> dict[str, CaseType]:
    return dict(_case_types)


@functools.cache
def effect_of(path: str) -> Callable[[list["Step"]], None]:
    return import_string(path)


def input_of(d: Declared) -> type[serializers.Serializer] | None:
    """A transition's input serializer class (None: it takes no parameters)."""
    return _input_class(d.input) if d.input else None


@functools.cache
def _input_class(path: str) -> type[serializers.Serializer]:
    return import_string(path)


def each(func: Callable[["Step"], None]) -> Callable[[list["Step"]], None]:
    """Turn an effect on one case into an effect on a set (the effect most transitions have)."""

    @functools.wraps(func)
    def run(steps: list[Step]) -> None:
        for step in steps:
            func(step)

    return run


# --- the runner -----------------------------------------------------------------------------------


def official_language(func: Callable[..., Any]) -> Callable[..., Any]:
    """Records (rules applied, reasons, history, import reports) are official texts: always written
    in the product's default language, whatever language the person acting reads. Errors stay lazy,
    in theirs."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):  # a new override per call: thread-safe
            return func(*args, **kwargs)

    return wrapper


@dataclass
class Step:
    """One case going through one transition: handed from the checks to the effect to the history."""

    case: Any
    actor: Any  # a user, or None for the system
    now: datetime
    params: dict[str, Any]
    rule: str = ""
    record: dict[str, Any] = field(default_factory=dict)  # what the history and event carry besides params
    target_kwargs: dict[str, Any] = field(default_factory=dict)  # for a transition with several targets
    notice: Notice | None = None  # the effect may silence or change the declared notice
    notice_params: dict[str, Any] = field(default_factory=dict)


def fire(
    case_type: CaseType,
    *,
    pk: Any,
    name: str,
    actor: Any | None,
    params: Any = None,
    now: datetime | None = None,
) -> Any:
    """Fire transition `name` on case `pk` as `actor` (None: the system), all or nothing.

    In one transaction and this order: lock the row (404 if there is none) → may the actor see it
    (404) → does the state allow it (409) → may the actor fire it (403) → is the input valid
    (400) → the effect → the state → history → grants → ladder clocks → events. A lost race is a
    409. Returns the case as it now is.
    """
    t = case_type.transition(name)
    now = now or timezone.now()
    try:
        # records (rules, history) are official texts, in the product's language whoever acts
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            case = _lock(case_type, pk, actor)
            with refcache.verified(getattr(case, TOKEN)):  # read with the case: memories are current
                _check(case_type, case, t, actor)
                data = validate(
                    input_of(declared(t)), params, context={"now": now, "case": case, "actor": actor}
                )
                _run(case_type, t, [Step(case=case, actor=actor, now=now, params=data)])
    except ConcurrentTransition as exc:
        raise Conflict(
            _("Someone else changed this %(noun)s at the same moment; reload it."),
            {"noun": case_type.noun},
            code="race",
        ) from exc
    except IntegrityError as exc:
        raise Conflict(
            _("The change conflicts with another record; reload the %(noun)s."),
            {"noun": case_type.noun},
            code="integrity",
        ) from exc
    return case


def fire_many(case_type: CaseType, *, pks: Sequence[int], name: str, now: datetime) -> list[Any]:
    """Fire a system transition (no input) on many cases at once, in the caller's transaction:
    the same steps as `fire`, each taken for the whole set. Cases the machine refuses are left
    out; returns those that moved."""
    t = case_type.transition(name)
    if not declared(t).system:
        raise NotPermitted(_("Only a person can do this."))
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        cases = [
            case
            for case in case_type.model._default_manager.select_for_update(of=("self",))
            .select_related(*case_type.related)
            .filter(pk__in=list(pks))
            .order_by("pk")
            if can_proceed(getattr(case, t.name))
        ]
        if cases:
            with refcache.verified():  # the token read after the locks are held
                _run(case_type, t, [Step(case=c, actor=None, now=now, params={}) for c in cases])
    return cases


# The memo of a user's object permissions on a case that the case types' permission functions
# read ({user id: codenames}, kept on the instance: cases.access); the engine fills it as it locks.
PERM_MEMO = "_perm_memo"
LAST_HASH = history.LAST_HASH  # the newest history row's hash of the locked case, read with it
TOKEN = "engine_refcache_token"  # the reference generation, read with it (workflow.refcache)


def _lock(case_type: CaseType, pk: Any, actor: Any | None = None) -> Any:
    """Lock the case's row, then read in one more statement what the runner needs next: the
    actor's object permissions on it and its history's newest hash.

    The second statement runs once the lock is held: in PostgreSQL's READ COMMITTED one statement
    would read such subqueries from before a wait for the row lock, missing what the transaction it
    waited for wrote (a history row to chain to, a grant). It is compiled once per case type and
    database and run with the case's and the actor's ids: building fourteen permission subqueries
    through the ORM for every transition cost more than all its SQL."""
    locked = case_type.model._default_manager.select_for_update(of=("self",)).select_related(
        *case_type.related
    )
    try:
        case = locked.get(pk=int(pk))
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(case_type.not_found) from exc
    person = actor is not None and getattr(actor, "is_active", False) and not actor.is_superuser
    sql, params, names = _prepared(case_type, person)
    actor_id = getattr(actor, "pk", None)
    bound = [case.pk if p == _CASE else actor_id if p == _ACTOR else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        row = cursor.fetchone()
    values = dict(zip(names, row, strict=True))
    setattr(case, LAST_HASH, values.pop(LAST_HASH) or "")
    setattr(case, TOKEN, values.pop(TOKEN) or "")
    if person:
        case.__dict__.setdefault(PERM_MEMO, {})[actor_id] = {
            name.removeprefix("engine_perm_") for name, held in values.items() if held
        }
    return case


# stand-ins for the case's and the actor's ids while a statement is compiled (no real id is negative)
_CASE, _ACTOR = -0x5EED_CA5E, -0x5EED_AC70
_compiled: dict[tuple[Any, ...], tuple[str, list[Any], list[str]]] = {}


def _prepared(case_type: CaseType, person: bool) -> tuple[str, list[Any], list[str]]:
    """The reads of `_lock` as SQL with the stand-in ids among its parameters, and the names of its
    columns in order; compiled once per case type, database, permission ids and content type."""
    ct = ContentType.objects.get_for_model(case_type.model)
    perm_ids = engine.permission_ids(ct.pk)
    key = (case_type.key, connection.alias, connection.vendor, person, ct.pk, tuple(sorted(perm_ids.items())))
    if key not in _compiled:
        reads = _reads(case_type, _ACTOR if person else None, ct, perm_ids)
        query = case_type.model._default_manager.filter(pk=_CASE).values(**reads).query
        sql, params = query.sql_with_params()
        _compiled[key] = (sql, list(params), list(reads))
    return _compiled[key]


def _reads(
    case_type: CaseType, actor_id: int | None, ct: ContentType, perm_ids: dict[str, int]
) -> dict[str, Any]:
    """The expressions `_lock` reads: the case's newest history hash, and for a person (not a
    superuser, whom guardian grants everything), whether they hold each of the model's object
    permissions, through a group or in person."""
    model = case_type.model
    reads: dict[str, Any] = {
        TOKEN: refcache.token_expression(),
        LAST_HASH: Subquery(
            TransitionRecord.objects.filter(subject_type=ct, subject_id=OuterRef("pk"))
            .order_by("-pk")
            .values("hash")[:1]
        ),
    }
    if actor_id is None:
        return reads
    # guardian's look-ups take a model class as well as an instance (ContentType.get_for_model)
    by_group = get_group_obj_perms_model(model)  # type: ignore[arg-type]
    in_person = get_user_obj_perms_model(model)  # type: ignore[arg-type]
    for codename, perm_id in perm_ids.items():
        reads[f"engine_perm_{codename}"] = _held(by_group, ct, perm_id, group__user=actor_id) | _held(
            in_person, ct, perm_id, user=actor_id
        )
    return reads


def _held(grants: Any, ct: ContentType, perm_id: int, **who: Any) -> Exists:
    """Is there a grant of this permission on the outer row, in guardian's direct foreign-key table
    of the model or (a model without one) in its generic table."""
    if grants.objects.is_generic():
        on = {"content_type": ct, "object_pk": Cast(OuterRef("pk"), CharField())}
    else:
        on = {"content_object": OuterRef("pk")}
    return Exists(grants.objects.filter(permission_id=perm_id, **on, **who))


def _check(case_type: CaseType, case: Any, t: Transition, actor: Any | None) -> None:
    if actor is not None and not case_type.can_view(case, actor):
        raise NotFound(case_type.not_found)  # a case the caller may not see does not exist for them
    d = declared(t)
    if not can_proceed(getattr(case, t.name)):
        raise Conflict(
            _("“%(action)s” is not possible while the %(noun)s is “%(state)s”."),
            {
                "action": d.label,
                "noun": case_type.noun,
                "state": case_type.state_label(getattr(case, case_type.field_name)),
            },
            code="wrong_state",
        )
    allowed = actor is None if d.system else actor is not None and t.has_perm(case, actor)
    if not allowed:
        raise NotPermitted(_("You are not permitted to do this on this %(noun)s."), {"noun": case_type.noun})


def validate(
    input_cls: type[serializers.Serializer] | None, data: Any, context: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Check input with its serializer before anything is written: 400 with every field's error."""
    if input_cls is None:
        return {}
    serializer = input_cls(data=data if data is not None else {}, context=context or {})
    if not serializer.is_valid():
        raise Invalid(_("Some parameters are missing or wrong."), errors=error_list(serializer.errors))
    return dict(serializer.validated_data)


def error_list(errors: Any) -> dict[str, list[dict[str, str]]]:
    """DRF's errors as `{field: [{"message", "code"}]}`, the API's one shape (nested ones flattened)."""

    def flat(value: Any) -> list[dict[str, str]]:
        if isinstance(value, dict):
            return [e for v in value.values() for e in flat(v)]
        if isinstance(value, list):
            return [e for v in value for e in flat(v)]
        # a message may quote the input back; a lone surrogate in it could not be written out as UTF-8
        message = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
        return [{"message": message, "code": str(getattr(value, "code", "invalid"))}]

    if isinstance(errors, list):
        return {"non_field_errors": flat(errors)}
    return {str(k): flat(v) for k, v in errors.items()}


def _run(case_type: CaseType, t: Transition, steps: list[Step]) -> None:
    d = declared(t)
    name = d.name or t.name
    field_name = case_type.field_name
    sources = [getattr(s.case, field_name) for s in steps]
    before = [_values(s.case) for s in steps] if len(steps) > 1 else []
    for step in steps:
        step.notice = d.notice
    if d.effect:
        effect_of(d.effect)(steps)
    for step in steps:
        getattr(step.case, t.name)(**step.target_kwargs)
        if hasattr(step.case, "updated_at"):
            step.case.updated_at = step.now
    if len(steps) == 1:
        steps[0].case.save()
    else:  # the rows are locked: one UPDATE for the set, of the fields that changed
        changed = {
            k for old, s in zip(before, steps, strict=True) for k, v in _values(s.case).items() if old[k] != v
        }
        fields = [f.name for f in case_type.model._meta.concrete_fields if f.attname in changed]
        case_type.model._default_manager.bulk_update([s.case for s in steps], fields)
    history = engine.history_records(
        [
            {
                "subject": s.case,
                "transition": name,
                "source": source,
                "target": getattr(s.case, field_name),
                "actor_id": getattr(s.actor, "pk", None),
                "at": s.now,
                "params": {**jsonable(s.params), **s.record},
                "rule": s.rule,
            }
            for s, source in zip(steps, sources, strict=True)
        ]
    )
    if case_type.grants is not None:
        engine.grants_sync_many(case_type.grants([s.case for s in steps]))
    if case_type.followers is not None:
        case_type.followers([s.case for s in steps])
    # a self-loop (a decision that leaves the state as it was) leaves the case waiting as it was:
    # its ladder keeps counting from when the wait began
    moved = [
        (s, source) for s, source in zip(steps, sources, strict=True) if getattr(s.case, field_name) != source
    ]
    if moved:
        _ladder(case_type, moved)
    memo: dict[Members, set[int]] = {}
    registry.publish_many(
        [
            registry.Event(
                name=f"{case_type.key}.{name}",
                subject_id=s.case.pk,
                at=s.now,
                actor_id=getattr(s.actor, "pk", None),
                fresh=True,  # its key is the new history row's
                data={
                    "history_id": h.pk,
                    "source": source,
                    "target": getattr(s.case, field_name),
                    **s.record,
                },
                **_notice(
                    case_type,
                    s.case,
                    s.notice,
                    s.record,
                    s.notice_params,
                    f"history:{h.pk}",
                    memo,
                    actor_id=getattr(s.actor, "pk", None),
                ),
            )  # fmt: skip
            for s, h, source in zip(steps, history, sources, strict=True)
        ]
    )


def _values(case: Any) -> dict[str, Any]:
    return {f.attname: getattr(case, f.attname) for f in case._meta.concrete_fields}


def jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    """Validated input as history stores it: decimals and dates as their text."""
    return {
        k: (str(v) if isinstance(v, Decimal) or hasattr(v, "isoformat") else v) for k, v in params.items()
    }


# --- notices --------------------------------------------------------------------------------------


def _notice(
    case_type: CaseType,
    case: Any,
    notice: Notice | None,
    data: Mapping[str, Any],
    extra: Mapping[str, Any],
    key: str,
    memo: dict[Members, set[int]],
    actor_id: int | None = None,
) -> dict[str, Any]:
    if notice is None:
        return {}
    users: set[int] = set()
    for audience in notice.audiences:
        members = case_type.audiences[audience](case, data)
        if members is not None:
            if members not in memo:
                memo[members] = members_of(members)
            users |= memo[members]
    if actor_id is not None:
        users.discard(actor_id)
    return {
        "kind": notice.kind,
        "recipients": frozenset(users),
        "refs": case_type.notice_refs(case),
        "params": {**case_type.notice_params(case), **extra},
        "key": key,
    }


def members_of(m: Members) -> set[int]:
    """The user ids an audience stands for now (active people only)."""
    if m.user_id is not None:
        index = refcache.get("workflow.members", _membership_index)
        active = any(m.user_id in people for people in index.values())  # active members only
        return {m.user_id} if active else set()
    if m.unit_id is not None:
        key: tuple[str, Any] = ("id", m.unit_id)
    elif m.unit_code is not None:
        key = ("code", m.unit_code)
    elif m.level is not None:
        key = ("level", m.level)
    else:
        return set()
    index = refcache.get("workflow.members", _membership_index)
    return set().union(*(index.get((*key, role), ()) for role in m.roles))


def _membership_index() -> dict[tuple[str, Any, str], frozenset[int]]:
    """Every active person's roles, by (id | code | level of the unit, role): one query."""
    index: dict[tuple[str, Any, str], set[int]] = {}
    rows = Membership.objects.filter(user__is_active=True).values_list(
        "unit_id", "unit__code", "unit__level", "role", "user_id"
    )
    for unit_id, code, level, role, user_id in rows:
        for key in (("id", unit_id, role), ("code", code, role), ("level", level, role)):
            index.setdefault(key, set()).add(user_id)
    return {key: frozenset(users) for key, users in index.items()}


def announce(
    case_type: CaseType,
    items: Iterable[tuple[Any, Notice, dict[str, Any], str]],
    *,
    at: datetime,
    name: str,
) -> None:
    """Tell people about something that is not a transition (a clock's warning): for each
    (case, notice, data, idempotency key), an event `<key>.<name>` with its recipients."""
    memo: dict[Members, set[int]] = {}
    registry.publish_many(
        [
            registry.Event(
                name=f"{case_type.key}.{name}",
                subject_id=case.pk,
                at=at,
                data=data,
                **_notice(case_type, case, notice, data, data, key, memo),
            )
            for case, notice, data, key in items
        ]
    )


# --- the escalation ladder of waiting states (DESIGN §7) -------------------------------------------


def _ladder(case_type: CaseType, moved: list[tuple[Step, str]]) -> None:
    """Every transition restarts the ladder: the old rungs stop, and a case that now waits on
    someone gets a reminder and an escalation clock, in working days on the statutory calendar.
    Rungs run only in a waiting state, so a case that leaves a state that is not one has none —
    except between states declared with the same Wait, where the one ladder runs on."""
    if not case_type.waits:
        return
    waits = case_type.waits
    # states that share one Wait share one ladder: moving between them (a service request accepted
    # on its way to an answer) keeps its rungs counting from when the wait began
    moved = [
        (s, source)
        for s, source in moved
        if not (source in waits and waits[source] is waits.get(getattr(s.case, case_type.field_name)))
    ]
    kinds = case_type.wait_kinds()
    waited = [s for s, source in moved if source in waits]
    for at in sorted({s.now for s in waited}):
        engine.clocks_stop(
            kinds=kinds, subjects=[s.case for s in waited if s.now == at], at=at, never_paused=True
        )
    steps = [s for s, _source in moved]
    starts, rungs = [], {}
    for s in steps:
        wait = case_type.waits.get(getattr(s.case, case_type.field_name))
        if wait is None:
            continue
        if (wait, s.now) not in rungs:  # a set of escalations at one moment reads the parameters once
            rungs[(wait, s.now)] = wait.at(s.now)
        r = rungs[(wait, s.now)]
        for kind, days in zip(kinds, (r.remind_days, r.escalate_days), strict=True):
            starts.append(
                {"kind": kind, "subject": s.case, "at": s.now, "working_days": days, "warning_days": [],
                 "policy_version": r.version}
            )  # fmt: skip
    engine.clocks_start(starts)


def _waits_due(case_type: CaseType, events: list[registry.ClockEvent], now: datetime) -> None:
    """A rung came due: remind whoever must act, or tell the level above, if the case still waits."""
    cases = case_type.model._default_manager.in_bulk([e.subject_id for e in events])
    periods = dict(Clock.objects.filter(pk__in=[e.clock_id for e in events]).values_list("pk", "period"))
    remind_kind = case_type.wait_kinds()[0]
    items = []
    for e in events:
        case = cases.get(e.subject_id)
        state = getattr(case, case_type.field_name, None)
        if case is None or state not in case_type.waits:
            continue
        wait = case_type.waits[state]
        remind = e.kind == remind_kind
        told = wait.remind if remind else wait.escalate
        notice = Notice(
            kind="wait_reminder" if remind else "wait_escalation",
            audiences=told if isinstance(told, tuple) else (told,),
        )
        days = periods.get(e.clock_id) or (wait.remind_days if remind else wait.escalate_days)
        data = {"state": state, "days": days}
        items.append((case, notice, data, f"clock:{e.clock_id}"))
    announce(case_type, items, at=now, name="wait")


# --- audiences every case type can use -------------------------------------------------------------


def city(role: str) -> Audience:
    """The city-level unit's officers or leaders."""
    return lambda case, data: Members(level=Level.CITY, roles=(role,))
