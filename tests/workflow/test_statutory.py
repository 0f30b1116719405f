"""The statutory calendar as data (DESIGN §4): loading a year from the State Council's notice, the running
deadlines computed again when it is, and the warning before the calendar runs out.

The 2027 file used here is an EXAMPLE with invented dates (tests/workflow/data/holidays_2027_EXAMPLE.json):
the real notice for 2027 was not available when these tests were written."""

import json
import logging
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from cases.models import Lead
from notifications.models import Notification
from tests.helpers import at, fire
from workflow import statutory, workdays
from workflow.due import process_due
from workflow.history import verify
from workflow.models import CalendarAlert, Clock, HolidayDate, HolidayYear, TransitionRecord

EXAMPLE = Path(__file__).parent / "data" / "holidays_2027_EXAMPLE.json"


def load(path: Path = EXAMPLE, year: int = 2027) -> str:
    out = StringIO()
    call_command("load_holidays", str(year), str(path), stdout=out)
    return out.getvalue()


def example(**changes: object) -> dict:
    return {**json.loads(EXAMPLE.read_text(encoding="utf-8")), **changes}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "holidays.json"
    path.write_text(
        json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8"
    )
    return path


def test_loading_a_year_makes_its_holidays_and_make_up_days_count():
    assert workdays.is_working_day(date(2027, 2, 8)) == (True, True)  # a Monday, guessed
    out = load()
    assert "10 holidays and 2 make-up working days" in out
    year = HolidayYear.objects.get()
    assert (year.year, year.reference) == (2027, "EXAMPLE 国办发明电〔2026〕0号 (invented for tests)")
    assert workdays.is_working_day(date(2027, 2, 8)) == (False, False)  # a holiday in the file
    assert workdays.is_working_day(date(2027, 1, 31)) == (True, False)  # a make-up Sunday
    assert workdays.is_working_day(date(2027, 3, 1)) == (True, False)  # an ordinary Monday, now known
    assert workdays.known_years()[1] == 2027


def test_loading_a_year_again_replaces_its_dates():
    load()
    data = example(dates=[{"date": "2027-10-01", "kind": "holiday", "name": "国庆节"}], reference="更正")
    statutory.calendar_load(
        year=2027, data=statutory.parse_holiday_file(year=2027, content=json.dumps(data).encode())
    )
    assert list(HolidayDate.objects.values_list("day", flat=True)) == [date(2027, 10, 1)]
    assert HolidayYear.objects.get().reference == "更正"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("not json", "JSON"),
        (example(year=2028), "the file is for 2028, not 2027"),
        (example(dates=[{"date": "2026-12-31", "kind": "holiday"}]), "every date must lie in 2027"),
        (example(dates=[{"date": "2027-01-01", "kind": "holiday"}] * 2), "a date is listed twice"),
        (example(dates=[{"date": "2027-01-04", "kind": "workday"}, {"date": "2027-01-01", "kind": "holiday"}]),
         "make-up working days must be weekend days: 2027-01-04"),
        (example(dates=[{"date": "2027-01-31", "kind": "workday"}]), "no holiday"),
        (example(dates=[{"date": "2027-02-30", "kind": "holiday"}]), "date"),
        (example(dates=[{"date": "2027-02-01", "kind": "vacation"}]), "vacation"),
        (example(reference=""), "reference"),
        (example(dates="2027-01-01"), "dates"),
        ("x" * 200_000, "too large"),
    ],
    ids=["not-json", "wrong-year", "outside-year", "twice", "weekday-make-up", "no-holiday", "no-such-day",
         "bad-kind", "no-reference", "dates-not-a-list", "too-large"],
)  # fmt: skip
def test_a_bad_file_is_refused_with_the_reason_and_nothing_is_loaded(tmp_path, data, says):
    with translation.override("en"), pytest.raises(CommandError) as refused:  # read the reason in English
        load(write(tmp_path, data))
    assert says in str(refused.value)
    assert (HolidayYear.objects.count(), HolidayDate.objects.count()) == (0, 0)


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="cannot read"):
        load(Path("/nonexistent/holidays.json"))


