"""The statutory calendar as data (DESIGN §4): loading a year from the State Council's notice,
computing the running clocks' deadlines again when a year is loaded, and warning before the
calendar runs out.

The file an operator loads (`manage.py load_holidays YEAR FILE`, or the admin page) is JSON:

    {"year": 2027, "reference": "国办发明电〔2026〕N号", "source": "https://www.gov.cn/…",
     "dates": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
               {"date": "2027-02-06", "kind": "workday", "name": "春节"}, …]}

`kind` is `holiday` (放假) or `workday` (a weekend day worked in lieu, 调休上班); every other day of
the year is a working day from Monday to Friday and a rest day at the weekend (docs/operations.md).
"""

import json
import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from workflow import clockmath, deadlines, engine, refcache, registry, workdays
from workflow import services as engine_services
from workflow.errors import Invalid
from workflow.models import (
    CalendarAlert,
    Clock,
    ClockRule,
    ClockStatus,
    DayKind,
    HolidayDate,
    HolidayYear,
    Level,
    Role,
)

log = logging.getLogger(__name__)

RECOMPUTE = "recompute_deadline"  # the history rows of a deadline computed again (not a transition)
WARN_DAYS_BEFORE_END = 60  # DESIGN §4: operators are warned 60 days before the calendar runs out
MAX_FILE_BYTES = 100_000  # a year's notice is a few dozen dates; anything bigger is not one


class DayInput(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=DayKind.choices)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class HolidayFileInput(serializers.Serializer):
    """A year of the notice: every holiday and make-up working day, and where it comes from."""

    year = serializers.IntegerField(min_value=1900, max_value=2100)
    reference = serializers.CharField(max_length=200)
    # the metaclass takes declared fields out of the class: this does not shadow Field.source
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")  # type: ignore[assignment]
    dates = serializers.ListField(child=DayInput(), min_length=1, max_length=366)

    def validate_year(self, value: int) -> int:
        expected = self.context.get("year")
        if expected is not None and value != expected:
            raise serializers.ValidationError(f"the file is for {value}, not {expected}", code="wrong_year")
        return value

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        year, days = data["year"], [d["date"] for d in data["dates"]]
        problems = []
        if any(day.year != year for day in days):
            problems.append(f"every date must lie in {year}")
        if len(set(days)) != len(days):
            problems.append("a date is listed twice")
        if not any(d["kind"] == DayKind.HOLIDAY for d in data["dates"]):
            problems.append("the notice lists no holiday")
        weekdays = [
            str(d["date"]) for d in data["dates"] if d["kind"] == DayKind.WORKDAY and d["date"].weekday() < 5
        ]
        if weekdays:  # a make-up working day is a weekend day worked; a weekday is one anyway
            problems.append(f"make-up working days must be weekend days: {', '.join(weekdays)}")
        if problems:
            raise serializers.ValidationError("; ".join(problems))
        return data


def parse_holiday_file(*, year: int, content: bytes) -> dict[str, Any]:
    """The notice's dates from a file's bytes, checked (400 `Invalid` with every problem otherwise)."""
    if len(content) > MAX_FILE_BYTES:
        raise Invalid(_("This file is too large to be a year's holiday notice."))
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(_("The holiday file must be JSON in UTF-8 (see docs/operations.md).")) from exc
    return engine.validate(HolidayFileInput, data, context={"year": year})


