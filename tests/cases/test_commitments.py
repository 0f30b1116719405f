"""Commitment-based approvals in the pilot zones (§6), black-box over /api/commitments/ where it matters."""

import pytest
from rest_framework.test import APIClient

from cases.commitments import services
from cases.commitments.machine import COMMITMENT
from cases.demo import credit_code, person
from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.models import Breach, CommitmentApplication
from notifications.models import Notification
from tests.helpers import at
from workflow import engine
from workflow.due import process_due
from workflow.models import Clock, TransitionRecord

T0 = at("2026-12-01 09:00")


def application(serial=1, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "project_name": f"怀柔科学城智能装备厂房 {serial}",
        "company_name": f"北京承诺制科技有限公司{serial}",
        "credit_code": credit_code(700000 + serial),
        "zone": "huairou_science_city",
        "unit": "huairou",
        "project_type": "factory",
        "investment_nature": "social",
        "land_supply": "transfer",
        "industrial_content": True,
    }
    return data | overrides


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    return {name: person(name) for name in (
        "huairou_officer", "huairou_leader", "changping_officer", "changping_leader", "city_officer", "city_leader",
    )}  # fmt: skip


@pytest.fixture
def standard(people):  # type: ignore[no-untyped-def]
    return services.standard_publish(
        actor=people["city_officer"], data={"zone": "huairou_science_city", "items": ["容积率不低于1.0", "投资强度不低于800万元/亩"]},
        now=at("2026-11-01 09:00"),
    )  # fmt: skip


def fire(app, name, who, people, now=T0, **params):  # type: ignore[no-untyped-def]
    return engine.fire(COMMITMENT, pk=app.pk, name=name, actor=people[who], params=params, now=now)


def snapshot(app):  # type: ignore[no-untyped-def]
    return (
        CommitmentApplication.objects.filter(pk=app.pk).values().get(),
        TransitionRecord.objects.filter(subject_id=app.pk, transition__in=COMMITMENT.transitions).count(),
        Clock.objects.filter(subject_id=app.pk).count(),
        Breach.objects.count(),
    )


@pytest.fixture
def draft(people):  # type: ignore[no-untyped-def]
    return services.commitment_create(actor=people["huairou_officer"], data=application(), now=T0)


@pytest.fixture
def submitted(draft, people):  # type: ignore[no-untyped-def]
    return fire(draft, "submit", "huairou_officer", people)


@pytest.fixture
def approved(submitted, people, standard):  # type: ignore[no-untyped-def]
    return fire(submitted, "approve", "huairou_leader", people, commitments=["严格按标准建设", "按期投产"])


@pytest.fixture
def rectifying(approved, people):  # type: ignore[no-untyped-def]
    return fire(approved, "record_inspection", "huairou_officer", people, now=at("2027-01-10 09:00"),
                result="rectify", findings="厂房容积率未达标")  # fmt: skip


# --- eligibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"zone": "zhongguancun", "unit": "haidian"}, "pilot zones"),
        ({"unit": "changping"}, "does not contain"),
        ({"project_type": "other"}, "warehouse and factory"),
        ({"industrial_content": False}, "production-line"),
        ({"investment_nature": "government"}, "social"),
        ({"land_supply": "allocation"}, "transfer"),
        ({"land_supply": "lease"}, "transfer"),
    ],
)
def test_every_ineligible_application_is_refused_with_its_reason(people, overrides, words):
    from django.utils import translation

    if overrides.get("zone") == "zhongguancun":  # an area that is not one of the four pilot zones
        from workflow.models import OrgUnit, PilotZone

        zone = PilotZone.objects.create(slug="zhongguancun", name_zh="中关村", name_en="Zhongguancun")
        zone.units.add(OrgUnit.objects.get(code="haidian"))
        actor = person("haidian_officer")
    else:
        actor = (
            people["changping_officer"] if overrides.get("unit") == "changping" else people["huairou_officer"]
        )
    with pytest.raises(Invalid) as err:
        services.commitment_create(actor=actor, data=application(**overrides), now=T0)
    assert err.value.code == "ineligible"
    with translation.override("en"):
        assert words in err.value.text()
    assert CommitmentApplication.objects.count() == 0


def test_every_reason_is_listed_at_once(people):
    with pytest.raises(Invalid) as err:
        services.commitment_create(
            actor=people["huairou_officer"],
            data=application(project_type="warehouse", industrial_content=False, investment_nature="government",
                             land_supply="lease"),
            now=T0,
        )  # fmt: skip
    assert err.value.text().count("；") + err.value.text().count("; ") >= 2


def test_an_eligible_application_starts_as_a_draft_with_its_reason(draft):
    assert (draft.state, draft.unit.code, draft.zone.slug) == ("draft", "huairou", "huairou_science_city")
    assert draft.eligibility_reason.startswith("§6")


