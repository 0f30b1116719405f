"""The people and roles page (issue 16 "Also"): only the people administrator manages people; bad input
changes nothing; a deactivated person cannot sign in and their tokens die; every change is recorded."""

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from cases import demo
from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.people import selectors, services
from config.tokens import live_token, token_issue
from tests.helpers import browser
from workflow.models import Membership

User = get_user_model()


@pytest.fixture
def admin(db):  # type: ignore[no-untyped-def]
    return demo.person("city_admin")


def state() -> dict[str, Any]:
    """Everything a people write may change."""
    return {
        "users": sorted(User.objects.values_list("username", "first_name", "email", "is_active", "password")),
        "memberships": sorted(Membership.objects.values_list("user__username", "unit__code", "role")),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        "log": LogEntry.objects.count(),
    }


def signs_in(username: str, password: str) -> bool:
    """The web sign-in page takes these (it answers a good sign-in with a redirect)."""
    client = Client(REMOTE_ADDR="10.0.0.1")
    return client.post("/accounts/login/", {"username": username, "password": password}).status_code == 302


NEW = {"username": "xicheng_officer", "full_name": "王小明", "unit": "xicheng", "roles": ["officer"]}


def test_the_demo_has_a_people_administrator_with_no_unit_role(admin):
    assert services.may_administer(admin)
    assert not admin.memberships.exists()
    assert admin.check_password(demo.DEMO_PASSWORD)


@pytest.mark.parametrize(
    "username", ["city_officer", "city_leader", "haidian_officer", "haidian_leader", "outsider"]
)
def test_everyone_but_the_administrator_is_refused_on_every_page_and_write(username, admin):
    person = demo.person(username)
    target = demo.person("shunyi_officer")
    before = state()
    page = browser(person)
    assert page.get("/cases/people/").status_code == 403
    assert page.get("/cases/people/shunyi_officer/").status_code == 403
    assert page.post("/cases/people/", NEW).status_code == 403
    for action in ("deactivate", "reset_password", "give", "take"):
        r = page.post("/cases/people/shunyi_officer/", {"action": action, "role": "leader", "unit": "shunyi"})
        assert r.status_code == 403
    with pytest.raises(NotPermitted):
        services.person_add(actor=person, data=NEW)
    with pytest.raises(NotPermitted):
        services.person_deactivate(actor=person, username=target.username)
    with pytest.raises(NotPermitted):
        services.password_reset(actor=person, username=target.username)
    with pytest.raises(NotPermitted):
        services.role_give(actor=person, username=target.username, data={"role": "administrator"})
    assert state() == before


def test_an_anonymous_visitor_is_sent_to_sign_in(admin):
    r = Client(HTTP_HOST="localhost").get("/cases/people/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_the_administrator_adds_a_person_who_signs_in_with_the_temporary_password(admin):
    page = browser(admin)
    r = page.post("/cases/people/", {**NEW, "roles": ["officer", "leader"]})
    assert r.status_code == 200
    html = r.content.decode()
    password = html.split('id="temporary-password">')[1].split("<")[0]
    person = User.objects.get(username="xicheng_officer")
    assert person.get_full_name() == "王小明"
    assert sorted(person.memberships.values_list("unit__code", "role")) == [
        ("xicheng", "leader"), ("xicheng", "officer")
    ]  # fmt: skip
    assert {g.name for g in person.groups.all()} == {"xicheng:officer", "xicheng:leader"}
    assert signs_in("xicheng_officer", password)
    # shown once: the person's page does not show it again
    assert password not in page.get("/cases/people/xicheng_officer/").content.decode()
    assert r["Cache-Control"] == "no-store"
    [change] = selectors.person_history(person=person)
    assert change.event == "added" and change.by == "市人员管理员"
    assert "西城区" in change.text


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**NEW, "username": "bad name!"}, "username"),
        ({**NEW, "username": ""}, "username"),
        ({**NEW, "username": "x" * 151}, "username"),
        ({**NEW, "full_name": ""}, "full_name"),
        ({**NEW, "full_name": "名" * 151}, "full_name"),
        ({**NEW, "email": "not-an-address"}, "email"),
        ({**NEW, "roles": []}, "roles"),
        ({**NEW, "unit": ""}, "unit"),
        ({**NEW, "roles": ["chief"]}, "roles"),
        ({**NEW, "unit": "", "roles": [], "administrator": False}, "roles"),
        ({**NEW, "unit": "atlantis"}, "unit"),
    ],
)
def test_a_bad_new_person_is_refused_with_its_field_named_and_nothing_changes(admin, data, field):
    before = state()
    with pytest.raises(Invalid) as refused:
        services.person_add(actor=admin, data=data)
    assert field in refused.value.errors
    assert state() == before
    form = {k: v for k, v in data.items() if v is not False}  # an unticked box is not sent
    r = browser(admin).post("/cases/people/", form)
    assert r.status_code == 400
    assert 'id="error"' in r.content.decode()
    assert state() == before


