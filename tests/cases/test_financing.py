"""Financing needs and bank offers (DESIGN §6b, §13), black-box over /api/financing-needs/ and the pages.

Personas: Haidian's officer raises and works the need, Haidian's leader sees it, the demo bank's and a
second bank's officers see the published projection and offer, the city roles see everything."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cases.demo import person
from cases.financing.machine import FINANCING
from cases.financing.models import FinancingNeed, FinancingNeedGroupObjectPermission, FinancingOffer
from notifications.models import Notification
from tests.cases.specs.financing import NEED, OFFER, banks, need_in
from tests.helpers import api, browser
from workflow import engine
from workflow.due import process_due
from workflow.models import Membership, OrgUnit, TransitionRecord

pytestmark = pytest.mark.usefixtures("pinned_now")

PROJECTION = {"id", "project_name", "company_name", "sector", "sector_name", "unit", "unit_name",
              "total_investment_cny", "amount_cny", "term_months", "purpose", "state", "state_label",
              "published_at", "offers", "available_transitions"}  # fmt: skip
URL = "/api/financing-needs/"


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    banks()
    return {name: person(name) for name in (
        "haidian_officer", "haidian_leader", "shunyi_officer", "city_officer", "city_leader", "bank_officer",
        "other_bank_officer", "outsider",
    )}  # fmt: skip


def negotiating_lead(make_lead, serial=1, **overrides):  # type: ignore[no-untyped-def]
    from tests.helpers import fire

    officer = person("haidian_officer")
    lead = make_lead(officer, serial=serial, total_investment_cny="50000000", **overrides)
    return fire(lead, "submit", officer)


def snapshot():  # type: ignore[no-untyped-def]
    return (
        list(FinancingNeed.objects.values().order_by("pk")),
        list(FinancingOffer.objects.values().order_by("pk")),
        TransitionRecord.objects.count(),
        FinancingNeedGroupObjectPermission.objects.count(),
        Notification.objects.count(),
    )


def post(user, path, body):  # type: ignore[no-untyped-def]
    return api(user).post(path, body, format="json")


# --- raising a need ------------------------------------------------------------------------------


def test_it_raises_a_draft_recording_who_took_the_consent_and_when(people, make_lead):
    lead = negotiating_lead(make_lead)
    response = post(people["haidian_officer"], URL, {"lead": lead.pk, **NEED})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["consent"] is True and body["consent_by"] == "haidian_officer" and body["consent_at"]
    assert body["lead"] == lead.pk and body["unit"] == "haidian" and body["amount_cny"] == "30000000.00"
    assert body["available_transitions"] == ["publish", "withdraw"]


@pytest.mark.parametrize(
    "bad",
    [
        {"consent": False},
        {"consent": None},
        {"amount_cny": "0"},
        {"amount_cny": "-5"},
        {"amount_cny": "1e400"},
        {"term_months": 0},
        {"term_months": 601},
        {"purpose": ""},
        {"purpose": "a\x00b"},
        {"lead": "x"},
    ],
)
def test_bad_input_is_a_400_and_saves_nothing(people, make_lead, bad):
    lead = negotiating_lead(make_lead)
    before = snapshot()
    response = post(people["haidian_officer"], URL, {"lead": lead.pk, **NEED, **bad})
    assert response.status_code == 400, response.content
    assert set(bad) <= set(response.json()["errors"])
    assert snapshot() == before


def test_a_need_without_consent_is_refused_naming_the_consent(people, make_lead):
    lead = negotiating_lead(make_lead)
    body = {k: v for k, v in NEED.items() if k != "consent"}
    response = post(people["haidian_officer"], URL, {"lead": lead.pk, **body})
    assert response.status_code == 400
    assert "consent" in response.json()["errors"]
    assert FinancingNeed.objects.count() == 0


def test_only_the_officers_of_the_lead_s_unit_raise_one(people, make_lead):
    lead = negotiating_lead(make_lead)
    before = snapshot()
    assert post(people["haidian_leader"], URL, {"lead": lead.pk, **NEED}).status_code == 403
    assert post(people["shunyi_officer"], URL, {"lead": lead.pk, **NEED}).status_code == 400  # cannot see it
    assert post(people["bank_officer"], URL, {"lead": lead.pk, **NEED}).status_code == 400
    assert snapshot() == before


def test_a_draft_lead_has_no_financing_need_yet(people, make_lead):
    lead = make_lead(people["haidian_officer"], serial=2)
    response = post(people["haidian_officer"], URL, {"lead": lead.pk, **NEED})
    assert response.status_code == 409
    assert FinancingNeed.objects.count() == 0


# --- publishing, the banks' projection ---------------------------------------------------------------


def test_publishing_shows_banks_the_projection_and_nothing_more(people, make_lead):
    lead = negotiating_lead(make_lead, contacts="张经理 13800000000", notes="内部备注：估值偏高")
    response = post(people["haidian_officer"], URL, {"lead": lead.pk, **NEED})
    need_id = response.json()["id"]
    assert api(people["bank_officer"]).get(f"{URL}{need_id}/").status_code == 404  # a draft is not shared
    published = post(people["haidian_officer"], f"{URL}{need_id}/transitions/publish/", {})
    assert published.status_code == 200 and published.json()["state"] == "published"
    for who in ("bank_officer", "other_bank_officer"):
        body = api(people[who]).get(f"{URL}{need_id}/").json()
        assert set(body) == PROJECTION
        text = str(body)
        assert "13800000000" not in text and "估值偏高" not in text and str(lead.pk) != body.get("lead")
        listed = api(people[who]).get(URL).json()
        assert [set(row) for row in listed["results"]] == [PROJECTION]
    full = api(people["haidian_leader"]).get(f"{URL}{need_id}/").json()
    assert {"lead", "history", "consent_by"} <= set(full)


def test_publishing_tells_the_bank_officers(people, make_lead):
    need = need_in("draft", make_lead, 3)
    engine.fire(FINANCING, pk=need.pk, name="publish", actor=people["haidian_officer"])
    told = set(
        Notification.objects.filter(kind="financing_published").values_list("user__username", flat=True)
    )
    assert told == {"bank_officer", "other_bank_officer"}


# --- offers --------------------------------------------------------------------------------------


def test_a_bank_offers_and_the_offer_is_its_bank_s(people, make_lead):
    need = need_in("draft", make_lead, 4)
    engine.fire(FINANCING, pk=need.pk, name="publish", actor=people["haidian_officer"])
    response = post(people["other_bank_officer"], f"{URL}{need.pk}/transitions/offer/", OFFER)
    assert response.status_code == 200, response.content
    offer = FinancingOffer.objects.get(need=need)
    assert (offer.bank.code, offer.rate_percent, offer.term_months) == ("other_bank", Decimal("3.4500"), 36)
    assert response.json()["state"] == "published"
    assert [o["bank"] for o in response.json()["offers"]] == ["other_bank"]
    assert Notification.objects.filter(kind="financing_offer", user=people["haidian_officer"]).exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"rate_percent": "100.01"},
        {"rate_percent": "-0.5"},
        {"rate_percent": "3.12345"},
        {"rate_percent": "NaN"},
        {"term_months": 0},
        {"term_months": 601},
        {"amount_cny": "0"},
        {"product": ""},
    ],
)
def test_a_bad_offer_is_a_400_and_saves_nothing(people, make_lead, bad):
    need = need_in("published", make_lead, 5)
    before = snapshot()
    response = post(people["bank_officer"], f"{URL}{need.pk}/transitions/offer/", {**OFFER, **bad})
    assert response.status_code == 400, response.content
    assert set(bad) <= set(response.json()["errors"])
    assert snapshot() == before


def test_an_offer_on_a_need_that_is_not_published_is_a_409(people, make_lead):
    need = need_in("financed", make_lead, 6)  # the demo bank offered, so it still sees the need
    draft = need_in("draft", make_lead, 7)
    before = snapshot()
    assert post(people["bank_officer"], f"{URL}{need.pk}/transitions/offer/", OFFER).status_code == 409
    assert post(people["bank_officer"], f"{URL}{draft.pk}/transitions/offer/", OFFER).status_code == 404
    assert snapshot() == before


def test_a_bank_never_sees_another_bank_s_offers(people, make_lead):
    need = need_in("published", make_lead, 8)  # the demo bank has offered
    theirs = post(people["other_bank_officer"], f"{URL}{need.pk}/transitions/offer/", OFFER).json()
    assert [o["bank"] for o in theirs["offers"]] == ["other_bank"]
    for who, bank in (("bank_officer", "demo_bank"), ("other_bank_officer", "other_bank")):
        detail = api(people[who]).get(f"{URL}{need.pk}/").json()
        assert [o["bank"] for o in detail["offers"]] == [bank]
        listed = api(people[who]).get(URL).json()["results"]
        assert [o["bank"] for row in listed for o in row["offers"]] == [bank]
    unit_view = api(people["haidian_officer"]).get(f"{URL}{need.pk}/").json()
    assert sorted(o["bank"] for o in unit_view["offers"]) == ["demo_bank", "other_bank"]


# --- accepting, withdrawing ------------------------------------------------------------------------


def test_accepting_an_offer_finances_the_need(people, make_lead):
    need = need_in("published", make_lead, 9)
    offer = FinancingOffer.objects.get(need=need)
    response = post(people["haidian_officer"], f"{URL}{need.pk}/transitions/accept/", {"offer": offer.pk})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "financed" and response.json()["accepted_offer"] == offer.pk
    offer.refresh_from_db()
    assert offer.accepted_at is not None
    assert Notification.objects.filter(kind="financing_accepted", user=people["bank_officer"]).exists()
    # the bank that offered follows what became of its offer; the other no longer sees the need
    assert api(people["bank_officer"]).get(f"{URL}{need.pk}/").json()["offers"][0]["accepted"] is True
    assert api(people["other_bank_officer"]).get(f"{URL}{need.pk}/").status_code == 404


def test_an_offer_of_another_need_cannot_be_accepted(people, make_lead):
    need = need_in("published", make_lead, 10)
    other = need_in("published", make_lead, 11)
    foreign = FinancingOffer.objects.get(need=other)
    before = snapshot()
    for offer in (foreign.pk, 999_999):
        response = post(people["haidian_officer"], f"{URL}{need.pk}/transitions/accept/", {"offer": offer})
        assert response.status_code == 400 and "offer" in response.json()["errors"]
    assert snapshot() == before


def test_withdrawing_hides_the_need_from_banks_that_did_not_offer(people, make_lead):
    need = need_in("published", make_lead, 12)
    assert (
        post(people["haidian_officer"], f"{URL}{need.pk}/transitions/withdraw/", {}).json()["state"]
        == "withdrawn"
    )
    assert api(people["bank_officer"]).get(f"{URL}{need.pk}/").status_code == 200  # it offered
    assert api(people["other_bank_officer"]).get(f"{URL}{need.pk}/").status_code == 404


def test_a_bank_added_after_publishing_sees_the_need_after_the_due_run(people, make_lead):
    from workflow.services import member_add, unit_add

    need = need_in("published", make_lead, 13)
    late = get_user_model().objects.create(username="late_bank_officer")
    member_add(user=late, unit=unit_add(code="late_bank", level="bank", name_zh="后来银行"), role="officer")
    assert api(late).get(f"{URL}{need.pk}/").status_code == 404
    process_due(now=need.updated_at)
    assert api(late).get(f"{URL}{need.pk}/").status_code == 200


# --- the §13 report --------------------------------------------------------------------------------


def _two_offers_one_accepted(people, make_lead):  # type: ignore[no-untyped-def]
    need = need_in("published", make_lead, 14)  # the demo bank offered 3000万
    post(
        people["other_bank_officer"],
        f"{URL}{need.pk}/transitions/offer/",
        {**OFFER, "amount_cny": "20000000"},
    )
    theirs = FinancingOffer.objects.get(need=need, bank__code="other_bank")
    post(people["haidian_officer"], f"{URL}{need.pk}/transitions/accept/", {"offer": theirs.pk})
    need_in("published", make_lead, 15)  # another demo-bank offer, not accepted
    return need


def rows(response):  # type: ignore[no-untyped-def]
    return {
        r["unit"]: (r["offers"], r["accepted"], r["amount_financed_cny"])
        for r in response.json()["institutions"]
    }


def test_the_report_counts_offers_accepted_and_financed_per_institution(people, make_lead):
    _two_offers_one_accepted(people, make_lead)
    report = api(people["city_leader"]).get("/api/financing/report/?from=2026-11-01&to=2026-11-30")
    assert report.status_code == 200
    assert rows(report) == {"demo_bank": (2, 0, "0.00"), "other_bank": (1, 1, "20000000.00")}
    assert report.json()["totals"] == {"offers": 3, "accepted": 1, "amount_financed_cny": "20000000.00"}
    earlier = api(people["city_officer"]).get("/api/financing/report/?from=2026-01-01&to=2026-10-31")
    assert rows(earlier) == {"demo_bank": (0, 0, "0.00"), "other_bank": (0, 0, "0.00")}


def test_a_bank_reads_only_its_own_row(people, make_lead):
    _two_offers_one_accepted(people, make_lead)
    mine = api(people["bank_officer"]).get("/api/financing/report/?from=2026-11-01&to=2026-11-30")
    assert rows(mine) == {"demo_bank": (2, 0, "0.00")}
    theirs = api(people["other_bank_officer"]).get("/api/financing/report/?from=2026-11-01&to=2026-11-30")
    assert rows(theirs) == {"other_bank": (1, 1, "20000000.00")}


def test_a_unit_counts_the_offers_on_its_own_needs_and_no_role_reads_nothing(people, make_lead):
    _two_offers_one_accepted(people, make_lead)
    haidian = api(people["haidian_leader"]).get("/api/financing/report/?from=2026-11-01&to=2026-11-30")
    assert rows(haidian)["other_bank"] == (1, 1, "20000000.00")
    shunyi = api(people["shunyi_officer"]).get("/api/financing/report/?from=2026-11-01&to=2026-11-30")
    assert rows(shunyi) == {"demo_bank": (0, 0, "0.00"), "other_bank": (0, 0, "0.00")}
    assert api(people["outsider"]).get("/api/financing/report/").status_code == 403


@pytest.mark.parametrize("query", ["from=2026-02-30", "from=2026-12-01&to=2026-11-01", "to=0001-01-01"])
def test_a_bad_period_is_a_400(people, query):
    assert api(people["city_leader"]).get(f"/api/financing/report/?{query}").status_code == 400


# --- pages -----------------------------------------------------------------------------------------


def web(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_lead_page_offers_the_consent_form_to_the_unit_s_officer(people, make_lead):
    lead = negotiating_lead(make_lead, serial=16)
    page = web(people["haidian_officer"]).get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'id="lead-financing"' in page and 'id="financing-consent-box"' in page
    refused = web(people["haidian_officer"]).post(
        "/cases/financing/new/", {"lead": lead.pk, "amount_cny": "100", "term_months": "12", "purpose": "x"}
    )
    assert refused.status_code == 400 and FinancingNeed.objects.count() == 0  # no consent ticked
    made = web(people["haidian_officer"]).post(
        "/cases/financing/new/",
        {"lead": lead.pk, "consent": "on", "amount_cny": "100", "term_months": "12", "purpose": "x"},
    )
    assert made.status_code == 302 and FinancingNeed.objects.get().consent_by == people["haidian_officer"]


def test_the_bank_marketplace_shows_published_needs_and_takes_an_offer(people, make_lead):
    need = need_in("published", make_lead, 17)
    client = web(people["other_bank_officer"])
    market = client.get("/cases/financing/").content.decode()
    assert 'id="financing-market"' in market and f'data-need="{need.pk}"' in market
    page = client.get(f"/cases/financing/{need.pk}/").content.decode()
    assert 'id="financing-offer-form"' in page and 'id="financing-history"' not in page
    assert "示范银行" not in page  # the demo bank's offer is not the other bank's business
    bad = client.post(f"/cases/financing/{need.pk}/do/offer/", {**OFFER, "rate_percent": "101"})
    assert bad.status_code == 400 and FinancingOffer.objects.filter(need=need).count() == 1
    good = client.post(f"/cases/financing/{need.pk}/do/offer/", OFFER)
    assert good.status_code == 302 and FinancingOffer.objects.filter(need=need).count() == 2


def test_the_report_page_draws_its_chart(people, make_lead):
    _two_offers_one_accepted(people, make_lead)
    page = web(people["city_leader"]).get("/cases/financing/report/?from=2026-11-01&to=2026-11-30")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="financing-chart"' in text and "<svg" in text and 'data-unit="other_bank"' in text
    assert web(people["outsider"]).get("/cases/financing/report/").status_code == 403


def test_the_people_page_adds_an_institution_and_a_person(people, make_lead):
    need = need_in("published", make_lead, 18)
    client = web(people["city_leader"])
    assert client.get("/cases/financing/people/").status_code == 200
    added = client.post(
        "/cases/financing/people/",
        {"action": "institution", "code": "icbc_bj", "name_zh": "工商银行北京分行"},
    )
    assert added.status_code == 302 and OrgUnit.objects.get(code="icbc_bj").level == "bank"
    joined = client.post(
        "/cases/financing/people/",
        {"action": "member", "username": "icbc_anna", "unit": "icbc_bj", "role": "officer"},
    )
    assert joined.status_code == 302
    anna = get_user_model().objects.get(username="icbc_anna")
    assert not anna.has_usable_password()
    assert api(anna).get(f"{URL}{need.pk}/").status_code == 200  # sees what was published already


@pytest.mark.parametrize(
    "body",
    [
        {"action": "institution", "code": "bad code", "name_zh": "某银行"},
        {"action": "institution", "code": "haidian", "name_zh": "海淀"},  # a code in use
        {"action": "institution", "code": "x_bank", "name_zh": ""},
        {"action": "member", "username": "a b!", "unit": "demo_bank", "role": "officer"},
        {"action": "member", "username": "ok_name", "unit": "haidian", "role": "officer"},  # not a bank
        {"action": "member", "username": "ok_name", "unit": "demo_bank", "role": "boss"},
        {"action": "nothing"},
    ],
)
def test_bad_input_on_the_people_page_is_a_400_and_saves_nothing(people, body):
    before = (OrgUnit.objects.count(), get_user_model().objects.count(), Membership.objects.count())
    assert web(people["city_leader"]).post("/cases/financing/people/", body).status_code == 400
    assert (OrgUnit.objects.count(), get_user_model().objects.count(), Membership.objects.count()) == before


def test_the_people_page_is_the_city_leaders(people):
    for who in ("haidian_officer", "city_officer", "bank_officer"):
        assert web(people[who]).get("/cases/financing/people/").status_code == 403
        body = {"action": "institution", "code": "sneaky", "name_zh": "某银行"}
        assert web(people[who]).post("/cases/financing/people/", body).status_code == 403
    assert not OrgUnit.objects.filter(code="sneaky").exists()


def test_a_published_need_is_on_each_banks_home_page_until_that_bank_offers(people, make_lead):
    def waiting(who: str) -> str:
        html = browser(people[who]).get("/cases/queue/").content.decode()
        return (
            html.split('data-awaiting="financing">', 1)[1].split("</li>", 1)[0]
            if "data-awaiting" in html
            else ""
        )

    need = need_in("draft", make_lead, 5)
    assert waiting("bank_officer") == ""
    engine.fire(FINANCING, pk=need.pk, name="publish", actor=people["haidian_officer"])
    assert 'class="sc-badge">1<' in waiting("bank_officer") and 'class="sc-badge">1<' in waiting(
        "other_bank_officer"
    )
    post(people["other_bank_officer"], f"{URL}{need.pk}/transitions/offer/", OFFER)
    assert waiting("other_bank_officer") == "" and 'class="sc-badge">1<' in waiting("bank_officer")
    assert waiting("haidian_officer") == ""  # the unit's people make no offers
