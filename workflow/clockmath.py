"""Pure date arithmetic for clocks. No database, no settings beyond the time zone name."""

import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

SHANGHAI = ZoneInfo("Asia/Shanghai")


def add_calendar_months(start: datetime, months: int) -> datetime:
    """`start` plus whole calendar months on the Asia/Shanghai calendar.

    The day is clamped to the end of a shorter month (Nov 30 + 3 months = Feb 28, or Feb 29 in a
    leap year), which is how a person reads "3 months from today". Shanghai has no DST, so the
    wall-clock time is kept exactly.
    """
    local = start.astimezone(SHANGHAI)
    return (local + relativedelta(months=months)).astimezone(start.tzinfo)


def warning_times(deadline: datetime, warning_days: list[int]) -> dict[int, datetime]:
    """When each warning ("N days before the deadline") becomes due."""
    return {days: deadline - timedelta(days=days) for days in warning_days}


def next_due(deadline: datetime, warning_days: list[int], sent: list[int]) -> datetime:
    """The next moment something happens: the earliest unsent warning, else the deadline."""
    pending = [t for days, t in warning_times(deadline, warning_days).items() if days not in sent]
    return min(pending, default=deadline)


DAY_SECONDS = 86400


def end_of_day(day: date) -> datetime:
    """24:00 of `day` in Beijing, i.e. 00:00 of the next day: the last moment a period ending on
    `day` still runs (民法典 art. 203: "期间的最后一日的截止时间为二十四时")."""
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


def whole_days(seconds: int) -> int:
    """Whole days spent paused, rounded up: a pause of an hour takes the day it took."""
    return math.ceil(max(seconds, 0) / DAY_SECONDS)


def civil_last_day(start: datetime, months: int, paused_seconds: int) -> date:
    """The day D on which a period of `months` from `start` ends before it is moved off a rest day.

    民法典 arts. 200–202: a period in months starts counting the day after the event and ends on the
    corresponding day of the last month, or on that month's last day if it has none (Nov 30 + 3
    months = Feb 28, or 29 in a leap year); the whole days spent paused are added to it.
    """
    day = start.astimezone(SHANGHAI).date() + relativedelta(months=months)
    return day + timedelta(days=whole_days(paused_seconds))


def civil_deadline(
    start: datetime,
    months: int,
    paused_seconds: int,
    first_working_day: Callable[[date], tuple[date, set[int]]],
) -> tuple[datetime, set[int]]:
    """The deadline of a period in months as the Civil Code counts it: 24:00 of D, or of the first
    working day after D if D is a weekend day or a holiday (art. 203 "期间的最后一日是法定休假日的，
    以法定休假日结束的次日为期间的最后一日"). Returns it with the years whose calendar was assumed."""
    day, guessed = first_working_day(civil_last_day(start, months, paused_seconds))
    return end_of_day(day), guessed
