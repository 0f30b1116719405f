"""Do landing recommendations tie with today's data (leading industries sourced for every unit) and the
capacity figures units report? They do: this file shows where, so the tie-break can be stated, not hidden
behind the units' alphabetical order."""

from decimal import Decimal

import pytest

from cases.outcomes import selectors as outcome_selectors
from tests.helpers import fire
from workflow.models import OrgUnit, UnitCapacity

SECTORS = ["pharma_health", "new_gen_it", "smart_manufacturing", "integrated_circuits"]


def ranked(make_lead, city_officer, sector, **overrides):  # type: ignore[no-untyped-def]
    lead = make_lead(city_officer, source="city", sector=sector, **overrides)
    return outcome_selectors.lead_recommendations(lead=fire(lead, "submit", city_officer))


def ties(ranking: list[dict]) -> list[tuple[float, list[str]]]:
    """Groups of two or more units with the same score, best first."""
    groups: dict[float, list[str]] = {}
    for r in ranking:
        groups.setdefault(r["score"], []).append(r["unit"])
    return [(score, units) for score, units in groups.items() if len(units) > 1]


@pytest.mark.parametrize("sector", SECTORS)
def test_without_capacity_figures_the_units_of_a_leading_industry_tie_and_are_listed_by_code(
    make_lead, city_officer, sector
):
    ranking = ranked(make_lead, city_officer, sector, segment="headquarters")
    fitting = sorted(OrgUnit.objects.filter(leading_industries=sector).values_list("code", flat=True))
    top_score, top = ties(ranking)[0]
    # the finding: every unit whose leading industries include the sector scores 50 — a tie, in code order
    assert top_score == 50.0 and top == fitting and len(top) >= 3


def test_capacity_figures_do_not_break_the_tie_once_both_units_exceed_the_reference(make_lead, city_officer):
    # given two pharma units that both report more land than the reference need and more factory space
    # than the reference (the points are capped at 25 and 10)
    for code, land, space in (("daxing", "800", "120000"), ("changping", "300", "60000")):
        UnitCapacity.objects.create(
            unit=OrgUnit.objects.get(code=code),
            industrial_land_mu=Decimal(land),
            factory_space_m2=Decimal(space),
            updated_on="2026-11-01",
        )
    ranking = ranked(make_lead, city_officer, "pharma_health", segment="headquarters")
    # then Daxing, with far more land, ties with Changping on the capped score but comes first, and says why
    assert ranking[0]["score"] == ranking[1]["score"] == 85.0
    assert [r["unit"] for r in ranking[:2]] == ["daxing", "changping"]
    assert ranking[0]["reasons"][-1].startswith("与昌平区同分")


def test_a_tie_is_never_broken_by_name_without_saying_so(make_lead, city_officer):
    ranking = ranked(make_lead, city_officer, "pharma_health", segment="headquarters")
    for score, units in ties(ranking):
        for r in ranking:
            if r["unit"] in units:
                assert any(
                    str(score) in reason or "tie" in reason or "同分" in reason for reason in r["reasons"]
                )
