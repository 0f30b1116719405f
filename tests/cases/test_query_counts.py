"""No list grows with its page: every list of the HTTP API and every list page of the web app issues the
same number of SQL queries for a page of a few rows as for a page of 12–20 (per-row history, clocks,
permission checks and related rows are read in bulk, once per page)."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.commitments import services as commitments
from cases.commitments.machine import COMMITMENT
from cases.demo import credit_code, person
from cases.models import Credit, PolicyVersion, Referrer, RewardCase
from cases.outcomes import services as outcomes
from tests.helpers import at, fire
from workflow import engine, refcache
from workflow.models import OrgUnit

T0 = at("2026-12-01 09:00")
FEW, MANY = 2, 16
LEADS = {"few": 3, "many": 16}  # `cases` makes leads in three states in turn: a few rows hold each


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def browser(user: Any) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def queries(client: Client, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response


def rows_of(response: Any, marker: str | None) -> int:
    """How many rows the page shows: an API page's results, or how often `marker` is in a web page."""
    if marker is not None:
        return response.content.decode().count(marker)
    body = response.json()
    return len(body["results"] if "results" in body else body["targets"])


def assert_constant(
    client: Client,
    url: str,
    add: Callable[[int], Any],
    *,
    marker: str | None = None,
    few: int = FEW,
    many: int = MANY,
) -> None:
    """`add(n)` makes n more rows of the list; the page costs as many queries with `few` as with `many`
    (`marker`: what marks a row on a web page)."""
    add(few)
    client.get(url)  # warm the caches (content types, sessions, the statutory calendar)
    n_few, first = queries(client, url)
    add(many - few)
    client.get(url)  # a change to remembered rows (workflow.refcache) is read again once
    n_many, second = queries(client, url)
    shown = (rows_of(first, marker), rows_of(second, marker))
    assert 0 < shown[0] < shown[1], shown  # the second page really holds more rows
    assert n_many == n_few, f"{url}: {n_few} queries for {shown[0]} rows, {n_many} for {shown[1]}"


# --- data ------------------------------------------------------------------------------------------


class Serial:
    def __init__(self, start: int) -> None:
        self.next = start

    def __call__(self) -> int:
        self.next += 1
        return self.next


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    return {
        name: person(name)
        for name in ("huairou_officer", "huairou_leader", "city_officer", "city_leader", "haidian_officer",
                     "haidian_leader")
    }  # fmt: skip


@pytest.fixture
def applications(people):  # type: ignore[no-untyped-def]
    """`add(n)`: n more commitment applications in Huairou, in turn a draft, submitted, approved (the
    inspection clock running) and rectifying, each with its history."""
    commitments.standard_publish(
        actor=people["city_officer"], data={"zone": "huairou_science_city", "items": ["容积率不低于1.0"]},
        now=at("2026-11-01 09:00"),
    )  # fmt: skip
    serial = Serial(700000)
    steps = [
        [],
        [("submit", "huairou_officer", {})],
        [("submit", "huairou_officer", {}), ("approve", "huairou_leader", {"commitments": ["按期投产"]})],
        [("submit", "huairou_officer", {}), ("approve", "huairou_leader", {"commitments": ["按期投产"]}),
         ("record_inspection", "huairou_officer", {"result": "rectify", "findings": "容积率未达标"})],
    ]  # fmt: skip

    def add(n: int) -> None:
        for _ in range(n):
            s = serial()
            app = commitments.commitment_create(
                actor=people["huairou_officer"],
                data={
                    "project_name": f"怀柔科学城厂房 {s}", "company_name": f"北京承诺制科技有限公司{s}",
                    "credit_code": credit_code(s), "zone": "huairou_science_city", "unit": "huairou",
                    "project_type": "factory", "investment_nature": "social", "land_supply": "transfer",
                    "industrial_content": True,
                },
                now=T0,
            )  # fmt: skip
            for name, who, params in steps[s % len(steps)]:
                engine.fire(COMMITMENT, pk=app.pk, name=name, actor=people[who], params=params, now=T0)

    return add


@pytest.fixture
def cases(make_lead, people):  # type: ignore[no-untyped-def]
    """`add(n)`: n more Haidian leads, in turn awaiting the city's confirmation, negotiating (the clock
    running) and with progress to review: rows in the city's pool, the officer's and the leader's queue."""
    officer, city = people["haidian_officer"], people["city_officer"]
    steps = [
        [("submit", officer, {})],
        [("submit", officer, {}), ("confirm", city, {})],
        [("submit", officer, {}), ("confirm", city, {}),
         ("report_progress", officer, {"milestone": "agreement_signed", "date": "2026-11-30", "evidence": "协议"})],
    ]  # fmt: skip
    made = [0]

    def add(n: int) -> None:
        for _ in range(n):
            lead = make_lead(officer)
            for name, who, params in steps[made[0] % len(steps)]:
                lead = fire(lead, name, who, now=at("2026-11-30 09:00"), **params)
            made[0] += 1

    return add


