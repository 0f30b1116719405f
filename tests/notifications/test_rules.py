"""Inbox rows are written with their cause, to the right people, once."""

import pytest

from cases.models import Lead
from notifications.models import Notification
from tests.helpers import at, fire
from workflow.due import process_due


def inbox(user):  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


@pytest.fixture
def negotiating(make_negotiating, haidian_leader, city_leader, shunyi_officer):  # type: ignore[no-untyped-def]
    """Everyone exists before the lead moves, so every inbox below tells the whole story."""
    return make_negotiating(now=at("2026-11-30 09:00"))


def test_submission_tells_the_city_and_confirmation_tells_the_district(
    negotiating, haidian_officer, city_officer
):
    assert inbox(city_officer) == ["awaits_city"]
    assert inbox(haidian_officer) == ["first_negotiation_confirmed"]


def test_warnings_go_to_the_unit_once_each(negotiating, haidian_officer, haidian_leader, shunyi_officer):
    for day in (
        # the deadline is 2027-03-02 00:00 (workflow.clockmath.civil_deadline): warnings 30 and 7 days before
        "2027-01-31 09:00",
        "2027-01-31 09:00",
        "2027-02-01 09:00",
        "2027-02-23 09:00",
        "2027-02-24 09:00",
    ):
        process_due(now=at(day))
    assert inbox(haidian_leader) == ["first_negotiation_confirmed", "clock_warning", "clock_warning"]
    assert inbox(haidian_officer) == ["first_negotiation_confirmed", "clock_warning", "clock_warning"]
    assert inbox(shunyi_officer) == []
    days = sorted(
        n.params["days"] for n in Notification.objects.filter(user=haidian_leader, kind="clock_warning")
    )
    assert days == [7, 30]


def test_escalation_tells_the_city_officers_and_the_units_people_once(
    negotiating, haidian_officer, haidian_leader, city_officer, city_leader
):
    process_due(now=at("2027-03-07 09:00"))
    process_due(now=at("2027-03-08 09:00"))
    assert Lead.objects.get(pk=negotiating.pk).state == "escalated"
    assert inbox(city_officer) == ["awaits_city", "escalated"]
    assert inbox(haidian_leader) == ["first_negotiation_confirmed", "escalated"]
    # the unit's officers lose the lead too: they are told (issue 16)
    assert inbox(haidian_officer) == ["first_negotiation_confirmed", "escalated"]
    assert inbox(city_leader) == []


def test_a_rolled_back_transition_leaves_no_notification(negotiating, haidian_leader):
    from cases.errors import Invalid

    before = Notification.objects.count()
    with pytest.raises(Invalid):
        fire(negotiating, "request_push", haidian_leader, reason="lacks_capacity")  # no note
    assert Notification.objects.count() == before


def test_the_actor_is_not_notified_of_their_own_action(negotiating, haidian_officer, haidian_leader):
    fire(
        negotiating,
        "report_progress",
        haidian_officer,
        now=at("2026-12-01 09:00"),
        milestone="project_filed",
        date="2026-12-01",  # between the clock's start (2026-11-30) and the day of the report
        evidence="x",
    )
    assert inbox(haidian_leader) == ["first_negotiation_confirmed", "progress_to_review"]
    assert "progress_to_review" not in inbox(haidian_officer)
