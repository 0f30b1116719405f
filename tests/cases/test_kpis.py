"""§16 assessment: the figures (counted from facts a later edit cannot move), annual targets, the ranking,
the month trend, the leads behind each figure, the files and the pages."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cases.models import Lead, Target
from cases.outcomes import exports
from cases.outcomes import selectors as outcome_selectors
from tests.helpers import api, at, browser, fire

NOVEMBER = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}
NOV = "from=2026-11-01&to=2026-11-30"


def progress(day: str) -> dict:
    return {"milestone": "agreement_signed", "date": day, "evidence": "协议"}


def row(report: dict, unit: str) -> dict:
    return next(r for r in report["units"] if r["unit"] == unit)


@pytest.fixture
def kpi_fixture(make_lead, haidian_officer, haidian_leader, city_officer):  # type: ignore[no-untyped-def]
    """Haidian in November 2026: 4 registered, 3 submitted and confirmed (the 4th stays a draft); one
    lands after 23 days, one progresses after 20 days, one pushed (referral credit)."""
    leads = [make_lead(haidian_officer) for _ in range(4)]
    for lead in leads[:3]:
        fire(lead, "submit", haidian_officer, now=at("2026-11-02 09:00"))
        fire(lead, "confirm", city_officer, now=at("2026-11-02 09:00"))
    a, b, c = leads[:3]
    fire(a, "report_progress", haidian_officer, now=at("2026-11-12 09:00"), **progress("2026-11-12"))
    fire(a, "approve_progress", haidian_leader, now=at("2026-11-12 09:00"))
    fire(
        a, "land", haidian_leader, now=at("2026-11-25 09:00"), landed_on="2026-11-25", paid_in_capital_cny="1"
    )
    fire(b, "report_progress", haidian_officer, now=at("2026-11-22 09:00"), **progress("2026-11-22"))
    fire(b, "approve_progress", haidian_leader, now=at("2026-11-22 09:00"))
    fire(c, "request_push", haidian_leader, now=at("2026-11-20 09:00"), reason="lacks_capacity", note="x")
    fire(c, "confirm_push", city_officer, now=at("2026-11-21 09:00"))
    return leads


def land(make_lead, officer, leader, city_officer, *, on: str = "2026-11-25", total: str = "150000000"):  # type: ignore[no-untyped-def]
    lead = make_lead(officer, total_investment_cny=total)
    fire(lead, "submit", officer, now=at("2026-11-02 09:00"))
    fire(lead, "confirm", city_officer, now=at("2026-11-02 09:00"))
    fire(lead, "report_progress", officer, now=at(f"{on} 08:00"), **progress(on))
    fire(lead, "approve_progress", leader, now=at(f"{on} 08:30"))
    return fire(lead, "land", leader, now=at(f"{on} 09:00"), landed_on=on, paid_in_capital_cny="1")


# --- the figures ---------------------------------------------------------------------------------


def test_kpi_figures_on_a_known_fixture(kpi_fixture):
    report = outcome_selectors.kpis(**NOVEMBER)
    haidian = row(report, "haidian")
    assert {k: haidian[k] for k in outcome_selectors.FIGURES} == {
        "submitted": 3, "first_negotiations_confirmed": 3, "landed": 1, "landed_investment_cny": Decimal("150000000"),
        "referral_credits": 1, "lost_to_clock": 0, "median_days_to_progress": 15.0, "landing_rate": 1.0,
    }  # fmt: skip
    assert report["totals"]["submitted"] == 3 and report["totals"]["median_days_to_progress"] == 15.0
    assert (
        row(outcome_selectors.kpis(start=date(2027, 1, 1), end=date(2027, 12, 31)), "haidian")["submitted"]
        == 0
    )


def test_a_draft_never_submitted_is_not_counted_and_a_lead_counts_at_its_first_submit(
    make_lead, haidian_officer
):
    # given a lead registered in October and submitted in November, and a draft never submitted
    registered_in_october = make_lead(haidian_officer)
    Lead.objects.filter(pk=registered_in_october.pk).update(created_at=at("2026-10-20 09:00"))
    fire(registered_in_october, "submit", haidian_officer, now=at("2026-11-03 09:00"))
    draft = make_lead(haidian_officer)
    Lead.objects.filter(pk=draft.pk).update(created_at=at("2026-11-04 09:00"))
    # when the periods are assessed
    october = outcome_selectors.kpis(start=date(2026, 10, 1), end=date(2026, 10, 31))
    november = outcome_selectors.kpis(**NOVEMBER)
    # then the lead counts in November, when it was submitted, and the draft nowhere (§16)
    assert row(october, "haidian")["submitted"] == 0 and october["totals"]["submitted"] == 0
    assert row(november, "haidian")["submitted"] == 1 and november["totals"]["submitted"] == 1


def test_a_lead_closed_in_november_stays_closed_in_november_after_a_later_edit(
    make_lead, haidian_officer, haidian_leader, city_officer
):
    # given Haidian lands one lead and closes another in November
    land(make_lead, haidian_officer, haidian_leader, city_officer)
    closed = make_lead(haidian_officer)
    fire(closed, "submit", haidian_officer, now=at("2026-11-02 09:00"))
    fire(closed, "confirm", city_officer, now=at("2026-11-02 09:00"))
    fire(closed, "close", haidian_leader, now=at("2026-11-20 09:00"), reason="企业放弃")
    # when someone edits the closed lead in December (a correction moves updated_at)
    Lead.objects.filter(pk=closed.pk).update(updated_at=at("2026-12-15 10:00"), notes="补充说明")
    # then the closing stays in November, read from the history's `close`
    assert row(outcome_selectors.kpis(**NOVEMBER), "haidian")["landing_rate"] == 0.5
    december = outcome_selectors.kpis(start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert row(december, "haidian")["landing_rate"] is None and december["totals"]["landing_rate"] is None


def test_a_draft_thrown_away_is_not_a_lost_lead(make_lead, haidian_officer, haidian_leader, city_officer):
    land(make_lead, haidian_officer, haidian_leader, city_officer)
    draft = make_lead(haidian_officer)
    fire(draft, "close", city_officer, now=at("2026-11-20 09:00"), reason="录入错误")
    assert outcome_selectors.kpis(**NOVEMBER)["totals"]["landing_rate"] == 1.0


# --- ranking and trend ---------------------------------------------------------------------------


def test_units_are_ranked_by_landed_investment_then_landed_leads_and_equals_share_a_rank(
    make_lead, haidian_officer, haidian_leader, shunyi_officer, shunyi_leader, bda_officer, city_officer
):
    from cases.demo import person

    bda_leader = person("bda_leader")
    land(make_lead, shunyi_officer, shunyi_leader, city_officer, total="900000000")  # 9亿: first
    land(make_lead, haidian_officer, haidian_leader, city_officer, total="300000000")  # 3亿 in one lead
    land(make_lead, bda_officer, bda_leader, city_officer, total="100000000")  # 3亿 in three leads
    land(make_lead, bda_officer, bda_leader, city_officer, total="100000000")
    land(make_lead, bda_officer, bda_leader, city_officer, total="100000000")
    report = outcome_selectors.kpis(**NOVEMBER)
    assert [(r["unit"], r["rank"]) for r in report["units"][:3]] == [
        ("shunyi", 1),
        ("bda", 2),
        ("haidian", 3),
    ]
    assert {r["rank"] for r in report["units"][3:]} == {4} and report["ranked_units"] == 17


def test_a_unit_sees_its_rank_among_all_units(
    make_lead, shunyi_officer, shunyi_leader, haidian_leader, city_officer
):
    land(make_lead, shunyi_officer, shunyi_leader, city_officer)
    body = api(haidian_leader).get(f"/api/kpis/?{NOV}").json()
    assert [(r["unit"], r["rank"]) for r in body["units"]] == [("haidian", 2)] and body["ranked_units"] == 17


def test_the_trend_gives_each_month_of_the_period_per_unit_and_city_wide(
    kpi_fixture, make_lead, city_officer
):
    city_lead = make_lead(city_officer, source="city")
    fire(city_lead, "submit", city_officer, now=at("2026-12-01 00:00"))  # Beijing midnight: December
    body = api(city_officer).get("/api/kpis/?from=2026-10-15&to=2026-12-31").json()
    trend = body["trend"]
    assert trend["months"] == ["2026-10", "2026-11", "2026-12"]
    assert trend["totals"] == {
        "submitted": [0, 3, 1], "landed": [0, 1, 0], "landed_investment_cny": ["0.00", "150000000.00", "0.00"],
    }  # fmt: skip
    haidian = next(u for u in trend["units"] if u["unit"] == "haidian")
    assert haidian["submitted"] == [0, 3, 0] and haidian["landed"] == [0, 1, 0]
    assert [u["unit"] for u in trend["units"]] == [r["unit"] for r in body["units"]]


# --- targets -------------------------------------------------------------------------------------

TARGETS = {
    "year": 2026,
    "targets": [
        {"unit": "haidian", "leads_landed": 2, "investment_landed_cny": "300000000"},
        {"unit": "bda", "leads_landed": 4, "investment_landed_cny": "1000000000.50"},
    ],
}


def saved_targets() -> list:
    return list(Target.objects.order_by("year", "unit_id").values("unit__code", "year", "leads_landed",
                                                                   "investment_landed_cny", "set_by_id"))  # fmt: skip


def test_a_city_leader_sets_the_years_targets_and_everyone_with_a_role_reads_them(
    city_leader, shunyi_officer
):
    response = api(city_leader).put("/api/targets/", TARGETS, format="json")
    assert response.status_code == 200
    assert [(t["unit"], t["leads_landed"], t["investment_landed_cny"]) for t in response.json()["targets"]] == [
        ("haidian", 2, "300000000.00"), ("bda", 4, "1000000000.50"),
    ]  # fmt: skip
    body = api(shunyi_officer).get("/api/targets/?year=2026").json()
    assert body["year"] == 2026 and [t["unit"] for t in body["targets"]] == ["haidian", "bda"]
    assert body["targets"][0]["set_by"] == "city_leader"
    assert api(shunyi_officer).get("/api/targets/?year=2027").json() == {"year": 2027, "targets": []}


def test_putting_the_targets_again_replaces_the_year(city_leader):
    client = api(city_leader)
    client.put("/api/targets/", TARGETS, format="json")
    client.put("/api/targets/", {"year": 2027, "targets": TARGETS["targets"][:1]}, format="json")
    client.put(
        "/api/targets/",
        {"year": 2026, "targets": [{**TARGETS["targets"][1], "leads_landed": 5}]},
        format="json",
    )
    assert [(t["unit__code"], t["year"], t["leads_landed"]) for t in saved_targets()] == [
        ("bda", 2026, 5), ("haidian", 2027, 2),
    ]  # fmt: skip


def bad(**change):  # type: ignore[no-untyped-def]
    row = {**TARGETS["targets"][1], **change}
    return {"year": 2026, "targets": [TARGETS["targets"][0], row]}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (bad(unit="atlantis"), "unknown_unit"),
        (bad(unit="beijing"), "unknown_unit"),  # the city hosts no leads
        (bad(unit="haidian"), "invalid"),  # the same unit twice
        (bad(leads_landed=-1), "invalid"),
        (bad(leads_landed=1_000_001), "invalid"),
        (bad(leads_landed=2.5), "invalid"),
        (bad(leads_landed=True), "invalid"),
        (bad(investment_landed_cny="-1"), "invalid"),
        (bad(investment_landed_cny="12345678901234567"), "invalid"),  # 17 digits before the point
        (bad(investment_landed_cny="1.005"), "invalid"),
        (bad(investment_landed_cny="NaN"), "invalid"),
        (bad(investment_landed_cny=["1"]), "invalid"),
        ({"year": 1899, "targets": []}, "invalid"),
        ({"year": 2101, "targets": []}, "invalid"),
        ({"year": "2026x", "targets": []}, "invalid"),
        ({"year": 2026}, "invalid"),
        ({"year": 2026, "targets": {"unit": "haidian"}}, "invalid"),
        ({"year": 2026, "targets": [TARGETS["targets"][0]] * 201}, "invalid"),
        ([TARGETS], "invalid"),
    ],
)
def test_bad_targets_are_refused_whole_and_nothing_changes(city_leader, body, code):
    client = api(city_leader)
    client.put(
        "/api/targets/",
        {"year": 2026, "targets": [{**TARGETS["targets"][0], "leads_landed": 9}]},
        format="json",
    )
    before = saved_targets()
    response = client.put("/api/targets/", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code and set(response.json()) >= {
        "detail",
        "code",
        "messages",
        "errors",
    }
    assert saved_targets() == before


@pytest.mark.parametrize("who", ["city_officer", "haidian_leader", "outsider"])
def test_only_the_citys_leaders_set_targets(city_leader, who):
    from cases.demo import person

    api(city_leader).put("/api/targets/", TARGETS, format="json")
    before = saved_targets()
    response = api(person(who)).put("/api/targets/", {**TARGETS, "targets": []}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"
    assert saved_targets() == before


def test_targets_are_read_by_people_with_a_role_only_and_for_a_real_year(outsider, haidian_officer):
    assert api(outsider).get("/api/targets/").status_code == 403
    assert api(haidian_officer).get("/api/targets/").json()["year"] == date.today().year
    for year in ("1899", "abc", "2101"):
        assert api(haidian_officer).get(f"/api/targets/?year={year}").status_code == 400


def test_the_kpis_show_each_target_beside_its_figure_with_the_completion(
    kpi_fixture, city_leader, city_officer
):
    api(city_leader).put("/api/targets/", TARGETS, format="json")
    body = api(city_officer).get(f"/api/kpis/?{NOV}").json()
    haidian = next(r for r in body["units"] if r["unit"] == "haidian")
    assert body["target_year"] == 2026
    assert (haidian["landed"], haidian["target_leads_landed"], haidian["leads_landed_completion"]) == (
        1,
        2,
        0.5,
    )
    assert (
        haidian["target_investment_landed_cny"] == "300000000.00"
        and haidian["investment_landed_completion"] == 0.5
    )
    shunyi = next(r for r in body["units"] if r["unit"] == "shunyi")
    assert shunyi["target_leads_landed"] is None and shunyi["leads_landed_completion"] is None
    assert body["totals"]["target_leads_landed"] == 6 and body["totals"]["leads_landed_completion"] == 0.167
    across_years = api(city_officer).get("/api/kpis/?from=2026-11-01&to=2027-01-31").json()
    assert across_years["target_year"] is None and across_years["totals"]["target_leads_landed"] is None


# --- the leads behind each figure --------------------------------------------------------------


def drill(user, query):  # type: ignore[no-untyped-def]
    return api(user).get(f"/api/kpis/leads/?{query}")


def test_each_figure_drills_down_to_exactly_the_leads_it_counts(kpi_fixture, city_officer):
    report = outcome_selectors.kpis(**NOVEMBER)
    haidian = row(report, "haidian")
    counts = {"submitted", "first_negotiations_confirmed", "landed", "referral_credits", "lost_to_clock"}
    for figure in outcome_selectors.DRILLABLE:
        body = drill(city_officer, f"figure={figure}&unit=haidian&{NOV}").json()
        if figure in counts:
            assert body["count"] == haidian[figure], figure
    a, b, c, draft = kpi_fixture
    ids = {r["id"] for r in drill(city_officer, f"figure=submitted&unit=haidian&{NOV}").json()["results"]}
    assert ids == {a.pk, b.pk, c.pk}
    assert [
        r["id"] for r in drill(city_officer, f"figure=landed_investment_cny&{NOV}").json()["results"]
    ] == [a.pk]
    progressed = drill(city_officer, f"figure=median_days_to_progress&unit=haidian&{NOV}").json()["results"]
    assert {r["id"] for r in progressed} == {a.pk, b.pk}


def test_a_drill_down_shows_only_what_the_caller_may_see(kpi_fixture, shunyi_officer, haidian_officer):
    assert drill(shunyi_officer, f"figure=submitted&{NOV}").json()["count"] == 0
    assert drill(shunyi_officer, f"figure=submitted&unit=haidian&{NOV}").json()["count"] == 0
    assert drill(haidian_officer, f"figure=submitted&{NOV}").json()["count"] == 3


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (NOV, "invalid"),  # no figure
        (f"figure=happiness&{NOV}", "invalid"),
        (f"figure=landed&unit=atlantis&{NOV}", "unknown_unit"),
        (f"figure=landed&unit=beijing&{NOV}", "unknown_unit"),
        ("figure=landed&from=2026-02-30", "period"),
        ("figure=landed&from=2026-12-01&to=2026-11-01", "period"),
    ],
)
def test_a_bad_drill_down_is_a_400(city_officer, query, code):
    response = drill(city_officer, query)
    assert response.status_code == 400 and response.json()["code"] == code


def test_a_person_without_a_role_drills_into_nothing(outsider):
    assert drill(outsider, f"figure=landed&{NOV}").status_code == 403


# --- over HTTP: JSON, files, query count ---------------------------------------------------------


def test_kpis_over_http_as_json(kpi_fixture, city_officer, haidian_leader):
    client = api(city_officer)
    body = client.get(f"/api/kpis/?{NOV}").json()
    assert len(body["units"]) == 17 and body["totals"]["landed"] == 1
    assert (
        body["units"][0]["unit"] == "haidian" and body["units"][0]["landed_investment_cny"] == "150000000.00"
    )
    assert [r["unit"] for r in api(haidian_leader).get(f"/api/kpis/?{NOV}").json()["units"]] == ["haidian"]
    assert client.get("/api/kpis/?from=2026-12-01&to=2026-11-01").status_code == 400
    assert client.get(f"/api/kpis/?{NOV}&format=pdf").status_code == 400


def test_the_files_have_chinese_headers_and_the_period(kpi_fixture, city_officer):
    from openpyxl import load_workbook

    client = api(city_officer)
    with translation.override("zh-hans"):
        header = [str(label) for label in exports.LABELS.values()]
    csv_response = client.get(f"/api/kpis/?{NOV}&format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert 'filename="kpis-2026-11-01-2026-11-30.csv"' in csv_response["Content-Disposition"]
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert "2026-11-01" in lines[0] and "2026-11-30" in lines[0]
    assert lines[1].split(",") == header and {"推送成果", "超期被统筹", "落地率"} <= set(header)
    assert lines[2].startswith("1,haidian,海淀区,3,3,1,") and lines[-1].startswith(",total,全市合计,3,3,1,")
    xlsx = client.get(f"/api/kpis/?{NOV}&format=xlsx")
    assert 'filename="kpis-2026-11-01-2026-11-30.xlsx"' in xlsx["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book.active
    assert sheet.title == "2026-11-01~2026-11-30"
    rows = list(sheet.iter_rows(values_only=True))
    assert "2026-11-01" in rows[0][0] and list(rows[1]) == header
    assert rows[2][:6] == (1, "haidian", "海淀区", 3, 3, 1) and rows[-1][2] == "全市合计"
    by_month = list(book.worksheets[1].iter_rows(values_only=True))
    assert by_month[2] == ("2026-11", 3, 1, 150000000.0)


def test_the_kpis_cost_the_same_queries_for_more_leads(make_lead, haidian_officer, haidian_leader, city_officer,
                                                      django_assert_max_num_queries):  # fmt: skip
    client = api(city_officer)
    client.get(f"/api/kpis/?{NOV}")  # warm caches (content types)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/kpis/?{NOV}").status_code == 200
        return len(ctx.captured_queries)

    land(make_lead, haidian_officer, haidian_leader, city_officer)
    few = count()
    for _ in range(6):
        land(make_lead, haidian_officer, haidian_leader, city_officer, total="200000000")
    assert count() == few
    with django_assert_max_num_queries(16):
        client.get(f"/api/kpis/?{NOV}")


# --- pages -----------------------------------------------------------------------------------------


def test_the_kpi_page_is_one_ranked_table_with_links_and_a_trend_chart(
    make_lead, shunyi_officer, shunyi_leader, haidian_officer, haidian_leader, city_officer
):
    land(make_lead, haidian_officer, haidian_leader, city_officer, total="150000000")
    land(make_lead, shunyi_officer, shunyi_leader, city_officer, total="900000000")
    html = browser(city_officer).get(f"/cases/kpis/?{NOV}").content.decode()
    table = html.split('id="kpi-table"')[1].split("</table>")[0]
    units = [part.split('"')[0] for part in table.split('data-unit="')[1:]]
    assert units[:2] == ["shunyi", "haidian"] and units[-1] == "" and len(units) == 18
    assert "/cases/kpis/leads/?figure=landed&amp;unit=shunyi&amp;from=2026-11-01&amp;to=2026-11-30" in table
    trend = html.split('id="kpi-trend"')[1]
    assert trend.count("<svg") == 2 and html.count('class="sc-card sc-chart') == 1
    assert "/cases/kpis/leads/?figure=landed&amp;from=2026-11-01&amp;to=2026-11-30" in trend


def test_a_long_period_is_charted_by_year(city_officer):
    html = browser(city_officer).get("/cases/kpis/?from=1900-01-01&to=2100-12-31").content.decode()
    trend = html.split('id="kpi-trend"')[1]
    assert trend.count("<rect") == 2 * 201 + 201  # two bars a year in the first chart, one in the second


def test_the_drill_down_page_lists_the_leads_behind_a_figure(kpi_fixture, haidian_leader):
    a = kpi_fixture[0]
    html = (
        browser(haidian_leader).get(f"/cases/kpis/leads/?figure=landed&unit=haidian&{NOV}").content.decode()
    )
    assert f"/cases/leads/{a.pk}/" in html and html.count("data-lead=") == 1


def test_a_city_leader_sets_targets_on_the_page_and_a_district_reads_them(city_leader, haidian_leader):
    client = browser(city_leader)
    response = client.post(
        "/cases/kpis/targets/",
        {
            "year": "2026",
            "leads-haidian": "2",
            "investment-haidian": "30000",  # 万元, as every amount on the pages
            "leads-bda": "",
            "investment-bda": "",
        },
    )
    assert response.status_code == 302
    assert [(t["unit__code"], t["leads_landed"]) for t in saved_targets()] == [("haidian", 2)]
    html = browser(haidian_leader).get("/cases/kpis/targets/?year=2026").content.decode()
    assert 'name="leads-haidian"' not in html and "30,000万元" in html
    assert [t["investment_landed_cny"] for t in saved_targets()] == [Decimal("300000000")]
    # the leader's form shows the saved amount in 万元 again, and an amount finer than a fen saves nothing
    assert (
        'name="investment-haidian" min="0" step="0.000001" value="30000"'
        in client.get("/cases/kpis/targets/?year=2026").content.decode()
    )
    response = client.post(
        "/cases/kpis/targets/", {"year": "2026", "leads-haidian": "3", "investment-haidian": "1.0000001"}
    )
    assert response.status_code == 200 and [t["leads_landed"] for t in saved_targets()] == [2]


def test_a_bad_target_on_the_page_saves_nothing(city_leader, haidian_leader):
    client = browser(city_leader)
    client.post("/cases/kpis/targets/", {"year": "2026", "leads-haidian": "2", "investment-haidian": "1"})
    before = saved_targets()
    response = client.post("/cases/kpis/targets/", {"year": "2026", "leads-haidian": "-3", "investment-haidian": "1",
                                                    "leads-bda": "4", "investment-bda": "5"})  # fmt: skip
    assert response.status_code == 200 and saved_targets() == before
    browser(haidian_leader).post(
        "/cases/kpis/targets/", {"year": "2026", "leads-haidian": "99", "investment-haidian": "1"}
    )
    assert saved_targets() == before


def test_a_person_without_a_role_sees_no_targets_page(outsider):
    assert browser(outsider).get("/cases/kpis/targets/").status_code == 403
    assert browser(outsider).get(f"/cases/kpis/leads/?figure=landed&{NOV}").status_code == 403


# --- the contract ---------------------------------------------------------------------------------


def test_the_schema_states_the_kpis_exactly():
    from drf_spectacular.generators import SchemaGenerator

    from cases.outcomes.api import KpisSerializer, KpiUnitSerializer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    ok = schema["paths"]["/api/kpis/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    kpis = components[ok["$ref"].rsplit("/", 1)[1]]
    assert set(kpis["properties"]) == set(KpisSerializer().fields) and set(kpis["required"]) == set(
        kpis["properties"]
    )
    assert set(components["KpiUnit"]["properties"]) == set(KpiUnitSerializer().fields)
    assert components["KpiUnit"]["properties"]["landing_rate"]["nullable"] is True
    parameters = {p["name"]: p for p in schema["paths"]["/api/kpis/leads/"]["get"]["parameters"]}
    assert parameters["figure"]["required"] is True and parameters["from"]["schema"]["format"] == "date"
    assert "put" in schema["paths"]["/api/targets/"] and "get" in schema["paths"]["/api/targets/"]


def test_a_district_sees_its_own_trend_first_and_may_switch_to_the_city(kpi_fixture, haidian_leader):
    client = browser(haidian_leader)
    trend = client.get(f"/cases/kpis/?{NOV}").content.decode().split('id="kpi-trend"')[1]
    assert "figure=submitted&amp;unit=haidian&amp;from=2026-11-01" in trend
    city = client.get(f"/cases/kpis/?{NOV}&chart=city").content.decode().split('id="kpi-trend"')[1]
    assert "unit=haidian" not in city and "figure=submitted&amp;from=2026-11-01" in city


def test_an_amount_chart_with_nothing_yet_has_a_scale_of_whole_wan():
    from datetime import date as day

    from cases.outcomes.web import _chart

    bucket = {"from": day(2026, 1, 1), "to": day(2026, 1, 31), "label": "2026-01", "values": {}}
    with translation.override("zh-hans"):
        ticks = [t["text"] for t in _chart([bucket], ("landed_investment_cny",), "", amounts=True)["ticks"]]
    assert ticks == ["0万元", "1万元", "2万元"]