def test_only_an_officer_of_the_handling_unit_registers(people):
    for who in ("changping_officer", "huairou_leader", "city_officer"):
        with pytest.raises(NotPermitted):
            services.commitment_create(actor=people[who], data=application(), now=T0)


def test_the_miyun_part_of_huairou_science_city_is_handled_by_miyun(people):
    from workflow.models import OrgUnit
    from workflow.services import member_add

    officer = person("miyun_officer")
    member_add(user=officer, unit=OrgUnit.objects.get(code="miyun"), role="officer")
    app = services.commitment_create(actor=officer, data=application(unit="miyun"), now=T0)
    assert app.unit.code == "miyun"


# --- transitions -----------------------------------------------------------------------------------


def test_approval_records_the_commitments_and_the_standards_version(approved, standard):
    assert approved.state == "approved"
    assert approved.commitments == ["严格按标准建设", "按期投产"]
    assert approved.standard == standard and standard.version == 1
    assert approved.clock.deadline_at == at("2027-03-01 09:00")  # 90 days


def test_a_later_version_does_not_change_what_was_committed_to(approved, people):
    v2 = services.standard_publish(
        actor=people["city_leader"], data={"zone": "huairou_science_city", "items": ["新标准"]}
    )
    other = services.commitment_create(actor=people["huairou_officer"], data=application(2), now=T0)
    fire(other, "submit", "huairou_officer", people)
    other = fire(other, "approve", "huairou_leader", people, commitments=["按新标准建设"])
    approved.refresh_from_db()
    assert (approved.standard.version, other.standard.version, v2.version) == (1, 2, 2)


def test_approval_without_published_standards_is_a_conflict(submitted, people):
    before = snapshot(submitted)
    with pytest.raises(Conflict) as err:
        fire(submitted, "approve", "huairou_leader", people, commitments=["x"])
    assert err.value.code == "no_standard"
    assert snapshot(submitted) == before


def test_approval_needs_a_list_of_commitments(submitted, people, standard):
    for bad in ([], "", ["", "  "], [{"a": 1}]):
        with pytest.raises(Invalid):
            fire(submitted, "approve", "huairou_leader", people, commitments=bad)


def test_reject_and_return(submitted, people):
    returned = fire(submitted, "return", "huairou_leader", people, reason="补充设备投资清单")
    assert (returned.state, returned.decision_reason) == ("draft", "补充设备投资清单")
    fire(returned, "submit", "huairou_officer", people)
    rejected = fire(returned, "reject", "huairou_leader", people, reason="不属于产业化项目")
    assert rejected.state == "rejected"


def test_a_compliant_inspection_stops_the_clock(approved, people):
    app = fire(approved, "record_inspection", "huairou_officer", people, result="compliant", findings="")
    assert (app.state, app.clock.status) == ("compliant", "stopped")


def test_a_finding_starts_a_30_day_rectification_clock(rectifying):
    assert rectifying.state == "rectifying"
    assert (rectifying.clock.kind, rectifying.clock.deadline_at) == (
        "commitment_rectification",
        at("2027-02-09 09:00"),
    )
    assert rectifying.findings == "厂房容积率未达标"


def test_rectification_needs_findings(approved, people):
    with pytest.raises(Invalid):
        fire(approved, "record_inspection", "huairou_officer", people, result="rectify", findings=" ")


def test_confirm_rectified(rectifying, people):
    assert fire(rectifying, "confirm_rectified", "huairou_leader", people).state == "compliant"


def test_revocation_records_a_breach_that_bars_the_enterprise(rectifying, people):
    app = fire(
        rectifying, "revoke", "huairou_leader", people, now=at("2027-02-20 09:00"), reason="逾期未整改"
    )
    assert app.state == "revoked"
    breach = Breach.objects.get()
    assert (breach.credit_code, breach.barred_until) == (app.credit_code, at("2030-02-19 09:00"))
    with pytest.raises(Conflict) as err:
        services.commitment_create(
            actor=people["huairou_officer"], data=application(), now=at("2029-01-01 09:00")
        )
    assert err.value.code == "breach_bar" and "2030-02-19" in err.value.text()
    later = services.commitment_create(
        actor=people["huairou_officer"], data=application(), now=at("2030-02-20 09:00")
    )
    assert later.state == "draft"