@pytest.fixture
def leads(make_lead, people):  # type: ignore[no-untyped-def]
    """`add(n)`: n more Haidian drafts brought by an agency."""

    def add(n: int) -> list:
        return [make_lead(people["haidian_officer"], referrer="某招商服务公司") for _ in range(n)]

    return add


# --- the API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["huairou_officer", "huairou_leader", "city_officer"])
@pytest.mark.parametrize("query", ["", "?state=draft,submitted,approved,rectifying&unit=huairou"])
def test_commitments_api(applications, people, who, query):
    assert_constant(api(people[who]), f"/api/commitments/{query}", applications)


@pytest.mark.parametrize("who", ["huairou_officer", "huairou_leader", "city_officer"])
def test_a_commitment_in_the_list_reads_exactly_as_on_its_own(applications, people, who):
    """The page's bulk reads (grants, history, clock) give each row what the application's own answer gives."""
    applications(8)
    client = api(people[who])
    rows = client.get("/api/commitments/").json()["results"]
    assert {r["state"] for r in rows} == {"draft", "submitted", "approved", "rectifying"}
    assert any(r["history"] for r in rows) and any(r["clock"] for r in rows)
    assert any(r["available_transitions"] for r in rows) is (who != "city_officer")
    for row in rows:
        assert client.get(f"/api/commitments/{row['id']}/").json() == row


def standards(people: dict) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            commitments.standard_publish(
                actor=people["city_officer"],
                data={"zone": "huairou_science_city", "items": ["容积率不低于1.0"]},
            )

    return add


def test_commitment_standards_api(people):
    assert_constant(api(people["huairou_officer"]), "/api/commitments/standards/", standards(people))


@pytest.mark.parametrize("who", ["haidian_officer", "haidian_leader", "city_officer"])
@pytest.mark.parametrize("url", ["/api/leads/", "/api/queue/"])
def test_lead_lists_api(cases, people, who, url):
    assert_constant(api(people[who]), url, cases, **LEADS)


@pytest.mark.parametrize("who", ["haidian_leader", "city_officer"])
def test_kpi_leads_api(cases, people, who):
    url = "/api/kpis/leads/?figure=submitted&from=2026-11-01&to=2026-12-31"
    assert_constant(api(people[who]), url, cases, **LEADS)


@pytest.mark.parametrize("who", ["haidian_leader", "city_officer"])
def test_credits_api(leads, people, who):
    haidian = OrgUnit.objects.get(code="haidian")

    def add(n: int) -> None:
        Credit.objects.bulk_create(
            [
                Credit(lead=lead, unit=haidian, referrer=lead.referrer, kind="landing", at=T0)
                for lead in leads(n)
            ]
        )

    assert_constant(api(people[who]), "/api/credits/", add)


STATES = ["open", "approved", "paid", "rejected"]


def rewards(leads: Callable[[int], list]) -> Callable[[int], None]:
    haidian = OrgUnit.objects.get(code="haidian")
    agency = Referrer.objects.get_or_create(name="某招商服务公司", kind=Referrer.Kind.AGENCY)[0]

    def add(n: int) -> None:
        RewardCase.objects.bulk_create(
            [
                RewardCase(lead=lead, unit=haidian, agency=agency, amount_cny=Decimal("10000000"),
                           facts={"rule": "§15"}, opened_at=T0, state=STATES[i % len(STATES)])
                for i, lead in enumerate(leads(n))
            ]
        )  # fmt: skip

    return add


@pytest.mark.parametrize("who", ["haidian_leader", "city_officer"])
def test_rewards_api(leads, people, who):
    assert_constant(api(people[who]), "/api/rewards/", rewards(leads))


def test_units_api(people):
    parent = OrgUnit.objects.get(code="haidian")

    def add(n: int) -> None:
        start = OrgUnit.objects.filter(code__startswith="extra").count()
        for i in range(start, start + n):
            unit = OrgUnit.objects.create(code=f"extra{i}", name_zh=f"园区{i}", name_en=f"Zone {i}", level="zone",
                                          parent=parent)  # fmt: skip
            unit.leading_industries.set(parent.leading_industries.all())

    # every unit is on the page; the number of units grows from ~20 to ~40
    assert_constant(api(people["haidian_officer"]), "/api/units/?page_size=1000", add, few=1, many=20)


