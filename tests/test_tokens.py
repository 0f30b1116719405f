"""API tokens (DESIGN §8 Additions, §11; config/tokens.py): stored hashed, expiring, revocable, dead
after a password change or a deactivation; the browser's session still works beside them."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.demo import DEMO_PASSWORD
from tests.helpers import at

NOW = at("2026-12-01 09:00")


def sign_in(username: str, password: str = DEMO_PASSWORD, client: APIClient | None = None):  # type: ignore[no-untyped-def]
    return (client or APIClient()).post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_it_answers_a_token_and_its_expiry_in_beijing_time(haidian_officer):
    with time_machine.travel(NOW, tick=False):
        response = sign_in("haidian_officer")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert body["expires_at"] == "2026-12-31T09:00:00+08:00"  # TOKEN_TTL_DAYS: 30 by default
    assert with_token(body["token"]).get("/api/units/").status_code == 200


def test_the_token_is_stored_only_as_a_digest(haidian_officer):
    key = sign_in("haidian_officer").json()["token"]
    row = AuthToken.objects.get(user=haidian_officer)
    stored = [str(v) for v in AuthToken.objects.filter(pk=row.pk).values().get().values()]
    assert key not in stored
    assert row.token_key == key[:15]  # the look-up prefix knox keeps
    assert len(row.digest) == 128 and row.digest != hash_token(key)  # bound to the password too


def test_the_ttl_comes_from_the_setting(haidian_officer, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(days=7)}
    with time_machine.travel(NOW, tick=False):
        assert sign_in("haidian_officer").json()["expires_at"] == "2026-12-08T09:00:00+08:00"


def test_a_token_works_until_it_expires_and_is_then_refused_and_deleted(haidian_officer):
    with time_machine.travel(NOW, tick=False):
        key = sign_in("haidian_officer").json()["token"]
    with time_machine.travel(NOW + timedelta(days=30) - timedelta(seconds=1), tick=False):
        assert with_token(key).get("/api/units/").status_code == 200
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        response = with_token(key).get("/api/units/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=haidian_officer).exists()


def test_delete_revokes_the_token_it_is_made_with_and_no_other(haidian_officer):
    first, second = sign_in("haidian_officer").json()["token"], sign_in("haidian_officer").json()["token"]
    response = with_token(first).delete("/api/auth/token/")
    assert (response.status_code, response.content) == (204, b"")
    assert with_token(first).get("/api/units/").status_code == 401
    assert with_token(second).get("/api/units/").status_code == 200
    assert AuthToken.objects.filter(user=haidian_officer).count() == 1


def test_delete_without_a_token_is_refused_and_revokes_nothing(haidian_officer):
    sign_in("haidian_officer")
    browser = APIClient()
    browser.force_login(haidian_officer)  # a session has no token to revoke
    for client in (APIClient(), browser, with_token("not-a-token")):
        response = client.delete("/api/auth/token/")
        assert response.status_code == 401
        assert set(response.json()) >= {"detail", "code"}
    assert AuthToken.objects.filter(user=haidian_officer).count() == 1


def test_a_wrong_password_is_refused_and_issues_nothing(haidian_officer):
    response = sign_in("haidian_officer", "wrong-password")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert set(response.json()["messages"]) == {"zh-hans", "en"}
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    "body", [{}, {"username": "haidian_officer"}, {"username": ["x"], "password": "y"}, []]
)
def test_a_malformed_sign_in_is_refused_and_issues_nothing(haidian_officer, body):
    response = APIClient().post("/api/auth/token/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not AuthToken.objects.exists()


def test_a_stale_token_sent_along_does_not_stop_signing_in(haidian_officer):
    response = sign_in("haidian_officer", client=with_token("expired-or-revoked-token"))
    assert response.status_code == 200


def test_a_password_changed_on_the_password_page_kills_older_tokens(haidian_officer):
    key = sign_in("haidian_officer").json()["token"]
    browser = Client()
    browser.force_login(haidian_officer)
    new = "a-new-password-for-2027"
    response = browser.post(
        "/accounts/password_change/",
        {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert with_token(key).get("/api/units/").status_code == 401
    fresh = sign_in("haidian_officer", new).json()["token"]
    assert with_token(fresh).get("/api/units/").status_code == 200


def test_a_password_set_anywhere_else_kills_older_tokens(haidian_officer):
    """The admin, `changepassword`, `add_member --password` and a shell all end in set_password."""
    key = sign_in("haidian_officer").json()["token"]
    haidian_officer.set_password("set-by-an-administrator-2027")
    haidian_officer.save()
    assert with_token(key).get("/api/units/").status_code == 401


def test_deactivating_a_person_kills_their_tokens(haidian_officer):
    key = sign_in("haidian_officer").json()["token"]
    haidian_officer.is_active = False
    haidian_officer.save()
    assert with_token(key).get("/api/units/").status_code == 401
    assert sign_in("haidian_officer").status_code == 400  # nor may they sign in again


def test_another_persons_token_prefix_does_not_authenticate(haidian_officer, shunyi_officer):
    key = sign_in("haidian_officer").json()["token"]
    forged = key[:15] + "0" * (len(key) - 15)
    assert with_token(forged).get("/api/units/").status_code == 401


def test_the_browser_session_still_authenticates_the_api(haidian_officer):
    browser = APIClient()
    browser.force_login(haidian_officer)
    assert browser.get("/api/units/").status_code == 200
