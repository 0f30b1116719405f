from datetime import UTC, date, datetime

from tests.helpers import at
from workflow.clockmath import (
    add_calendar_months,
    civil_deadline,
    civil_last_day,
    end_of_day,
    next_due,
    warning_times,
    whole_days,
)
from workflow.workdays import Calendar


def test_it_adds_three_calendar_months():
    assert add_calendar_months(at("2026-11-27 10:00"), 3) == at("2027-02-27 10:00")


def test_it_clamps_nov_30_to_feb_28_in_a_common_year():
    assert add_calendar_months(at("2026-11-30 09:00"), 3) == at("2027-02-28 09:00")


def test_it_clamps_nov_30_to_feb_29_in_a_leap_year():
    assert add_calendar_months(at("2027-11-30 09:00"), 3) == at("2028-02-29 09:00")


def test_it_clamps_month_ends_to_30_day_months():
    assert add_calendar_months(at("2026-05-31 12:00"), 3) == at("2026-08-31 12:00")
    assert add_calendar_months(at("2026-03-31 12:00"), 3) == at("2026-06-30 12:00")


def test_it_counts_months_on_the_shanghai_calendar_not_utc():
    # 2026-11-30 18:00 UTC is already 2026-12-01 02:00 in Beijing: 3 months later is March 1st.
    start = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    assert add_calendar_months(start, 3) == at("2027-03-01 02:00")


def test_it_crosses_the_year_end():
    assert add_calendar_months(at("2026-12-31 23:59"), 3) == at("2027-03-31 23:59")


def test_it_puts_warnings_30_and_7_days_before_the_deadline():
    deadline = at("2027-02-28 09:00")
    assert warning_times(deadline, [30, 7]) == {30: at("2027-01-29 09:00"), 7: at("2027-02-21 09:00")}


def test_next_due_is_the_earliest_unsent_warning_then_the_deadline():
    deadline = at("2027-02-28 09:00")
    assert next_due(deadline, [30, 7], []) == at("2027-01-29 09:00")
    assert next_due(deadline, [30, 7], [30]) == at("2027-02-21 09:00")
    assert next_due(deadline, [30, 7], [30, 7]) == deadline


# --- the Civil Code's period (DESIGN §4): the end of day D, moved off rest days --------------------


def deadline(start: str, months: int = 3, paused_seconds: int = 0):  # type: ignore[no-untyped-def]
    return civil_deadline(at(start), months, paused_seconds, Calendar().first_working_day)


def test_the_designs_example_ends_at_24_00_of_the_first_working_day_after_national_day():
    # confirmed 2026-07-01 10:00 → D = 2026-10-01 (National Day; Oct 1–7 holidays) → the end of Thu Oct 8
    assert civil_last_day(at("2026-07-01 10:00"), 3, 0).isoformat() == "2026-10-01"
    moment, guessed = deadline("2026-07-01 10:00")
    assert moment.isoformat() == "2026-10-09T00:00:00+08:00"
    assert guessed == set()


def test_the_time_of_day_the_clock_started_does_not_matter():
    assert deadline("2026-07-01 00:00")[0] == deadline("2026-07-01 23:59")[0] == at("2026-10-09 00:00")


def test_a_month_end_is_clamped_and_a_make_up_saturday_is_a_working_day():
    # Nov 30 + 3 months = Feb 28; 2026-02-28 is a Saturday worked in lieu of the Spring Festival (调休)
    assert deadline("2025-11-30 10:00") == (at("2026-03-01 00:00"), set())


def test_a_leap_year_ends_on_feb_29():
    # 2028 is not known yet: Monday–Friday assumed, and the caller is told so
    assert deadline("2027-11-30 10:00") == (at("2028-03-01 00:00"), {2028})


def test_a_weekend_d_moves_to_monday():
    # 2026-08-15 + 3 months = Sun 2026-11-15 → the end of Mon Nov 16
    assert deadline("2026-08-15 10:00") == (at("2026-11-17 00:00"), set())


def test_a_make_up_sunday_counts_as_a_working_day():
    # 2026-09-20 is a Sunday worked in lieu of National Day: D stays
    assert deadline("2026-06-20 10:00") == (at("2026-09-21 00:00"), set())


def test_whole_days_paused_are_rounded_up():
    assert [whole_days(s) for s in (0, 1, 86399, 86400, 86401)] == [0, 1, 1, 1, 2]
    # D = Fri 2026-09-25 is the Mid-Autumn holiday (Sep 25–27): the end of Mon Sep 28 …
    assert deadline("2026-06-25 10:00")[0] == at("2026-09-29 00:00")
    # … paused 3 days and an hour: 4 whole days → D = Tue Sep 29
    assert deadline("2026-06-25 10:00", paused_seconds=3 * 86400 + 3600)[0] == at("2026-09-30 00:00")
    # paused 6 days: D = Oct 1, inside the golden week → the end of Thu Oct 8
    assert deadline("2026-06-25 10:00", paused_seconds=6 * 86400)[0] == at("2026-10-09 00:00")


def test_the_last_day_of_a_known_year_needs_nothing_assumed():
    # D = Thu 2026-12-31 (2026 is known): the deadline is 2027-01-01 00:00, no day of 2027 looked at
    assert deadline("2026-09-30 10:00", paused_seconds=86400) == (at("2027-01-01 00:00"), set())


def test_the_last_day_of_a_year_not_loaded_is_assumed_a_working_day_and_said_so():
    # D = Fri 2027-12-31, a year nobody loaded: Monday–Friday assumed
    assert deadline("2027-09-30 10:00", paused_seconds=86400) == (at("2028-01-01 00:00"), {2027})
    # D = Sat 2027-12-25 rolls over the weekend into Mon Dec 27 of the same assumed year
    assert deadline("2027-09-25 10:00") == (at("2027-12-28 00:00"), {2027})


def test_a_loaded_year_wins_over_the_assumption():
    calendar = Calendar(loaded={2027: {date(2027, 12, 31): False}})
    moment, guessed = civil_deadline(at("2027-09-30 10:00"), 3, 86400, calendar.first_working_day)
    # Dec 31 is a holiday in the loaded year; Jan 1–2, 2028 are unknown: Sat/Sun assumed rest → Mon Jan 3
    assert (moment, guessed) == (at("2028-01-04 00:00"), {2028})


def test_end_of_day_is_midnight_after_it_in_beijing():
    assert end_of_day(date(2026, 10, 8)).isoformat() == "2026-10-09T00:00:00+08:00"
