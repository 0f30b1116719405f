"""What a person's transition costs in SQL statements (issue: speed). The engine reads the actor's
grants, the history's newest hash and the reference generation in one statement once the row is
locked, keeps the ids of permissions and role groups and the rarely-changing rows (memberships,
recipients, webhooks, policy versions, calendar: workflow.refcache) in memory, stops ladder clocks
only when the case leaves a waiting state, inserts notifications with their ids returned and leaves
e-mail and webhooks to a worker. Each budget is today's count: a
change that adds a statement to the hot path fails here and must say why."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.transitions import statement_count
from tests.helpers import fire, today

# transition → statements (BEGIN/COMMIT not counted), the same on SQLite and PostgreSQL
BUDGET = {"submit": 11, "confirm": 11, "report_progress": 12, "approve_progress": 12, "land": 10}


@pytest.fixture
def warm(make_lead, haidian_officer, city_officer, haidian_leader):  # type: ignore[no-untyped-def]
    """One lifecycle first, so the per-process memories (permission ids, role groups) and each
    person's model permissions are read as in a running server (the benchmark's setting)."""
    lifecycle(make_lead, haidian_officer, city_officer, haidian_leader, serial=9001)


def lifecycle(make_lead, officer, city, leader, serial, counts=None):  # type: ignore[no-untyped-def]
    lead = make_lead(officer, serial=serial)
    for name, actor, params in (
        ("submit", officer, {}),
        ("confirm", city, {}),
        ("report_progress", officer, {"milestone": "agreement_signed", "date": today(), "evidence": "协议"}),
        ("approve_progress", leader, {}),
        ("land", leader, {"landed_on": today(), "paid_in_capital_cny": "100000000"}),
    ):
        with CaptureQueriesContext(connection) as queries:
            lead = fire(lead, name, actor, **params)
        if counts is not None:
            counts[name] = statement_count(queries.captured_queries)
    return lead


def test_each_persons_transition_stays_within_its_statement_budget(
    warm, make_lead, haidian_officer, city_officer, haidian_leader
):
    counts: dict[str, int] = {}
    lead = lifecycle(make_lead, haidian_officer, city_officer, haidian_leader, serial=9002, counts=counts)
    assert lead.state == "landed"
    assert counts == BUDGET


def test_a_ladder_clock_is_never_paused(make_lead, haidian_officer):
    """Stopping a ladder skips the pause ledger, which holds only because nothing pauses a ladder clock."""
    from workflow import services
    from workflow.models import Clock

    lead = fire(make_lead(haidian_officer), "submit", haidian_officer)
    rung = Clock.objects.filter(subject_id=lead.pk, kind="lead_wait_remind").get()
    with pytest.raises(ValueError, match="never paused"):
        services.clock_pause(clock=rung, at=rung.started_at, reason="x")
