"""A clock's deadline from its rule, its start and its pauses, on a given statutory calendar.

Pure given the calendar: a clock start, a resume, the projection shown while paused, a statutory
year loaded later and the what-if preview of new policy parameters all compute it here, so they
cannot disagree.
"""

from datetime import datetime, timedelta

from workflow import clockmath
from workflow.models import ClockRule
from workflow.workdays import Calendar, fallback_note


def compute(
    *,
    rule: str,
    period: int | None,
    started_at: datetime,
    paused_seconds: int,
    calendar: Calendar,
    base_deadline_at: datetime | None = None,
) -> tuple[datetime, str]:
    """(deadline, note). `civil_months`: the Civil Code's period (clockmath.civil_deadline);
    `working_days`: the same wall-clock time on the period-th working day; a fixed clock: its base
    deadline plus the exact time paused. The note says which years' calendar was assumed."""
    if rule == ClockRule.CIVIL_MONTHS and period is not None:
        deadline, guessed = clockmath.civil_deadline(
            started_at, period, paused_seconds, calendar.first_working_day
        )
        return deadline, fallback_note(guessed)
    if rule == ClockRule.WORKING_DAYS and period is not None:
        moment, years = calendar.add_working_days(started_at, period)
        return moment + timedelta(seconds=paused_seconds), fallback_note(years)
    if base_deadline_at is None:
        raise ValueError("a fixed clock needs its base deadline")
    return base_deadline_at + timedelta(seconds=paused_seconds), ""


def projected(
    *,
    rule: str,
    period: int | None,
    started_at: datetime,
    paused_seconds: int,
    paused_at: datetime | None,
    base_deadline_at: datetime,
    now: datetime,
    calendar: Calendar,
) -> datetime:
    """The deadline of a paused clock if it resumed at `now`: the pause so far counts as paused."""
    ongoing = max(int((now - paused_at).total_seconds()), 0) if paused_at is not None else 0
    deadline, _note = compute(
        rule=rule,
        period=period,
        started_at=started_at,
        paused_seconds=paused_seconds + ongoing,
        calendar=calendar,
        base_deadline_at=base_deadline_at,
    )
    return deadline
