"""Every read of leads: lists, the caller's queue, one lead, its timeline, credits.

Visibility is decided in SQL through the guardian grant tables (or the city's model permission),
never by loading rows into Python.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Case, Count, Exists, F, OrderBy, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.errors import Invalid, NotFound
from cases.leads.models import OPEN_STATES, Activity
from cases.models import Credit, Lead, LeadGroupObjectPermission, State
from workflow import deadlines, workdays
from workflow import selectors as engine_selectors
from workflow.models import Absence, Clock, ClockStatus, TransitionRecord

# What awaits whom (GET /api/queue/).
CITY_POOL = (State.PENDING_CONFIRMATION, State.PENDING_ASSIGNMENT, State.ESCALATED, State.PUSH_REQUESTED)
LEADER_WAITS_ON = (State.PROGRESS_REVIEW, State.PROGRESSING)
OFFICER_WAITS_ON = (State.DRAFT, State.NEGOTIATING)

MAX_QUERY = 200  # a search term longer than any name or company the lists hold


def _with_related(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    return qs.select_related("unit", "sector", "discovering_unit", "clock", "assignee")


def leads_visible(*, user: Any, sees_all: bool | None = None) -> QuerySet[Lead]:
    """The leads `user` may see: all for city roles, else those granted to one of the user's units.
    `sees_all`: whether the user is a city role, when the caller knows (sees_every_lead)."""
    if not getattr(user, "is_authenticated", False):
        return Lead.objects.none()
    if user.has_perm("cases.view_lead") if sees_all is None else sees_all:
        return Lead.objects.all()
    return Lead.objects.filter(pk__in=_granted(user, access.VIEW))


def sees_every_lead(*, user: Any) -> bool:
    """`user.has_perm("cases.view_lead")` (the city roles see every lead) in one query, for a list that
    has no other use for the user's permissions: has_perm reads them all, in two queries and about
    1.5 ms, before a list page that should take 10 has read a lead. Answered as ModelBackend answers
    it, the only backend that grants a model permission here (see queue_rights)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or _holds_model_perm(user, "cases.view_lead")


def _holds_model_perm(user: Any, perm: str) -> bool:
    """Whether the permission "app_label.codename" is given to the user or to one of their groups."""
    User = get_user_model()
    q = connection.ops.quote_name
    permission, content_type = q(Permission._meta.db_table), q(ContentType._meta.db_table)
    sql = f"""
        SELECT EXISTS (SELECT 1 FROM {q(User.user_permissions.through._meta.db_table)} up
                       JOIN {permission} p ON p.id = up.permission_id
                       JOIN {content_type} ct ON ct.id = p.content_type_id
                       WHERE up.user_id = %s AND ct.app_label = %s AND p.codename = %s)
            OR EXISTS (SELECT 1 FROM {q(User.groups.through._meta.db_table)} ug
                       JOIN {q(Group.permissions.through._meta.db_table)} gp ON gp.group_id = ug.group_id
                       JOIN {permission} p ON p.id = gp.permission_id
                       JOIN {content_type} ct ON ct.id = p.content_type_id
                       WHERE ug.user_id = %s AND ct.app_label = %s AND p.codename = %s)
    """  # noqa: S608 - the names are the models' tables, the values parameters
    app_label, codename = perm.split(".")
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, app_label, codename] * 2)
        return bool(cursor.fetchone()[0])


def _granted(user: Any, codename: str) -> QuerySet:
    """Ids of the leads on which one of the user's role groups holds this guardian grant, as a
    subquery: one SQL statement with the page, where guardian's get_objects_for_user first spends
    queries resolving the permission and the user's groups. Served by the grant table's unique
    (group, permission, object) index."""
    return LeadGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=codename, permission__content_type__app_label="cases"
    ).values("content_object_id")


