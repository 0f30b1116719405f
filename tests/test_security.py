"""DESIGN §11, the hardening of the additions: throttled sign-in on every door, idle sessions, password
validators, a Content-Security-Policy on every page, and the API's error shape for every error.
Every refusal here also shows that nothing was written."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import password_validation
from django.test import Client
from django.utils import translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.demo import DEMO_PASSWORD, PEOPLE, lead_data
from cases.models import Lead
from tests.helpers import at

NOW = at("2026-12-01 09:00")
LIMIT, COOL_OFF = 5, timedelta(minutes=15)  # the defaults: SIGNIN_FAILURE_LIMIT, SIGNIN_COOLOFF_MINUTES


def api_sign_in(username: str, password: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return APIClient(REMOTE_ADDR=address).post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


def web_sign_in(username: str, password: str, *, path: str = "/accounts/login/", lang: str = "zh-hans"):  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE=lang)
    return client, client.post(path, {"username": username, "password": password})


def fail(times: int, username: str = "haidian_officer", address: str = "10.0.0.1") -> list[int]:
    """Wrong passwords; the one that reaches the limit is answered 429 already."""
    return [api_sign_in(username, "wrong-password", address).status_code for _ in range(times)]


# --- 1. throttled sign-in ----------------------------------------------------------------------------


def test_the_api_refuses_even_the_right_password_after_five_failures(haidian_officer):
    with time_machine.travel(NOW, tick=False):
        assert fail(LIMIT) == [400] * (LIMIT - 1) + [429]
        response = api_sign_in("haidian_officer", DEMO_PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    body = response.json()
    assert set(body) == {"detail", "code", "messages"}
    assert body["code"] == "throttled"
    assert body["messages"]["en"] == (
        "Too many failed sign-ins for this username or from this address. Try again after 09:15."
    )
    template = "Too many failed sign-ins for this username or from this address. Try again after %(time)s."
    assert (
        body["detail"] == body["messages"]["zh-hans"] == in_language("zh-hans", template) % {"time": "09:15"}
    )
    assert not AuthToken.objects.exists()


def test_four_failures_do_not_lock_anyone_out(haidian_officer):
    assert fail(LIMIT - 1) == [400] * (LIMIT - 1)
    assert api_sign_in("haidian_officer", DEMO_PASSWORD).status_code == 200


def test_a_username_is_locked_whatever_address_the_guesses_come_from(haidian_officer):
    with time_machine.travel(NOW, tick=False):
        for n in range(LIMIT):
            fail(1, address=f"10.0.1.{n}")
        assert api_sign_in("haidian_officer", DEMO_PASSWORD, "10.0.2.1").status_code == 429
        assert api_sign_in("shunyi_officer", DEMO_PASSWORD, "10.0.2.1").status_code in (200, 400)
    assert not AuthToken.objects.filter(user=haidian_officer).exists()


def test_an_address_is_locked_whatever_usernames_it_tries(haidian_officer, shunyi_officer):
    with time_machine.travel(NOW, tick=False):
        for n in range(LIMIT):
            fail(1, username=f"guess{n}", address="10.0.3.3")
        assert api_sign_in("shunyi_officer", DEMO_PASSWORD, "10.0.3.3").status_code == 429
        assert api_sign_in("shunyi_officer", DEMO_PASSWORD, "10.0.3.4").status_code == 200
    assert AuthToken.objects.count() == 1


def test_retry_after_counts_down_and_the_right_password_works_after_the_cool_off(haidian_officer):
    with time_machine.travel(NOW, tick=False):
        fail(LIMIT)
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        response = api_sign_in("haidian_officer", DEMO_PASSWORD)
        assert (response.status_code, response["Retry-After"]) == (429, "300")
    with time_machine.travel(NOW + COOL_OFF - timedelta(seconds=1), tick=False):
        assert api_sign_in("haidian_officer", DEMO_PASSWORD).status_code == 429
    with time_machine.travel(NOW + COOL_OFF + timedelta(seconds=1), tick=False):
        assert api_sign_in("haidian_officer", DEMO_PASSWORD).status_code == 200


def test_a_success_resets_the_persons_count(haidian_officer):
    assert fail(LIMIT - 1) == [400] * (LIMIT - 1)
    assert api_sign_in("haidian_officer", DEMO_PASSWORD).status_code == 200
    assert fail(LIMIT - 1) == [400] * (LIMIT - 1)  # counted from zero again
    assert api_sign_in("haidian_officer", DEMO_PASSWORD).status_code == 200


def test_signing_in_as_oneself_does_not_clear_the_guesses_at_someone_else(haidian_officer, shunyi_officer):
    with time_machine.travel(NOW, tick=False):
        fail(LIMIT - 1, username="haidian_officer", address="10.0.4.4")
        assert api_sign_in("shunyi_officer", DEMO_PASSWORD, "10.0.4.4").status_code == 200
        fail(1, username="haidian_officer", address="10.0.4.5")
        assert api_sign_in("haidian_officer", DEMO_PASSWORD, "10.0.4.6").status_code == 429


def in_language(lang: str, english: str) -> str:
    """The catalogue's translation of a message (the msgid is the English)."""
    with translation.override(lang):
        return translation.gettext(english)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_web_login_page_answers_429_in_the_readers_language(haidian_officer, lang):
    with time_machine.travel(NOW, tick=False):
        statuses = [
            web_sign_in("haidian_officer", "wrong-password", lang=lang)[1].status_code for _ in range(LIMIT)
        ]
        assert statuses == [200] * (LIMIT - 1) + [429]  # the form again, then the refusal
        client, response = web_sign_in("haidian_officer", DEMO_PASSWORD, lang=lang)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    message = "Too many failed sign-ins for this username or from this address. Try again after %(time)s."
    assert f'<html lang="{lang}"' in page
    assert in_language(lang, message) % {"time": "09:15"} in page
    assert 'href="/accounts/login/"' in page
    assert "_auth_user_id" not in client.session  # not signed in


