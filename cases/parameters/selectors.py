"""Reads of the policy parameters: the version in force at a moment, and every version."""

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cases import policy
from cases.commitments.models import CommitmentApplication, CommitmentState
from cases.leads.models import OPEN_STATES, Lead
from cases.parameters.inputs import PreviewInput
from cases.parameters.models import PolicyVersion
from workflow import clockmath, deadlines, engine, refcache, workdays
from workflow.models import Clock, ClockRule, ClockStatus


def parameters_at(*, when: datetime) -> policy.Parameters:
    """The parameters a clock starting at `when` takes: the newest version in force on that day
    (Beijing), or the measures' defaults before any was published. The versions are remembered per
    process until one is published (workflow.refcache)."""
    day = timezone.localdate(when)
    for effective_from, parameters in refcache.get("cases.policy_versions", _versions_in_force_order):
        if effective_from <= day:
            return parameters
    return policy.DEFAULT_PARAMETERS


def _versions_in_force_order() -> list[tuple[Any, policy.Parameters]]:
    """(effective from, parameters) of every version, the one that wins a day first."""
    return [
        (v.effective_from, v.parameters)
        for v in PolicyVersion.objects.order_by("-effective_from", "-version")
    ]


def versions() -> QuerySet[PolicyVersion]:
    """Every published version, newest first, with who published it."""
    return PolicyVersion.objects.select_related("published_by").order_by("-version")


# --- what-if: the deadlines a proposed set would move -------------------------------------------------

PREVIEW_ROWS = 1000  # the moved leads listed (most urgent first); the counts cover all of them


def parameters_preview(*, user: Any, data: Any, now: datetime | None = None) -> dict[str, Any]:
    """Which open leads' deadlines would move if the proposed parameters applied to their running
    clocks — from what to what — and how many would be overdue at once; the same counts for the
    ladders of waiting leads and the commitment clocks. Nothing is written.

    Computed in bulk: one query per kind of clock for every open case, the statutory calendar read
    once, and each distinct (start day, whole days paused) computed once however many leads share it.
    """
    from cases.parameters.services import refuse_unless_city_leader  # services import this module

    now = now or timezone.now()
    refuse_unless_city_leader(user)
    current = parameters_at(when=now)
    proposed = engine.validate(PreviewInput, data, context={"current": current})
    calendar = workdays.current()
    leads, results = _no_progress(proposed, calendar, now)
    ordered = sorted(results, key=lambda r: (not r["overdue_at_once"], r["to"], r["lead"]))
    return {
        "now": now,
        "current": _numbers(current) | {"version": current.version},
        "proposed": _numbers(proposed),
        **leads,
        "results": ordered[:PREVIEW_ROWS],
        "truncated": len(ordered) > PREVIEW_ROWS,
        "ladder": _ladder(proposed, calendar, now),
        "commitments": _commitments(proposed, now),
    }


def _numbers(p: policy.Parameters | dict[str, Any]) -> dict[str, Any]:
    values = p if isinstance(p, dict) else {name: getattr(p, name) for name in policy.PARAMETER_NAMES}
    return {
        name: list(values[name]) if name == "warning_days" else values[name]
        for name in policy.PARAMETER_NAMES
    }


def _no_progress(proposed: dict[str, Any], calendar: workdays.Calendar, now: datetime) -> tuple[dict, list]:
    # a lead's `clock` is its no-progress clock (the ladder's clocks are not pointed at)
    # only clocks counted in calendar months follow the parameter; a clock started before the Civil
    # Code rule (a fixed moment) keeps its deadline whatever the numbers say, so it is not "moving"
    rows = Lead.objects.filter(
        state__in=OPEN_STATES,
        clock__status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED],
        clock__rule=ClockRule.CIVIL_MONTHS,
    ).values_list(
        "pk", "name", "state", "unit__code", "clock__status", "clock__rule", "clock__period", "clock__started_at",
        "clock__paused_seconds", "clock__paused_at", "clock__base_deadline_at", "clock__deadline_at",
    )  # fmt: skip
    months = proposed["no_progress_months"]
    memo: dict[tuple[date, int], datetime] = {}
    results, examined, overdue = [], 0, 0
    for (
        pk,
        name,
        state,
        unit,
        status,
        rule,
        period,
        started,
        paused_s,
        paused_at,
        base,
        deadline,
    ) in rows.iterator(chunk_size=2000):
        examined += 1
        paused = status == ClockStatus.PAUSED
        if paused:  # shown as if it resumed now, as the lead's page shows it; the pause so far counts
            deadline = deadlines.projected(
                rule=rule, period=period, started_at=started, paused_seconds=paused_s, paused_at=paused_at,
                base_deadline_at=base, now=now, calendar=calendar,
            )  # fmt: skip
            paused_s += max(int((now - paused_at).total_seconds()), 0)
        key = (started.astimezone(clockmath.SHANGHAI).date(), clockmath.whole_days(paused_s))  # no tz lookups
        if key not in memo:
            memo[key], _guessed = clockmath.civil_deadline(
                started, months, paused_s, calendar.first_working_day
            )
        to = memo[key]
        if to == deadline:
            continue
        now_overdue = to <= now < deadline
        overdue += now_overdue
        results.append(
            {"lead": pk, "name": name, "state": state, "unit": unit, "paused": paused, "from": deadline, "to": to,
             "days": (to - deadline).days, "overdue_at_once": now_overdue}
        )  # fmt: skip
    return {"examined": examined, "moved": len(results), "overdue_at_once": overdue}, results


def _ladder(proposed: dict[str, Any], calendar: workdays.Calendar, now: datetime) -> dict[str, int]:
    remind, escalate = engine.case_types()["lead"].wait_kinds()  # by name: the machine reads this module
    days = {remind: proposed["remind_working_days"], escalate: proposed["escalate_working_days"]}
    rows = Clock.objects.filter(kind__in=list(days), status=ClockStatus.RUNNING).values_list(
        "kind", "started_at", "deadline_at"
    )
    memo: dict[tuple[datetime, int], datetime] = {}
    examined = moved = overdue = 0
    for kind, started, deadline in rows.iterator(chunk_size=2000):
        examined += 1
        key = (started, days[kind])
        if key not in memo:
            memo[key], _years = calendar.add_working_days(started, days[kind])
        if memo[key] != deadline:
            moved += 1
            overdue += memo[key] <= now < deadline
    return {"examined": examined, "moved": moved, "overdue_at_once": overdue}


def _commitments(proposed: dict[str, Any], now: datetime) -> dict[str, int]:
    # an approved application's clock is its inspection, a rectifying one's its rectification
    days = {
        CommitmentState.APPROVED: proposed["inspection_days"],
        CommitmentState.RECTIFYING: proposed["rectification_days"],
    }
    rows = CommitmentApplication.objects.filter(
        state__in=list(days), clock__status=ClockStatus.RUNNING
    ).values_list("state", "clock__started_at", "clock__paused_seconds", "clock__deadline_at")
    examined = moved = overdue = 0
    for state, started, paused_s, deadline in rows.iterator(chunk_size=2000):
        examined += 1
        to = started + timedelta(days=days[state], seconds=paused_s)
        if to != deadline:
            moved += 1
            overdue += to <= now < deadline
    return {"examined": examined, "moved": moved, "overdue_at_once": overdue}
