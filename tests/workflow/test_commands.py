import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from workflow.models import Membership, OrgUnit, PilotZone, RoleGroup


def run(*args):  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_org_loads_every_unit_from_the_data_file_and_is_idempotent():
    run("load_org")
    run("load_org")
    # the city, 16 districts, the BDA; 15 city departments and the city government (§6b)
    assert OrgUnit.objects.count() == 34
    assert OrgUnit.objects.filter(level="district").count() == 16
    bda = OrgUnit.objects.get(code="bda")
    assert (bda.level, bda.parent.code, bda.name_zh) == ("zone", "beijing", "北京经济技术开发区")
    assert sorted(bda.leading_industries.values_list("slug", flat=True)) == [
        "icv", "integrated_circuits", "new_gen_it", "pharma_health", "smart_manufacturing"
    ]  # fmt: skip
    huairou = PilotZone.objects.get(slug="huairou_science_city")
    assert sorted(huairou.units.values_list("code", flat=True)) == ["huairou", "miyun"]
    demo_zone = PilotZone.objects.get(slug="innovation_cluster_demo_zone")
    assert sorted(demo_zone.units.values_list("code", flat=True)) == ["bda", "shunyi"]
    assert PilotZone.objects.count() == 4
    assert RoleGroup.objects.count() == 68


def test_add_member_creates_the_user_with_a_password_and_the_role():
    out = run("add_member", "wang", "--unit", "haidian", "--role", "leader", "--password", "s3cret-pass")
    user = get_user_model().objects.get(username="wang")
    assert user.check_password("s3cret-pass")
    assert list(Membership.objects.filter(user=user).values_list("unit__code", "role")) == [
        ("haidian", "leader")
    ]
    assert list(user.groups.values_list("name", flat=True)) == ["haidian:leader"]
    assert "leader of haidian" in out
    run("add_member", "wang", "--unit", "haidian", "--role", "leader")
    assert Membership.objects.filter(user=user).count() == 1


def test_add_member_refuses_an_unknown_unit():
    with pytest.raises(CommandError):
        run("add_member", "li", "--unit", "atlantis", "--role", "officer")


def test_city_officers_get_the_city_permissions():
    run("add_member", "zhao", "--unit", "beijing", "--role", "officer")
    user = get_user_model().objects.get(username="zhao")
    assert user.has_perm("cases.dispatch_lead") and user.has_perm("cases.view_lead")


def test_process_due_reads_a_naive_now_as_beijing_time(make_lead, haidian_officer, city_officer):
    from tests.helpers import at, fire

    lead = fire(make_lead(haidian_officer), "submit", haidian_officer, now=at("2026-11-30 09:00"))
    fire(lead, "confirm", city_officer, now=at("2026-11-30 09:00"))
    # the deadline is 2027-03-02 00:00 Beijing (the end of Monday March 1st)
    first = json.loads(run("process_due", "--now", "2027-03-01T23:59"))
    assert (first["warnings"], first["deadlines"], first["failed"]) == (1, 0, 0)
    assert json.loads(run("process_due", "--now", "2027-03-01T15:59:00+00:00"))["deadlines"] == 0
    second = json.loads(run("process_due", "--now", "2027-03-02T00:00"))
    assert (second["warnings"], second["deadlines"], second["failed"]) == (0, 1, 0)


def test_process_due_refuses_a_bad_time():
    with pytest.raises(CommandError):
        run("process_due", "--now", "next tuesday")
