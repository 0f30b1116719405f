"""Races on a real PostgreSQL: concurrent connections from threads, no mocks.

Skipped on SQLite (it has one writer at a time, so there is no race to lose); the PostgreSQL
lane of scripts/test.sh runs them.
"""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from cases.demo import lead_data
from cases.errors import CaseError
from cases.leads import services
from cases.leads.machine import LEAD
from cases.models import Exclusion, Lead
from notifications.models import Notification
from tests.helpers import at, today
from workflow import engine
from workflow.due import process_due
from workflow.models import TransitionRecord

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]


def race(*calls):  # type: ignore[no-untyped-def]
    """Run the calls at the same moment on separate connections; return each result or error."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the race's loser is what we are looking at
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def transition(lead, name, actor, **params):  # type: ignore[no-untyped-def]
    return lambda: engine.fire(LEAD, pk=lead.pk, name=name, actor=actor, params=params)


def test_two_conflicting_decisions_one_wins_the_other_gets_409(make_lead, haidian_officer, city_officer):
    for serial in range(20):
        lead = make_lead(haidian_officer, serial=500 + serial)
        engine.fire(LEAD, pk=lead.pk, name="submit", actor=haidian_officer)
        a, b = race(
            transition(lead, "confirm", city_officer), transition(lead, "decline", city_officer, reason="x")
        )
        outcomes = sorted(type(r).__name__ for r in (a, b))
        assert outcomes == ["Conflict", "Lead"], outcomes
        loser = a if isinstance(a, CaseError) else b
        assert (loser.status, loser.code) == (409, "wrong_state")
        lead.refresh_from_db()
        winner = "confirm" if lead.state == "negotiating" else "decline"
        history = list(
            TransitionRecord.objects.filter(subject_id=lead.pk).values_list("transition", flat=True)
        )
        assert history == ["submit", winner]


def test_two_registrations_of_one_company_at_once_one_is_refused(haidian_officer, shunyi_officer):
    a, b = race(
        lambda: services.lead_create(actor=haidian_officer, data=lead_data(900)),
        lambda: services.lead_create(actor=shunyi_officer, data=lead_data(900)),
    )
    assert sorted(type(r).__name__ for r in (a, b)) == ["Conflict", "Lead"]
    assert Lead.objects.filter(credit_code=lead_data(900)["credit_code"]).count() == 1


def test_progress_reported_as_the_clock_runs_out_never_deadlocks_or_half_applies(
    make_negotiating, haidian_officer
):
    leads = [make_negotiating() for _ in range(10)]
    later = at("2099-01-01 00:00")
    calls = [lambda: process_due(now=later)] + [
        transition(
            lead,
            "report_progress",
            haidian_officer,
            milestone="project_filed",
            date=today(),  # a milestone lies between its clock's start (just now) and today
            evidence="x",
        )
        for lead in leads
    ]
    results = race(*calls)
    assert not any(isinstance(r, Exception) and not isinstance(r, CaseError) for r in results), results
    process_due(now=later)  # anything skipped because it was busy is handled now
    for lead in Lead.objects.filter(pk__in=[x.pk for x in leads]):
        escalated = Exclusion.objects.filter(lead=lead).count()
        assert (lead.state, escalated) in {("escalated", 1), ("progress_review", 0)}


def test_four_overlapping_due_runs_escalate_each_lead_once(
    make_negotiating, haidian_officer, haidian_leader, city_officer
):
    for _ in range(120):
        make_negotiating()
    later = at("2099-01-01 00:00")
    reports = race(*[lambda: process_due(now=later) for _ in range(4)])
    assert sum(r.deadlines for r in reports) == 120
    assert Lead.objects.filter(state="escalated").count() == 120
    assert TransitionRecord.objects.filter(transition="escalate").count() == 120
    per_recipient = Counter(Notification.objects.filter(kind="escalated").values_list("user_id", flat=True))
    # the city's officers, the unit's leaders, and the unit's officers who lost the lead (issue 16)
    assert per_recipient == {city_officer.pk: 120, haidian_leader.pk: 120, haidian_officer.pk: 120}


def test_a_transition_that_waited_for_the_lock_chains_its_history_to_the_winners_row(
    make_negotiating, city_officer
):
    """The engine reads the case's newest history hash and the actor's grants after it holds the
    row lock (on PostgreSQL in a second statement: one statement's subqueries would see the world
    from before the wait). Twenty pairs of rulings on one lead at the same moment: every chain holds."""
    from workflow import history

    lead = make_negotiating()
    for n in range(20):
        results = race(
            transition(lead, "rule_strategic", city_officer, strategic=True, reason=f"甲{n}"),
            transition(lead, "rule_strategic", city_officer, strategic=False, reason=f"乙{n}"),
        )
        assert not any(isinstance(r, Exception) for r in results), results
    rows = TransitionRecord.objects.filter(subject_id=lead.pk).order_by("pk")
    assert rows.count() == 2 + 40
    assert list(history.verify(rows)) == []