@pytest.mark.parametrize(
    ("state", "name", "who", "params"),
    [
        ("draft", "submit", "huairou_leader", {}),
        ("submitted", "approve", "huairou_officer", {"commitments": ["x"]}),
        ("submitted", "reject", "huairou_officer", {"reason": "x"}),
        ("submitted", "return", "city_officer", {"reason": "x"}),
        ("approved", "record_inspection", "huairou_leader", {"result": "compliant"}),
        ("rectifying", "confirm_rectified", "huairou_officer", {}),
        ("rectifying", "revoke", "huairou_officer", {"reason": "x"}),
        ("submitted", "approve", "changping_leader", {"commitments": ["x"]}),
    ],
)
def test_the_wrong_people_are_refused_and_nothing_changes(
    request, standard, people, state, name, who, params
):
    app = request.getfixturevalue(state)
    before = snapshot(app)
    # another unit's leader cannot see the application at all: for them it does not exist
    with pytest.raises(NotFound if who == "changping_leader" else NotPermitted):
        fire(app, name, who, people, **params)
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("state", "name", "who", "params"),
    [
        ("draft", "approve", "huairou_leader", {"commitments": ["x"]}),
        ("submitted", "submit", "huairou_officer", {}),
        ("approved", "revoke", "huairou_leader", {"reason": "x"}),
        ("approved", "confirm_rectified", "huairou_leader", {}),
        ("rectifying", "record_inspection", "huairou_officer", {"result": "compliant"}),
    ],
)
def test_the_wrong_state_is_a_conflict_and_nothing_changes(
    request, standard, people, state, name, who, params
):
    app = request.getfixturevalue(state)
    before = snapshot(app)
    with pytest.raises(Conflict):
        fire(app, name, who, people, **params)
    assert snapshot(app) == before


# --- clocks ------------------------------------------------------------------------------------------


def told(kind):  # type: ignore[no-untyped-def]
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_the_inspection_clock_warns_then_escalates_to_the_leader_exactly_once(approved):
    process_due(now=at("2027-02-15 09:00"))  # 14 days before the 90-day deadline
    assert told("commitment_due_soon") == ["huairou_leader", "huairou_officer"]
    for day in ("2027-02-26 09:00", "2027-03-01 09:00", "2027-03-01 09:00", "2027-03-08 09:00"):
        process_due(now=at(day))
    assert told("commitment_overdue") == ["huairou_leader"]
    assert told("commitment_due_soon") == [
        "huairou_leader",
        "huairou_leader",
        "huairou_officer",
        "huairou_officer",
    ]


def test_the_rectification_clock_escalates_once_and_inspection_stops_its_clock(rectifying):
    process_due(now=at("2027-03-20 09:00"))
    process_due(now=at("2027-03-21 09:00"))
    assert told("commitment_overdue") == [
        "huairou_leader"
    ]  # the rectification's, not the finished inspection's
    assert Clock.objects.get(kind="commitment_inspection").status == "stopped"


# --- visibility and the API ------------------------------------------------------------------------


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_huairou_officer_cannot_see_a_changping_application(people):
    cp = services.commitment_create(
        actor=people["changping_officer"],
        data=application(3, zone="future_science_city", unit="changping"),
        now=T0,
    )
    hr = api(people["huairou_officer"])
    assert hr.get(f"/api/commitments/{cp.pk}/").status_code == 404
    assert hr.get("/api/commitments/").json()["count"] == 0
    assert hr.post(f"/api/commitments/{cp.pk}/transitions/submit/", {}, format="json").status_code == 404
    assert api(people["city_leader"]).get("/api/commitments/").json()["count"] == 1


def test_the_api_contract(people, standard):
    officer, leader = api(people["huairou_officer"]), api(people["huairou_leader"])
    created = officer.post("/api/commitments/", application(4), format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["state"], body["zone"], body["unit"], body["available_transitions"]) == (
        "draft", "huairou_science_city", "huairou", ["submit"]
    )  # fmt: skip
    pk = body["id"]
    assert officer.post(f"/api/commitments/{pk}/transitions/approve/", {}, format="json").status_code == 409
    assert officer.post(f"/api/commitments/{pk}/transitions/submit/", {}, format="json").status_code == 200
    assert (
        leader.post(
            f"/api/commitments/{pk}/transitions/approve/", {"commitments": []}, format="json"
        ).status_code
        == 400
    )
    body = leader.post(
        f"/api/commitments/{pk}/transitions/approve/", {"commitments": ["按标准建设"]}, format="json"
    ).json()
    assert (body["state"], body["standard_version"], body["clock"]["kind"]) == (
        "approved",
        1,
        "commitment_inspection",
    )
    assert body["history"][-1]["transition"] == "approve"
    bad = officer.post("/api/commitments/", application(5, land_supply="lease"), format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "ineligible"
    assert officer.post("/api/commitments/standards/", {"zone": "huairou_science_city", "items": ["x"]},
                        format="json").status_code == 403  # fmt: skip
    published = api(people["city_officer"]).post(
        "/api/commitments/standards/", {"zone": "huairou_science_city", "items": ["新标准"]}, format="json"
    )
    assert (published.status_code, published.json()["version"]) == (201, 2)
