"""The inbox in the browser's pages: opening a notification marks it read and goes to its case; the bell's
dropdown shows times, "view all" and "mark all read"; the list is paged and marks what is unread."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from notifications.models import Notification
from notifications.web import ago
from tests.helpers import at


def note(user, n: int, *, lead=None, minutes_ago: int = 3, read: bool = False) -> Notification:  # type: ignore[no-untyped-def]
    created = timezone.now() - timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        user=user, kind="landed", lead=lead, params={"lead_name": f"项目{n}"}, key=f"test:{n}",
        created_at=created, read_at=created if read else None,
    )  # fmt: skip


def browser(user, *, csrf: bool = False, lang: str = "zh-hans") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=lang, enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def unread(user) -> set[int]:  # type: ignore[no-untyped-def]
    return set(Notification.objects.filter(user=user, read_at__isnull=True).values_list("pk", flat=True))


def read_times(user) -> list:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("read_at", flat=True))


@pytest.fixture
def lead_note(make_negotiating, haidian_officer):  # type: ignore[no-untyped-def]
    """The Haidian officer's notification that the city confirmed the unit, about a real lead."""
    lead = make_negotiating(now=at("2026-11-30 09:00"))
    return Notification.objects.get(user=haidian_officer, lead=lead)


def test_opening_a_notification_marks_it_read_and_goes_to_its_case(lead_note, haidian_officer):
    client = browser(haidian_officer)
    response = client.post(f"/cases/notifications/{lead_note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/cases/leads/{lead_note.lead_id}/"
    lead_note.refresh_from_db()
    assert lead_note.read_at is not None
    first = lead_note.read_at
    client.post(f"/cases/notifications/{lead_note.pk}/open/")  # opened again: still read, as it was
    lead_note.refresh_from_db()
    assert lead_note.read_at == first


def test_a_link_opened_without_a_click_goes_there_and_changes_nothing(lead_note, haidian_officer):
    response = browser(haidian_officer).get(f"/cases/notifications/{lead_note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/cases/leads/{lead_note.lead_id}/"
    lead_note.refresh_from_db()
    assert lead_note.read_at is None


def test_another_persons_notification_cannot_be_opened_or_marked(lead_note, haidian_officer, shunyi_officer):
    mine = note(shunyi_officer, 1)
    stranger = browser(shunyi_officer)
    for url in (f"/cases/notifications/{lead_note.pk}/open/", f"/cases/notifications/{lead_note.pk}/read/"):
        assert stranger.post(url).status_code == 404
    assert stranger.get(f"/cases/notifications/{lead_note.pk}/open/").status_code == 404
    assert stranger.post("/cases/notifications/999999/read/").status_code == 404
    lead_note.refresh_from_db()
    assert lead_note.read_at is None and unread(shunyi_officer) == {mine.pk}


def test_the_bell_lists_unread_notifications_with_times_view_all_and_mark_all_read(haidian_officer):
    note(haidian_officer, 1, minutes_ago=3)
    note(haidian_officer, 2, minutes_ago=60 * 26)
    note(haidian_officer, 3, read=True)
    html = browser(haidian_officer).get("/cases/notifications/").content.decode()
    drop = html[html.index('id="bell-drop"') : html.index('id="bell-all"')]
    assert "项目1" in drop and "项目2" in drop and "项目3" not in drop  # unread only
    assert re.search(r"<time datetime=\"[^\"]+\" title=\"2\d{3}[^\"]+\">3\s*分钟前</time>", drop)
    assert re.search(r">1\s*日前</time>", drop)  # Django's own Chinese for a day
    assert 'id="bell-all" href="/cases/notifications/"' in html and "查看全部" in html
    assert 'id="bell-read-all"' in html and "全部已读" in html
    english = browser(haidian_officer, lang="en").get("/cases/notifications/").content.decode()
    assert re.search(r">3\s*minutes ago</time>", english) and "View all" in english


def test_relative_times_read_in_the_pages_language():
    now = timezone.now()
    with translation.override("zh-hans"):
        assert ago(now - timedelta(seconds=20), now) == "刚刚"
        assert ago(now - timedelta(minutes=3), now) == "3\xa0分钟前"
        assert ago(now - timedelta(days=2, hours=5), now) == "2\xa0日前"
    with translation.override("en"):
        assert ago(now - timedelta(minutes=3), now) == "3\xa0minutes ago"


def test_mark_all_read_marks_every_one_once_and_returns_to_the_page(haidian_officer, shunyi_officer):
    for n in range(3):
        note(haidian_officer, n)
    other = note(shunyi_officer, 9)
    client = browser(haidian_officer, csrf=True)
    client.get("/cases/notifications/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/cases/notifications/read/", {"csrfmiddlewaretoken": token, "next": "/cases/leads/?state=draft"}
    )
    assert response.status_code == 302 and response["Location"] == "/cases/leads/?state=draft"
    assert unread(haidian_officer) == set()
    first = read_times(haidian_officer)
    again = client.post("/cases/notifications/read/", {"csrfmiddlewaretoken": token})  # idempotent
    assert again.status_code == 302 and again["Location"] == "/cases/notifications/"
    assert read_times(haidian_officer) == first
    assert unread(shunyi_officer) == {other.pk}  # nobody else's


def test_a_bad_mark_all_read_request_changes_nothing(haidian_officer):
    ids = {note(haidian_officer, n).pk for n in range(3)}
    client = browser(haidian_officer, csrf=True)
    assert client.post("/cases/notifications/read/").status_code == 403  # no CSRF token
    assert client.get("/cases/notifications/read/").status_code == 405  # not a POST
    client.get("/cases/notifications/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/cases/notifications/read/", {"csrfmiddlewaretoken": token, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/cases/notifications/"  # never sent off the site
    assert unread(haidian_officer) == set()
    ids2 = {note(haidian_officer, n).pk for n in range(10, 12)}
    anonymous = Client(HTTP_HOST="localhost").post("/cases/notifications/read/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert unread(haidian_officer) == ids2 and not ids & ids2


def test_the_list_is_paged_and_marks_unread(haidian_officer):
    for n in range(45):
        note(haidian_officer, n, minutes_ago=n + 1, read=n % 2 == 1)
    client = browser(haidian_officer)
    first = client.get("/cases/notifications/")
    assert len(first.context["notifications"]) == 20 and first.context["paginator"].num_pages == 3
    html = first.content.decode()
    assert html.count('class="unread"') == 10 and html.count('class="sc-read"') == 10
    assert re.search(r'<a href="\?page=2"[^>]*>', html)
    last = client.get("/cases/notifications/?page=3")
    assert len(last.context["notifications"]) == 5
    past_the_end = client.get("/cases/notifications/?page=9")  # the last items were marked read meanwhile
    assert past_the_end.status_code == 200 and past_the_end.context["page_obj"].number == 3
    only_unread = client.get("/cases/notifications/?unread=1&page=2")
    assert len(only_unread.context["notifications"]) == 3  # 23 unread: 20 + 3
    assert re.search(r'<a href="\?unread=1&(amp;)?page=1"', only_unread.content.decode())  # the filter kept
