"""One language per screen (issue 16's first "done when"): each kind of person walks every page the menu and
the demo's case pages lead to — lists, case pages, every action's form open to them, the create forms, KPI,
rewards, import, notifications, absences, parameters, the state chart, the 403 and 404 pages, the sign-in
page — and no Latin word shows in a zh-Hans page but data and a short list of codes and units; in English,
no Han character but data."""

import json
import re
from collections import deque
from urllib.parse import urljoin, urlparse

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# Codes and units a Chinese page may show as they are, and why.
ALLOWED_LATIN = {
    # file formats and encodings, as officials name them (an upload's accepted types, exports, the import)
    "PDF", "CSV", "XLSX", "xlsx", "Excel", "Word", "PowerPoint", "OFD", "JPEG", "PNG", "GIF", "TIFF", "WebP", "BMP",
    "UTF",
    # sizes, currencies, and the API's name
    "KB", "MB", "GB", "USD", "CNY", "API",
    # a version ("v2") and a multiplication sign written as a letter in amounts ("× 10,000")
    "v",
}  # fmt: skip
# A command the operator is told to run, quoted as typed (the city's alert that next year's statutory calendar
# is not loaded yet).
ALLOWED_PHRASES = ["manage.py load_holidays"]

LATIN = re.compile(r"[A-Za-z][A-Za-z]*")
HAN = re.compile(r"[\u3400-\u9fff]+")
# an English name followed by the official Chinese term it stands for: "Transfer (出让)", "(告知承诺)"; and the
# import file's money headings, which are Chinese in every language ("万元 for yuan")
HEADINGS = ["万美元", "万元"]
GLOSS = re.compile(r"[(（][^()（）]*[\u3400-\u9fff][^()（）]*[)）]")
SKIP = re.compile(
    r"logout|/api/|/admin/|/static/|/media/|/i18n/|\.pdf|\.csv|\.xlsx|/export|/download|/documents/|format=|"
    r"/template"
)
PEOPLE = [
    "haidian_officer",
    "haidian_leader",
    "city_officer",
    "city_leader",
    "finance_officer",
    "bank_officer",
    "city_admin",  # the people and roles pages
]
LIMIT = 160  # pages per person: every list, form and case page of the demo, each kind of page once

# The visible text of the page: icon ligatures ("account_tree") are pictures, and the language switch names
# each language in itself ("English" in a Chinese page) as every language switch does.
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('.material-icons, .material-icons-outlined, .mdc-list-item__graphic, form.sc-lang, '
    + 'script, style, template, noscript, [hidden], [aria-hidden=true]').forEach(e => e.remove());
  body.querySelectorAll('option').forEach(o => o.append(' '));
  return body.innerText + ' ' + Array.from(document.querySelectorAll('input[placeholder], textarea[placeholder]'))
    .map(e => e.placeholder).join(' ');
}"""

DATA = """
import json
from django.apps import apps
from django.db import models
from workflow.models import TransitionRecord
values = set()
for model in apps.get_models():
    if model._meta.app_label not in {"cases", "workflow", "auth", "notifications", "attachments", "documents",
                                     "majorprojects", "servicerequests", "supportplans", "admissions", "financing"}:
        continue
    names = [f.name for f in model._meta.concrete_fields
             if isinstance(f, (models.CharField, models.TextField)) and not f.choices
             and f.name not in {"name_zh", "name_en", "rule", "password", "hash", "prev_hash", "state"}]
    for row in model.objects.values_list(*names) if names else []:
        values.update(v for v in row if isinstance(v, str) and v.strip())
    for f in model._meta.concrete_fields:
        if isinstance(f, models.JSONField):
            for v in model.objects.values_list(f.name, flat=True):
                stack = [v]
                while stack:
                    x = stack.pop()
                    if isinstance(x, dict):
                        stack.extend(x.values())
                    elif isinstance(x, list):
                        stack.extend(x)
                    elif isinstance(x, str) and x.strip() and model is not TransitionRecord:
                        values.add(x)
print("DATA" + json.dumps(sorted(values), ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def data_values(server):  # type: ignore[no-untyped-def]
    """What people entered (names, companies, codes, notes, reasons…): data, shown as entered."""
    out = server.manage("shell", "-c", DATA)
    values = json.loads(out[out.index("DATA") + 4 :])
    return sorted(values, key=len, reverse=True)


def without_data(text: str, values: list[str]) -> str:
    for v in [*ALLOWED_PHRASES, *values]:
        if len(v) > 1:
            text = re.sub(re.escape(v), " ", text, flags=re.IGNORECASE)
    return text


def walk(page: Page, base: str, start: list[str]):  # type: ignore[no-untyped-def]
    """Every page reachable by links from `start`, each kind of page once (a case page per case)."""
    seen: set[str] = set()
    queue = deque(start)
    while queue and len(seen) < LIMIT:
        path = queue.popleft()
        key = re.sub(r"\?.*", "", path)
        # one list page per query shape; one transition form per action and state; each case page
        key = re.sub(r"^(/cases/\w+/)\d+/do/", r"\1N/do/", key) if "/do/" in key else key
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(base + path)
        yield path, (response.status if response else 0), page.evaluate(VISIBLE_TEXT)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            if url.netloc != urlparse(base).netloc or url.scheme not in ("http", "https"):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if not SKIP.search(target):
                queue.append(target)


def latin_words(text: str) -> set[str]:
    return {w for w in LATIN.findall(text) if w not in ALLOWED_LATIN}


@pytest.mark.parametrize("username", PEOPLE)
def test_a_chinese_page_shows_no_english_word(server, as_user, data_values, username):
    page = as_user(username)
    found: dict[str, set[str]] = {}
    visited = 0
    extra = ["/cases/chart/", "/cases/leads/999999/", "/cases/no-such-page/"]
    for path, _status, text in walk(page, server.url, ["/cases/queue/", *extra]):
        visited += 1
        words = latin_words(without_data(text, data_values))
        if words:
            found[path] = words
    assert visited > 10
    assert found == {}


def test_a_refusal_page_is_chinese(server, as_user, data_values):
    page = as_user("haidian_officer")
    response = page.goto(f"{server.url}/cases/leads/6/do/approve_progress/")  # a leader's action
    assert response is not None and response.status in (403, 404, 409)
    assert latin_words(without_data(page.evaluate(VISIBLE_TEXT), data_values)) == set()


def test_viewflows_own_pages_are_chinese(server, browser, as_user, data_values):
    context = browser.new_context(locale="zh-CN")
    login = context.new_page()
    login.goto(f"{server.url}/accounts/login/")
    texts = [login.evaluate(VISIBLE_TEXT)]
    context.close()
    page = as_user("haidian_officer")
    page.goto(f"{server.url}/cases/leads/6/do/approve_progress/")
    texts.append(page.evaluate(VISIBLE_TEXT))
    words = set().union(*(LATIN.findall(without_data(t, data_values)) for t in texts)) - ALLOWED_LATIN
    assert words == set()


@pytest.mark.parametrize("username", ["haidian_officer", "city_leader"])
def test_an_english_page_shows_no_chinese_but_data(server, browser, data_values, username):
    context = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": server.url}])
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "shoutan-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/cases/queue/")
    found: dict[str, list[str]] = {}
    for path, _status, text in walk(page, server.url, ["/cases/queue/", "/cases/chart/"]):
        han = HAN.findall(GLOSS.sub(" ", without_data(text, [*data_values, *HEADINGS])))
        if han:
            found[path] = sorted(set(han))
    context.close()
    assert found == {}
