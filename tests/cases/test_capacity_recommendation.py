"""The assignment recommendation as a ranked table with a stated scale and nothing chosen in advance, and
the capacity page that feeds it (issue 16, item 8)."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from cases import demo
from cases.errors import Invalid, NotFound, NotPermitted
from cases.outcomes import selectors as outcome_selectors
from cases.outcomes import services as outcome_services
from tests.helpers import api, browser, fire
from workflow.models import UnitCapacity


def rows(html: str) -> list[tuple[str, str, bool]]:
    """(unit, score, checked) of each row of the recommendation table, in order."""
    table = html.split('id="recommendation-table"')[1].split("</table>")[0]
    out = []
    for row in table.split("<tr data-unit=")[1:]:
        unit = row.split('"')[1]
        score = row.split('data-score="')[1].split('"')[0]
        out.append((unit, score, " checked" in row.split("</td>")[0]))
    return out


@pytest.fixture
def quantum(make_lead, city_officer):  # type: ignore[no-untyped-def]
    """A city lead waiting for a unit, in a sector no unit leads: every score is 0."""
    return fire(make_lead(city_officer, source="city", sector="quantum_info"), "submit", city_officer)


@pytest.fixture
def circuits(make_lead, city_officer):  # type: ignore[no-untyped-def]
    return fire(make_lead(city_officer, source="city", sector="integrated_circuits"), "submit", city_officer)


def test_the_assign_page_ranks_with_scores_of_100_and_reasons_and_chooses_nothing(circuits, city_officer):
    html = browser(city_officer).get(f"/cases/leads/{circuits.pk}/do/assign/").content.decode()
    ranked = rows(html)
    assert len(ranked) == 17
    assert [float(s) for _u, s, _c in ranked] == sorted((float(s) for _u, s, _c in ranked), reverse=True)
    assert float(ranked[0][1]) == 50.0 and not any(c for _u, _s, c in ranked)
    assert 'data-scale="100"' in html and "/ 100" in html
    assert "data-recommended" in html and 'id="recommendation-all-zero"' not in html
    assert "<select" not in html.split('id="recommendation"')[1].split("</table>")[0]


def test_when_every_score_is_0_nothing_is_recommended_nor_chosen(quantum, city_officer):
    html = browser(city_officer).get(f"/cases/leads/{quantum.pk}/do/assign/").content.decode()
    ranked = rows(html)
    assert {s for _u, s, _c in ranked} == {"0.0"} and not any(c for _u, _s, c in ranked)
    assert 'id="recommendation-all-zero"' in html and "data-recommended" not in html


def test_assigning_without_a_choice_is_refused_and_a_choice_is_kept_after_an_error(quantum, city_officer):
    page = browser(city_officer)
    r = page.post(f"/cases/leads/{quantum.pk}/do/assign/", {})
    assert r.status_code == 400
    quantum.refresh_from_db()
    assert quantum.state == "pending_assignment" and quantum.unit is None
    # a strategic ruling without its reason: refused, and the unit chosen stays chosen
    r = page.post(f"/cases/leads/{quantum.pk}/do/assign/", {"unit": "huairou", "strategic": "true"})
    assert r.status_code == 400
    assert [u for u, _s, c in rows(r.content.decode()) if c] == ["huairou"]
    quantum.refresh_from_db()
    assert quantum.state == "pending_assignment"
    assert page.post(f"/cases/leads/{quantum.pk}/do/assign/", {"unit": "huairou"}).status_code == 302
    quantum.refresh_from_db()
    assert quantum.unit.code == "huairou"


def test_the_points_add_up_to_the_score_and_the_api_says_so(circuits, city_officer, shunyi_officer):
    outcome_services.capacity_update(
        actor=shunyi_officer,
        unit_code="shunyi",
        data={"industrial_land_mu": "100", "factory_space_m2": "25000"},
    )
    ranked = outcome_selectors.lead_recommendations(lead=circuits)
    for r in ranked:
        assert round(sum(r["points"].values()), 1) == r["score"]
    assert ranked[0]["unit"] == "shunyi"
    assert ranked[0]["points"] == {"sector": 50, "land": 12.5, "space": 5.0, "record": 0.0}
    body = api(city_officer).get(f"/api/leads/{circuits.pk}/recommendations/").json()
    assert body[0]["points"] == ranked[0]["points"]


def test_a_pilot_zone_is_said_but_not_scored(quantum):
    huairou = next(r for r in outcome_selectors.lead_recommendations(lead=quantum) if r["unit"] == "huairou")
    assert huairou["score"] == 0 and any("怀柔科学城" in reason for reason in huairou["reasons"])


# --- the capacity page ------------------------------------------------------------------------------


def test_a_city_officer_enters_capacity_on_the_page_and_it_moves_the_recommendation(quantum, city_officer):
    page = browser(city_officer)
    assert rows(page.get(f"/cases/leads/{quantum.pk}/do/assign/").content.decode())[0][1] == "0.0"
    r = page.post(
        "/cases/capacity/", {"unit": "miyun", "industrial_land_mu": "300", "factory_space_m2": "60,000"}
    )
    assert r.status_code == 302
    cap = UnitCapacity.objects.get(unit__code="miyun")
    assert (cap.industrial_land_mu, cap.factory_space_m2, cap.updated_by) == (
        Decimal("300.00"), Decimal("60000.00"), city_officer,
    )  # fmt: skip
    html = page.get(f"/cases/leads/{quantum.pk}/do/assign/").content.decode()
    assert rows(html)[0][:2] == ("miyun", "35.0")
    assert not any(c for _u, _s, c in rows(html))
    page_html = page.get("/cases/capacity/").content.decode()
    assert "密云区" in page_html.split('id="capacity-history"')[1] and "300.00" in page_html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"industrial_land_mu": "-1", "factory_space_m2": "0"}, "industrial_land_mu"),
        ({"industrial_land_mu": "1e20", "factory_space_m2": "0"}, "industrial_land_mu"),
        ({"industrial_land_mu": "abc", "factory_space_m2": "0"}, "industrial_land_mu"),
        ({"industrial_land_mu": "1", "factory_space_m2": ""}, "factory_space_m2"),
        ({"industrial_land_mu": "1.234", "factory_space_m2": "0"}, "industrial_land_mu"),
    ],
)
def test_bad_figures_are_refused_on_the_page_and_nothing_changes(city_officer, shunyi_officer, data, field):
    outcome_services.capacity_update(
        actor=shunyi_officer, unit_code="shunyi", data={"industrial_land_mu": "10", "factory_space_m2": "20"}
    )
    before = (list(UnitCapacity.objects.values()), LogEntry.objects.count())
    with pytest.raises(Invalid) as refused:
        outcome_services.capacity_update(actor=city_officer, unit_code="shunyi", data=data)
    assert field in refused.value.errors
    r = browser(city_officer).post("/cases/capacity/", {"unit": "shunyi", **data})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="error"' in html and f'value="{data[field]}"' in html  # what was typed stays
    assert (list(UnitCapacity.objects.values()), LogEntry.objects.count()) == before


def test_who_may_change_which_units_figures(city_officer, city_leader, haidian_officer, haidian_leader):
    figures = {"industrial_land_mu": "5", "factory_space_m2": "5"}
    outsider = demo.person("outsider")
    for who in (haidian_officer, haidian_leader):
        outcome_services.capacity_update(actor=who, unit_code="haidian", data=figures)
        with pytest.raises(NotPermitted):
            outcome_services.capacity_update(actor=who, unit_code="shunyi", data=figures)
    for who in (city_leader, outsider):
        with pytest.raises(NotPermitted):
            outcome_services.capacity_update(actor=who, unit_code="shunyi", data=figures)
    outcome_services.capacity_update(actor=city_officer, unit_code="shunyi", data=figures)
    with pytest.raises(NotFound):
        outcome_services.capacity_update(actor=city_officer, unit_code="beijing", data=figures)
    before = list(UnitCapacity.objects.values())
    assert browser(haidian_officer).post("/cases/capacity/", {"unit": "shunyi", **figures}).status_code == 403
    assert browser(city_officer).post("/cases/capacity/", {"unit": "atlantis", **figures}).status_code == 404
    assert list(UnitCapacity.objects.values()) == before
    # who reads: the city's and the units' people; the page offers inputs only where one may write
    assert browser(outsider).get("/cases/capacity/").status_code == 403
    html = browser(haidian_officer).get("/cases/capacity/").content.decode()
    assert 'id="land-haidian"' in html and 'id="land-shunyi"' not in html
    html = browser(city_leader).get("/cases/capacity/").content.decode()
    assert 'id="land-' not in html
    html = browser(city_officer).get("/cases/capacity/").content.decode()
    assert 'id="land-shunyi"' in html and 'id="land-miyun"' in html


def test_the_api_lets_a_city_officer_set_a_units_capacity(city_officer):
    r = api(city_officer).put(
        "/api/units/pinggu/capacity/", {"industrial_land_mu": "42", "factory_space_m2": "0"}, format="json"
    )
    assert r.status_code == 200 and r.json()["industrial_land_mu"] == "42.00"
    [entry] = LogEntry.objects.all()
    assert entry.user == city_officer and '"industrial_land_mu": [null, "42.00"]' in entry.change_message
