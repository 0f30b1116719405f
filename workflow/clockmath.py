"""Pure date arithmetic for clocks. No database, no settings beyond the time zone name."""

from datetime import datetime, timedelta
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