def test_a_username_in_use_in_any_case_is_refused(admin):
    demo.person("haidian_officer")
    before = state()
    for name in ("haidian_officer", "Haidian_Officer"):
        with pytest.raises(Conflict) as refused:
            services.person_add(actor=admin, data={**NEW, "username": name})
        assert refused.value.errors["username"][0]["code"] == "duplicate"
    assert browser(admin).post("/cases/people/", {**NEW, "username": "HAIDIAN_OFFICER"}).status_code == 409
    assert state() == before


def test_errors_read_in_the_readers_language(admin):
    page = browser(admin)
    zh = page.post("/cases/people/", {**NEW, "unit": "atlantis"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = page.post("/cases/people/", {**NEW, "unit": "atlantis"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "No unit has the code atlantis" in en.content.decode()
    assert "atlantis" in zh.content.decode() and "No unit has the code" not in zh.content.decode()


def test_roles_are_given_and_taken_and_the_groups_follow(admin):
    person = demo.person("haidian_officer")
    services.role_give(actor=admin, username=person.username, data={"role": "leader", "unit": "shunyi"})
    assert person.groups.filter(name="shunyi:leader").exists()
    assert Membership.objects.filter(user=person, unit__code="shunyi", role="leader").exists()
    services.role_take(actor=admin, username=person.username, data={"role": "officer", "unit": "haidian"})
    assert not person.groups.filter(name="haidian:officer").exists()
    assert not Membership.objects.filter(user=person, unit__code="haidian").exists()
    assert [c.event for c in selectors.person_history(person=person)] == ["role_taken", "role_given"]


@pytest.mark.parametrize(
    ("call", "data", "error"),
    [
        ("role_give", {"role": "officer", "unit": "haidian"}, Conflict),  # holds it already
        ("role_give", {"role": "chief", "unit": "haidian"}, Invalid),
        ("role_give", {"role": "officer", "unit": ""}, Invalid),
        ("role_give", {"role": "officer", "unit": "atlantis"}, Invalid),
        ("role_take", {"role": "leader", "unit": "haidian"}, Conflict),  # does not hold it
        ("role_take", {"role": "administrator"}, Conflict),
        ("role_take", {"role": "officer", "unit": "<script>"}, Invalid),
    ],
)
def test_a_bad_role_change_is_refused_and_nothing_changes(admin, call, data, error):
    person = demo.person("haidian_officer")
    before = state()
    with pytest.raises(error):
        getattr(services, call)(actor=admin, username=person.username, data=data)
    assert state() == before
    action = "give" if call == "role_give" else "take"
    r = browser(admin).post(f"/cases/people/{person.username}/", {"action": action, **data})
    assert r.status_code == error.status
    assert state() == before


def test_a_change_to_nobody_is_a_404_and_an_unknown_action_a_400(admin):
    page = browser(admin)
    before = state()
    assert page.get("/cases/people/nobody/").status_code == 404
    assert page.post("/cases/people/nobody/", {"action": "deactivate"}).status_code == 404
    with pytest.raises(NotFound):
        services.person_deactivate(actor=admin, username="nobody")
    demo.person("haidian_officer")
    before = state()
    assert page.post("/cases/people/haidian_officer/", {"action": "explode"}).status_code == 400
    assert state() == before


def test_a_deactivated_person_cannot_sign_in_and_their_tokens_and_session_die(admin):
    person = demo.person("haidian_officer")
    _token, key = token_issue(user=person)
    session = browser(person)
    assert session.get("/cases/queue/").status_code == 200
    r = browser(admin).post("/cases/people/haidian_officer/", {"action": "deactivate"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert not signs_in("haidian_officer", demo.DEMO_PASSWORD)
    assert live_token(key) is None
    assert session.get("/cases/queue/").status_code == 302  # sent to sign in
    # reactivated: a new temporary password; the old password, session and token stay dead
    person, password = services.person_reactivate(actor=admin, username="haidian_officer")
    assert person.is_active
    assert not signs_in("haidian_officer", demo.DEMO_PASSWORD)
    assert signs_in("haidian_officer", password)
    assert live_token(key) is None
    assert session.get("/cases/queue/").status_code == 302
    assert [c.event for c in selectors.person_history(person=person)] == ["reactivated", "deactivated"]


def test_the_administrator_cannot_deactivate_themself_nor_remove_the_last_administrator(admin):
    before = state()
    with pytest.raises(Conflict):
        services.person_deactivate(actor=admin, username=admin.username)
    with pytest.raises(Conflict) as last:
        services.role_take(actor=admin, username=admin.username, data={"role": "administrator"})
    assert last.value.code == "last_administrator"
    assert browser(admin).post("/cases/people/city_admin/", {"action": "deactivate"}).status_code == 409
    assert state() == before
    # with a second administrator, either may step down; the last one standing may not be deactivated
    second = demo.person("city_leader")
    services.role_give(actor=admin, username="city_leader", data={"role": "administrator"})
    services.role_take(actor=second, username="city_admin", data={"role": "administrator"})
    assert not services.may_administer(admin)
    assert services.may_administer(second)
    before = state()
    with pytest.raises(Conflict):
        services.role_take(actor=second, username="city_leader", data={"role": "administrator"})
    assert state() == before


def test_deactivating_one_of_two_administrators_leaves_the_other(admin):
    demo.person("city_leader")
    services.role_give(actor=admin, username="city_leader", data={"role": "administrator"})
    services.person_deactivate(actor=admin, username="city_leader")
    assert list(services.administrators()) == [admin]


def test_a_password_reset_shows_a_new_password_once_and_ends_the_old_one_and_its_tokens(admin):
    person = demo.person("haidian_officer")
    _token, key = token_issue(user=person)
    r = browser(admin).post("/cases/people/haidian_officer/", {"action": "reset_password"})
    assert r.status_code == 200
    password = r.content.decode().split('id="temporary-password">')[1].split("<")[0]
    assert len(password) == services.TEMPORARY_LENGTH
    assert signs_in("haidian_officer", password)
    assert not signs_in("haidian_officer", demo.DEMO_PASSWORD)
    assert live_token(key) is None
    assert [c.event for c in selectors.person_history(person=person)] == ["password_reset"]
    before = state()
    with pytest.raises(Conflict):  # one's own password is changed on one's password page
        services.password_reset(actor=admin, username=admin.username)
    assert state() == before


def test_the_people_list_shows_roles_and_filters(admin):
    demo.person("haidian_officer"), demo.person("shunyi_leader")
    page = browser(admin)
    html = page.get("/cases/people/").content.decode()
    assert 'data-person="haidian_officer"' in html and 'data-role="haidian:officer"' in html
    assert 'data-role=":administrator"' in html
    html = page.get("/cases/people/?unit=shunyi").content.decode()
    assert 'data-person="shunyi_leader"' in html and 'data-person="haidian_officer"' not in html
    html = page.get("/cases/people/?q=haidian").content.decode()
    assert 'data-person="haidian_officer"' in html and 'data-person="shunyi_leader"' not in html


def test_the_menu_shows_the_page_to_the_administrator_only(admin):
    officer = demo.person("city_officer")
    assert "/cases/people/" in browser(admin).get("/cases/queue/").content.decode()
    assert "/cases/people/" not in browser(officer).get("/cases/queue/").content.decode()


def test_the_administrator_group_carries_the_user_permissions(admin):
    group = Group.objects.get(name=services.ADMIN_GROUP)
    assert sorted(group.permissions.values_list("codename", flat=True)) == sorted(services.ADMIN_PERMISSIONS)
    assert admin.has_perm("auth.change_user")


def test_the_history_and_roles_read_in_the_readers_language(admin):
    from django.utils import translation

    person, _password = services.person_add(actor=admin, data=NEW)
    with translation.override("en"):
        [change] = selectors.person_history(person=person)
        assert "Xicheng" in change.text and "西城" not in change.text
        assert selectors.roles_of(selectors.people().get(pk=person.pk))[0]["unit_name"].startswith("Xicheng")
    with translation.override("zh-hans"):
        assert "西城区" in selectors.person_history(person=person)[0].text


def test_a_people_administrator_cannot_take_over_a_superuser(admin):
    # a new password shown on the page would let the administrator sign in as the superuser
    root = User.objects.create_superuser("root", password="root-pass-2026-xyz")  # noqa: S106
    before = state()
    for call in (services.password_reset, services.person_deactivate):
        with pytest.raises(NotPermitted):
            call(actor=admin, username="root")
    assert browser(admin).post("/cases/people/root/", {"action": "reset_password"}).status_code == 403
    assert state() == before and root.check_password("root-pass-2026-xyz")
    # a superuser may
    assert services.password_reset(actor=root, username="city_admin")[1]