def test_the_web_login_page_signs_in_after_the_cool_off(haidian_officer):
    with time_machine.travel(NOW, tick=False):
        fail(LIMIT)
    with time_machine.travel(NOW + COOL_OFF + timedelta(seconds=1), tick=False):
        client, response = web_sign_in("haidian_officer", DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(haidian_officer.pk)


def test_the_admin_login_is_throttled_too(haidian_officer):
    haidian_officer.is_staff = True
    haidian_officer.save()
    with time_machine.travel(NOW, tick=False):
        fail(LIMIT)  # failures at one door count at every door
        client, response = web_sign_in("haidian_officer", DEMO_PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert 'href="/admin/login/"' in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- 4. sessions and passwords -------------------------------------------------------------------


def test_a_session_ends_after_eight_idle_hours_and_each_request_renews_it(haidian_officer):
    client = Client()
    with time_machine.travel(NOW, tick=False):
        client.force_login(haidian_officer)
    for hours in (7, 14, 21):  # every request keeps it alive another 8 hours
        with time_machine.travel(NOW + timedelta(hours=hours), tick=False):
            assert client.get("/api/units/").status_code == 200
    with time_machine.travel(NOW + timedelta(hours=29, seconds=1), tick=False):
        assert client.get("/api/units/").status_code == 401
        assert client.get("/cases/queue/").status_code == 302


def test_the_demo_password_passes_the_password_validators():
    for username in PEOPLE:
        password_validation.validate_password(DEMO_PASSWORD, user=type("U", (), {"username": username})())


@pytest.mark.parametrize("weak", ["short1", "password123", "1234567890123", "haidian_officer"])
def test_the_password_page_refuses_a_weak_password_and_keeps_the_old_one(haidian_officer, weak):
    client = Client()
    client.force_login(haidian_officer)
    before = type(haidian_officer).objects.get(pk=haidian_officer.pk).password
    response = client.post(
        "/accounts/password_change/",
        {"old_password": DEMO_PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200  # the form again, with the validator's message
    assert type(haidian_officer).objects.get(pk=haidian_officer.pk).password == before


# --- 5. Content-Security-Policy ------------------------------------------------------------------


def directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_every_page_carries_the_policy(haidian_officer):
    client = Client()
    pages = [client.get("/accounts/login/"), client.get("/admin/login/")]
    client.force_login(haidian_officer)
    pages += [client.get(p) for p in ("/cases/queue/", "/cases/leads/", "/cases/chart/", "/no/such/page/")]
    pages += [client.get("/api/units/")]
    for response in pages:
        d = directives(response)
        assert d["default-src"] == ["'self'"]
        assert d["object-src"] == ["'none'"] and d["frame-ancestors"] == ["'none'"]
        assert d["base-uri"] == ["'self'"] and d["form-action"] == ["'self'"]
        assert d["connect-src"] == ["'self'"] and d["img-src"] == ["'self'", "data:"]
        assert "https:" not in response["Content-Security-Policy"] and "*" not in d["script-src"]


def test_the_throttled_page_carries_the_policy_too(haidian_officer):
    fail(LIMIT)
    _, response = web_sign_in("haidian_officer", DEMO_PASSWORD)
    assert response.status_code == 429 and directives(response)["default-src"] == ["'self'"]


# --- 6. every API error in the error shape, DEBUG off -----------------------------------------------


def error_of(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture
def officer_api(haidian_officer, settings):  # type: ignore[no-untyped-def]
    assert settings.DEBUG is False
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(haidian_officer)
    return client


def test_an_unexpected_exception_is_a_500_in_the_error_shape_without_a_traceback(officer_api, monkeypatch):
    from cases.api import common

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals: /srv/shoutan/settings.py")

    monkeypatch.setattr(common.UnitList, "list", broken)
    body = error_of(officer_api.get("/api/units/"), 500, "server_error")
    assert set(body) == {"detail", "code", "messages"}
    assert "secret" not in json.dumps(body) and "Traceback" not in json.dumps(body)


def test_a_json_body_over_the_limit_is_a_413_and_writes_nothing(officer_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    data = lead_data(1, notes="备" * 5000)  # 15,000 bytes of UTF-8
    body = error_of(officer_api.post("/api/leads/", data, format="json"), 413, "too_large")
    assert set(body["messages"]) == {"zh-hans", "en"}
    assert not Lead.objects.exists()


def test_a_form_body_over_the_limit_is_a_413_too(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = APIClient().post("/api/auth/token/", {"username": "x" * 2000, "password": "y"})
    error_of(response, 413, "too_large")
    assert not AuthToken.objects.exists()


def test_too_many_form_fields_is_a_400(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = "&".join(f"f{n}=1" for n in range(20))
    response = APIClient().post("/api/auth/token/", fields, content_type="application/x-www-form-urlencoded")
    error_of(response, 400, "bad_request")


def test_malformed_json_is_a_400(officer_api):
    response = officer_api.post("/api/leads/", '{"name": ', content_type="application/json")
    error_of(response, 400, "parse_error")
    assert not Lead.objects.exists()


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(officer_api, depth):
    response = officer_api.post("/api/leads/", "[" * depth + "]" * depth, content_type="application/json")
    body = error_of(response, 400, "parse_error")
    assert "32" in body["detail"]
    assert not Lead.objects.exists()


def test_json_32_levels_deep_is_still_read(officer_api):
    response = officer_api.post("/api/leads/", "[" * 32 + "]" * 32, content_type="application/json")
    assert response.json()["code"] == "invalid"  # read, then refused as not an object


def test_an_unknown_api_path_is_a_json_404(officer_api):
    error_of(officer_api.get("/api/no/such/thing/"), 404, "not_found")


def test_a_foreign_host_header_on_the_api_is_a_json_400():
    error_of(Client(HTTP_HOST="evil.example").get("/api/units/"), 400, "bad_request")


def test_outside_the_api_django_keeps_its_own_pages():
    response = Client(HTTP_HOST="evil.example").get("/cases/queue/")
    assert response.status_code == 400 and not response["Content-Type"].startswith("application/json")


# --- on the served product (uvicorn, as scripts/run.sh runs it) ------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):  # type: ignore[no-untyped-def]
    from tests.servers import EmbeddedServer

    server = EmbeddedServer(tmp_path_factory.mktemp("security-var")).start()
    yield server
    server.stop()


def call(served, path: str, *, data: bytes | None = None, headers: dict | None = None, opener=None):  # type: ignore[no-untyped-def]
    """(status, headers, body) of one request to the served product; errors are answers too."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{served.url}{path}", data=data, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_a_served_sign_in_is_throttled_through_the_async_middleware_too(served):
    """uvicorn runs axes's middleware on its async path (which hands the lockout callable its
    arguments in another order): the same 429, Retry-After and error shape."""
    body = json.dumps({"username": "throttled_on_the_server", "password": "wrong-password"}).encode()
    headers = {"Content-Type": "application/json", "X-Forwarded-For": "10.9.9.1"}  # uvicorn trusts loopback
    statuses = [call(served, "/api/auth/token/", data=body, headers=headers)[0] for _ in range(LIMIT - 1)]
    status, answer_headers, answer = call(served, "/api/auth/token/", data=body, headers=headers)
    assert (statuses, status) == ([400] * (LIMIT - 1), 429)
    assert 890 <= int(answer_headers["Retry-After"]) <= 900
    assert json.loads(answer)["code"] == "throttled"


def test_the_served_login_page_is_throttled_with_a_page(served):
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    headers = {"X-Forwarded-For": "10.9.9.2", "Accept-Language": "en"}
    statuses = []
    for _ in range(LIMIT):
        page = call(served, "/accounts/login/", headers=headers, opener=opener)[2].decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        form = {"csrfmiddlewaretoken": token, "username": "bda_officer", "password": "wrong-password"}
        status, answer_headers, answer = call(
            served, "/accounts/login/", data=urllib.parse.urlencode(form).encode(),
            headers={**headers, "Referer": f"{served.url}/accounts/login/"}, opener=opener,
        )  # fmt: skip
        statuses.append(status)
    assert statuses == [200] * (LIMIT - 1) + [429]
    assert "Too many failed sign-ins" in answer.decode() and answer_headers["Retry-After"]  # asked in English
    assert "default-src 'self'" in answer_headers["Content-Security-Policy"]


def test_a_served_websocket_handshake_is_refused_with_403_from_a_foreign_origin_or_anonymous(served):
    import asyncio

    import websockets
    from websockets.exceptions import InvalidStatus

    body = json.dumps({"username": "haidian_leader", "password": DEMO_PASSWORD}).encode()
    key = json.loads(
        call(served, "/api/auth/token/", data=body, headers={"Content-Type": "application/json"})[2]
    )["token"]
    url = served.url.replace("http://", "ws://") + "/ws/notifications/"
    auth = {"Authorization": f"Token {key}"}

    async def status_of(**kw) -> int:  # type: ignore[no-untyped-def]
        try:
            async with websockets.connect(url, open_timeout=10, **kw) as ws:
                assert json.loads(await ws.recv())["type"] == "unread"
                return 101
        except InvalidStatus as exc:
            return exc.response.status_code

    async def all_of() -> list[int]:
        return [
            await status_of(additional_headers=auth, origin="http://evil.example"),
            await status_of(additional_headers=auth, origin="null"),
            await status_of(),  # anonymous
            await status_of(additional_headers={"Authorization": "Token nope"}),
            await status_of(additional_headers=auth, origin=served.url),
            await status_of(additional_headers=auth),  # an integration: no Origin
        ]

    assert asyncio.run(all_of()) == [403, 403, 403, 403, 101, 101]


@pytest.mark.browser
def test_the_pages_run_under_the_policy_without_a_violation(served):
    """Every page of the menu, the registration form's scripts, a lead, the state chart and the live
    bell, in Chromium: no securitypolicyviolation event and no CSP error in the console."""
    from playwright.sync_api import expect, sync_playwright

    from tests.servers import launch_chromium

    listener = """window.__csp = [];
        document.addEventListener("securitypolicyviolation",
            e => window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile));"""
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_context(locale="zh-CN").new_page()
        console = []
        page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
        page.add_init_script(listener)
        seen = []

        def visit(url: str) -> None:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            seen.extend(page.evaluate("window.__csp"))

        visit(f"{served.url}/accounts/login/")
        page.fill("input[name=username]", "city_officer")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{served.url}/cases/queue/")
        # the menu is drawn by viewflow's scripts after the page loads
        # (locators, not wait_for_function: its string predicates are eval, which the policy forbids)
        page.locator("a[href^='/cases/']").nth(4).wait_for(state="attached")
        menu = page.eval_on_selector_all(
            "a[href^='/cases/']", "els => [...new Set(els.map(e => e.getAttribute('href')))]"
        )
        for href in [*menu, "/cases/leads/new/", "/cases/leads/1/", "/cases/chart/", "/admin/login/"]:
            visit(f"{served.url}{href}")
        visit(f"{served.url}/cases/leads/new/")
        page.fill("#id_credit_code", "91110108000000100W")  # runs the page's inline script
        page.fill("#id_total_investment_cny", "20000")
        expect(page.locator("#amount-words")).not_to_have_text("")
        seen.extend(page.evaluate("window.__csp"))
        assert len(menu) >= 5
        assert (seen, console) == ([], [])
        # and the listener does hear the policy at work: a script from elsewhere is refused
        page.evaluate("""() => { const s = document.createElement("script");
            s.src = "http://evil.example/x.js"; document.head.appendChild(s); }""")
        for _ in range(100):  # the violation event comes when the browser refuses the script
            if any(v.startswith("script-src") for v in page.evaluate("window.__csp")):
                break
            page.wait_for_timeout(50)
        assert any(v.startswith("script-src") for v in page.evaluate("window.__csp"))
        browser.close()


@pytest.mark.parametrize(
    "url",
    [
        "/api/commitments/?unit=a%00b", "/api/credits/?unit=a%00b", "/api/service-requests/?unit=a%00b",
        "/api/financing-needs/?unit=a%00b", "/api/leads/?q=a%00b", "/cases/leads/?q=a%00b",
    ],
)  # fmt: skip
def test_a_nul_in_a_parameter_is_a_400_on_every_database(city_officer, url):
    """PostgreSQL refuses even to compare text holding a NUL: the request is refused before any query."""
    from tests.helpers import api, browser

    response = (api if url.startswith("/api/") else browser)(city_officer).get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json()["code"]