@transaction.atomic
def calendar_load(
    *, year: int, data: dict[str, Any], actor: Any = None, now: datetime | None = None
) -> dict[str, int]:
    """Load (or replace) a year of the statutory calendar, then compute again the deadline of every
    running or paused clock that counts by it and reaches into that year; each clock whose deadline
    moved gets a history row on its case. `data` is parse_holiday_file's. Returns counts."""
    now = now or timezone.now()
    HolidayYear.objects.update_or_create(
        year=year,
        defaults={
            "reference": data["reference"],
            "source": data.get("source", ""),
            "loaded_at": now,
            "loaded_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    HolidayDate.objects.filter(year_id=year).delete()
    HolidayDate.objects.bulk_create(
        [
            HolidayDate(year_id=year, day=d["date"], kind=d["kind"], name=d.get("name", ""))
            for d in data["dates"]
        ]
    )
    refcache.bump()  # written in bulk: no signal tells the processes' memories of the calendar
    moved = deadlines_recompute(year=year, reference=data["reference"], actor=actor, now=now)
    kinds = [d["kind"] for d in data["dates"]]
    return {
        "holidays": kinds.count(DayKind.HOLIDAY),
        "workdays": kinds.count(DayKind.WORKDAY),
        "moved": moved,
    }


def deadlines_recompute(*, year: int, reference: str, actor: Any = None, now: datetime) -> int:
    """Compute again the deadlines of the running and paused calendar clocks that reach into `year`
    (started before its end, deadline not before its start). Each case is locked before its clocks,
    as transitions and the due sweep lock them, so none of them sees a half-moved deadline. A moved
    deadline is a history row (`recompute_deadline`, its state unchanged); returns how many moved."""
    start = datetime(year, 1, 1, tzinfo=clockmath.SHANGHAI)
    candidates = (
        Clock.objects.filter(
            status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED], started_at__lt=start.replace(year=year + 1)
        )
        .exclude(rule=ClockRule.FIXED)
        .filter(deadline_at__gte=start)
    )
    by_type: dict[int, set[int]] = defaultdict(set)
    for type_id, subject_id in candidates.values_list("subject_type_id", "subject_id"):
        by_type[type_id].add(subject_id)
    calendar = workdays.current()
    moved = 0
    for type_id, subject_ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        subjects = (
            model._default_manager.select_for_update().filter(pk__in=sorted(subject_ids)).order_by("pk")
        )
        locked = {s.pk: s for s in subjects}
        clocks = list(
            candidates.filter(subject_type_id=type_id, subject_id__in=list(locked))
            .select_for_update()
            .order_by("pk")
        )
        moved += _recompute(clocks, locked, calendar, year, reference, actor, now)
    return moved


def _recompute(
    clocks: list[Clock],
    subjects: dict[int, Any],
    calendar: workdays.Calendar,
    year: int,
    reference: str,
    actor: Any,
    now: datetime,
) -> int:
    changed, rows = [], []
    for clock in clocks:
        deadline, note = deadlines.compute(
            rule=clock.rule,
            period=clock.period,
            started_at=clock.started_at,
            paused_seconds=clock.paused_seconds,
            calendar=calendar,
            base_deadline_at=clock.base_deadline_at,
        )
        if deadline == clock.deadline_at and note == clock.note:
            continue
        old = clock.deadline_at
        clock.deadline_at, clock.note = deadline, note
        clock.base_deadline_at, _note = deadlines.compute(
            rule=clock.rule,
            period=clock.period,
            started_at=clock.started_at,
            paused_seconds=0,
            calendar=calendar,
        )
        if clock.status == ClockStatus.RUNNING:
            clock.due_at = clockmath.next_due(deadline, clock.warning_days, clock.warnings_sent)
        changed.append(clock)
        if deadline != old:
            rows.append(_history_row(clock, subjects[clock.subject_id], old, year, reference, actor, now))
    if changed:
        Clock.objects.bulk_update(changed, ["deadline_at", "base_deadline_at", "note", "due_at"])
    with translation.override(settings.LANGUAGE_CODE):  # history is an official text
        for row in rows:
            row["rule"] = str(row["rule"])
        engine_services.history_records(rows)
    return len(rows)


def _history_row(
    clock: Clock, subject: Any, old: datetime, year: int, reference: str, actor: Any, now: datetime
) -> dict[str, Any]:
    case_type = next((c for c in engine.case_types().values() if c.model is type(subject)), None)
    state = getattr(subject, case_type.field_name, "") if case_type else ""
    return {
        "subject": subject,
        "transition": RECOMPUTE,
        "source": state,
        "target": state,  # a deadline computed again never moves the case
        "actor_id": getattr(actor, "pk", None),
        "at": now,
        "params": {
            "clock_id": clock.pk,
            "kind": clock.kind,
            "from": timezone.localtime(old).isoformat(),
            "to": timezone.localtime(clock.deadline_at).isoformat(),
            "year": year,
            "reference": reference,
        },
        "rule": _(
            "The statutory calendar for %(year)s was loaded (%(reference)s): the deadline is computed again"
        )
        % {"year": year, "reference": reference},
    }


# --- the warning before the calendar runs out ------------------------------------------------------


def calendar_runs_out(*, now: datetime, calendar: workdays.Calendar | None = None) -> tuple[int, datetime]:
    """The last year known without a gap from `now`'s year on, and the moment after its last day
    (24:00 of Dec 31). A year not known at all gives the year before it and its start."""
    calendar = calendar or workdays.current()
    today = timezone.localtime(now).date()
    last = calendar.last_known_day(today)
    if last is None:
        return today.year - 1, clockmath.end_of_day(date(today.year - 1, 12, 31))
    return last.year, clockmath.end_of_day(last)


def calendar_alert_due(now: datetime) -> int:
    """A due job: 60 days before the statutory calendar runs out, warn once — a log line for the
    operators and a notification for the city officers, who ask for the next year to be loaded.
    The CalendarAlert row makes it once, however many workers run; returns 1 when it warned."""
    last_year, ends = calendar_runs_out(now=now)
    if now < ends - timedelta(days=WARN_DAYS_BEFORE_END):
        return 0
    with transaction.atomic():
        _alert, created = CalendarAlert.objects.get_or_create(
            last_year=last_year, defaults={"alerted_at": now}
        )
        if not created:
            return 0
        log.warning(
            "the statutory calendar runs out at %s: load the State Council's notice for %s "
            "(manage.py load_holidays %s FILE); until then Monday–Friday is assumed",
            ends.isoformat(),
            last_year + 1,
            last_year + 1,
        )
        members = engine.Members(level=Level.CITY, roles=(Role.OFFICER,))
        registry.publish_many(
            [
                registry.Event(
                    name="calendar.running_out",
                    subject_id=last_year,
                    at=now,
                    data={"year": last_year + 1},
                    kind="calendar_running_out",
                    recipients=frozenset(engine.members_of(members)),
                    params={"deadline_at": ends.isoformat(), "year": last_year + 1},
                    key=f"calendar:{last_year}:running_out",
                )
            ]
        )
    return 1
