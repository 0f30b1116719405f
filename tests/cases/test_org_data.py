"""The reference data the product loads (workflow/data): Beijing's units with their leading industries,
sources kept, loaded idempotently."""

import json
from pathlib import Path

from workflow.models import OrgUnit, PilotZone, Sector
from workflow.services import DATA_DIR, org_load

SIX = {
    "dongcheng": {"new_gen_it", "info_content_consumption"},
    "xicheng": {"blockchain_computing", "new_gen_it"},
    "fengtai": {"smart_manufacturing"},
    "mentougou": {"new_gen_it", "info_content_consumption", "pharma_health"},
    "pinggu": {"pharma_health", "smart_manufacturing"},
    "miyun": {"pharma_health", "smart_manufacturing"},
}


def data(name: str) -> dict:
    return json.loads((Path(DATA_DIR) / name).read_text(encoding="utf-8"))


def industries() -> dict[str, set[str]]:
    return {
        unit.code: {s.slug for s in unit.leading_industries.all()}
        for unit in OrgUnit.objects.prefetch_related("leading_industries")
    }


def test_every_unit_hosting_leads_has_sourced_leading_industries():
    districts = data("beijing_districts.json")
    loaded = industries()
    assert {code: loaded[code] for code in SIX} == SIX
    assert all(loaded[d["code"]] for d in districts["districts"])  # no unit is left without one
    sources = districts["meta"]["sources"]
    assert {f"S{n}" for n in range(30, 36)} <= set(sources)  # each new entry names its source
    assert all(d["basis"] != "none" for d in districts["districts"])


def test_every_leading_industry_is_a_sector_of_the_plan():
    slugs = {s["slug"] for s in data("sectors.json")["sectors"]}
    assert {s for d in data("beijing_districts.json")["districts"] for s in d["leading_industries"]} <= slugs
    assert set(Sector.objects.values_list("slug", flat=True)) == slugs


def test_loading_again_changes_nothing():
    before = (industries(), OrgUnit.objects.count(), Sector.objects.count(), PilotZone.objects.count())
    assert org_load() == org_load()
    assert (
        industries(),
        OrgUnit.objects.count(),
        Sector.objects.count(),
        PilotZone.objects.count(),
    ) == before