# The list's sortable columns (`?ordering=<field>`, `-<field>` descending): the field → what SQL sorts by.
# `deadline` is a running or paused clock's stored deadline (a paused clock's projected one moves with
# time and cannot be indexed); leads without one sort last either way.
ORDERINGS: dict[str, Any] = {
    "created_at": F("created_at"),
    "name": F("name"),
    "total_investment_cny": F("total_investment_cny"),
    "state": F("state"),
    "deadline": Case(
        When(clock__status__in=(ClockStatus.RUNNING, ClockStatus.PAUSED), then=F("clock__deadline_at"))
    ),
    "unit": F("unit__code"),
    "assignee": F("assignee__username"),
}
NULLABLE_ORDERINGS = ("deadline", "unit", "assignee")
ORDERING_CHOICES = [f"{sign}{name}" for name in ORDERINGS for sign in ("", "-")]
DEFAULT_ORDERING = "-created_at"
# the web list's older `?sort=` values, still understood (bookmarks, links in notifications)
LEGACY_SORTS = {"new": "-created_at", "old": "created_at", "deadline": "deadline",
                "investment": "-total_investment_cny", "name": "name"}  # fmt: skip
UNASSIGNED = "none"  # `?assignee=none`: leads nobody holds


def lead_ordering(ordering: str | None) -> list[OrderBy]:
    """The ORDER BY of `?ordering=`: the field, then the id the same way (a stable order for pages)."""
    ordering = ordering or DEFAULT_ORDERING
    descending, name = ordering.startswith("-"), ordering.removeprefix("-")
    if name not in ORDERINGS:
        raise Invalid(
            _("Sort by one of: %(allowed)s."), {"allowed": ", ".join(ORDERING_CHOICES)}, code="ordering"
        )
    expr, tiebreak = ORDERINGS[name], F("id")
    # NULLS LAST only where a value can be missing: on a NOT NULL column it would keep PostgreSQL off
    # the (created_at DESC, id DESC) index that lets the newest-first list stop after a page
    nulls = {"nulls_last": True} if name in NULLABLE_ORDERINGS else {}
    if descending:
        return [expr.desc(**nulls), tiebreak.desc()]
    return [expr.asc(**nulls), tiebreak.asc()]


def _search(q: str) -> Q:
    """Name, company, credit code, or the summary of one of the lead's activities: an EXISTS in the
    same statement, walked by the activity table's (lead, at) index."""
    if len(q) > MAX_QUERY:
        raise Invalid(_("Search for at most %(n)s characters."), {"n": MAX_QUERY}, code="query_too_long")
    noted = Activity.objects.filter(lead=OuterRef("pk"), summary__icontains=q)
    return (
        Q(name__icontains=q)
        | Q(company_name__icontains=q)
        | Q(credit_code__iexact=q.strip())
        | Q(Exists(noted))
    )


def lead_list(
    *,
    user: Any,
    state: str | None = None,
    unit: str | None = None,
    q: str | None = None,
    sector: str | None = None,
    segment: str | None = None,
    assignee: str | None = None,
    first_negotiation: bool | None = None,
    overdue: bool = False,
    due_within_days: int | None = None,
    ordering: str | None = None,
    now: datetime | None = None,
    sees_all: bool | None = None,
) -> QuerySet[Lead]:
    """Visible leads filtered by state (comma list), current unit code, sector, segment, assignee
    (a username, or "none" for unassigned), first negotiation, overdue or due within N days (running
    clocks), and a search term (which also finds the leads' activity summaries); sorted by
    `ordering` (ORDERINGS, "-" for descending; newest first by default; Invalid if unknown).
    `sees_all` as for leads_visible."""
    order = lead_ordering(ordering)
    now = now or timezone.now()
    qs = leads_visible(user=user, sees_all=sees_all)
    if state:
        qs = qs.filter(state__in=state.split(","))
    if unit:
        qs = qs.filter(unit__code=unit)
    if sector:
        qs = qs.filter(sector_id=sector)
    if segment:
        qs = qs.filter(segment=segment)
    if assignee:
        unassigned = assignee == UNASSIGNED
        qs = qs.filter(assignee__isnull=True) if unassigned else qs.filter(assignee__username=assignee)
    if first_negotiation is not None:
        qs = qs.filter(first_negotiation=first_negotiation)
    if overdue:
        qs = qs.filter(clock__status=ClockStatus.RUNNING, clock__deadline_at__lt=now)
    if due_within_days is not None:
        qs = qs.filter(
            clock__status=ClockStatus.RUNNING,
            clock__deadline_at__gte=now,
            clock__deadline_at__lt=now + timedelta(days=due_within_days),
        )
    if q:
        qs = qs.filter(_search(q))
    return _with_related(qs).order_by(*order)


