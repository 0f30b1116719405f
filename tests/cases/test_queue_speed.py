"""The queue's fast SQL (cases.leads.selectors.lead_queue, lead_queue_count) finds exactly what the
plain one did, and a list page costs a fixed number of queries; browser sessions are renewed once per
refresh window instead of being written by every request (config/sessions.py)."""

import random
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import access
from cases.api.pagination import COUNT_CAP
from cases.leads import selectors
from cases.leads.machine import LEAD
from cases.models import Lead, LeadGroupObjectPermission, State
from tests.helpers import at
from workflow.models import OrgUnit, RoleGroup
from workflow.services import grants_sync_many, member_add

NOW = at("2026-11-30 09:00")
PAGE = 50


def plain_queue(user):  # type: ignore[no-untyped-def]
    """The queue as it was written before it was made fast: the reference."""
    cond = Q(state__in=selectors.LEADER_WAITS_ON, pk__in=selectors._granted(user, access.APPROVE)) | Q(
        state__in=selectors.OFFICER_WAITS_ON, pk__in=selectors._granted(user, access.WORK)
    )
    if user.has_perm(access.DISPATCH):
        cond |= Q(state__in=selectors.CITY_POOL)
    return Lead.objects.filter(cond).order_by("-created_at", "-id")


def leads_in_every_state(template: Lead, per_state: int, units: list[OrgUnit]) -> list[Lead]:
    """Copies of `template`, `per_state` in each state, over `units`, with the grants the machine gives
    each state; several share a creation time (the order falls back to the id)."""
    row = Lead.objects.filter(pk=template.pk).values().get()
    for name in ("id", "clock_id"):
        row.pop(name)
    made = []
    serial = 0
    for state in State.values:
        for _ in range(per_state):
            serial += 1
            unit = units[serial % len(units)]
            assigned = state not in (State.DRAFT, State.PENDING_CONFIRMATION, State.PENDING_ASSIGNMENT)
            made.append(
                Lead(
                    **{
                        **row,
                        "state": state,
                        "credit_code": f"Q{serial:017d}",
                        "discovering_unit_id": unit.pk,
                        "unit_id": unit.pk if assigned else None,
                        "created_at": NOW - timedelta(minutes=serial // 3),
                    }
                )
            )
    made = Lead.objects.bulk_create(made)
    grants_sync_many(LEAD.grants(made))
    return made


def scramble_grants(leads: list[Lead], seed: int) -> None:
    """Grants the machine would never give (approve on drafts, work to other units, a lead granted
    to two of one person's groups): the two queries must agree on any grants whatever."""
    rng = random.Random(seed)
    perms = list(Permission.objects.filter(codename__in=[access.WORK, access.APPROVE, access.VIEW]))
    groups = list(RoleGroup.objects.values_list("group_id", flat=True))
    have = set(
        LeadGroupObjectPermission.objects.values_list("content_object_id", "group_id", "permission_id")
    )
    extra = {(rng.choice(leads).pk, rng.choice(groups), rng.choice(perms).pk) for _ in range(len(leads))}
    LeadGroupObjectPermission.objects.bulk_create(
        [
            LeadGroupObjectPermission(content_object_id=o, group_id=g, permission_id=p)
            for o, g, p in extra - have
        ]
    )
    gone = rng.sample(list(LeadGroupObjectPermission.objects.values_list("pk", flat=True)), k=len(leads) // 4)
    LeadGroupObjectPermission.objects.filter(pk__in=gone).delete()


@pytest.fixture
def people(
    city_officer,
    city_leader,
    haidian_officer,
    haidian_leader,
    shunyi_officer,
    shunyi_leader,
    bda_officer,
    outsider,
):
    from django.contrib.auth import get_user_model

    from cases import demo

    two_units = demo.person("two_units")  # officer in Haidian and leader in Shunyi
    member_add(user=two_units, unit=OrgUnit.objects.get(code="haidian"), role="officer")
    member_add(user=two_units, unit=OrgUnit.objects.get(code="shunyi"), role="leader")
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)
    member_add(user=root, unit=OrgUnit.objects.get(code="bda"), role="leader")
    gone = demo.person("gone_dispatcher")  # inactive: no dispatching, yet the grants still count
    gone.user_permissions.add(Permission.objects.get(codename="dispatch_lead"))
    member_add(user=gone, unit=OrgUnit.objects.get(code="haidian"), role="leader")
    gone.is_active = False
    gone.save()
    direct = demo.person("direct_dispatcher")  # the permission given to the person, not a group
    direct.user_permissions.add(Permission.objects.get(codename="dispatch_lead"))
    return [
        city_officer, city_leader, haidian_officer, haidian_leader, shunyi_officer, shunyi_leader, bda_officer,
        outsider, two_units, root, gone, direct,
    ]  # fmt: skip


def fresh(user):  # type: ignore[no-untyped-def]
    """The user read again: has_perm memoises permissions on the instance."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_the_queue_finds_the_same_leads_in_the_same_order_and_counts_them_the_same(
    seed, people, make_lead, haidian_officer
):
    units = list(OrgUnit.objects.filter(code__in=["haidian", "shunyi", "bda"]).order_by("code"))
    leads = leads_in_every_state(make_lead(haidian_officer), per_state=7, units=units)
    if seed is not None:
        scramble_grants(leads, seed)
    seen = set()
    for person in people:
        want = list(plain_queue(fresh(person)).values_list("pk", flat=True))
        rights = selectors.queue_rights(user=fresh(person))
        got = list(selectors.lead_queue(user=fresh(person), rights=rights).values_list("pk", flat=True))
        assert got == want, person.username
        assert selectors.lead_queue_count(user=fresh(person), rights=rights) == len(want), person.username
        for limit in (1, 3, len(want) + 1):
            assert selectors.lead_queue_count(user=fresh(person), rights=rights, limit=limit) == min(
                limit, len(want)
            )
        assert rights.dispatches == fresh(person).has_perm(access.DISPATCH), person.username
        assert selectors.sees_every_lead(user=fresh(person)) == fresh(person).has_perm("cases.view_lead")
        seen.update(Lead.objects.filter(pk__in=want).values_list("state", flat=True))
    # every state that waits on someone was in someone's queue
    assert seen == set(selectors.CITY_POOL + selectors.LEADER_WAITS_ON + selectors.OFFICER_WAITS_ON)


def test_a_lead_granted_to_two_of_ones_groups_is_counted_once(make_lead, haidian_officer):
    both = Group.objects.get(role_of__unit__code="haidian", role_of__role="leader")
    haidian_officer.groups.add(both)  # officer and leader of Haidian: work granted to both groups
    lead = make_lead(haidian_officer)  # a draft: Haidian's officers and leaders work it
    rights = selectors.queue_rights(user=haidian_officer)
    assert len(rights.groups[access.WORK]) == 2
    assert selectors.lead_queue_count(user=haidian_officer, rights=rights) == 1
    assert list(selectors.lead_queue(user=haidian_officer, rights=rights)) == [lead]


def test_a_person_whose_groups_hold_no_grants_has_an_empty_queue_without_looking(
    city_leader, make_lead, haidian_officer
):
    make_lead(haidian_officer)
    rights = selectors.queue_rights(user=city_leader)
    assert rights.groups == {access.WORK: (), access.APPROVE: ()} and not rights.dispatches
    with CaptureQueriesContext(connection) as queries:
        assert list(selectors.lead_queue(user=city_leader, rights=rights)) == []
        assert selectors.lead_queue_count(user=city_leader, rights=rights) == 0
    assert len(queries) == 0


def get_queue(client: Client, path: str = "/api/queue/") -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return response.json(), [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("per_state", [1, 520])  # a few leads; more than a page and than the cap
def test_the_queue_api_serves_the_same_pages_and_count_in_at_most_six_queries(
    per_state, people, make_lead, haidian_officer
):
    haidian = OrgUnit.objects.get(code="haidian")
    leads = leads_in_every_state(make_lead(haidian_officer), per_state=per_state, units=[haidian])
    assert len(leads) == per_state * len(State.values)
    for person in people:
        if not fresh(person).is_active:
            continue  # a session cannot carry them
        want = list(plain_queue(fresh(person)).values_list("pk", flat=True))
        client = Client()
        client.force_login(person)
        body, queries = get_queue(client)
        assert len(queries) <= 6, (person.username, queries)
        assert [r["id"] for r in body["results"]] == want[:PAGE], person.username
        assert body["count_exact"] == (len(want) <= COUNT_CAP), person.username
        assert body["count"] == min(len(want), COUNT_CAP), person.username
        if len(want) > PAGE:
            body, queries = get_queue(client, "/api/queue/?page=2")
            assert [r["id"] for r in body["results"]] == want[PAGE : 2 * PAGE], person.username
            assert len(queries) <= 6
    officer_queue = len(plain_queue(fresh(haidian_officer)))  # and the draft the template is
    assert officer_queue == per_state * len(selectors.OFFICER_WAITS_ON) + 1
    if officer_queue > COUNT_CAP:  # a page past the cap counts exactly
        client = Client()
        client.force_login(haidian_officer)
        body, _ = get_queue(client, f"/api/queue/?page_size=1000&page={officer_queue // 1000 + 1}")
        assert body["count"] == officer_queue and body["count_exact"] is True


def test_the_lead_list_serves_the_same_page_in_at_most_six_queries(people, make_lead, haidian_officer):
    haidian = OrgUnit.objects.get(code="haidian")
    leads_in_every_state(make_lead(haidian_officer), per_state=10, units=[haidian])
    for person in people:
        if not fresh(person).is_active:
            continue
        want = list(selectors.lead_list(user=fresh(person)).values_list("pk", flat=True))
        client = Client()
        client.force_login(person)
        body, queries = get_queue(client, "/api/leads/")
        assert [r["id"] for r in body["results"]] == want[:PAGE], person.username
        assert body["count"] == len(want) and len(queries) <= 6, (person.username, queries)


# --- the session: an 8-hour idle timeout, written once per refresh window -------------------------


def session_writes(queries: list[str]) -> list[str]:
    return [q for q in queries if "django_session" in q and not q.lstrip().upper().startswith("SELECT")]


def visit(client: Client) -> tuple[int, list[str], bool]:
    """GET /api/units/: status, the session writes it made, whether it sent the session cookie."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/units/")
    sent = settings.SESSION_COOKIE_NAME in response.cookies
    return response.status_code, session_writes([q["sql"] for q in queries.captured_queries]), sent


