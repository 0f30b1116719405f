"""Every read of leads: lists, the caller's queue, one lead, its timeline, credits.

Visibility is decided in SQL through the guardian grant tables (or the city's model permission),
never by loading rows into Python.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.errors import Invalid, NotFound
from cases.models import Credit, Lead, LeadGroupObjectPermission, State
from workflow import deadlines, workdays
from workflow import selectors as engine_selectors
from workflow.models import Clock, ClockStatus, TransitionRecord

# What awaits whom (GET /api/queue/).
CITY_POOL = (State.PENDING_CONFIRMATION, State.PENDING_ASSIGNMENT, State.ESCALATED, State.PUSH_REQUESTED)
LEADER_WAITS_ON = (State.PROGRESS_REVIEW, State.PROGRESSING)
OFFICER_WAITS_ON = (State.DRAFT, State.NEGOTIATING)

MAX_QUERY = 200  # a search term longer than any name or company the lists hold


def _with_related(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    return qs.select_related("unit", "sector", "discovering_unit", "clock")


def leads_visible(*, user: Any) -> QuerySet[Lead]:
    """The leads `user` may see: all for city roles, else those granted to one of the user's units."""
    if not getattr(user, "is_authenticated", False):
        return Lead.objects.none()
    if user.has_perm("cases.view_lead"):
        return Lead.objects.all()
    return Lead.objects.filter(pk__in=_granted(user, access.VIEW))


def _granted(user: Any, codename: str) -> QuerySet:
    """Ids of the leads on which one of the user's role groups holds this guardian grant, as a
    subquery: one SQL statement with the page, where guardian's get_objects_for_user first spends
    queries resolving the permission and the user's groups. Served by the grant table's unique
    (group, permission, object) index."""
    return LeadGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=codename, permission__content_type__app_label="cases"
    ).values("content_object_id")


SORTS = {
    "new": ("-created_at", "-id"),
    "old": ("created_at", "id"),
    "deadline": ("clock__deadline_at", "-id"),
    "investment": ("-total_investment_cny", "-id"),
    "name": ("name", "id"),
}


def lead_list(
    *,
    user: Any,
    state: str | None = None,
    unit: str | None = None,
    q: str | None = None,
    sector: str | None = None,
    first_negotiation: bool | None = None,
    overdue: bool = False,
    due_within_days: int | None = None,
    sort: str = "new",
    now: datetime | None = None,
) -> QuerySet[Lead]:
    """Visible leads filtered by state (comma list), current unit code, sector, first negotiation,
    overdue or due within N days (running clocks), and a search term; newest first by default."""
    now = now or timezone.now()
    qs = leads_visible(user=user)
    if state:
        qs = qs.filter(state__in=state.split(","))
    if unit:
        qs = qs.filter(unit__code=unit)
    if sector:
        qs = qs.filter(sector_id=sector)
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
        if len(q) > MAX_QUERY:
            raise Invalid(_("Search for at most %(n)s characters."), {"n": MAX_QUERY}, code="query_too_long")
        qs = qs.filter(Q(name__icontains=q) | Q(company_name__icontains=q) | Q(credit_code__iexact=q.strip()))
    return _with_related(qs).order_by(*SORTS.get(sort, SORTS["new"]))


def lead_pool_counts(*, user: Any) -> dict[str, int]:
    """For city roles: how many leads wait in each city pool state (one grouped query)."""
    if not user.has_perm("cases.view_lead"):
        return {}
    rows = Lead.objects.filter(state__in=CITY_POOL).values_list("state").annotate(n=Count("id"))
    counts: dict[str, int] = {state.value: 0 for state in CITY_POOL}
    counts.update(dict(rows))
    return counts


def lead_open_duplicate(*, credit_code: str) -> Lead | None:
    """The open lead of this company, if any (the registration form warns before submitting)."""
    return (
        Lead.objects.exclude(state__in=[State.LANDED, State.CLOSED])
        .filter(credit_code=credit_code.strip().upper())
        .select_related("discovering_unit")
        .first()
    )


def lead_get(*, user: Any, lead_id: Any) -> Lead:
    """One visible lead, or NotFound (a lead the caller may not see does not exist for them)."""
    try:
        return _with_related(leads_visible(user=user)).get(pk=int(lead_id))
    except (Lead.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such lead.")) from exc


def lead_queue(*, user: Any) -> QuerySet[Lead]:
    """What awaits the caller now: the city pool, reviews and landings to approve, leads to work."""
    if not getattr(user, "is_authenticated", False):
        return Lead.objects.none()
    cond = Q(state__in=LEADER_WAITS_ON, pk__in=_granted(user, access.APPROVE)) | Q(
        state__in=OFFICER_WAITS_ON, pk__in=_granted(user, access.WORK)
    )
    if user.has_perm(access.DISPATCH):
        cond |= Q(state__in=CITY_POOL)
    return _with_related(Lead.objects.filter(cond)).order_by("-created_at", "-id")


def lead_history(*, lead: Lead) -> QuerySet[TransitionRecord]:
    return engine_selectors.history(subject=lead)


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


# A list row of a lead (GET /api/leads/, /api/queue/): what one SQL query returns for it.
SUMMARY_PATHS = (
    "id", "name", "company_name", "credit_code", "sector_id", "segment", "total_investment_cny", "strategic", "source",
    "state", "unit__code", "discovering_unit__code", "first_negotiation", "created_at", "clock__status",
    "clock__deadline_at", "clock__paused_at", "clock__rule", "clock__period", "clock__started_at",
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
