"""The no-progress deadline to the letter (DESIGN §4): the end (24:00 Beijing) of the day three calendar
months on, moved past weekends and holidays, paused days added whole; fired at that instant, not before."""

from cases.models import Lead
from tests.helpers import at, fire
from workflow.due import process_due
from workflow.models import TransitionRecord

CONFIRMED = at("2026-07-01 10:00")
PROGRESS = {"milestone": "agreement_signed", "evidence": "投资协议"}


def test_the_designs_example_a_lead_confirmed_on_july_1st_has_until_the_end_of_october_8th(make_negotiating):
    lead = make_negotiating(now=CONFIRMED)
    assert lead.clock.deadline_at.isoformat() == "2026-10-09T00:00:00+08:00"
    assert (lead.clock.note, lead.clock.rule, lead.clock.period) == ("", "civil_months", 3)
    confirm = TransitionRecord.objects.get(subject_id=lead.pk, transition="confirm")
    assert confirm.params["deadline_at"] == "2026-10-09T00:00:00+08:00"


def test_it_does_not_fire_at_the_wall_clock_minute_three_months_on(make_negotiating):
    lead = make_negotiating(now=CONFIRMED)
    # the clock fired at 2026-10-01 10:00 (National Day) before: that lead still has a week and a day
    assert process_due(now=at("2026-10-01 10:00")).deadlines == 0
    assert Lead.objects.get(pk=lead.pk).state == "negotiating"


def test_the_deadlines_last_second_still_belongs_to_the_unit_and_the_next_one_does_not(make_negotiating):
    lead = make_negotiating(now=CONFIRMED)
    assert process_due(now=at("2026-10-08 23:59:59")).deadlines == 0
    assert Lead.objects.get(pk=lead.pk).state == "negotiating"
    assert process_due(now=at("2026-10-09 00:00:00")).deadlines == 1
    assert Lead.objects.get(pk=lead.pk).state == "escalated"
    escalate = TransitionRecord.objects.get(subject_id=lead.pk, transition="escalate")
    assert escalate.params["deadline_at"] == "2026-10-09T00:00:00+08:00"


def test_warnings_come_30_and_7_days_before_the_deadline(make_negotiating):
    make_negotiating(now=CONFIRMED)
    assert process_due(now=at("2026-09-08 23:59:59")).warnings == 0
    assert process_due(now=at("2026-09-09 00:00")).warnings == 1  # 30 days before 2026-10-09 00:00
    assert process_due(now=at("2026-10-01 23:59:59")).warnings == 0
    assert process_due(now=at("2026-10-02 00:00")).warnings == 1  # 7 days before


def test_a_pause_across_the_golden_week_adds_its_whole_days(
    make_negotiating, haidian_officer, haidian_leader
):
    lead = make_negotiating(now=CONFIRMED)
    fire(lead, "report_progress", haidian_officer, now=at("2026-09-28 10:00"), date="2026-09-28", **PROGRESS)
    lead = fire(lead, "reject_progress", haidian_leader, now=at("2026-10-07 09:00"), reason="仅为会谈纪要")
    # paused 8 days 23 hours → 9 whole days: D = Oct 1 + 9 = Sat Oct 10, a make-up working day (调休)
    assert lead.clock.deadline_at == at("2026-10-11 00:00")
    assert lead.clock.paused_seconds == 8 * 86400 + 23 * 3600


def test_a_pause_of_an_hour_costs_the_unit_nothing_but_gives_it_a_day(make_negotiating, haidian_officer,
                                                                    haidian_leader):  # fmt: skip
    lead = make_negotiating(now=at("2026-06-15 10:00"))  # D = Tue 2026-09-15
    assert lead.clock.deadline_at == at("2026-09-16 00:00")
    fire(lead, "report_progress", haidian_officer, now=at("2026-07-01 10:00"), date="2026-07-01", **PROGRESS)
    lead = fire(lead, "reject_progress", haidian_leader, now=at("2026-07-01 11:00"), reason="不是实质性进展")
    assert lead.clock.deadline_at == at("2026-09-17 00:00")


def test_a_clock_counted_on_an_assumed_year_says_so(make_negotiating):
    lead = make_negotiating(now=at("2026-11-30 09:00"))  # D = Sun 2027-02-28, and 2027 is not loaded
    assert lead.clock.deadline_at == at("2027-03-02 00:00")
    assert "2027" in lead.clock.note and "Monday–Friday" in lead.clock.note


def test_the_lead_page_shows_the_deadline_as_24_00_of_its_last_day(make_negotiating, haidian_officer):
    from django.test import Client

    lead = make_negotiating(now=CONFIRMED)
    client = Client(HTTP_HOST="localhost")
    client.force_login(haidian_officer)
    html = client.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert "2026-10-08 24:00" in html and 'id="clock-note"' not in html
    assumed = make_negotiating(now=at("2026-11-30 09:00"))
    html = client.get(f"/cases/leads/{assumed.pk}/").content.decode()
    assert "2027-03-01 24:00" in html and 'id="clock-note"' in html
