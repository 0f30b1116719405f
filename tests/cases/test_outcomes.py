"""Recommendations, credits, §15 rewards, §16 KPIs and bulk import."""

import io
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cases.demo import credit_code, person
from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.imports import services as imports
from cases.models import Credit, ImportJob, Lead, RewardCase
from cases.outcomes import selectors as outcome_selectors
from cases.outcomes import services as outcome_services
from cases.outcomes.machine import REWARD
from tests.helpers import at, fire
from workflow import engine
from workflow.due import process_due

PROGRESS = {"milestone": "agreement_signed", "date": "2026-11-01", "evidence": "协议"}


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- recommendations ------------------------------------------------------------------------------


def test_an_integrated_circuits_lead_ranks_the_units_with_that_industry_first(make_lead, city_officer):
    lead = fire(make_lead(city_officer, source="city", sector="integrated_circuits"), "submit", city_officer)
    ranked = outcome_selectors.lead_recommendations(lead=lead)
    assert {r["unit"] for r in ranked[:3]} == {"bda", "haidian", "shunyi"}
    assert all(r["score"] < ranked[2]["score"] for r in ranked[3:])
    assert any("集成电路" in reason for reason in ranked[0]["reasons"])
    assert "beijing" not in {r["unit"] for r in ranked} and len(ranked) == 17


def test_capacity_and_record_move_a_unit_up_and_an_excluded_unit_never_appears(make_negotiating, city_officer,
                                                                              haidian_leader, shunyi_officer):  # fmt: skip
    outcome_services.capacity_update(
        actor=shunyi_officer,
        unit_code="shunyi",
        data={"industrial_land_mu": "500", "factory_space_m2": "80000"},
    )
    lead = make_negotiating(now=at("2026-11-30 09:00"))
    fire(lead, "request_push", haidian_leader, reason="lacks_capacity", note="无地")
    fire(lead, "confirm_push", city_officer)
    ranked = api(city_officer).get(f"/api/leads/{lead.pk}/recommendations/").json()
    assert "haidian" not in [r["unit"] for r in ranked]  # it pushed the lead: excluded
    assert ranked[0]["unit"] == "shunyi" and ranked[0]["score"] == 85.0
    assert any("500" in reason for reason in ranked[0]["reasons"])


def test_only_a_units_people_update_its_capacity(shunyi_officer, haidian_officer):
    with pytest.raises(NotPermitted):
        outcome_services.capacity_update(
            actor=haidian_officer,
            unit_code="shunyi",
            data={"industrial_land_mu": "1", "factory_space_m2": "1"},
        )
    assert api(shunyi_officer).put("/api/units/shunyi/capacity/", {"industrial_land_mu": "120.5", "factory_space_m2": "3000"},
                                   format="json").json()["industrial_land_mu"] == "120.50"  # fmt: skip


# --- rewards and credits --------------------------------------------------------------------------


def landed(make_lead, *, paid_in="0", fdi="0", referrer="某招商服务公司", source="district", serial=None):  # type: ignore[no-untyped-def]
    officer, leader, city = person("haidian_officer"), person("haidian_leader"), person("city_officer")
    lead = make_lead(officer, referrer=referrer, source=source, serial=serial)
    for name, who, params in [("submit", officer, {}), ("confirm" if source == "district" else "assign", city,
                               {} if source == "district" else {"unit": "haidian"}),
                              ("report_progress", officer, PROGRESS), ("approve_progress", leader, {}),
                              ("land", leader, {"landed_on": "2026-11-20", "paid_in_capital_cny": paid_in, "actual_fdi_usd": fdi})]:  # fmt: skip
        lead = fire(lead, name, who, **params)
    return lead


@pytest.mark.parametrize(
    ("paid_in", "fdi", "opened"),
    [
        ("5000000000", "0", True),
        ("4999999999.99", "0", False),
        ("0", "500000000", True),
        ("0", "499999999.99", False),
    ],
)
def test_a_reward_case_opens_exactly_at_the_thresholds(make_lead, paid_in, fdi, opened):
    lead = landed(make_lead, paid_in=paid_in, fdi=fdi)
    assert RewardCase.objects.filter(lead=lead).exists() is opened
    if opened:
        case = RewardCase.objects.get(lead=lead)
        assert (case.unit.code, case.agency.name, case.amount_cny, case.state) == (
            "haidian",
            "某招商服务公司",
            Decimal("10000000"),
            "open",
        )
        # the landing facts at the column's precision, as the landing input holds them
        assert case.facts["paid_in_capital_cny"] == f"{Decimal(paid_in):.2f}" and case.facts[
            "rule"
        ].startswith("§15")