def lead_my_cases(*, user: Any, today: date | None = None) -> QuerySet[Lead]:
    """The caller's "my cases" (GET /api/queue/?mine=1): the open leads the caller holds, or that a
    colleague holds for whom the caller deputises today (an Absence covering today, Beijing date), of those the
    caller may see; newest first. Served by the (assignee, state) index."""
    if not getattr(user, "is_authenticated", False):
        return Lead.objects.none()
    today = today or timezone.localdate()
    covering = Absence.objects.filter(deputy=user, start__lte=today, end__gte=today).values("user_id")
    qs = leads_visible(user=user).filter(
        Q(assignee=user) | Q(assignee__in=Subquery(covering)), state__in=OPEN_STATES
    )
    return _with_related(qs).order_by("-created_at", "-id")


def lead_pool_counts(*, user: Any) -> dict[str, int]:
    """For city roles: how many leads wait in each city pool state (one grouped query)."""
    if not user.has_perm("cases.view_lead"):
        return {}
    rows = Lead.objects.filter(state__in=CITY_POOL).values_list("state").annotate(n=Count("id"))
    counts: dict[str, int] = {state.value: 0 for state in CITY_POOL}
    counts.update(dict(rows))
    return counts


def lead_open_duplicate(
    *, credit_code: str, home_registration_number: str = "", home_country: str = ""
) -> Lead | None:
    """The open lead of this company, if any (the registration form warns before submitting): by its
    credit code, or (a foreign investor without one) by its home registration number and country."""
    if credit_code.strip():
        same = Q(credit_code=credit_code.strip().upper())
    elif home_registration_number.strip() and home_country:
        same = Q(
            credit_code="",
            home_country=home_country,
            home_registration_number=home_registration_number.strip(),
        )
    else:
        return None
    return (
        Lead.objects.exclude(state__in=[State.LANDED, State.CLOSED])
        .filter(same)
        .select_related("discovering_unit")
        .first()
    )


