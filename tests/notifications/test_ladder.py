"""The escalation ladder for waiting leads: remind after 5 working days, escalate after 10 (DESIGN §7)."""

import pytest

from notifications.models import Notification
from tests.helpers import at, fire
from workflow.due import process_due
from workflow.models import Clock

SUBMITTED = at("2026-09-29 09:00")  # a Tuesday, just before the National Day golden week


def told(kind):  # type: ignore[no-untyped-def]
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


@pytest.fixture
def pending(make_lead, haidian_officer, city_officer, city_leader, haidian_leader):  # type: ignore[no-untyped-def]
    return fire(make_lead(haidian_officer), "submit", haidian_officer, now=SUBMITTED)


def test_a_lead_awaiting_confirmation_reminds_the_city_after_5_statutory_working_days(pending):
    # Sep 30, Oct 8, Oct 9, Sat Oct 10 (a make-up working day, 调休), Oct 12: Oct 1–7 are holidays.
    process_due(now=at("2026-10-12 08:59"))
    assert told("wait_reminder") == []
    process_due(now=at("2026-10-12 09:00"))
    process_due(now=at("2026-10-12 12:00"))
    assert told("wait_reminder") == ["city_officer"]


def test_it_escalates_to_the_city_leaders_after_10_working_days(pending):
    process_due(now=at("2026-10-16 09:00"))
    assert told("wait_escalation") == []
    process_due(now=at("2026-10-19 09:00"))
    process_due(now=at("2026-10-20 09:00"))
    assert told("wait_escalation") == ["city_leader"]
    note = Notification.objects.get(kind="wait_escalation")
    assert note.params == {
        "lead_name": pending.name,
        "case": "lead",
        "state": "pending_confirmation",
        "days": 10,
    }


def test_acting_in_time_stops_the_ladder(pending, city_officer):
    fire(pending, "confirm", city_officer, now=at("2026-10-09 10:00"))
    process_due(now=at("2026-10-30 09:00"))
    assert told("wait_reminder") == told("wait_escalation") == []
    assert not Clock.objects.filter(kind__startswith="lead_wait", status="running").exists()


def test_a_progress_review_reminds_the_unit_leader_then_escalates_to_the_city(make_negotiating, haidian_officer,
                                                                              city_officer, haidian_leader):  # fmt: skip
    lead = make_negotiating(now=at("2026-11-02 09:00"))
    fire(lead, "report_progress", haidian_officer, now=at("2026-11-02 10:00"),
         milestone="agreement_signed", date="2026-11-02", evidence="协议")  # fmt: skip
    process_due(now=at("2026-11-09 10:00"))  # Mon + 5 working days
    assert told("wait_reminder") == ["haidian_leader"]
    process_due(now=at("2026-11-16 10:00"))
    assert told("wait_escalation") == ["city_officer"]


def test_a_year_the_calendar_does_not_know_is_counted_monday_to_friday_and_marked(make_lead, haidian_officer):
    fire(make_lead(haidian_officer), "submit", haidian_officer, now=at("2026-12-28 09:00"))
    escalate, remind = Clock.objects.filter(kind__startswith="lead_wait").order_by("kind")
    assert escalate.kind == "lead_wait_escalate" and remind.kind == "lead_wait_remind"
    assert remind.deadline_at == at("2027-01-04 09:00")
    assert escalate.deadline_at == at("2027-01-11 09:00")
    assert "2027" in remind.note and "Monday–Friday" in remind.note


def test_the_citys_own_queue_has_a_ladder_too(make_lead, city_officer, city_leader):
    """DESIGN §7: a lead waiting for the city to pick its landing unit reminds the city officers after
    5 working days and escalates to the city leaders after 10, like any other wait."""
    lead = fire(make_lead(city_officer, source="city"), "submit", city_officer, now=SUBMITTED)
    assert lead.state == "pending_assignment"
    process_due(now=at("2026-10-12 08:59"))
    assert told("wait_reminder") == []
    process_due(now=at("2026-10-12 09:00"))
    assert told("wait_reminder") == ["city_officer"]
    process_due(now=at("2026-10-16 09:00"))
    assert told("wait_escalation") == []
    process_due(now=at("2026-10-19 09:00"))
    assert told("wait_escalation") == ["city_leader"]
    assert Notification.objects.get(kind="wait_escalation").params["state"] == "pending_assignment"


def test_assigning_in_time_stops_the_citys_ladder(make_lead, city_officer):
    lead = fire(make_lead(city_officer, source="city"), "submit", city_officer, now=SUBMITTED)
    fire(lead, "assign", city_officer, now=at("2026-10-09 10:00"), unit="shunyi")
    process_due(now=at("2026-10-30 09:00"))
    assert told("wait_reminder") == told("wait_escalation") == []
