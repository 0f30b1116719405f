"""Working days on the mainland China statutory calendar, including make-up working days (调休).

The calendar comes from the `chinese_calendar` package, which knows a year once the State Council
has published its holidays. For a year it does not know yet, we count Monday to Friday, log a
warning, and report it to the caller so the clock can show it (admin and API).
"""

import logging
from datetime import date, datetime, timedelta

import chinese_calendar

from workflow.clockmath import SHANGHAI

log = logging.getLogger(__name__)
_warned: set[int] = set()


def is_working_day(day: date) -> tuple[bool, bool]:
    """(is it a working day, was the Monday–Friday fallback used)."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        if day.year not in _warned:
            _warned.add(day.year)
            log.warning(
                "statutory calendar for %s unknown to chinese_calendar: counting Monday–Friday", day.year
            )
        return day.weekday() < 5, True


def add_working_days(start: datetime, days: int) -> tuple[datetime, list[int]]:
    """The same wall-clock time on the `days`-th working day after `start` (Asia/Shanghai).

    Returns the moment and the years for which the Monday–Friday fallback was used (empty when
    the statutory calendar covered every day counted).
    """
    local = start.astimezone(SHANGHAI)
    day, counted, fallback = local.date(), 0, set()
    while counted < days:
        day += timedelta(days=1)
        working, guessed = is_working_day(day)
        if guessed:
            fallback.add(day.year)
        counted += working
    moment = datetime.combine(day, local.timetz()).astimezone(start.tzinfo)
    return moment, sorted(fallback)


def known_years() -> tuple[int, int]:
    """The first and last year the installed statutory calendar covers."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    return years[0], years[-1]
