"""Who stands in for whom today (DESIGN §7): a person away names a deputy for a date range; during it
the deputy gets copies of the person's notifications and sees the person's assigned cases. The
current and coming absences are a small table, remembered per process until one changes
(workflow.refcache), so a notification or a transition asks without a query."""

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from workflow import refcache
from workflow.models import Absence

MEMORY = "workflow.absences"


def _load() -> list[tuple[int, int, date, date]]:
    # a memory lives at most refcache.MAX_AGE: yesterday's ranges are enough to answer for today
    since = timezone.localdate() - timedelta(days=1)
    return list(Absence.objects.filter(end__gte=since).values_list("user_id", "deputy_id", "start", "end"))


def _today(day: date | datetime | None) -> date:
    if day is None:
        return timezone.localdate()
    return timezone.localdate(day) if isinstance(day, datetime) else day


def deputies(user_ids: Any, day: date | datetime | None = None) -> dict[int, int]:
    """{absent person: their deputy} for those of `user_ids` away on `day` (default: today in Beijing)."""
    wanted, on = set(user_ids), _today(day)
    return {u: d for u, d, start, end in refcache.get(MEMORY, _load) if u in wanted and start <= on <= end}


def covered_by(deputy_id: int, day: date | datetime | None = None) -> set[int]:
    """The people `deputy_id` stands in for on `day`."""
    on = _today(day)
    return {u for u, d, start, end in refcache.get(MEMORY, _load) if d == deputy_id and start <= on <= end}
