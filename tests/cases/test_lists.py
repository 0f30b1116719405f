"""The lead lists (DESIGN §6a "Lists", "Assignee"): assignee in the rows, "my cases", search in the
activity log, sorting, filters, saved filters, export and bulk actions."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine

from cases.demo import person
from cases.leads import lists
from cases.models import Activity, Lead, SavedFilter
from tests.helpers import api, at, browser, fire, snapshot
from workflow.models import Absence, OrgUnit
from workflow.services import member_add

NOW = at("2026-11-30 09:00")


def ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


def hold(lead: Lead, user) -> None:  # type: ignore[no-untyped-def]
    """Give the lead an assignee (the assignee service is another capability's; here it is data)."""
    Lead.objects.filter(pk=lead.pk).update(assignee=user)


# --- assignee in the rows, "my cases" --------------------------------------------------------------


def test_the_rows_show_who_holds_each_lead(make_lead, haidian_officer):
    held, free = make_lead(haidian_officer), make_lead(haidian_officer)
    hold(held, haidian_officer)
    rows = {r["id"]: r for r in api(haidian_officer).get("/api/leads/").json()["results"]}
    assert rows[held.pk]["assignee"] == "haidian_officer"
    assert rows[free.pk]["assignee"] is None
    detail = api(haidian_officer).get(f"/api/leads/{held.pk}/").json()
    assert detail["assignee"] == "haidian_officer"
    queue = {r["id"]: r for r in api(haidian_officer).get("/api/queue/").json()["results"]}
    assert queue[held.pk]["assignee"] == "haidian_officer"


@pytest.fixture
def colleague(db):  # type: ignore[no-untyped-def]
    """A second Haidian officer, who covers for the first while away."""
    user = person("haidian_officer_2")
    member_add(user=user, unit=OrgUnit.objects.get(code="haidian"), role="officer")
    return user


def test_my_cases_are_my_open_leads_and_those_of_whom_i_cover_for_today(
    make_lead, make_negotiating, haidian_officer, colleague, city_officer
):
    mine, theirs, nobodys = make_negotiating(), make_negotiating(), make_lead(haidian_officer)
    closed = make_lead(haidian_officer)
    for lead in (mine, closed):
        hold(lead, colleague)
    hold(theirs, haidian_officer)
    fire(closed, "close", city_officer, reason="重复登记")
    Absence.objects.create(user=haidian_officer, start=date(2026, 11, 20), end=date(2026, 11, 30),
                           deputy=colleague, created_at=NOW)  # fmt: skip
    client = api(colleague)
    with time_machine.travel(at("2026-11-30 23:30"), tick=False):  # still the 30th in Beijing
        body = client.get("/api/queue/?mine=1").json()
        assert [r["id"] for r in body["results"]] == [theirs.pk, mine.pk]  # newest first
        assert body["count"] == 2
        assert {r["assignee"] for r in body["results"]} == {"haidian_officer", "haidian_officer_2"}
    with time_machine.travel(at("2026-12-01 00:30"), tick=False):  # the absence has ended
        assert ids(client.get("/api/queue/?mine=1")) == [mine.pk]
        assert ids(api(haidian_officer).get("/api/queue/?mine=true")) == [theirs.pk]
    assert nobodys.pk not in ids(client.get("/api/queue/?mine=1"))
    # without `mine` the queue is what awaits the caller, as before
    assert nobodys.pk in ids(client.get("/api/queue/"))


@pytest.mark.parametrize("bad", ["maybe", "2", "[1]"])
def test_a_bad_mine_value_is_refused(haidian_officer, bad):
    response = api(haidian_officer).get(f"/api/queue/?mine={bad}")
    assert response.status_code == 400
    assert "mine" in response.json()["errors"]


def test_the_queue_page_has_a_my_cases_tab_that_says_for_whom(make_negotiating, haidian_officer, colleague):
    theirs, own = make_negotiating(), make_negotiating()
    hold(theirs, haidian_officer)
    hold(own, colleague)
    today = date.today()
    Absence.objects.create(user=haidian_officer, start=today - timedelta(days=1), end=today + timedelta(days=1),
                           deputy=colleague, created_at=NOW)  # fmt: skip
    page = browser(colleague).get("/cases/queue/?mine=1").content.decode()
    assert 'id="mine"' in page
    assert f'data-lead="{theirs.pk}"' in page and f'data-lead="{own.pk}"' in page
    assert page.count('data-held-for="haidian_officer"') == 1
    plain = browser(colleague).get("/cases/queue/").content.decode()
    assert "data-held-for" not in plain


# --- search, sorting, filters ----------------------------------------------------------------------


def test_the_search_also_finds_the_activity_log(make_lead, haidian_officer):
    noted, other = make_lead(haidian_officer), make_lead(haidian_officer)
    Activity.objects.create(lead=noted, kind="meeting", at=NOW, summary="与董事长洽谈氢能电池产线", actor=haidian_officer,
                            created_at=NOW)  # fmt: skip
    client = api(haidian_officer)
    assert ids(client.get("/api/leads/?q=氢能电池")) == [noted.pk]
    assert ids(client.get(f"/api/leads/?q={other.name}")) == [other.pk]  # names as before
    page = browser(haidian_officer).get("/cases/leads/?q=氢能电池").content.decode()
    assert f'data-lead="{noted.pk}"' in page and f'data-lead="{other.pk}"' not in page


def test_another_units_activity_does_not_reveal_its_lead(make_lead, haidian_officer, shunyi_officer):
    theirs = make_lead(shunyi_officer)
    Activity.objects.create(lead=theirs, kind="note", at=NOW, summary="顺义机密", actor=shunyi_officer,
                            created_at=NOW)  # fmt: skip
    assert ids(api(haidian_officer).get("/api/leads/?q=顺义机密")) == []


@pytest.mark.parametrize(
    "field", ["created_at", "name", "total_investment_cny", "state", "deadline", "unit", "assignee"]
)
def test_the_list_sorts_by_each_field_both_ways_with_a_stable_tiebreak(
    make_lead, make_negotiating, haidian_officer, city_officer, field
):
    leads = [
        make_negotiating(),
        make_lead(haidian_officer, total_investment_cny="200000000"),
        make_negotiating(),
    ]
    hold(leads[0], haidian_officer)
    client = api(city_officer)
    up, down = (
        ids(client.get(f"/api/leads/?ordering={field}")),
        ids(client.get(f"/api/leads/?ordering=-{field}")),
    )
    assert sorted(up) == sorted(down) == sorted(lead.pk for lead in leads)
    rows = {
        lead.pk: Lead.objects.select_related("unit", "assignee", "clock").get(pk=lead.pk) for lead in leads
    }

    def key(pk: int):  # type: ignore[no-untyped-def]
        lead = rows[pk]
        value = {
            "created_at": lead.created_at, "name": lead.name, "total_investment_cny": lead.total_investment_cny,
            "state": lead.state, "deadline": lead.clock.deadline_at if lead.clock_id else None,
            "unit": lead.unit.code if lead.unit_id else None,
            "assignee": lead.assignee.username if lead.assignee_id else None,
        }[field]  # fmt: skip
        return value

    present = [pk for pk in up if key(pk) is not None]
    assert up[: len(present)] == sorted(present, key=lambda pk: (key(pk), pk))  # nulls last
    present_down = [pk for pk in down if key(pk) is not None]
    assert down[: len(present_down)] == sorted(present_down, key=lambda pk: (key(pk), pk), reverse=True)


def test_the_default_order_is_newest_first(make_lead, haidian_officer):
    leads = [make_lead(haidian_officer) for _ in range(3)]
    assert ids(api(haidian_officer).get("/api/leads/")) == [lead.pk for lead in reversed(leads)]


@pytest.mark.parametrize("bad", ["color", "--name", "name,-id", "-"])
def test_an_unknown_ordering_is_refused_naming_the_allowed_ones(haidian_officer, bad):
    response = api(haidian_officer).get(f"/api/leads/?ordering={bad}")
    assert response.status_code == 400
    message = response.json()["errors"]["ordering"][0]["message"]
    assert "total_investment_cny" in message and "-deadline" in message


def test_filters_by_assignee_segment_and_sector(make_lead, haidian_officer, colleague):
    held, free = make_lead(haidian_officer, segment="headquarters"), make_lead(haidian_officer)
    hold(held, colleague)
    client = api(haidian_officer)
    assert ids(client.get("/api/leads/?assignee=haidian_officer_2")) == [held.pk]
    assert ids(client.get("/api/leads/?assignee=none")) == [free.pk]
    assert ids(client.get("/api/leads/?segment=headquarters")) == [held.pk]
    assert ids(client.get(f"/api/leads/?sector={free.sector_id}&assignee=none")) == [free.pk]
    assert client.get("/api/leads/?segment=farming").status_code == 400
    assert client.get("/api/leads/?state=nonsense").status_code == 400


def test_the_web_list_has_sort_links_that_keep_the_filters(make_lead, haidian_officer):
    make_lead(haidian_officer)
    page = browser(haidian_officer).get("/cases/leads/?state=draft&ordering=-name").content.decode()
    assert 'data-sort="name"' in page and 'data-sort="deadline"' in page
    assert 'href="?state=draft&amp;ordering=name" data-sort="name"' in page  # the sorted column turns round
    assert 'href="?state=draft&amp;ordering=deadline" data-sort="deadline"' in page
    assert 'aria-sort="descending"' in page
    assert 'id="export-csv"' in page and "format=csv&amp;state=draft&amp;ordering=-name" in page
    assert 'id="export-xlsx"' in page and 'class="bulk-select"' in page and 'id="bulk-submit"' in page
    assert 'id="bulk-assign"' not in page  # city officers only


def test_the_web_lists_older_sort_links_still_work(make_lead, haidian_officer):
    first, second = make_lead(haidian_officer, name="甲项目"), make_lead(haidian_officer, name="乙项目")
    page = browser(haidian_officer).get("/cases/leads/?sort=old").content.decode()
    assert page.index(f'data-lead="{first.pk}"') < page.index(f'data-lead="{second.pk}"')


# --- saved filters ---------------------------------------------------------------------------------


def test_a_saved_filter_is_the_persons_own(haidian_officer, shunyi_officer):
    mine = api(haidian_officer)
    response = mine.post("/api/saved-filters/", {"name": "我的洽谈", "query": "?state=negotiating&ordering=-deadline&page=3"},
                         format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    saved = response.json()
    assert saved["query"] == "state=negotiating&ordering=-deadline" and saved["list_name"] == "leads"
    assert [f["name"] for f in mine.get("/api/saved-filters/").json()["results"]] == ["我的洽谈"]
    theirs = api(shunyi_officer)
    assert theirs.get("/api/saved-filters/").json()["results"] == []
    assert theirs.delete(f"/api/saved-filters/{saved['id']}/").status_code == 404
    assert SavedFilter.objects.filter(pk=saved["id"]).exists()
    assert mine.delete(f"/api/saved-filters/{saved['id']}/").status_code == 204
    assert not SavedFilter.objects.exists()
    assert mine.delete(f"/api/saved-filters/{saved['id']}/").status_code == 404


def test_a_duplicate_name_is_refused_and_nothing_changes(haidian_officer, shunyi_officer):
    client = api(haidian_officer)
    assert (
        client.post("/api/saved-filters/", {"name": "A", "query": "state=draft"}, format="json").status_code
        == 201
    )
    response = client.post("/api/saved-filters/", {"name": "A", "query": "state=negotiating"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "duplicate_name"
    assert list(SavedFilter.objects.values_list("query", flat=True)) == ["state=draft"]
    # another person may use the same name
    assert (
        api(shunyi_officer).post("/api/saved-filters/", {"name": "A", "query": ""}, format="json").status_code
        == 201
    )


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "query": "state=draft"},
        {"name": "x" * 101, "query": ""},
        {"name": "x", "query": "state=draft&" + "q=" + "a" * 2000},
        {"name": "x", "query": "evil=1"},
        {"name": "x", "query": "state=draft&state=landed"},
        {"name": "x", "query": "ordering=colour"},
        {"name": "x", "query": "state=nonsense"},
        {"name": "x"},
        {"query": "state=draft"},
        {"name": ["x"], "query": "state=draft"},
    ],
)
def test_a_bad_saved_filter_is_refused_and_nothing_is_saved(haidian_officer, body):
    response = api(haidian_officer).post("/api/saved-filters/", body, format="json")
    assert response.status_code == 400, response.content
    assert not SavedFilter.objects.exists()


def test_filters_are_saved_listed_and_deleted_on_the_web_list(haidian_officer):
    client = browser(haidian_officer)
    response = client.post(
        "/cases/leads/saved-filters/", {"name": "草稿", "query": "state=draft&ordering=name"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?state=draft&ordering=name")
    saved = SavedFilter.objects.get()
    page = client.get("/cases/leads/").content.decode()
    assert 'id="save-filter"' in page
    assert (
        f'class="saved-filter" href="?state=draft&amp;ordering=name" data-saved-filter="{saved.pk}"' in page
    )
    client.post(
        "/cases/leads/saved-filters/", {"name": "草稿", "query": "state=draft"}
    )  # a duplicate: refused
    assert SavedFilter.objects.count() == 1
    other = SavedFilter.objects.create(user=person("shunyi_officer"), name="x", query="", created_at=NOW)
    client.post(f"/cases/leads/saved-filters/{other.pk}/delete/")
    assert SavedFilter.objects.filter(pk=other.pk).exists()
    client.post(f"/cases/leads/saved-filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


# --- export ----------------------------------------------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(lists, "CHUNK", 2)  # several chunks from a handful of rows


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_export_holds_every_visible_row_with_chinese_headers(
    small_chunks, make_lead, make_negotiating, haidian_officer, shunyi_officer
):
    ours = [make_lead(haidian_officer) for _ in range(4)] + [make_negotiating()]
    hold(ours[0], haidian_officer)
    theirs = make_lead(shunyi_officer)
    response = api(haidian_officer).get("/api/leads/export/?format=csv&page_size=1&ordering=created_at")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="leads-' in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    header = rows[0]
    for name in ("项目名称", "企业名称", "统一社会信用代码", "行业", "环节", "总投资（元）", "状态", "承办单位", "承办人", "首谈",
                 "截止时间", "登记时间"):  # fmt: skip
        assert name in header
    assert [int(r[0]) for r in rows[1:]] == [lead.pk for lead in ours]  # all of them, in the order asked
    assert theirs.pk not in [int(r[0]) for r in rows[1:]]
    first = dict(zip(header, rows[1], strict=True))
    assert first["承办人"] == "haidian_officer" and first["状态"] == "草稿"
    last = dict(zip(header, rows[-1], strict=True))
    assert last["状态"] == "洽谈中" and last["截止时间"] and last["承办单位"] == "海淀区"


def test_the_export_keeps_the_lists_filters(make_lead, haidian_officer):
    draft, other = make_lead(haidian_officer, segment="headquarters"), make_lead(haidian_officer)
    rows = csv_rows(api(haidian_officer).get("/api/leads/export/?format=csv&segment=headquarters"))
    assert [int(r[0]) for r in rows[1:]] == [draft.pk]
    assert other.pk != draft.pk


def test_the_xlsx_export_is_a_real_workbook(small_chunks, make_lead, haidian_officer, shunyi_officer):
    from openpyxl import load_workbook

    ours = [make_lead(haidian_officer) for _ in range(3)]
    make_lead(shunyi_officer)
    response = api(haidian_officer).get("/api/leads/export/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "项目名称", "企业名称")
    assert [r[0] for r in rows[1:]] == [lead.pk for lead in reversed(ours)]


def test_a_name_that_looks_like_a_formula_is_exported_as_text(make_lead, haidian_officer):
    from openpyxl import load_workbook

    make_lead(haidian_officer, name='=HYPERLINK("http://evil.example","点击")')
    rows = csv_rows(api(haidian_officer).get("/api/leads/export/?format=csv"))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","点击")'
    response = api(haidian_officer).get("/api/leads/export/?format=xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = book.worksheets[0].cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")  # text, never a formula


@pytest.mark.parametrize("query", ["", "format=pdf", "format=csv&ordering=colour", "format=csv&state=x"])
def test_a_bad_export_is_refused(haidian_officer, query):
    assert api(haidian_officer).get(f"/api/leads/export/?{query}").status_code == 400


def test_the_web_export_link_downloads_the_file(make_lead, haidian_officer):
    lead = make_lead(haidian_officer)
    response = browser(haidian_officer).get("/cases/leads/export/?format=csv&state=draft")
    assert response.status_code == 200
    assert [int(r[0]) for r in csv_rows(response)[1:]] == [lead.pk]
    assert browser(haidian_officer).get("/cases/leads/export/?format=doc").status_code == 302


# --- bulk actions ----------------------------------------------------------------------------------


def test_bulk_submit_fires_each_lead_on_its_own(make_lead, haidian_officer, shunyi_officer):
    a, b = make_lead(haidian_officer), make_lead(haidian_officer)
    theirs = make_lead(shunyi_officer)
    before = snapshot(theirs)
    fire(b, "submit", haidian_officer)  # already submitted: refused, the others go on
    response = api(haidian_officer).post(
        "/api/leads/bulk/", {"action": "submit", "ids": [a.pk, theirs.pk, b.pk, 10**9]}, format="json"
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["id"] for r in results] == [a.pk, theirs.pk, b.pk, 10**9]
    assert results[0] == {"id": a.pk, "ok": True, "state": "pending_confirmation", "error": None}
    assert (
        results[1]["ok"] is False
        and results[1]["error"]["code"] == "not_found"
        and results[1]["state"] is None
    )
    assert results[2]["ok"] is False and results[2]["error"]["code"] == "wrong_state"
    assert results[3]["error"]["code"] == "not_found"
    assert Lead.objects.get(pk=a.pk).state == "pending_confirmation"
    assert snapshot(theirs) == before


def test_the_city_assigns_several_leads_at_once(make_lead, city_officer):
    leads = [fire(make_lead(city_officer, source="city"), "submit", city_officer)
             for _ in range(2)]  # fmt: skip
    assert {lead.state for lead in leads} == {"pending_assignment"}
    response = api(city_officer).post(
        "/api/leads/bulk/",
        {"action": "assign", "ids": [lead.pk for lead in leads], "params": {"unit": "shunyi"}},
        format="json",
    )
    assert [(r["ok"], r["state"]) for r in response.json()["results"]] == [(True, "negotiating")] * 2
    assert set(
        Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("unit__code", flat=True)
    ) == {"shunyi"}


@pytest.mark.parametrize(
    "body",
    [
        {"action": "launch", "ids": [1]},
        {"action": "submit"},
        {"action": "submit", "ids": []},
        {"action": "submit", "ids": list(range(1, 202))},
        {"action": "submit", "ids": [1, 1]},
        {"action": "submit", "ids": ["one"]},
        {"action": "submit", "ids": [1.5]},
        {"action": "submit", "ids": [-1]},
        {"action": "submit", "ids": 1},
        {"action": "assign", "ids": [1]},
        {"action": "assign", "ids": [1], "params": {"unit": "atlantis"}},
        {"action": "submit", "ids": [1], "params": "x"},
        [1, 2],
    ],
)
def test_a_malformed_bulk_request_does_nothing(make_lead, haidian_officer, body):
    lead = make_lead(haidian_officer)
    if isinstance(body, dict) and body.get("ids") in ([1], [1, 1]):
        body = {**body, "ids": [lead.pk] * len(body["ids"])}
    before = snapshot(lead)
    response = api(haidian_officer).post("/api/leads/bulk/", body, format="json")
    assert response.status_code == 400, response.content
    assert snapshot(lead) == before


def test_the_web_bulk_bar_shows_each_items_result(make_lead, haidian_officer, shunyi_officer):
    ours, theirs = make_lead(haidian_officer), make_lead(shunyi_officer)
    page = browser(haidian_officer).post(
        "/cases/leads/bulk/", {"action": "submit", "ids": [ours.pk, theirs.pk], "query": "state=draft"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-bulk-result="{ours.pk}" data-ok="true"' in html
    assert f'data-bulk-result="{theirs.pk}" data-ok="false"' in html and 'data-code="not_found"' in html
    assert theirs.name not in html  # a lead one may not see is not named
    assert Lead.objects.get(pk=ours.pk).state == "pending_confirmation"
    nothing = browser(haidian_officer).post("/cases/leads/bulk/", {"action": "submit"})
    assert nothing.status_code == 302


def test_city_officers_get_the_assign_bar(city_officer):
    page = browser(city_officer).get("/cases/leads/").content.decode()
    assert 'id="bulk-assign"' in page and 'id="bulk-unit"' in page


def test_my_cases_cost_the_same_queries_for_few_and_many_rows(make_lead, haidian_officer, colleague):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Absence.objects.create(user=haidian_officer, start=date(2000, 1, 1), end=date(2100, 1, 1), deputy=colleague,
                           created_at=NOW)  # fmt: skip
    client = api(colleague)

    def count(n: int) -> tuple[int, int]:
        for i in range(n):
            hold(make_lead(haidian_officer), haidian_officer if i % 2 else colleague)
        client.get("/api/queue/?mine=1")
        with CaptureQueriesContext(connection) as ctx:
            rows = len(ids(client.get("/api/queue/?mine=1")))
        return len(ctx.captured_queries), rows

    few, many = count(2), count(10)
    assert (few[1], many[1]) == (2, 12)
    assert few[0] == many[0]
