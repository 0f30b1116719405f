"""The look of the pages: the assessment's figures as people read them, its ranking chart and files, who
is signed in, the product's own sign-in, password and error pages (even with DEBUG on)."""

import csv
import io

import pytest
from django.test import Client, override_settings
from django.utils import translation

from cases.templatetags.kpi_tags import days, percent
from tests.cases.test_kpis import NOV, kpi_fixture, land  # noqa: F401 (a fixture)
from tests.helpers import browser

# --- the assessment ----------------------------------------------------------------------------------


def test_rates_read_as_percentages_and_days_carry_their_unit():
    with translation.override("zh-hans"):
        assert (percent(1.0), percent(0.333), percent(0), percent(None)) == ("100%", "33%", "0%", "—")
        assert (days(12.5), days(20.0), days(None)) == ("12.5 天", "20 天", "—")
    with translation.override("en"):
        assert days(3) == "3 days"


def test_the_ranking_chart_sorts_the_units_by_the_chosen_figure_largest_first(
    make_lead, shunyi_officer, shunyi_leader, haidian_officer, haidian_leader, city_officer
):
    land(make_lead, haidian_officer, haidian_leader, city_officer, total="150000000")
    land(make_lead, shunyi_officer, shunyi_leader, city_officer, total="900000000")
    land(make_lead, haidian_officer, haidian_leader, city_officer, total="100000000")
    client = browser(city_officer)
    with translation.override("zh-hans"):
        html = client.get(f"/cases/kpis/?{NOV}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    ranking = html.split('id="kpi-ranking"')[1].split("</section>")[0]
    names = [part.split("<")[0] for part in ranking.split('class="sc-rank-name">')[1:]]
    assert names[:2] == ["顺义区", "海淀区"] and len(names) == 17  # by landed investment: 9亿 before 2.5亿
    landed = client.get(f"/cases/kpis/?{NOV}&metric=landed").content.decode().split('id="kpi-ranking"')[1]
    names = [part.split("<")[0] for part in landed.split('class="sc-rank-name">')[1:]]
    assert names[:2] == ["海淀区", "顺义区"]  # two leads landed before one
    assert 'data-metric="landed" class="active"' in landed


def test_a_figure_without_a_value_shows_a_dash_and_comes_last(kpi_fixture, city_officer):  # noqa: F811
    html = browser(city_officer).get(f"/cases/kpis/?{NOV}&metric=median_days_to_progress").content.decode()
    ranking = html.split('id="kpi-ranking"')[1].split("</section>")[0]
    values = [part.split("<")[0] for part in ranking.split('class="sc-rank-value">')[1:]]
    assert values[0] == "15 天" and values[1:] == ["—"] * 16  # Haidian: 10 and 20 days; the rest none
    table = html.split('id="kpi-table"')[1].split("</table>")[0]
    assert "median_days_to_progress<" not in table and "landing_rate<" not in table
    haidian = table.split('data-unit="haidian"')[1].split("</tr>")[0]
    assert "100%</a>" in haidian  # one landed of one ended: the landing rate, not "1.0"


def test_an_unknown_figure_ranks_by_the_official_order(kpi_fixture, city_officer):  # noqa: F811
    html = browser(city_officer).get(f"/cases/kpis/?{NOV}&metric=<script>").content.decode()
    assert (
        'data-metric="landed_investment_cny" class="active"' in html
        and "<script>" not in html.split('id="kpi-ranking"')[1].split("</section>")[0]
    )


def test_the_pages_file_speaks_the_pages_language_and_names_the_period(kpi_fixture, city_officer):  # noqa: F811
    client = browser(city_officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(f"/cases/kpis/?{NOV}&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "2026-11-01" in rows[0][0] and "2026-11-30" in rows[0][0]
    assert rows[1][:4] == ["Rank", "Unit code", "Unit name", "Leads submitted"]
    assert rows[2][:3] == ["1", "haidian", "Haidian District"]
    assert 'filename="kpis-2026-11-01-2026-11-30.csv"' in response["Content-Disposition"]


# --- who is signed in --------------------------------------------------------------------------------


def test_the_top_bar_and_the_menu_name_the_person_with_unit_and_role(haidian_officer):
    haidian_officer.first_name, haidian_officer.last_name = "伟", "张"
    haidian_officer.save()
    with translation.override("zh-hans"):
        html = browser(haidian_officer).get("/cases/queue/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    who = html.split('id="sc-who"')[1].split("</span>")[0]
    assert "海淀区 · 经办人员" in who and ("伟 张" in who or "张伟" in who)
    assert 'id="sc-user-post">海淀区 · 经办人员<' in html


def test_a_person_without_a_full_name_is_shown_by_username(haidian_leader):
    html = browser(haidian_leader).get("/cases/queue/").content.decode()
    assert 'id="sc-user-name">haidian_leader<' in html and "Haidian_Leader" not in html


# --- the signed-out pages and the error pages ----------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_has_a_language_switch_that_works_without_signing_in():
    client = Client(HTTP_HOST="localhost")
    page = client.get("/accounts/login/").content.decode()
    assert 'action="/i18n/setlang/"' in page and "Viewflow Demo suite" not in page
    assert 'href="/static/cases/favicon.svg"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Forgot your password?" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_the_password_reset_page_is_the_products_not_the_admins():
    page = Client(HTTP_HOST="localhost").get("/accounts/password_reset/").content.decode()
    assert "vf-page-lockscreen" in page and "Django" not in page and 'name="email"' in page


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_with_debug_on_a_wrong_address_is_the_products_404_and_the_api_keeps_its_json():
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and 'id="sc-error"' in page.content.decode()
    assert "URLconf" not in page.content.decode()
    api = client.get("/api/no-such-thing/")
    assert api.status_code == 404 and api.json()["code"] == "not_found"


@override_settings(DEBUG=True)
def test_with_debug_on_a_missing_lead_is_the_products_404(haidian_officer):
    page = browser(haidian_officer).get("/cases/leads/99999999/")
    assert page.status_code == 404 and 'id="sc-error"' in page.content.decode()


@override_settings(DEBUG=True, TECHNICAL_ERROR_PAGES=True)
@pytest.mark.django_db
def test_a_developer_may_ask_for_djangos_technical_pages():
    page = Client(HTTP_HOST="localhost").get("/no-such-page/")
    assert page.status_code == 404 and "URLconf" in page.content.decode()


@pytest.mark.django_db
def test_without_debug_the_404_and_403_pages_are_the_products(outsider):
    assert 'id="sc-error"' in Client(HTTP_HOST="localhost").get("/no-such-page/").content.decode()
    forbidden = browser(outsider).get("/cases/kpis/")
    assert forbidden.status_code == 403 and "LOG IN AS ANOTHER USER" not in forbidden.content.decode().upper()
    assert 'id="sc-error"' in forbidden.content.decode()