# --- loading a year computes the running deadlines again -----------------------------------------------


def test_a_running_deadline_moves_and_the_lead_history_says_why(make_negotiating):
    # D = Fri 2027-02-05: a working day until the (example) notice makes Feb 5–13 the Spring Festival
    lead = make_negotiating(now=at("2026-11-05 10:00"))
    assert lead.clock.deadline_at == at("2027-02-06 00:00")
    assert "2027" in lead.clock.note
    history = TransitionRecord.objects.filter(subject_id=lead.pk).count()
    assert "1 running deadlines moved" in load()
    clock = Clock.objects.get(pk=lead.clock_id)
    # Feb 13 is the last holiday, Sun Feb 14 a rest day: the end of Mon Feb 15
    assert (clock.deadline_at, clock.note) == (at("2027-02-16 00:00"), "")
    assert clock.due_at == at("2027-01-17 00:00")  # the 30-day warning, moved with it
    row = TransitionRecord.objects.filter(subject_id=lead.pk).latest("id")
    assert TransitionRecord.objects.filter(subject_id=lead.pk).count() == history + 1
    assert (row.transition, row.source, row.target, row.actor) == (
        "recompute_deadline",
        "negotiating",
        "negotiating",
        None,
    )
    assert row.params == {
        "clock_id": clock.pk, "kind": "lead_no_progress", "from": "2027-02-06T00:00:00+08:00",
        "to": "2027-02-16T00:00:00+08:00", "year": 2027, "reference": "EXAMPLE 国办发明电〔2026〕0号 (invented for tests)",
    }  # fmt: skip
    assert "2027" in row.rule
    assert Lead.objects.get(pk=lead.pk).state == "negotiating"
    assert list(verify()) == []  # the row joined the lead's history chain


def test_a_make_up_working_day_can_bring_a_deadline_forward(make_negotiating):
    lead = make_negotiating(now=at("2026-10-31 10:00"))  # D = Sun 2027-01-31 → assumed rest → Mon Feb 1
    assert lead.clock.deadline_at == at("2027-02-02 00:00")
    load()  # the example makes Jan 31 a make-up working day
    assert Clock.objects.get(pk=lead.clock_id).deadline_at == at("2027-02-01 00:00")


def test_a_deadline_that_does_not_reach_the_year_is_left_alone(make_negotiating):
    lead = make_negotiating(now=at("2026-07-01 10:00"))
    before = TransitionRecord.objects.count()
    assert "0 running deadlines moved" in load()
    assert Clock.objects.get(pk=lead.clock_id).deadline_at == at("2026-10-09 00:00")
    assert TransitionRecord.objects.count() == before


def test_loading_the_same_year_twice_moves_nothing_the_second_time(make_negotiating):
    make_negotiating(now=at("2026-11-05 10:00"))
    load()
    rows = TransitionRecord.objects.count()
    assert "0 running deadlines moved" in load()
    assert TransitionRecord.objects.count() == rows


def test_a_paused_clock_is_computed_again_and_stays_paused(make_negotiating, haidian_officer):
    lead = make_negotiating(now=at("2026-11-05 10:00"))
    fire(lead, "report_progress", haidian_officer, now=at("2026-11-10 10:00"), milestone="agreement_signed",
         date="2026-11-10", evidence="协议")  # fmt: skip
    load()
    clock = Clock.objects.get(pk=lead.clock_id)
    assert (clock.status, clock.due_at, clock.deadline_at) == ("paused", None, at("2027-02-16 00:00"))


def test_stopped_and_fired_clocks_are_history_and_stay_as_they_were(make_negotiating, haidian_leader):
    lead = make_negotiating(now=at("2026-11-05 10:00"))
    fire(lead, "close", haidian_leader, now=at("2026-11-06 10:00"), reason="企业放弃")
    load()
    assert Clock.objects.get(pk=lead.clock_id).deadline_at == at("2027-02-06 00:00")


