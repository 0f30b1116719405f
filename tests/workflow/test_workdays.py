import logging

from tests.helpers import at
from workflow.workdays import add_working_days, is_working_day


def test_it_skips_the_national_day_golden_week():
    # 2026-09-30 (Wed) + 1 working day: Oct 1–7 are holidays, so the next working day is Oct 8... or
    # the make-up Saturday the State Council set; the statutory calendar decides.
    moment, fallback = add_working_days(at("2026-09-30 10:00"), 1)
    assert fallback == []
    assert moment.date() not in {at(f"2026-10-0{d} 00:00").date() for d in range(1, 8)}
    assert is_working_day(moment.date()) == (True, False)


def test_it_counts_a_make_up_saturday_as_a_working_day():
    # 2026-02-14 is a Saturday worked in lieu of the Spring Festival holiday (调休).
    assert is_working_day(at("2026-02-14 00:00").date()) == (True, False)
    moment, _ = add_working_days(at("2026-02-13 09:00"), 1)
    assert moment == at("2026-02-14 09:00")


def test_five_working_days_over_an_ordinary_weekend():
    moment, fallback = add_working_days(at("2026-11-27 09:00"), 5)  # a Friday
    assert (moment, fallback) == (at("2026-12-04 09:00"), [])


def test_an_unknown_year_falls_back_to_monday_to_friday_and_says_so(caplog, monkeypatch):
    monkeypatch.setattr("workflow.workdays._warned", set())
    with caplog.at_level(logging.WARNING, logger="workflow.workdays"):
        moment, fallback = add_working_days(at("2026-12-28 09:00"), 10)
    # Mon Dec 28: Dec 29–31 are 3 working days; 2027 is unknown, so Fri Jan 1 counts like any
    # weekday, then Jan 4–8 and Jan 11 make 10.
    assert fallback == [2027]
    assert moment == at("2027-01-11 09:00")
    assert "2027" in caplog.text and "Monday–Friday" in caplog.text
    assert is_working_day(at("2027-01-02 00:00").date()) == (False, True)