def test_the_landing_units_leader_approves_at_least_10_million_then_pays(
    make_lead, haidian_leader, haidian_officer, shunyi_leader
):
    case = RewardCase.objects.get(lead=landed(make_lead, paid_in="6000000000"))
    with pytest.raises(Invalid):
        engine.fire(
            REWARD, pk=case.pk, name="approve", actor=haidian_leader, params={"amount_cny": "9999999"}
        )
    for person_, refusal in ((haidian_officer, NotPermitted), (shunyi_leader, NotFound)):
        with pytest.raises(refusal):
            engine.fire(REWARD, pk=case.pk, name="approve", actor=person_, params={})
    case = engine.fire(
        REWARD, pk=case.pk, name="approve", actor=haidian_leader, params={"amount_cny": "20000000"}
    )
    with pytest.raises(Conflict):
        engine.fire(REWARD, pk=case.pk, name="reject", actor=haidian_leader, params={"reason": "x"})
    body = api(haidian_leader).post(f"/api/rewards/{case.pk}/transitions/pay/", {}, format="json").json()
    assert (body["state"], body["amount_cny"]) == ("paid", "20000000.00")


def test_fund_attribution_once_per_landed_fund_lead(make_lead, city_officer, haidian_leader):
    lead = landed(make_lead, referrer="北京高精尖产业发展基金", source="fund")
    with pytest.raises(NotPermitted):
        outcome_services.fund_attribute(lead_id=lead.pk, actor=haidian_leader, data={"amount_cny": "1"})
    with pytest.raises(Invalid):
        outcome_services.fund_attribute(
            lead_id=lead.pk, actor=city_officer, data={"amount_cny": "999999999999"}
        )
    response = api(city_officer).post(
        f"/api/leads/{lead.pk}/fund_attribution/", {"amount_cny": "30000000", "note": "跟投"}, format="json"
    )
    assert response.status_code == 201
    with pytest.raises(Conflict):
        outcome_services.fund_attribute(lead_id=lead.pk, actor=city_officer, data={"amount_cny": "1"})
    credits = api(city_officer).get("/api/credits/").json()["results"]
    assert {(c["kind"], c["unit"], c["referrer_name"], c["amount_cny"]) for c in credits} == {
        ("fund", None, "北京高精尖产业发展基金", "30000000.00"), ("landing", "haidian", None, None)
    }  # fmt: skip


def test_a_non_fund_lead_cannot_be_attributed(make_lead, city_officer):
    with pytest.raises(Conflict):
        outcome_services.fund_attribute(
            lead_id=landed(make_lead).pk, actor=city_officer, data={"amount_cny": "1"}
        )


# --- KPIs ----------------------------------------------------------------------------------------------


@pytest.fixture
def kpi_fixture(make_lead, haidian_officer, haidian_leader, city_officer):  # type: ignore[no-untyped-def]
    """Haidian in November 2026: 4 registered, 3 confirmed; one lands after 10 days, one progresses
    after 20 days, one pushed (referral credit), one lost to the clock in 2027."""
    leads = [make_lead(haidian_officer) for _ in range(4)]
    for lead in leads[:3]:
        fire(lead, "submit", haidian_officer, now=at("2026-11-02 09:00"))
        fire(lead, "confirm", city_officer, now=at("2026-11-02 09:00"))
    a, b, c = leads[:3]
    fire(a, "report_progress", haidian_officer, now=at("2026-11-12 09:00"), **PROGRESS)
    fire(a, "approve_progress", haidian_leader, now=at("2026-11-12 09:00"))
    fire(
        a, "land", haidian_leader, now=at("2026-11-25 09:00"), landed_on="2026-11-25", paid_in_capital_cny="1"
    )
    fire(b, "report_progress", haidian_officer, now=at("2026-11-22 09:00"), **PROGRESS)
    fire(b, "approve_progress", haidian_leader, now=at("2026-11-22 09:00"))
    fire(c, "request_push", haidian_leader, now=at("2026-11-20 09:00"), reason="lacks_capacity", note="x")
    fire(c, "confirm_push", city_officer, now=at("2026-11-21 09:00"))
    return leads


def test_kpi_figures_on_a_known_fixture(kpi_fixture, city_officer):
    from datetime import date

    report = outcome_selectors.kpis(start=date(2026, 11, 1), end=date(2026, 11, 30))
    haidian = next(r for r in report["units"] if r["unit"] == "haidian")
    assert {k: haidian[k] for k in outcome_selectors.KPI_FIELDS} == {
        "registered": 4, "first_negotiations_confirmed": 3, "landed": 1, "landed_investment_cny": Decimal("150000000"),
        "referral_credits": 1, "lost_to_clock": 0, "median_days_to_progress": 15.0, "landing_rate": 1.0,
    }  # fmt: skip
    assert report["totals"]["registered"] == 4
    next_year = outcome_selectors.kpis(start=date(2027, 1, 1), end=date(2027, 12, 31))
    assert next(r for r in next_year["units"] if r["unit"] == "haidian")["registered"] == 0