def test_the_ladder_of_a_waiting_lead_is_computed_again(make_lead, haidian_officer):
    lead = fire(make_lead(haidian_officer), "submit", haidian_officer, now=at("2027-02-01 09:00"))
    remind = Clock.objects.get(subject_id=lead.pk, kind="lead_wait_remind")
    assert remind.deadline_at == at("2027-02-08 09:00")  # Monday–Friday assumed
    load()
    remind.refresh_from_db()
    # Feb 2, 3, 4 — then Feb 5–13 are holidays in the example — Feb 15, 16
    assert (remind.deadline_at, remind.note) == (at("2027-02-16 09:00"), "")
    assert TransitionRecord.objects.filter(subject_id=lead.pk, transition="recompute_deadline").count() == 2


def test_the_admin_page_loads_a_year_for_a_superuser(make_negotiating, django_user_model):
    lead = make_negotiating(now=at("2026-11-05 10:00"))
    admin = django_user_model.objects.create_superuser("ops", "ops@example.com", "x")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    assert client.get("/admin/workflow/holidayyear/load/").status_code == 200
    with EXAMPLE.open("rb") as upload:
        response = client.post("/admin/workflow/holidayyear/load/", {"year": "2027", "file": upload})
    assert response.status_code == 302
    assert HolidayYear.objects.get().loaded_by == admin
    row = TransitionRecord.objects.get(subject_id=lead.pk, transition="recompute_deadline")
    assert row.actor == admin
    listing = client.get("/admin/workflow/holidayyear/")
    assert listing.status_code == 200 and "2027" in listing.content.decode()


def test_the_admin_page_refuses_a_bad_file_and_loads_nothing(django_user_model, tmp_path):
    admin = django_user_model.objects.create_superuser("ops", "ops@example.com", "x")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    with write(tmp_path, example(year=2028)).open("rb") as upload:
        response = client.post("/admin/workflow/holidayyear/load/", {"year": "2027", "file": upload})
    assert response.status_code == 200 and "the file is for 2028, not 2027" in response.content.decode()
    assert HolidayYear.objects.count() == 0


# --- the warning before the calendar runs out ------------------------------------------------------------


def test_the_calendar_runs_out_at_the_end_of_the_last_known_year():
    assert statutory.calendar_runs_out(now=at("2026-06-01 10:00")) == (2026, at("2027-01-01 00:00"))
    assert statutory.calendar_runs_out(now=at("2027-03-01 10:00")) == (2026, at("2027-01-01 00:00"))


def test_operators_and_city_officers_are_warned_once_60_days_before(calendar_alert_unsent, city_officer,
                                                                    haidian_officer, caplog):  # fmt: skip
    assert statutory.calendar_alert_due(at("2026-11-01 23:59:59")) == 0  # 2027-01-01 less 60 days is Nov 2
    with caplog.at_level(logging.WARNING, logger="workflow.statutory"):
        assert process_due(now=at("2026-11-02 00:00")).jobs["calendar"] == 1
    assert "load_holidays 2027" in caplog.text
    assert process_due(now=at("2026-11-03 00:00")).jobs["calendar"] == 0
    notes = Notification.objects.filter(kind="calendar_running_out")
    assert [(n.user.username, n.params) for n in notes] == [
        ("city_officer", {"deadline_at": "2027-01-01T00:00:00+08:00", "year": 2027})
    ]
    assert list(CalendarAlert.objects.values_list("last_year", flat=True)) == [2026]


def test_loading_the_next_year_puts_the_warning_off_a_year(calendar_alert_unsent, city_officer):
    load()
    assert statutory.calendar_alert_due(at("2026-12-01 00:00")) == 0
    assert statutory.calendar_alert_due(at("2027-11-02 00:00")) == 1