def lead_get(*, user: Any, lead_id: Any) -> Lead:
    """One visible lead, or NotFound (a lead the caller may not see does not exist for them)."""
    try:
        return _with_related(leads_visible(user=user)).get(pk=int(lead_id))
    except (Lead.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such lead.")) from exc


# What awaits whom, by grant: the states each kind of grant puts in its holder's queue (disjoint).
QUEUE_GRANTS = ((access.WORK, OFFICER_WAITS_ON), (access.APPROVE, LEADER_WAITS_ON))
# The two parts of a queue (`?kind=`): what awaits the caller's decision — a leader's reviews and
# landings, the city's pool — and the leads the caller works. None: both.
DECIDE, WORK = "decide", "work"
QUEUE_KINDS = (DECIDE, WORK)
_KIND_GRANTS = {DECIDE: (access.APPROVE,), WORK: (access.WORK,), None: (access.WORK, access.APPROVE)}


def _kind_parts(rights: "QueueRights", kind: str | None) -> tuple[list[tuple[str, tuple]], bool]:
    """The (grant, states) pairs and whether the city pool count for this part of the queue."""
    if kind not in _KIND_GRANTS:
        raise Invalid(
            _("Queue kind must be one of: %(allowed)s."), {"allowed": ", ".join(QUEUE_KINDS)}, code="kind"
        )
    codenames = _KIND_GRANTS[kind]
    grants = [(codename, states) for codename, states in QUEUE_GRANTS if codename in codenames]
    return grants, rights.dispatches and kind != WORK


@dataclass(frozen=True)
class QueueRights:
    """What decides a person's queue: for each kind of grant in QUEUE_GRANTS, its permission's id and
    those of the person's role groups that hold at least one such grant; and whether the person
    dispatches (the city pool)."""

    permissions: dict[str, int] = field(default_factory=dict)
    groups: dict[str, tuple[int, ...]] = field(default_factory=dict)
    dispatches: bool = False


def queue_rights(*, user: Any) -> QueueRights:
    """The user's QueueRights, in one query.

    The queue's SQL takes the permission and group ids as constants, so PostgreSQL probes the grant
    index with them instead of joining the user's groups on every row, and leaves out a kind of
    grant none of the groups holds (a city leader's queue is empty without reading a lead).
    `dispatches` is `user.has_perm(access.DISPATCH)` without its two queries, answered as
    ModelBackend answers it — the only backend that grants a model permission here (axes grants
    nothing, guardian answers only for objects): an active superuser holds every permission, an
    inactive user none, anyone else those given to them or to one of their groups.

    Written as SQL: the ORM took longer to build this statement than the database to run it (about
    1.5 ms against 0.5 ms, on a page that should take 10)."""
    if not getattr(user, "is_authenticated", False):
        return QueueRights()
    User = get_user_model()
    kinds = [codename for codename, _ in QUEUE_GRANTS]
    dispatch = access.DISPATCH.split(".")[1]
    quote = connection.ops.quote_name
    grants = quote(LeadGroupObjectPermission._meta.db_table)
    by_kind = "".join(
        f", p{n}, EXISTS (SELECT 1 FROM {grants} WHERE group_id = ug.group_id AND permission_id = p{n})"
        for n in range(len(kinds))
    )
    per_codename = ", ".join(f"MAX(CASE WHEN codename = %s THEN id END) AS p{n}" for n in range(len(kinds)))
    sql = f"""
        SELECT ug.group_id,
               EXISTS (SELECT 1 FROM {quote(User.user_permissions.through._meta.db_table)}
                       WHERE user_id = %s AND permission_id = pd)
               OR EXISTS (SELECT 1 FROM {quote(Group.permissions.through._meta.db_table)}
                          WHERE group_id = ug.group_id AND permission_id = pd)
               {by_kind}
        FROM (SELECT MAX(CASE WHEN codename = %s THEN id END) AS pd, {per_codename}
              FROM {quote(Permission._meta.db_table)} WHERE content_type_id = %s) p
        LEFT JOIN {quote(User.groups.through._meta.db_table)} ug ON ug.user_id = %s
    """  # noqa: S608 - the names are the models' tables, the values parameters
    lead = ContentType.objects.get_for_model(Lead)  # cached by Django
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, dispatch, *kinds, lead.pk, user.pk])
        rows = cursor.fetchall()
    return QueueRights(
        permissions={codename: rows[0][2 + 2 * n] for n, codename in enumerate(kinds)},
        groups={
            codename: tuple(sorted(row[0] for row in rows if row[0] is not None and row[3 + 2 * n]))
            for n, codename in enumerate(kinds)
        },
        dispatches=user.is_active and (user.is_superuser or any(row[1] for row in rows)),
    )


def _probe(qs: QuerySet, field: str) -> IsNull:
    """Whether `qs` (correlated to the outer row by OuterRef) has a row, as `(SELECT field … LIMIT 1)
    IS NOT NULL`: one index lookup per outer row, never anything else.

    An EXISTS says the same, but PostgreSQL may run an EXISTS as a hash of every row its subquery
    could match (all of an officer's 55,000 grants, 5–10 ms, for a page of 50) or as a join, and
    it decides before knowing that a LIMIT will stop the outer scan after a few hundred rows; a
    scalar subquery it can only run per row. Its estimate (IS NOT NULL: nearly always) also keeps
    the planner on the ordered index walk that the LIMIT stops early. `field` should be in the index
    the lookup uses, so that it reads the index alone."""
    return IsNull(Subquery(qs.values(field)[:1]), False)


def lead_queue(*, user: Any, rights: QueueRights | None = None, kind: str | None = None) -> QuerySet[Lead]:
    """What awaits the caller now: the city pool, reviews and landings to approve, leads to work;
    `kind` (DECIDE or WORK) one part of it.

    Newest first, except the decisions: the longest waiting first (waiting_since), as the one who
    decides expects. Otherwise the leads are walked along the (created_at, id) index and each is
    checked against the caller's grants by one lookup in the grant table's (group, permission,
    object) index, so a page costs the leads walked to fill it, however many the queue holds.
    `rights` (queue_rights) saves its query when the caller already has them."""
    if not getattr(user, "is_authenticated", False):
        return Lead.objects.none()
    rights = rights or queue_rights(user=user)
    grants, pool = _kind_parts(rights, kind)
    waiting = []
    for codename, states in grants:
        if groups := rights.groups.get(codename):
            granted = LeadGroupObjectPermission.objects.filter(
                content_object=OuterRef("pk"), group_id__in=groups, permission_id=rights.permissions[codename]
            )
            waiting.append(Q(state__in=states) & Q(_probe(granted, "content_object_id")))
    if pool:
        waiting.append(Q(state__in=CITY_POOL))
    if not waiting:
        return Lead.objects.none()
    qs = _with_related(Lead.objects.filter(reduce(or_, waiting)))
    if kind == DECIDE:
        return with_waiting_since(qs).order_by(F("waiting_since").asc(), "id")
    return qs.order_by("-created_at", "-id")