def targets(people: dict) -> Callable[[int], None]:
    codes = list(OrgUnit.objects.exclude(level="city").order_by("id").values_list("code", flat=True))
    assert len(codes) >= 12
    done = [0]

    def add(n: int) -> None:
        done[0] += n
        outcomes.targets_set(
            actor=people["city_leader"],
            data={"year": 2026, "targets": [{"unit": c, "leads_landed": 3, "investment_landed_cny": "100000000"}
                                             for c in codes[: done[0]]]},
        )  # fmt: skip

    return add


def test_targets_api(people):
    assert_constant(
        api(people["haidian_officer"]), "/api/targets/?year=2026", targets(people), few=1, many=12
    )


def versions(people: dict) -> Callable[[int], None]:
    def add(n: int) -> None:
        start = PolicyVersion.objects.count()
        PolicyVersion.objects.bulk_create(
            [
                PolicyVersion(version=start + i + 1, effective_from="2027-01-01", basis=f"决定 {i}", no_progress_months=3,
                              warning_days=[30, 7], remind_working_days=5, escalate_working_days=10, inspection_days=90,
                              rectification_days=30, service_request_working_days=10, published_by=people["city_leader"],
                              published_at=T0)
                for i in range(n)
            ]
        )  # fmt: skip
        refcache.bump()  # written in bulk: no signal renews the processes' memory of the versions

    return add


def test_policy_parameters_api(people):
    assert_constant(api(people["haidian_officer"]), "/api/policy/parameters/", versions(people))


def test_policy_parameters_preview_api(cases, people):
    """The what-if preview lists the moved leads (POST): as many queries for 3 running clocks as for 16."""
    client = api(people["city_leader"])

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                "/api/policy/parameters/preview/", {"no_progress_months": 4}, format="json"
            )
        assert response.status_code == 200, response.json()
        return len(ctx.captured_queries), response.json()["examined"]

    cases(3)
    count()  # warm the caches
    few, shown_few = count()
    cases(13)
    many, shown_many = count()
    assert 0 < shown_few < shown_many
    assert many == few, f"preview: {few} queries for {shown_few} clocks, {many} for {shown_many}"


@pytest.mark.parametrize("who", ["city_officer", "haidian_officer", "haidian_leader"])
def test_notifications_api(cases, people, who):
    assert_constant(api(people[who]), "/api/notifications/", cases, **LEADS)


# --- the web app ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["huairou_officer", "huairou_leader", "city_officer"])
def test_commitment_queue_page(applications, people, who):
    # four: one of each kind, so every paged part of the page reads its rows in both counts (an empty
    # part reads nothing)
    assert_constant(
        browser(people[who]), "/cases/commitments/", applications, marker="data-commitment=", few=4
    )


def test_commitment_standards_page(people):
    assert_constant(
        browser(people["city_officer"]), "/cases/commitments/standards/", standards(people), marker="<ol>"
    )


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/cases/queue/", "haidian_officer"),
        ("/cases/queue/", "haidian_leader"),
        ("/cases/queue/", "city_officer"),
        ("/cases/leads/", "haidian_officer"),
        ("/cases/leads/", "haidian_leader"),
        ("/cases/leads/", "city_officer"),
        ("/cases/leads/?sort=deadline&state=negotiating", "haidian_officer"),
        ("/cases/leads/?sort=deadline&state=negotiating", "city_officer"),
    ],
)
def test_lead_pages(cases, people, url, who):
    assert_constant(browser(people[who]), url, cases, marker="data-lead=", **LEADS)


@pytest.mark.parametrize("who", ["haidian_leader", "city_officer"])
def test_kpi_leads_page(cases, people, who):
    url = "/cases/kpis/leads/?figure=submitted&from=2026-11-01&to=2026-12-31"
    assert_constant(browser(people[who]), url, cases, marker="data-lead=", **LEADS)


def test_targets_page(people):
    # every unit has a row (a district's people see their own only); those with a target name who set it
    assert_constant(browser(people["city_leader"]), "/cases/kpis/targets/?year=2026", targets(people),
                    marker="city_leader ·", few=1, many=12)  # fmt: skip


@pytest.mark.parametrize("who", ["haidian_leader", "city_officer"])
def test_rewards_page(leads, people, who):
    assert_constant(browser(people[who]), "/cases/rewards/", rewards(leads), marker="data-reward=")


def test_policy_parameters_page(people):
    assert_constant(browser(people["city_leader"]), "/cases/parameters/", versions(people), marker="<td>v")


@pytest.mark.parametrize("who", ["city_officer", "haidian_officer", "haidian_leader"])
def test_notifications_page(cases, people, who):
    assert_constant(
        browser(people[who]), "/cases/notifications/", cases, marker="data-notification=", **LEADS
    )
