"""The HTTP API of DESIGN §8, black-box: paths, fields, parameter names and status codes."""

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from cases.demo import DEMO_PASSWORD, lead_data
from tests.helpers import at, today
from workflow.due import process_due


def client_for(user, lang="zh-hans"):  # type: ignore[no-untyped-def]
    client = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
    response = client.post(
        "/api/auth/token/", {"username": user.username, "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


@pytest.fixture
def hd(haidian_officer):  # type: ignore[no-untyped-def]
    return client_for(haidian_officer)


@pytest.fixture
def hl(haidian_leader):  # type: ignore[no-untyped-def]
    return client_for(haidian_leader)


@pytest.fixture
def city(city_officer):  # type: ignore[no-untyped-def]
    return client_for(city_officer)


@pytest.fixture
def sy(shunyi_officer):  # type: ignore[no-untyped-def]
    return client_for(shunyi_officer)


def post(client, path, body=None):  # type: ignore[no-untyped-def]
    return client.post(path, body or {}, format="json")


def act(client, lead_id, name, **params):  # type: ignore[no-untyped-def]
    return post(client, f"/api/leads/{lead_id}/transitions/{name}/", params)


@pytest.fixture
def lead_id(hd):  # type: ignore[no-untyped-def]
    response = post(hd, "/api/leads/", lead_data(1))
    assert response.status_code == 201
    return response.json()["id"]


def test_a_token_needs_the_right_password(haidian_officer):
    response = APIClient().post(
        "/api/auth/token/", {"username": "haidian_officer", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400


def test_anonymous_callers_are_refused():
    assert APIClient().get("/api/leads/").status_code == 401


def test_units_are_listed_with_pagination(hd):
    body = hd.get("/api/units/?page_size=5").json()
    assert set(body) == {"count", "count_exact", "next", "previous", "results"}
    assert (body["count"], body["count_exact"]) == (34, True)  # 18 hosting or the city, 16 of §6b
    assert body["results"][0] == {
        "code": "beijing", "name_zh": "北京市", "name_en": "Beijing Municipality", "level": "city",
        "parent": None, "hosts_leads": False, "leading_industries": [],
    }  # fmt: skip
    assert len(body["results"]) == 5


def test_create_returns_the_draft(hd):
    response = post(hd, "/api/leads/", lead_data(2, strategic=True, land_need_mu="120.5", contacts="张经理"))
    body = response.json()
    assert response.status_code == 201
    assert (body["state"], body["unit"], body["first_negotiation"], body["clock"]) == (
        "draft",
        None,
        True,
        None,
    )
    assert body["discovering_unit"] == "haidian"
    assert body["available_transitions"] == ["submit"]
    assert body["total_investment_cny"] == "150000000.00"
    assert body["land_need_mu"] == "120.50"


def test_bad_input_is_400_in_chinese_and_english_and_saves_nothing(hd):
    response = post(hd, "/api/leads/", lead_data(3, credit_code="91110108000000003X", sector="nope"))
    body = response.json()
    assert response.status_code == 400
    assert set(body["errors"]) == {"credit_code", "sector"}
    assert body["messages"]["zh-hans"] != body["messages"]["en"]
    assert hd.get("/api/leads/").json()["count"] == 0


def test_a_duplicate_is_409_naming_the_first_unit(hd, sy, lead_id):
    response = post(sy, "/api/leads/", lead_data(1))
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert "海淀区" in response.json()["detail"]


def test_the_whole_first_negotiation_path_over_http(hd, hl, city, lead_id):
    assert act(hd, lead_id, "submit").json()["state"] == "pending_confirmation"
    body = act(city, lead_id, "confirm").json()
    assert (body["state"], body["unit"]) == ("negotiating", "haidian")
    assert body["clock"]["paused"] is False and body["clock"]["deadline_at"]
    body = act(
        hd, lead_id, "report_progress", milestone="company_registered", date=today(), evidence="营业执照"
    ).json()  # a milestone lies between its clock's start (just now) and today
    assert (body["state"], body["clock"]["paused"]) == ("progress_review", True)
    body = act(hl, lead_id, "approve_progress").json()
    assert body["state"] == "progressing"
    body = act(
        hl, lead_id, "land", landed_on="2026-11-02", paid_in_capital_cny="100000000", actual_fdi_usd="0"
    ).json()
    assert body["state"] == "landed"
    assert body["reward"]["qualifies"] is False
    assert [h["transition"] for h in body["history"]] == [
        "submit",
        "confirm",
        "report_progress",
        "approve_progress",
        "land",
    ]
    assert body["history"][1]["actor"] == "city_officer"
    assert body["available_transitions"] == []


def test_status_codes_of_transitions(hd, hl, city, sy, lead_id):
    assert act(city, lead_id, "confirm").status_code == 409  # still a draft
    assert act(sy, lead_id, "submit").status_code == 404  # another district: a lead it cannot see
    assert act(hd, lead_id, "submit").status_code == 200
    assert act(hd, lead_id, "confirm").status_code == 403  # not the city
    assert act(city, lead_id, "decline").status_code == 400  # reason required
    assert act(city, lead_id, "teleport").status_code == 404
    assert act(city, 999999, "confirm").status_code == 404
    assert act(city, lead_id, "confirm").status_code == 200
    assert act(city, lead_id, "confirm").status_code == 409  # already confirmed


def test_a_shunyi_officer_cannot_open_a_haidian_lead(sy, lead_id):
    assert sy.get(f"/api/leads/{lead_id}/").status_code == 404
    assert sy.get("/api/leads/").json()["count"] == 0


def test_escalation_is_visible_on_the_lead(hd, city, lead_id):
    act(hd, lead_id, "submit")
    act(city, lead_id, "confirm")
    process_due(now=at("2099-01-01 00:00"))
    body = city.get(f"/api/leads/{lead_id}/").json()
    assert (body["state"], body["unit"], body["excluded_units"]) == ("escalated", None, ["haidian"])
    assert sorted(body["available_transitions"]) == ["close", "reassign", "rule_strategic"]
    assert act(city, lead_id, "reassign", unit="haidian").status_code == 409
    assert act(city, lead_id, "reassign", unit="bda").json()["unit"] == "bda"


def test_the_list_filters_and_paginates(city, hd):
    for serial in range(10, 16):
        post(hd, "/api/leads/", lead_data(serial))
    body = city.get("/api/leads/?page_size=4").json()
    assert (body["count"], len(body["results"])) == (6, 4)
    assert body["next"].endswith("page=2&page_size=4")
    assert city.get("/api/leads/?page_size=5000").status_code == 200
    assert city.get("/api/leads/?state=negotiating").json()["count"] == 0
    assert city.get("/api/leads/?q=示范项目 12").json()["count"] == 1


def test_counting_stops_at_the_cap_and_every_page_stays_reachable(hd, monkeypatch):
    from cases.api import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    body = hd.get("/api/units/?page_size=5").json()  # 34 units: more than the cap
    assert (body["count"], body["count_exact"], len(body["results"])) == (10, False, 5)
    assert hd.get("/api/units/?page_size=5&page=2").json()["next"].endswith("page=3&page_size=5")
    beyond = hd.get("/api/units/?page_size=5&page=3").json()  # past the cap: counted exactly
    assert (beyond["count"], beyond["count_exact"], len(beyond["results"])) == (34, True, 5)
    assert hd.get("/api/units/?page_size=5&page=7").json()["results"][-1]["code"]
    assert hd.get("/api/units/?page_size=5&page=8").status_code == 404
    monkeypatch.setattr(pagination, "COUNT_CAP", 34)
    assert hd.get("/api/units/?page_size=5").json()["count_exact"] is True


def test_queue_notifications_and_credits(hd, hl, city, lead_id):
    act(hd, lead_id, "submit")
    assert [x["id"] for x in city.get("/api/queue/").json()["results"]] == [lead_id]
    act(city, lead_id, "confirm")
    inbox = hd.get("/api/notifications/").json()
    assert inbox["count"] == 1
    note = inbox["results"][0]
    assert set(note) >= {"id", "kind", "lead", "text", "created_at"}
    assert "首谈" in note["text"]
    assert hd.get("/api/notifications/unread_count/").json() == {"unread": 1}
    assert post(hd, f"/api/notifications/{note['id']}/read/").json() == {"marked": 1, "unread": 0}
    assert hd.get("/api/notifications/?unread=1").json()["count"] == 0
    act(hl, lead_id, "request_push", reason="not_fit_positioning", note="不符合定位")
    act(city, lead_id, "confirm_push")
    credits = hl.get("/api/credits/?unit=haidian").json()["results"]
    assert [(c["unit"], c["kind"], c["lead"]) for c in credits] == [("haidian", "referral", lead_id)]


def test_errors_speak_english_when_asked(haidian_officer, lead_id):
    en = client_for(haidian_officer, lang="en")
    body = act(en, lead_id, "confirm").json()
    assert body == {
        "detail": "“Confirm first-negotiation unit” is not possible while the lead is “Draft”.",
        "code": "wrong_state",
        "messages": {
            "zh-hans": "线索处于“草稿”状态，不能执行“认定首谈区”。",
            "en": "“Confirm first-negotiation unit” is not possible while the lead is “Draft”.",
        },
    }


def test_the_openapi_schema_is_served(hd):
    response = hd.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/leads/{id}/transitions/report_progress/" in response.content


def test_amounts_may_be_json_numbers_and_read_exactly(hd):
    body = post(hd, "/api/leads/", lead_data(20, total_investment_cny=100000000, land_need_mu=0.1)).json()
    assert (body["total_investment_cny"], body["land_need_mu"], body["first_negotiation"]) == (
        "100000000.00", "0.10", True
    )  # fmt: skip


def test_garbage_registrations_are_400_never_500(hd):
    for bad in ({"name": ["a"]}, {"total_investment_cny": "1e400"}, {"strategic": {"x": 1}}, {"sector": 7}):
        response = post(hd, "/api/leads/", lead_data(21, **bad))
        assert response.status_code == 400, (bad, response.content)
    assert hd.post("/api/leads/", "[1, 2]", content_type="application/json").status_code == 400


def test_the_schema_builds_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))
    assert "/api/leads/{id}/transitions/report_progress/" in (tmp_path / "schema.yml").read_text()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_list_rows_have_exactly_the_summary_serializers_shape(hd, city, haidian_officer, lang):
    """The lists build rows from plain values (fast path); they must equal the serializer's output."""
    # frozen: a paused clock's deadline moves with every moment, and both sides must read the same one
    with time_machine.travel(at("2026-12-01 10:00"), tick=False) as traveller:
        from rest_framework.fields import DateTimeField
        from rest_framework.test import APIRequestFactory

        from cases.leads import selectors
        from cases.leads.serializers import LeadSummarySerializer

        draft = post(hd, "/api/leads/", lead_data(21)).json()["id"]
        negotiating = post(hd, "/api/leads/", lead_data(22)).json()["id"]
        paused = post(hd, "/api/leads/", lead_data(23, total_investment_cny="123456789.5")).json()["id"]
        for lead in (negotiating, paused):
            act(hd, lead, "submit")
            act(city, lead, "confirm")
        act(hd, paused, "report_progress", milestone="agreement_signed", date="2026-12-01", evidence="协议")
        traveller.shift(timedelta(days=3, seconds=7))  # the paused deadline has moved on by as much
        rows = client_for(haidian_officer, lang).get("/api/leads/").json()["results"]
        assert {r["id"] for r in rows} == {draft, negotiating, paused}
        request = APIRequestFactory().get("/api/leads/")
        from django.utils import translation

        with translation.override(lang):
            leads = selectors.lead_list(user=haidian_officer)
            expected = LeadSummarySerializer(leads, many=True, context={"request": request}).data
        by_id = {r["id"]: r for r in rows}
        for e in expected:
            got = by_id[e["id"]]
            assert got.keys() == e.keys()
            for key in e:
                if key != "deadline_at":  # a datetime on the serializer's side until rendered
                    assert got[key] == e[key], key
            assert got["deadline_at"] == (
                DateTimeField().to_representation(e["deadline_at"]) if e["deadline_at"] else None
            )
        assert by_id[paused]["total_investment_cny"] == "123456789.50"
        assert by_id[negotiating]["deadline_at"] and by_id[draft]["deadline_at"] is None
        assert by_id[paused]["deadline_at"] > by_id[negotiating]["deadline_at"]