def with_waiting_since(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    """Annotate `waiting_since`: when the lead entered the state it is in (its last history row that
    moved it there; its registration if none did), one lookup per lead in the history's (subject, at)
    index — for the decisions, a few hundred leads at most, never a whole unit's."""
    entered = (
        TransitionRecord.objects.filter(
            subject_type=ContentType.objects.get_for_model(Lead),
            subject_id=OuterRef("pk"),
            target=OuterRef("state"),
        )
        .exclude(source=F("target"))
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    return qs.annotate(waiting_since=Coalesce(Subquery(entered), F("created_at")))


def lead_queue_count(
    *, user: Any, rights: QueueRights | None = None, limit: int | None = None, kind: str | None = None
) -> int:
    """How many leads lead_queue holds (`kind`: in that part), counting at most `limit` (all of them without).

    Counting the queue from the leads would walk them all, or hash all the caller's grants, to find
    the first thousand (the lists stop counting there, cases.api.pagination). This counts from the
    other side: it walks the caller's grants of each kind along the grant index and looks each
    one's lead up by primary key, so a thousand leads cost about a thousand lookups. Grants to work
    come first, being the most of a queue; the kinds wait in disjoint states, so their leads never
    meet, and the city pool is counted by state. A lead granted to several of the caller's groups
    is counted once, by its grant to the lowest of them.

    Written as SQL, like queue_rights: the ORM spent longer building and compiling this union than
    PostgreSQL running it (about 1 ms against 1.3 ms)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    rights = rights or queue_rights(user=user)
    kinds, pool = _kind_parts(rights, kind)
    quote = connection.ops.quote_name
    grants, leads = quote(LeadGroupObjectPermission._meta.db_table), quote(Lead._meta.db_table)

    def marks(values: Any) -> str:
        return ", ".join(["%s"] * len(values))

    parts: list[str] = []
    params: list[Any] = []
    for codename, states in kinds:
        if not (groups := rights.groups.get(codename)):
            continue
        # the lead's state by a scalar subquery: a lookup per grant, never a join or a hash (see _probe)
        parts.append(
            f"SELECT g.content_object_id FROM {grants} g"
            f" WHERE g.group_id IN ({marks(groups)}) AND g.permission_id = %s"
            f" AND (SELECT l.id FROM {leads} l WHERE l.id = g.content_object_id AND l.state IN ({marks(states)})"
            " LIMIT 1) IS NOT NULL"
        )
        params += [*groups, rights.permissions[codename], *map(str, states)]
        if len(groups) > 1:
            # `<=` rather than `=` (the same here, this grant being one of them): PostgreSQL takes an
            # equality with a subquery for true once in 200 rows, and would plan as for a sparse queue
            parts[-1] += (
                f" AND g.group_id <= (SELECT o.group_id FROM {grants} o"
                " WHERE o.content_object_id = g.content_object_id AND o.permission_id = g.permission_id"
                f" AND o.group_id IN ({marks(groups)}) ORDER BY o.group_id LIMIT 1)"
            )
            params += groups
    if pool:
        parts.append(f"SELECT id FROM {leads} WHERE state IN ({marks(CITY_POOL)})")
        params += map(str, CITY_POOL)
    if not parts:
        return 0
    if limit is not None:
        parts[-1] += " LIMIT %s"  # of the union: Append runs its parts in turn and stops there
        params.append(limit)
    with connection.cursor() as cursor:  # the names are the models' tables, the values parameters
        cursor.execute(f"SELECT COUNT(*) FROM ({' UNION ALL '.join(parts)}) queue", params)
        return cursor.fetchone()[0]


def lead_history(*, lead: Lead) -> QuerySet[TransitionRecord]:
    """The lead's timeline, with the timelines of the duplicates merged into it (DESIGN §3)."""
    merged = Lead.objects.filter(duplicate_of=lead).values_list("pk", flat=True)
    return engine_selectors.history(subject=lead, also=merged)


def clock_summary(
    *,
    clock: Clock | None,
    now: datetime | None = None,
    pauses: bool = True,
    calendar: workdays.Calendar | None = None,
) -> dict | None:
    """The clock as people read it: deadline (projected while paused), days left, how the deadline
    was computed if unusual (`note`), and (one more query, so lists leave it out) the pause ledger.
    A list passes one lazy `calendar` for all its rows (read only if a paused clock needs it)."""
    if clock is None:
        return None
    now = now or timezone.now()
    deadline = clock_deadline(
        status=clock.status,
        deadline_at=clock.deadline_at,
        paused_at=clock.paused_at,
        now=now,
        clock=clock,
        calendar=calendar,
    )
    running = clock.status in (ClockStatus.RUNNING, ClockStatus.PAUSED)
    return {
        "status": clock.status,
        "started_at": clock.started_at,
        "deadline_at": deadline,
        "paused": clock.status == ClockStatus.PAUSED,
        "paused_at": clock.paused_at,
        "paused_seconds": clock.paused_seconds,
        "days_left": (deadline - now).days if running else None,
        "warnings_sent": clock.warnings_sent,
        "fired_at": clock.fired_at,
        "stopped_at": clock.stopped_at,
        "note": clock.note,
        "period": clock.period,
        "policy_version": clock.policy_version,
        "pauses": [
            {"paused_at": p.paused_at, "resumed_at": p.resumed_at, "reason": p.reason}
            for p in clock.pauses.all()
        ]
        if pauses
        else None,
    }


def clock_deadline(
    *,
    status: str,
    deadline_at: datetime,
    paused_at: datetime | None,
    now: datetime,
    clock: Any = None,
    calendar: workdays.Calendar | None = None,
) -> datetime:
    """The deadline as people read it. While paused it is the deadline if the clock resumed now: a
    fixed clock's moves later with every moment of the pause, a Civil Code clock's by each day begun
    (and off rest days) — `clock` (a Clock, or a dict of its fields) says which."""
    if status != ClockStatus.PAUSED or paused_at is None:
        return deadline_at
    fields: dict[str, Any] = clock if isinstance(clock, dict) else vars(clock) if clock is not None else {}
    if not fields.get("rule"):
        return deadline_at + (now - paused_at)
    return deadlines.projected(
        rule=fields["rule"],
        period=fields["period"],
        started_at=fields["started_at"],
        paused_seconds=fields["paused_seconds"] or 0,
        paused_at=paused_at,
        base_deadline_at=fields["base_deadline_at"],
        now=now,
        calendar=calendar or workdays.current(lazy=True),
    )


# The clock's reading, the same on every page (lists, queues, the lead): "late" once the deadline
# has passed or the clock escalated the lead, "soon" with fewer than SOON_DAYS days left, else "ok";
# "stopped" for a clock that stopped for good.
SOON_DAYS = 30
OK, SOON, LATE, STOPPED = "ok", "soon", "late", "stopped"


def clock_reading(
    *,
    clock: Clock | None,
    now: datetime | None = None,
    calendar: workdays.Calendar | None = None,
    escalated: bool = False,
    stopped_why: Any = None,
    summary: dict | None = None,
) -> dict | None:
    """How the clock reads, wherever it is shown: clock_summary (`summary` if the caller has it) and
    `level` (OK, SOON, LATE or STOPPED), `percent` of the period used (pauses not counted), `overdue`,
    `escalated` (the clock ran out and the lead went to the city: `escalated` says the lead's state
    says so), `stopped` with `stopped_at` and `stopped_why` (what stopped it, when the caller knows).
    No query beyond clock_summary's."""
    now = now or timezone.now()
    summary = summary or clock_summary(clock=clock, now=now, pauses=False, calendar=calendar)
    if summary is None:
        return None
    status = summary["status"]
    live = status in (ClockStatus.RUNNING, ClockStatus.PAUSED)
    fired = status == ClockStatus.FIRED or escalated
    deadline = summary["deadline_at"]
    percent = None
    if live:
        end = summary["paused_at"] if summary["paused"] and summary["paused_at"] else now
        used = (end - summary["started_at"]).total_seconds() - (summary["paused_seconds"] or 0)
        remaining = (deadline - now).total_seconds()
        total = used + remaining
        percent = max(0, min(100, round(100 * used / total))) if total > 0 else 100
    elif fired:
        percent = 100
    overdue = fired or (live and deadline < now)
    if status == ClockStatus.STOPPED and not escalated:
        level = STOPPED
    elif overdue:
        level = LATE
    elif live and summary["days_left"] is not None and summary["days_left"] < SOON_DAYS:
        level = SOON
    else:
        level = OK
    return {
        **summary,
        "level": level,
        "percent": percent,
        "overdue": overdue,
        "live": live,
        "escalated": fired,
        "stopped": level == STOPPED,
        "stopped_why": stopped_why,
    }


# A list row of a lead (GET /api/leads/, /api/queue/): what one SQL query returns for it.
SUMMARY_PATHS = (
    "id", "name", "company_name", "credit_code", "sector_id", "segment", "total_investment_cny", "strategic", "source",
    "state", "unit__code", "discovering_unit__code", "assignee__username", "first_negotiation", "created_at",
    "clock__status", "clock__deadline_at", "clock__paused_at", "clock__rule", "clock__period", "clock__started_at",
    "clock__paused_seconds", "clock__base_deadline_at",
)  # fmt: skip


def lead_summary_rows(qs: QuerySet[Lead]) -> QuerySet:
    """The list rows of these leads as plain values: no model instances for a page of fifty."""
    return qs.values(*SUMMARY_PATHS)


def credits_visible(*, user: Any, unit: str | None = None) -> QuerySet[Credit]:
    """Credit ledger entries on leads the caller may see, newest first."""
    qs = Credit.objects.filter(lead__in=leads_visible(user=user).values("pk")).select_related(
        "unit", "lead", "referrer"
    )
    if unit:
        qs = qs.filter(unit__code=unit)
    return qs.order_by("-at", "-id")


def leads_in_units(*, user: Any, units: list) -> QuerySet[Lead]:
    """Visible leads currently assigned to any of these units, newest first."""
    return _with_related(leads_visible(user=user).filter(unit__in=units)).order_by("-created_at", "-id")


# --- case work (DESIGN §6a) ------------------------------------------------------------------------


def lead_merge_candidates(*, lead: Lead, user: Any, limit: int = 20) -> list[Lead]:
    """Other registrations in progress, among those `user` may see, that look like the same company
    (the city's merge page suggests them): the same company name or credit code, or the same foreign
    registration."""
    same = Q(company_name=lead.company_name)
    if lead.credit_code:
        same |= Q(credit_code=lead.credit_code)
    if lead.home_registration_number:
        same |= Q(home_registration_number=lead.home_registration_number, home_country=lead.home_country)
    return list(
        leads_visible(user=user)
        .filter(same)
        .exclude(pk=lead.pk)
        .exclude(state__in=[State.CLOSED, State.DRAFT])
        .select_related("discovering_unit", "unit")
        .order_by("created_at")[:limit]
    )


def lead_people(*, lead: Lead) -> list[Any]:
    """The people who may hold the lead: the active members of its unit (the discovering unit's while
    no unit holds it), each once, by username."""
    unit_id = lead.unit_id or lead.discovering_unit_id
    return list(
        get_user_model()
        .objects.filter(is_active=True, memberships__unit_id=unit_id)
        .distinct()
        .order_by("username")
    )


def lead_timeline(*, lead: Lead) -> list[dict[str, Any]]:
    """The lead's transitions (with merged duplicates') and its activities, oldest first: what the
    lead page shows as one timeline."""
    entries = [{"at": h.at, "record": h} for h in lead_history(lead=lead)]
    entries += [
        {"at": a.at, "activity": a} for a in Activity.objects.filter(lead=lead).select_related("actor")
    ]
    return sorted(entries, key=lambda e: e["at"])
