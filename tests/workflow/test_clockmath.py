from datetime import UTC, datetime

from tests.helpers import at
from workflow.clockmath import add_calendar_months, next_due, warning_times


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
