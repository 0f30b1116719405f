"""Case work on the pages (DESIGN §6a): the assignee box, the activity form and timeline, the correction
and merge pages, absences, and registering a foreign investor — each with a refusal that saves nothing."""

import pytest
from django.test import Client

from cases.demo import credit_code, person
from cases.models import Activity, Lead, State
from cases.webforms import units_to_wan
from tests.helpers import fire, snapshot
from workflow.models import Absence

pytestmark = pytest.mark.usefixtures("pinned_now")


def client_for(username: str) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(person(username))
    return client


def test_claim_log_an_activity_and_see_it_in_the_timeline(make_negotiating):
    lead = make_negotiating()
    officer = client_for("haidian_officer")
    page = officer.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'id="claim"' in page and 'id="activity-form"' in page
    assert (
        officer.post(f"/cases/leads/{lead.pk}/assignee/", {"username": "haidian_officer"}).status_code == 302
    )
    response = officer.post(
        f"/cases/leads/{lead.pk}/activities/",
        {"kind": "meeting", "at": "2026-11-29T09:30", "summary": "与企业董事长会面"},
    )
    assert response.status_code == 302
    page = officer.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'id="lead-assignee">haidian_officer' in page
    assert "与企业董事长会面" in page and 'data-kind="meeting"' in page
    # a bad activity: a message, nothing saved
    officer.post(f"/cases/leads/{lead.pk}/activities/", {"kind": "meeting", "at": "", "summary": "x"})
    assert Activity.objects.count() == 1


def test_another_units_officer_cannot_reach_the_case_work_pages(make_negotiating):
    lead = make_negotiating()
    other = client_for("shunyi_officer")
    before = snapshot(lead)
    assert other.post(f"/cases/leads/{lead.pk}/assignee/", {"username": "shunyi_officer"}).status_code == 404
    assert (
        other.post(
            f"/cases/leads/{lead.pk}/activities/", {"kind": "call", "at": "2026-11-29T09:30", "summary": "x"}
        ).status_code
        == 404
    )
    assert other.get(f"/cases/leads/{lead.pk}/correct/").status_code == 404
    assert other.get(f"/cases/leads/{lead.pk}/merge/").status_code == 404
    assert snapshot(lead) == before and not Activity.objects.exists()


def test_the_correction_page_sends_only_what_changed_and_needs_a_reason(make_negotiating):
    lead = make_negotiating()
    officer = client_for("haidian_officer")
    form = officer.get(f"/cases/leads/{lead.pk}/correct/").content.decode()
    assert lead.company_name in form and 'name="strategic"' not in form  # the city rules on that
    fields = {
        "name": lead.name, "company_name": lead.company_name, "credit_code": lead.credit_code,
        "sector": lead.sector_id, "segment": lead.segment, "total_investment_cny": units_to_wan(lead.total_investment_cny),  # the page shows 万元
        "contacts": "赵经理", "notes": "",
    }  # fmt: skip
    before = snapshot(lead)
    refused = officer.post(f"/cases/leads/{lead.pk}/correct/", {**fields, "reason": ""})
    assert refused.status_code == 400 and 'id="error"' in refused.content.decode()
    assert snapshot(lead) == before
    done = officer.post(f"/cases/leads/{lead.pk}/correct/", {**fields, "reason": "联系人更换"})
    assert done.status_code == 302
    lead.refresh_from_db()
    assert lead.contacts == "赵经理"
    page = officer.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert (
        "赵经理" in page and '<li data-field="contacts">联系人: ' in page
    )  # the field by its label, not its code


def test_the_city_merges_on_the_merge_page(make_lead, haidian_officer, shunyi_officer, city_officer):
    survivor = fire(make_lead(haidian_officer, serial=41, company_name="同名企业"), "submit", haidian_officer)
    duplicate = fire(make_lead(shunyi_officer, serial=42, company_name="同名企业"), "submit", shunyi_officer)
    city = client_for("city_officer")
    page = city.get(f"/cases/leads/{duplicate.pk}/merge/").content.decode()
    assert f'data-into="{survivor.pk}"' in page  # suggested: the same company name
    refused = city.post(f"/cases/leads/{duplicate.pk}/merge/", {"into": duplicate.pk, "reason": "重复"})
    assert refused.status_code == 400
    done = city.post(f"/cases/leads/{duplicate.pk}/merge/", {"into": survivor.pk, "reason": "重复登记"})
    assert done.status_code == 302 and done["Location"] == f"/cases/leads/{survivor.pk}/"
    assert Lead.objects.get(pk=duplicate.pk).state == State.CLOSED
    page = city.get(f"/cases/leads/{survivor.pk}/").content.decode()
    assert 'id="merged-duplicates"' in page and 'data-transition="merged_in"' in page
    assert client_for("haidian_leader").get(f"/cases/leads/{survivor.pk}/merge/").status_code == 403


def test_absences_on_their_page(db):
    person("haidian_officer2")
    officer = client_for("haidian_officer")
    page = officer.get("/cases/absences/").content.decode()
    assert 'value="haidian_officer2"' in page
    refused = officer.post(
        "/cases/absences/", {"start": "2026-12-05", "end": "2026-12-01", "deputy": "haidian_officer2"}
    )
    assert refused.status_code == 400 and not Absence.objects.exists()
    assert (
        officer.post(
            "/cases/absences/", {"start": "2026-12-01", "end": "2026-12-05", "deputy": "haidian_officer2"}
        ).status_code
        == 302
    )
    absence = Absence.objects.get()
    page = client_for("haidian_officer2").get("/cases/absences/").content.decode()
    assert "haidian_officer" in page.split('id="standing-in"')[1]
    assert client_for("haidian_officer2").post(f"/cases/absences/{absence.pk}/delete/").status_code == 404
    assert officer.post(f"/cases/absences/{absence.pk}/delete/").status_code == 302
    assert not Absence.objects.exists()


def test_a_foreign_investor_is_registered_on_the_page(db):
    officer = client_for("haidian_officer")
    data = {
        "name": "德国精密传感器项目", "company_name": "Sensorik GmbH", "credit_code": "",
        "home_registration_number": "HRB 98765", "home_country": "DE", "sector": "integrated_circuits",
        "segment": "rnd_design", "total_investment_cny": "20000", "source": "district",
    }  # fmt: skip
    assert officer.post("/cases/leads/new/", {**data, "home_country": ""}).status_code == 400
    assert not Lead.objects.exists()
    response = officer.post("/cases/leads/new/", data)
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.credit_code == "" and lead.home_country.code == "DE"
    assert "HRB 98765" in officer.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert credit_code(1)  # the demo codes still pass their check


def test_the_merge_page_shows_nobody_else_other_units_leads(make_lead, haidian_officer, shunyi_officer):
    fire(
        make_lead(shunyi_officer, serial=51, company_name="保密企业", name="顺义保密项目"),
        "submit",
        shunyi_officer,
    )
    mine = fire(make_lead(haidian_officer, serial=52, company_name="保密企业"), "submit", haidian_officer)
    officer = client_for("haidian_officer")
    response = officer.post(f"/cases/leads/{mine.pk}/merge/", {"into": 1, "reason": "x"})
    assert response.status_code == 403
    assert "顺义保密项目" not in response.content.decode()
