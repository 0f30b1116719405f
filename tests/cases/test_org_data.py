"""The reference data the product loads (workflow/data): Beijing's units with their leading industries,
sources kept, loaded idempotently."""

import json
from pathlib import Path

import pytest

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


def test_the_city_departments_and_the_government_are_loaded_from_their_file():
    from workflow.models import Level

    departments = data("city_departments.json")["departments"]
    loaded = {u.code: u for u in OrgUnit.objects.filter(level__in=[Level.DEPARTMENT, Level.GOVERNMENT])}
    assert {d["code"]: (d["name_zh"], d["level"]) for d in departments} == {
        code: (u.name_zh, u.level) for code, u in loaded.items()
    }
    assert loaded["finance"].name_zh == "市财政局" and loaded["government"].level == Level.GOVERNMENT
    assert not any(u.hosts_leads for u in loaded.values())  # none of them hosts leads (§6b)
    org_load()  # again: nothing doubles
    assert OrgUnit.objects.filter(level=Level.DEPARTMENT).count() == len(departments) - 1


def test_the_data_files_are_the_shared_ones_unchanged():
    shared = Path(__file__).resolve().parents[3] / "shared" / "data"
    if not shared.exists():
        return  # a checkout without ../shared beside it: nothing to compare
    for name in ("beijing_districts.json", "sectors.json", "city_departments.json"):
        assert data(name) == json.loads((shared / name).read_text(encoding="utf-8")), name


def test_a_bank_is_added_by_a_command_and_refused_twice(db):
    from django.core.management import CommandError, call_command

    from workflow.models import Level, RoleGroup

    call_command("add_unit", "icbc_beijing", "--level", "bank", "--name-zh", "工商银行北京分行")
    bank = OrgUnit.objects.get(code="icbc_beijing")
    assert bank.level == Level.BANK and not bank.hosts_leads
    assert RoleGroup.objects.filter(unit=bank).count() == 2  # its officers and leaders
    with pytest.raises(CommandError):
        call_command("add_unit", "icbc_beijing", "--level", "bank", "--name-zh", "重复")
    with pytest.raises(CommandError):
        call_command("add_unit", "bad code!", "--level", "bank", "--name-zh", "坏")
    with pytest.raises(CommandError):
        call_command("add_unit", "nameless", "--level", "bank", "--name-zh", " ")
