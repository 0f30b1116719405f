"""The formal papers as PDF (DESIGN §6a, docs/documents.md): each paper's facts as pdftotext reads them,
document numbers issued once and running per unit and year, who may download, the font, the pages."""

import subprocess
import threading
from urllib.parse import unquote

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases.demo import person
from cases.documents.models import Document
from cases.models import RewardCase
from cases.outcomes.machine import REWARD
from tests.helpers import at, fire
from workflow import engine

PROGRESS = {"milestone": "agreement_signed", "date": "2026-11-10", "evidence": "协议"}


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def download(user, url, when="2026-11-29 10:00"):  # type: ignore[no-untyped-def]
    with time_machine.travel(at(when), tick=False):
        return api(user).get(url)


def paper(lead, kind):  # type: ignore[no-untyped-def]
    return f"/api/leads/{lead.pk}/documents/{kind}/"


def text_of(response, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The PDF's text as poppler reads it (layout kept)."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "paper.pdf"
    path.write_bytes(response.content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def confirmed(make_lead, when="2026-07-01 10:00", **overrides):  # type: ignore[no-untyped-def]
    officer, city = person("haidian_officer"), person("city_officer")
    lead = fire(make_lead(officer, **overrides), "submit", officer, now=at(when))
    return fire(lead, "confirm", city, now=at(when))


def landed(make_lead, *, paid_in="6000000000"):  # type: ignore[no-untyped-def]
    """A Haidian lead an agency served, confirmed, progressed and landed in November 2026: its §15
    reward case is open."""
    officer, leader, city = person("haidian_officer"), person("haidian_leader"), person("city_officer")
    lead = make_lead(officer, referrer="某招商服务公司", source="district")
    for name, who, params, now in [("submit", officer, {}, "2026-11-02"), ("confirm", city, {}, "2026-11-02"),
                                   ("report_progress", officer, PROGRESS, "2026-11-10"),
                                   ("approve_progress", leader, {}, "2026-11-10"),
                                   ("land", leader, {"landed_on": "2026-11-20", "paid_in_capital_cny": paid_in,
                                                     "actual_fdi_usd": "0"}, "2026-11-20")]:  # fmt: skip
        lead = fire(lead, name, who, now=at(f"{now} 09:00"), **params)
    return lead


# --- 首谈区认定通知 ---------------------------------------------------------------------------------------


def test_it_states_the_first_negotiation_notices_facts(make_lead, haidian_officer, tmp_path):
    lead = confirmed(make_lead)

    response = download(haidian_officer, paper(lead, "first_negotiation_notice"), "2026-07-02 09:00")

    text = text_of(response, tmp_path)
    for fact in ("京首谈〔2026〕1号", "首谈区的通知", lead.company_name, lead.credit_code,
                 "海淀区", "1.5亿元", "集成电路", "2026年7月1日", "2026年7月2日", "第五条"):  # fmt: skip
        assert fact in text, fact
    # D = 2026-10-01 is National Day: the deadline is the end of the first working day after it (DESIGN §4)
    assert "2026年10月8日24时" in text
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="first_negotiation_notice-')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "首谈区认定通知-京首谈〔2026〕1号.pdf"


def test_it_embeds_the_cjk_font(make_lead, haidian_officer, tmp_path):
    lead = confirmed(make_lead)
    path = tmp_path / "notice.pdf"
    path.write_bytes(download(haidian_officer, paper(lead, "first_negotiation_notice")).content)

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout

    cjk = [line.split() for line in fonts.splitlines() if "WenQuanYi" in line]
    assert cjk and all(columns[-5:-2] == ["yes", "yes", "yes"] for columns in cjk)  # emb, sub, uni


def test_a_foreign_investors_notice_shows_its_home_registration(make_lead, city_officer, tmp_path):
    lead = confirmed(make_lead, credit_code="", home_registration_number="HRB 123456", home_country="DE")

    text = text_of(download(city_officer, paper(lead, "first_negotiation_notice")), tmp_path)

    assert "HRB 123456" in text and "德国" in text and "统一社会信用代码" not in text


def test_the_number_is_issued_once_and_runs_per_unit_and_year(make_lead, haidian_officer, haidian_leader):
    first, second = confirmed(make_lead), confirmed(make_lead)
    notice = "first_negotiation_notice"

    numbers = [download(haidian_officer, paper(lead, notice)) for lead in (first, second, first)]
    fire(
        first,
        "request_push",
        haidian_leader,
        now=at("2026-07-10 09:00"),
        reason="lacks_capacity",
        note="无地",
    )
    letter = download(haidian_officer, paper(first, "push_letter"))
    next_year = confirmed(make_lead, when="2027-01-05 10:00")
    later = download(haidian_officer, paper(next_year, notice), "2027-01-05 11:00")

    names = [unquote(r["Content-Disposition"].split("''")[1]) for r in (*numbers, letter, later)]
    assert names == [
        "首谈区认定通知-京首谈〔2026〕1号.pdf",
        "首谈区认定通知-京首谈〔2026〕2号.pdf",
        "首谈区认定通知-京首谈〔2026〕1号.pdf",  # the same paper, the same number
        "推送函-海推〔2026〕1号.pdf",  # Haidian's own sequence
        "首谈区认定通知-京首谈〔2027〕1号.pdf",  # a new year starts at 1
    ]
    assert list(Document.objects.values_list("unit__code", "year", "serial", "issued_by__username")) == [
        ("beijing", 2026, 1, "haidian_officer"),
        ("beijing", 2026, 2, "haidian_officer"),
        ("haidian", 2026, 1, "haidian_officer"),
        ("beijing", 2027, 1, "haidian_officer"),
    ]


def test_no_notice_before_the_city_confirms_and_none_for_whom_may_not_see(
    make_lead, haidian_officer, shunyi_officer, outsider
):
    submitted = fire(make_lead(haidian_officer), "submit", haidian_officer)
    lead = confirmed(make_lead)

    before = download(haidian_officer, paper(submitted, "first_negotiation_notice"))
    hidden = [download(who, paper(lead, "first_negotiation_notice")) for who in (shunyi_officer, outsider)]
    unknown = download(haidian_officer, paper(lead, "birthday_card"))
    no_lead = download(haidian_officer, "/api/leads/99999999/documents/first_negotiation_notice/")

    assert (before.status_code, before.json()["code"]) == (404, "not_reached")
    assert [r.status_code for r in hidden] == [404, 404]
    assert hidden[0].json()["code"] == "not_found"
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_document")
    assert set(unknown.json()["messages"]) == {"zh-hans", "en"}
    assert no_lead.status_code == 404
    assert not Document.objects.exists()  # a refused download leaves no number behind


def test_a_missing_font_is_a_503_saying_what_to_do_and_issues_nothing(make_lead, haidian_officer, settings):
    lead = confirmed(make_lead)
    settings.PDF_FONT = "/nonexistent/fonts/cjk.ttc"

    response = download(haidian_officer, paper(lead, "first_negotiation_notice"))
    report = download(person("city_officer"), "/api/kpis/report/?from=2026-01-01&to=2026-11-29")

    assert [response.status_code, report.status_code] == [503, 503]
    body = response.json()
    assert body["code"] == "font_missing"
    assert "fonts-wqy-microhei" in body["messages"]["en"] and "PDF_FONT" in body["messages"]["en"]
    assert "/nonexistent/fonts/cjk.ttc" in body["messages"]["zh-hans"]
    assert not Document.objects.exists()


# --- 推送函 -------------------------------------------------------------------------------------------


def test_it_states_the_push_letters_facts(make_lead, haidian_officer, haidian_leader, city_officer, tmp_path):
    lead = confirmed(make_lead, when="2026-11-02 09:00")
    assert download(city_officer, paper(lead, "push_letter")).status_code == 404  # not pushed yet

    fire(
        lead,
        "request_push",
        haidian_leader,
        now=at("2026-11-20 09:00"),
        reason="lacks_capacity",
        note="区内无地",
    )
    fire(lead, "confirm_push", city_officer, now=at("2026-11-21 09:00"))
    text = text_of(download(city_officer, paper(lead, "push_letter")), tmp_path)

    for fact in ("海推〔2026〕1号", "关于推送", "海淀区", "不具备承载条件", "区内无地", "2026年11月20日",
                 lead.company_name, lead.credit_code, "1.5亿元", "北京市产业主管部门"):  # fmt: skip
        assert fact in text, fact
    # Haidian pushed it and keeps read access: it downloads its own letter
    assert download(haidian_officer, paper(lead, "push_letter")).status_code == 200


# --- 奖励决定 -----------------------------------------------------------------------------------------


def test_it_states_the_reward_decisions_facts(make_lead, haidian_leader, city_officer, tmp_path):
    lead = landed(make_lead)
    case = RewardCase.objects.get(lead=lead)
    assert download(city_officer, paper(lead, "reward_decision")).status_code == 404  # open, not decided

    with time_machine.travel(at("2026-11-25 10:00"), tick=False):
        engine.fire(
            REWARD, pk=case.pk, name="approve", actor=haidian_leader, params={"amount_cny": "20000000"}
        )
    text = text_of(download(haidian_leader, paper(lead, "reward_decision"), "2026-11-26 10:00"), tmp_path)

    for fact in ("海奖〔2026〕1号", "某招商服务公司", "海淀区", "60亿元", "2000万元", "2026年11月20日",
                 "2026年11月25日", "2026年11月26日", "第十五条", "1000万元", lead.company_name):  # fmt: skip
        assert fact in text, fact


def test_a_rejected_reward_is_a_decision_not_to_reward(make_lead, haidian_leader, tmp_path):
    lead = landed(make_lead)
    case = RewardCase.objects.get(lead=lead)
    engine.fire(REWARD, pk=case.pk, name="reject", actor=haidian_leader, params={"reason": "未提供全程服务"})

    text = text_of(download(haidian_leader, paper(lead, "reward_decision")), tmp_path)

    assert "不予奖励" in text and "未提供全程服务" in text


# --- the §16 report -------------------------------------------------------------------------------


@pytest.fixture
def november(make_lead, haidian_leader, shunyi_officer, city_officer):  # type: ignore[no-untyped-def]
    """Haidian lands one lead of 60亿元 paid-in (1.5亿元 total investment) in November 2026 and has a
    second confirmed; Shunyi has one confirmed."""
    landed(make_lead)
    confirmed(make_lead, when="2026-11-03 09:00")
    lead = fire(make_lead(shunyi_officer), "submit", shunyi_officer, now=at("2026-11-04 09:00"))
    fire(lead, "confirm", city_officer, now=at("2026-11-04 09:00"))


NOV = "/api/kpis/report/?from=2026-11-01&to=2026-11-30"


def _row(text: str, unit: str) -> list[str]:
    line = next(line for line in text.splitlines() if f" {unit} " in f" {line} ")
    return line.split()


def test_the_report_has_each_units_figures_its_period_and_one_number(november, city_officer, tmp_path):
    response = download(city_officer, NOV)
    text = text_of(response, tmp_path)

    assert "京考〔2026〕1号" in text and "2026年11月1日至2026年11月30日" in text and "第十六条" in text
    # rank, unit, submitted, confirmed, landed, target, completion, landed investment …
    assert _row(text, "海淀区")[:6] == ["1", "海淀区", "2", "2", "1", "—"]
    assert "1.5亿元" in _row(text, "海淀区")
    assert _row(text, "顺义区")[1:5] == ["顺义区", "1", "1", "0"]
    assert "各单位落地项目数" in text and "全市按月趋势" in text  # the charts' titles
    assert unquote(response["Content-Disposition"].split("''")[1]) == "项目落地考核报告-京考〔2026〕1号.pdf"
    again, other = (
        download(city_officer, NOV),
        download(city_officer, "/api/kpis/report/?from=2026-11-01&to=2026-11-29"),
    )
    assert again["Content-Disposition"] == response["Content-Disposition"]  # one number per period
    assert "京考〔2026〕2号" in unquote(other["Content-Disposition"])


def test_a_units_officer_sees_only_its_units_figures(november, haidian_officer, tmp_path):
    text = text_of(download(haidian_officer, NOV), tmp_path)

    assert "海淀区" in text and "顺义区" not in text


def test_only_the_city_numbers_the_report(november, haidian_officer, city_officer, tmp_path):
    unit_copy = text_of(download(haidian_officer, NOV), tmp_path)
    assert "〔2026〕" not in unit_copy.replace(" ", "") and not Document.objects.exists()
    city_copy = text_of(download(city_officer, NOV), tmp_path)
    assert "京考〔2026〕1号" in city_copy.replace(" ", "")
    assert Document.objects.count() == 1


def test_a_merged_duplicates_papers_stay_its_own(make_lead, haidian_officer, shunyi_officer, city_officer):
    duplicate = confirmed(make_lead)  # confirmed: it has its notice
    survivor = fire(make_lead(shunyi_officer), "submit", shunyi_officer, now=at("2026-07-02 10:00"))
    fire(duplicate, "merge", city_officer, now=at("2026-07-03 10:00"), into=survivor.pk, reason="重复")
    assert download(city_officer, paper(survivor, "first_negotiation_notice")).status_code == 404


def test_the_report_refuses_bad_periods_and_people_without_a_role(city_officer, outsider):
    bad = [download(city_officer, f"/api/kpis/report/?{q}") for q in
           ("from=2026-12-01&to=2026-11-01", "from=2026-02-30", "from=1800-01-01&to=2026-01-01", "to=x")]  # fmt: skip
    refused = download(outsider, NOV)

    assert [(r.status_code, r.json()["code"]) for r in bad] == [(400, "period")] * 4
    assert refused.status_code == 403
    assert not Document.objects.exists()


# --- the pages ------------------------------------------------------------------------------------


def test_the_lead_page_links_the_papers_the_lead_has_reached(make_lead, haidian_officer, haidian_leader):
    lead = confirmed(make_lead)
    fire(
        lead, "request_push", haidian_leader, now=at("2026-07-10 09:00"), reason="lacks_capacity", note="无地"
    )
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(haidian_officer)

    page = browser.get(reverse("cases:leads:detail", args=[lead.pk])).content.decode()
    pdf = browser.get(paper(lead, "push_letter"))

    assert 'id="documents"' in page
    assert (
        f'class="document" data-kind="first_negotiation_notice" href="{paper(lead, "first_negotiation_notice")}"'
        in page
    )
    assert 'data-kind="push_letter"' in page and 'data-kind="reward_decision"' not in page
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")  # the session is enough


def test_the_kpi_page_links_the_report_of_its_period(city_officer):
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(city_officer)

    page = browser.get(reverse("cases:kpis:index") + "?from=2026-11-01&to=2026-11-30").content.decode()

    assert 'id="kpi-report" href="/api/kpis/report/?from=2026-11-01&to=2026-11-30"' in page


# --- races (PostgreSQL) ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_two_first_downloads_at_once_get_one_number(make_lead, haidian_officer, city_officer):
    leads = [confirmed(make_lead) for _ in range(3)]
    barrier = threading.Barrier(4)
    results: list = [None] * 4
    calls = [(haidian_officer, leads[0]), (city_officer, leads[0]), (haidian_officer, leads[1]),
             (city_officer, leads[2])]  # fmt: skip

    def run(i, who, lead):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            results[i] = api(who).get(paper(lead, "first_negotiation_notice"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert [r.status_code for r in results] == [200] * 4
    assert results[0]["Content-Disposition"] == results[1]["Content-Disposition"]
    assert sorted(Document.objects.values_list("serial", flat=True)) == [1, 2, 3]