def test_kpis_over_http_as_json_csv_and_xlsx(kpi_fixture, city_officer, haidian_leader):
    from openpyxl import load_workbook

    client = api(city_officer)
    body = client.get("/api/kpis/?from=2026-11-01&to=2026-11-30").json()
    assert len(body["units"]) == 17 and body["totals"]["landed"] == 1
    assert [
        r["unit"] for r in api(haidian_leader).get("/api/kpis/?from=2026-11-01&to=2026-11-30").json()["units"]
    ] == ["haidian"]
    csv_response = client.get("/api/kpis/?from=2026-11-01&to=2026-11-30&format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("unit,name_zh,registered") and any(
        line.startswith("haidian,海淀区,4,3,1") for line in lines
    )
    xlsx = client.get("/api/kpis/?from=2026-11-01&to=2026-11-30&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["haidian"][2:5] == (4, 3, 1) and rows["total"][1] == "全市合计"
    assert client.get("/api/kpis/?from=2026-12-01&to=2026-11-01").status_code == 400


# --- bulk import -------------------------------------------------------------------------------------


HEADER = "name,company_name,credit_code,sector,total_investment_cny,strategic,source\n"


def test_a_file_with_a_bad_row_imports_nothing_and_explains_every_problem(haidian_officer, make_lead):
    make_lead(haidian_officer, serial=4)  # already registered
    body = HEADER + "\n".join([
        f"好项目一,公司一,{credit_code(1)},integrated_circuits,150000000,否,district",
        f"坏信用代码,公司二,{credit_code(2)[:17]}X,integrated_circuits,1,否,district",
        f"重复行,公司三,{credit_code(1)},icv,1,是,district",
        f"已登记,公司四,{credit_code(4)},icv,1,否,district",
        f"坏领域,公司五,{credit_code(5)},tourism,-3,否,district",
    ])  # fmt: skip
    job = imports.import_start(actor=haidian_officer, filename="leads.csv", content=body.encode())
    imports.import_process(job_id=job.pk, now=at("2026-11-30 09:00"))
    job.refresh_from_db()
    assert (job.status, job.total, job.processed, job.imported) == ("failed", 5, 5, 0)
    problems = {(e["row"], e["field"]) for e in job.errors}
    assert problems == {
        (3, "credit_code"),
        (4, "credit_code"),
        (5, ""),
        (6, "sector"),
        (6, "total_investment_cny"),
    }
    assert Lead.objects.count() == 1
    report = imports.error_report(job).lstrip("\ufeff").splitlines()
    assert report[0] == "行,字段,问题" and len(report) == 6


def test_a_good_excel_file_is_imported_in_one_go(haidian_officer):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER.strip().split(","))
    for i in range(1, 121):
        book.active.append(
            [f"批量项目{i}", f"批量公司{i}", credit_code(3000 + i), "icv", 100000000 + i, "", "district"]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    job = imports.import_start(actor=haidian_officer, filename="leads.xlsx", content=buffer.getvalue())
    assert (
        process_due(now=at("2026-11-30 09:00")).jobs["imports"] == 120
    )  # the due work picks a waiting import up
    job.refresh_from_db()
    assert (job.status, job.imported, job.errors) == ("done", 120, [])
    assert (
        Lead.objects.filter(state="draft", discovering_unit__code="haidian", first_negotiation=True).count()
        == 120
    )


def test_an_unreadable_upload_is_refused_at_once(haidian_officer):
    for name, content in (("leads.txt", b"x"), ("leads.csv", b""), ("leads.csv", b"name,foo\n1,2\n")):
        with pytest.raises(Invalid):
            imports.import_start(actor=haidian_officer, filename=name, content=content)
    assert ImportJob.objects.count() == 0


def test_the_import_pages_show_progress_and_the_error_report(haidian_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(haidian_officer)
    bad = (HEADER + f"x,y,{credit_code(9)},nope,1,,district\n").encode()
    response = client.post("/cases/imports/", {"file": SimpleUploadedFile("bad.csv", bad)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/imports/{job.pk}/"
    imports.import_process(job_id=job.pk, now=at("2026-11-30 09:00"))
    assert client.get(f"/cases/imports/{job.pk}/progress/").json()["status"] == "failed"
    assert "sector" in client.get(f"/cases/imports/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert Credit.objects.count() == 0
