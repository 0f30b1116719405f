"""The clock as an officer sees it on the lead, with time controlled by time-machine."""

import time_machine
from rest_framework.test import APIClient

from tests.helpers import at, fire


def test_days_left_and_the_projected_deadline_while_paused(make_lead, haidian_officer, city_officer):
    with time_machine.travel(at("2026-11-30 09:00"), tick=False):
        lead = fire(make_lead(haidian_officer), "submit", haidian_officer)
        fire(lead, "confirm", city_officer)
    api = APIClient()
    api.force_authenticate(haidian_officer)
    with time_machine.travel(at("2027-02-18 09:00"), tick=False):
        clock = api.get(f"/api/leads/{lead.pk}/").json()["clock"]
        # D = Sun 2027-02-28 → the end of Monday March 1st
        assert (clock["deadline_at"], clock["days_left"], clock["paused"]) == (
            "2027-03-02T00:00:00+08:00",
            11,
            False,
        )
        fire(
            lead,
            "report_progress",
            haidian_officer,
            milestone="project_filed",
            date="2027-02-17",
            evidence="x",
        )
    with time_machine.travel(at("2027-02-20 09:00"), tick=False):
        clock = api.get(f"/api/leads/{lead.pk}/").json()["clock"]
        # paused two days so far: if it resumed now, D would be two days later (Tue March 2nd)
        assert (clock["deadline_at"], clock["days_left"], clock["paused"]) == (
            "2027-03-03T00:00:00+08:00",
            10,
            True,
        )
        assert clock["pauses"] == [
            {"paused_at": "2027-02-18T09:00:00+08:00", "resumed_at": None, "reason": "progress_review"}
        ]
