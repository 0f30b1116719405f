"""The history is tamper-evident: a row changed, removed or slipped in behind the application's back is found."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.helpers import fire
from workflow.history import verify
from workflow.models import TransitionRecord


@pytest.fixture
def history(make_lead, haidian_officer, city_officer, haidian_leader):  # type: ignore[no-untyped-def]
    """Two leads with a few transitions each: chains of several rows."""
    leads = []
    for _ in range(2):
        lead = fire(make_lead(haidian_officer), "submit", haidian_officer)
        lead = fire(lead, "confirm", city_officer)
        fire(lead, "request_push", haidian_leader, reason="lacks_capacity", note="无地")
        leads.append(lead)
    return leads


def rows_of(lead):  # type: ignore[no-untyped-def]
    return list(TransitionRecord.objects.filter(subject_id=lead.pk).order_by("id"))


def test_each_row_is_chained_to_the_one_before(history):
    first, second, third = rows_of(history[0])
    assert (first.prev_hash, second.prev_hash, third.prev_hash) == ("", first.hash, second.hash)
    assert len({first.hash, second.hash, third.hash}) == 3
    assert list(verify()) == []
    call_command("verify_history")


def sql(statement, *params):  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_row_edited_behind_the_applications_back_is_reported(history):
    _first, second, _third = rows_of(history[1])
    sql("UPDATE workflow_transitionrecord SET rule = %s WHERE id = %s", "伪造的规则", second.pk)
    (broken,) = verify()
    assert (broken.subject_id, broken.record_id, broken.reason) == (
        history[1].pk, second.pk, "was changed after it was written"
    )  # fmt: skip
    with pytest.raises(CommandError, match="1 broken history chain"):
        call_command("verify_history")


def test_a_removed_row_breaks_the_chain_at_the_next(history):
    first, second, third = rows_of(history[0])
    sql("DELETE FROM workflow_transitionrecord WHERE id = %s", second.pk)
    (broken,) = verify()
    assert (broken.record_id, broken.reason.startswith("does not follow")) == (third.pk, True)


def test_a_changed_actor_or_parameter_is_reported_too(history):
    _first, _second, third = rows_of(history[0])
    sql(
        "UPDATE workflow_transitionrecord SET params = %s WHERE id = %s",
        '{"reason": "not_fit_positioning"}',
        third.pk,
    )
    assert [b.record_id for b in verify()] == [third.pk]
