"""The due sweep on a clock of the engine's own, with no case types involved."""

import pytest
from django.contrib.auth.models import Group

from tests.helpers import at
from workflow import registry, services
from workflow.clockmath import add_calendar_months
from workflow.due import process_due
from workflow.models import Clock, ClockPause, ClockStatus

KIND = "test_clock"


@pytest.fixture
def events():  # type: ignore[no-untyped-def]
    seen: list[tuple[int | None, object]] = []
    registry.register_clock_handler(
        KIND, lambda evs, now: seen.extend((e.warning_days, now) for e in evs), lambda ids: set(ids)
    )
    return seen


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    subject = Group.objects.create(name="subject")
    start = at("2026-11-30 09:00")
    deadline = add_calendar_months(start, 3)
    return services.clock_start(kind=KIND, subject=subject, at=start, deadline=deadline, warning_days=[7, 30])


def test_it_starts_with_the_deadline_and_the_first_warning_due(clock):
    assert clock.deadline_at == at("2027-02-28 09:00")
    assert clock.warning_days == [30, 7]
    assert clock.due_at == at("2027-01-29 09:00")


def test_nothing_happens_before_anything_is_due(clock, events):
    report = process_due(now=at("2027-01-29 08:59"))
    assert (report.warnings, report.deadlines, events) == (0, 0, [])


def test_it_sends_each_warning_once_then_fires_once(clock, events):
    process_due(now=at("2027-01-29 09:00"))
    process_due(now=at("2027-01-30 09:00"))
    process_due(now=at("2027-02-21 09:00"))
    process_due(now=at("2027-02-28 09:00"))
    process_due(now=at("2027-03-01 09:00"))
    assert [days for days, _ in events] == [30, 7, None]
    clock.refresh_from_db()
    assert (clock.status, clock.fired_at, clock.due_at) == (ClockStatus.FIRED, at("2027-02-28 09:00"), None)


def test_a_run_a_week_late_fires_once_skips_stale_warnings_and_keeps_the_real_deadline(clock, events):
    report = process_due(now=at("2027-03-07 09:00"))
    assert (report.warnings, report.deadlines) == (0, 1)
    assert events == [(None, at("2027-03-07 09:00"))]
    clock.refresh_from_db()
    assert clock.deadline_at == at("2027-02-28 09:00")
    assert clock.fired_at == at("2027-03-07 09:00")
    assert process_due(now=at("2027-03-08 09:00")).deadlines == 0


def test_a_late_run_sends_only_the_nearest_warning(clock, events):
    process_due(now=at("2027-02-22 09:00"))
    assert [days for days, _ in events] == [7]
    clock.refresh_from_db()
    assert clock.warnings_sent == [30, 7]


def test_a_pause_extends_the_deadline_by_exactly_the_paused_time(clock, events):
    services.clock_pause(clock=clock, at=at("2026-12-10 09:00"), reason="review")
    assert process_due(now=at("2027-03-30 09:00")).deadlines == 0  # paused clocks never fall due
    services.clock_resume(clock=clock, at=at("2026-12-20 21:00"))
    clock.refresh_from_db()
    assert clock.deadline_at == at("2027-03-10 21:00")
    assert clock.paused_seconds == 10 * 86400 + 12 * 3600
    assert list(ClockPause.objects.filter(clock=clock).values_list("paused_at", "resumed_at")) == [
        (at("2026-12-10 09:00"), at("2026-12-20 21:00"))
    ]
    assert process_due(now=at("2027-03-10 20:59")).deadlines == 0
    assert process_due(now=at("2027-03-10 21:00")).deadlines == 1


def test_pauses_add_up(clock):
    services.clock_pause(clock=clock, at=at("2026-12-01 09:00"), reason="a")
    services.clock_resume(clock=clock, at=at("2026-12-02 09:00"))
    services.clock_pause(clock=clock, at=at("2026-12-05 09:00"), reason="b")
    services.clock_resume(clock=clock, at=at("2026-12-08 09:00"))
    clock.refresh_from_db()
    assert clock.deadline_at == at("2027-03-04 09:00")


def test_a_stopped_clock_never_fires(clock, events):
    services.clock_stop(clock=clock, at=at("2026-12-01 09:00"))
    assert process_due(now=at("2027-06-01 09:00")).deadlines == 0
    assert events == []


def test_a_handler_that_fails_rolls_back_its_claim_and_is_retried(clock):
    calls = []

    def flaky(evs, now):  # type: ignore[no-untyped-def]
        calls.extend(e.warning_days for e in evs)
        if len(calls) == 1:
            raise RuntimeError("transport down")

    registry.register_clock_handler(KIND, flaky, lambda ids: set(ids))
    assert process_due(now=at("2027-01-29 09:00")).failed == 1
    assert Clock.objects.get(pk=clock.pk).warnings_sent == []
    assert process_due(now=at("2027-01-29 09:05")).warnings == 1
    assert calls == [30, 30]


def test_a_busy_subject_is_left_for_the_next_run(clock, events):
    registry.register_clock_handler(
        KIND, lambda evs, n: events.extend((e.warning_days, n) for e in evs), lambda ids: set()
    )
    assert process_due(now=at("2027-03-01 09:00")).deadlines == 0
    assert Clock.objects.get(pk=clock.pk).status == ClockStatus.RUNNING


def test_one_failing_clock_in_a_chunk_stays_due_and_the_others_go_through(clock):
    """A chunk is claimed and handled together; when its handler fails the chunk rolls back and its
    clocks are handled one by one, so only the failing one is left for the next run."""
    subjects = [Group.objects.create(name=f"subject {i}") for i in range(4)]
    start = at("2026-11-30 09:00")
    deadline = add_calendar_months(start, 3)
    clocks = [
        services.clock_start(kind=KIND, subject=s, at=start, deadline=deadline, warning_days=[])
        for s in subjects
    ]
    bad = clocks[2].pk
    calls: list[list[int]] = []

    def handler(evs, now):  # type: ignore[no-untyped-def]
        calls.append(sorted(e.clock_id for e in evs))
        if any(e.clock_id == bad for e in evs):
            raise RuntimeError("this one is broken")

    registry.register_clock_handler(KIND, handler, lambda ids: set(ids))
    report = process_due(now=deadline)
    assert (report.deadlines, report.failed) == (4, 1)  # the fixture's clock and three of these
    assert calls[0] == sorted([clock.pk, *(c.pk for c in clocks)])  # all at once first
    assert len(calls) == 1 + 5  # then one by one
    statuses = dict(Clock.objects.filter(kind=KIND).values_list("pk", "status"))
    assert statuses[bad] == ClockStatus.RUNNING
    assert [pk for pk, st in statuses.items() if st == ClockStatus.FIRED] == sorted(
        pk for pk in statuses if pk != bad
    )
