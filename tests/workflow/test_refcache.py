"""The per-process memories of rarely-changing rows (workflow.refcache) are never stale: every change
gives the generation a new token in its own transaction, and a transition reads the token with its
case. Each test remembers first (a transition), then changes a row, then checks the next transition."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction

from notifications.models import Delivery, Notification, Preference
from tests.helpers import fire
from workflow import refcache
from workflow.models import Generation, Level, OrgUnit, Role
from workflow.services import member_add


def told(lead, kind="awaits_city"):  # type: ignore[no-untyped-def]
    return set(Notification.objects.filter(lead=lead, kind=kind).values_list("user__username", flat=True))


def submit_one(make_lead, officer):  # type: ignore[no-untyped-def]
    lead = make_lead(officer)
    fire(lead, "submit", officer)
    return lead


def new_city_officer(name="city_officer_2"):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(name, email=f"{name}@example.org", password="x")
    member_add(user=user, unit=OrgUnit.objects.get(level=Level.CITY), role=Role.OFFICER)
    return user


def test_a_new_member_is_told_at_the_next_transition(make_lead, haidian_officer, city_officer):
    assert told(submit_one(make_lead, haidian_officer)) == {"city_officer"}  # remembered now
    new_city_officer()
    assert told(submit_one(make_lead, haidian_officer)) == {"city_officer", "city_officer_2"}


def test_a_deactivated_person_is_no_longer_told(make_lead, haidian_officer, city_officer):
    colleague = new_city_officer()
    assert told(submit_one(make_lead, haidian_officer)) == {"city_officer", "city_officer_2"}
    colleague.is_active = False
    colleague.save()
    assert told(submit_one(make_lead, haidian_officer)) == {"city_officer"}


def test_turning_email_off_takes_effect_at_the_next_transition(make_lead, haidian_officer, city_officer):
    city_officer.email = "city@example.org"
    city_officer.save()
    first = submit_one(make_lead, haidian_officer)
    assert Delivery.objects.filter(notification__lead=first, channel="email").count() == 1
    Preference.objects.create(user=city_officer, email=False)
    second = submit_one(make_lead, haidian_officer)
    assert Delivery.objects.filter(notification__lead=second, channel="email").count() == 0


def test_a_login_does_not_renew_the_memories(city_officer):
    before = refcache.current_token()
    city_officer.save(update_fields=["last_login"])
    assert refcache.current_token() == before
    city_officer.save(update_fields=["email"])
    assert refcache.current_token() != before


def test_a_rolled_back_change_leaves_nothing_remembered(make_lead, haidian_officer, city_officer):
    submit_one(make_lead, haidian_officer)
    before = refcache.current_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        new_city_officer()
        assert told(submit_one(make_lead, haidian_officer)) == {"city_officer", "city_officer_2"}
        raise RuntimeError("the change is abandoned")
    assert refcache.current_token() == before  # the token went back with the change
    assert told(submit_one(make_lead, haidian_officer)) == {"city_officer"}


def test_without_a_generation_row_nothing_is_remembered(make_lead, haidian_officer, city_officer):
    Generation.objects.all().delete()  # as after a flush
    submit_one(make_lead, haidian_officer)
    new_city_officer()  # and the first change makes the row again
    assert Generation.objects.count() == 1
    assert told(submit_one(make_lead, haidian_officer)) == {"city_officer", "city_officer_2"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_a_change_committed_by_another_process_is_seen(make_lead, haidian_officer, city_officer):
    """Another connection (a second server or worker) adds a member and commits; this process, whose
    memory holds the old members, tells the new one at its next transition."""
    assert told(submit_one(make_lead, haidian_officer)) == {"city_officer"}

    def elsewhere() -> None:
        try:
            with transaction.atomic():
                new_city_officer("city_officer_3")
        finally:
            connections.close_all()

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join(30)
    assert told(submit_one(make_lead, haidian_officer)) == {"city_officer", "city_officer_3"}
