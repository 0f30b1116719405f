"""Working days on the mainland China statutory calendar, including make-up working days (调休).

A year's calendar comes, in this order, from the dates an operator loaded from the State Council's
notice (`manage.py load_holidays`, workflow.statutory), from the `chinese_calendar` package, which
knows a year once the notice is out and a release carries it, or — for a year neither knows — from
Monday to Friday, which the caller is told about so the clock can say so (its `note`).
"""

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import chinese_calendar

from workflow import refcache
from workflow.clockmath import SHANGHAI
from workflow.models import HolidayDate

log = logging.getLogger(__name__)
_warned: set[int] = set()

# The years the package knows, computed once: its tables are fixed for the installed release.
_PACKAGE_YEARS = frozenset(d.year for d in chinese_calendar.holidays)


@dataclass
class Calendar:
    """The statutory calendar as one object: `loaded` maps a loaded year to its notice's dates (day →
    is it a working day: False for a holiday, True for a make-up working day). Built once for a
    batch of deadlines (one query), so computing ten thousand of them costs no more SQL than one."""

    loaded: Mapping[int, Mapping[date, bool]] = field(default_factory=dict)
    # set: the loaded years are read the first time they are needed (a page that may not need them)
    loader: Callable[[], Mapping[int, Mapping[date, bool]]] | None = None
    _memo: dict[date, tuple[bool, bool]] = field(default_factory=dict, repr=False)

    def years(self) -> Mapping[int, Mapping[date, bool]]:
        """The loaded years' dates (read now if this calendar was made lazy)."""
        if self.loader is not None:
            self.loaded, self.loader = self.loader(), None
        return self.loaded

    def knows(self, year: int) -> bool:
        """Is this year's statutory calendar known (loaded or in the package)?"""
        return year in self.years() or year in _PACKAGE_YEARS

    def is_working_day(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, was the Monday–Friday fallback used)."""
        if day not in self._memo:
            self._memo[day] = self._lookup(day)
        return self._memo[day]

    def _lookup(self, day: date) -> tuple[bool, bool]:
        year = self.years().get(day.year)
        if year is not None:  # the operator's notice wins over the package (it may correct it)
            return year.get(day, day.weekday() < 5), False
        try:
            return chinese_calendar.is_workday(day), False
        except NotImplementedError:
            if day.year not in _warned:
                _warned.add(day.year)
                log.warning(
                    "statutory calendar for %s unknown: counting Monday–Friday until it is loaded "
                    "(manage.py load_holidays)",
                    day.year,
                )
            return day.weekday() < 5, True

    def first_working_day(self, day: date) -> tuple[date, set[int]]:
        """`day` if it is a working day, else the first working day after it; and the years guessed."""
        guessed: set[int] = set()
        while True:
            working, guess = self.is_working_day(day)
            if guess:
                guessed.add(day.year)
            if working:
                return day, guessed
            day += timedelta(days=1)

    def add_working_days(self, start: datetime, days: int) -> tuple[datetime, list[int]]:
        """The same wall-clock time on the `days`-th working day after `start` (Asia/Shanghai), and
        the years for which Monday–Friday was assumed (empty when the calendar covered every day)."""
        local = start.astimezone(SHANGHAI)
        day, counted, guessed = local.date(), 0, set()
        while counted < days:
            day += timedelta(days=1)
            working, guess = self.is_working_day(day)
            if guess:
                guessed.add(day.year)
            counted += working
        moment = datetime.combine(day, local.timetz()).astimezone(start.tzinfo)
        return moment, sorted(guessed)

    def last_known_day(self, today: date) -> date | None:
        """The last day of the unbroken run of known years from `today`'s year on (None: even this
        year is unknown): the day the calendar runs out."""
        year = today.year
        if not self.knows(year):
            return None
        while self.knows(year + 1):
            year += 1
        return date(year, 12, 31)


def current(*, lazy: bool = False) -> Calendar:
    """The calendar as the database has it now: the package plus every loaded year (one query, at
    once or, `lazy`, the first time a day is looked up)."""
    return Calendar(loader=_loaded_years) if lazy else Calendar(loaded=_loaded_years())


def _loaded_years() -> Mapping[int, Mapping[date, bool]]:
    """The loaded years, remembered per process until a year is loaded or changed (workflow.refcache)."""
    return refcache.get("workflow.holidays", _read_loaded_years)


def _read_loaded_years() -> dict[int, dict[date, bool]]:
    loaded: dict[int, dict[date, bool]] = {}
    for year, day, kind in HolidayDate.objects.values_list("year_id", "day", "kind"):
        loaded.setdefault(year, {})[day] = kind == "workday"
    return loaded


def is_working_day(day: date) -> tuple[bool, bool]:
    """(is it a working day, was the Monday–Friday fallback used), on the calendar as it is now."""
    return current().is_working_day(day)


def add_working_days(start: datetime, days: int) -> tuple[datetime, list[int]]:
    """Calendar.add_working_days on the calendar as it is now."""
    return current().add_working_days(start, days)


def package_years() -> tuple[int, int]:
    """The first and last year the installed chinese-calendar package covers."""
    return min(_PACKAGE_YEARS), max(_PACKAGE_YEARS)


def known_years(calendar: Calendar | None = None) -> tuple[int, int]:
    """The first year known and the last year of the unbroken run after it (package and loaded)."""
    calendar = calendar or current()
    first = min(_PACKAGE_YEARS | set(calendar.years()))
    last = max(_PACKAGE_YEARS)
    while calendar.knows(last + 1):
        last += 1
    return first, last


def fallback_note(years: Iterable[int]) -> str:
    """What a clock says when its deadline was counted on an assumed calendar."""
    years = sorted(set(years))
    if not years:
        return ""
    return (
        f"Monday–Friday assumed for {', '.join(map(str, years))}: statutory calendar not loaded yet; "
        "the deadline is computed again when it is"
    )