def test_a_request_within_the_refresh_window_writes_nothing(haidian_officer):
    assert not getattr(settings, "SESSION_SAVE_EVERY_REQUEST", False)
    window = settings.SESSION_REFRESH_SECONDS
    client = Client()
    with time_machine.travel(NOW, tick=False):
        client.force_login(haidian_officer)
    for seconds in (0, 1, 60, window - 1):
        with time_machine.travel(NOW + timedelta(seconds=seconds), tick=False):
            assert visit(client) == (200, [], False)
    with time_machine.travel(NOW + timedelta(seconds=window), tick=False):
        status, writes, sent = visit(client)  # the window has passed: renewed, cookie and all
        assert (status, len(writes), sent) == (200, 1, True)
        assert writes[0].lstrip().upper().startswith("UPDATE")
        assert visit(client) == (200, [], False)  # and a new window begins


def test_an_active_session_is_kept_and_an_idle_one_ends_after_eight_hours(haidian_officer):
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert idle == timedelta(hours=8)
    client = Client()
    with time_machine.travel(NOW, tick=False):
        client.force_login(haidian_officer)
    last = NOW
    for step in (
        timedelta(hours=7, minutes=59),
        timedelta(hours=7),
        timedelta(minutes=6),
        timedelta(hours=7),
    ):
        last += step  # each request comes within eight hours of the one before: kept, all day long
        with time_machine.travel(last, tick=False):
            assert visit(client)[0] == 200
    with time_machine.travel(last + idle + timedelta(seconds=1), tick=False):
        assert visit(client)[0] == 401  # eight idle hours: signed out, on the API
        assert client.get("/cases/queue/").status_code == 302  # and on the pages


def test_the_idle_timeout_is_exact_to_the_refresh_window(haidian_officer):
    """A request within the window renews nothing, so a session may end up to a window early, never
    late: after a request 4 minutes after its last renewal, it ends 7 h 56 min later."""
    client = Client()
    with time_machine.travel(NOW, tick=False):
        client.force_login(haidian_officer)
    with time_machine.travel(NOW + timedelta(minutes=4), tick=False):
        assert visit(client) == (200, [], False)
    with time_machine.travel(NOW + timedelta(hours=8, seconds=1), tick=False):
        assert visit(client)[0] == 401


def test_a_session_that_is_gone_is_not_written_again(haidian_officer):
    from django.contrib.sessions.models import Session

    client = Client()
    with time_machine.travel(NOW, tick=False):
        client.force_login(haidian_officer)
    Session.objects.all().delete()  # signed out elsewhere, or expired and cleared
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert visit(client)[:2] == (401, [])
        assert not Session.objects.exists()
