"""Bulk import of leads: what a file may be, who may import, the worker job and its lease, all or nothing."""

import csv
import io
import itertools
import re
import subprocess
import sys
import time
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from cases.demo import credit_code, lead_data
from cases.errors import Invalid, NotPermitted
from cases.imports import files
from cases.imports import services as imports
from cases.leads import services as lead_services
from cases.models import Credit, ImportJob, Lead
from tests.helpers import at
from workflow.due import process_due

T0 = at("2026-11-30 09:00")


def lead_row(serial: int, **cells: str) -> dict[str, str]:
    """A good row: the demo registration of company `serial` (every column a registration needs),
    with `cells` changed or added."""
    data = {k: "是" if v is True else "否" if v is False else str(v) for k, v in lead_data(serial).items()}
    return {**data, **cells}


def csv_of(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def csv_body(n: int, start: int = 5000, **cells: str) -> str:
    """A CSV of n good rows (companies start, start + 1, …); `cells` changes the first row."""
    return csv_of([lead_row(start + i, **(cells if i == 0 else {})) for i in range(n)])


def workbook(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(list(rows[0]))
    for row in rows:
        book.active.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def start(actor, content: bytes, filename: str = "leads.csv") -> ImportJob:  # type: ignore[no-untyped-def]
    return imports.import_start(actor=actor, filename=filename, upload=io.BytesIO(content))


def refused(actor, content: bytes, filename: str = "leads.csv") -> Invalid:  # type: ignore[no-untyped-def]
    """Start an import that must be refused; returns the error, having checked nothing was stored."""
    with pytest.raises(Invalid) as caught:
        start(actor, content, filename)
    assert ImportJob.objects.count() == 0 and Lead.objects.count() == 0
    return caught.value


def english(error: Invalid) -> str:
    with translation.override("en"):
        return error.text()


def web(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


# --- all or nothing ----------------------------------------------------------------------------------


def test_a_file_with_a_bad_row_imports_nothing_and_explains_every_problem(haidian_officer, make_lead):
    make_lead(haidian_officer, serial=4)  # already registered
    body = csv_of([
        lead_row(1),
        lead_row(2, credit_code=credit_code(2)[:17] + "X"),  # a wrong check character
        lead_row(3, credit_code=credit_code(1)),  # the same company as row 2
        lead_row(4),
        lead_row(5, sector="tourism", total_investment_cny="-3"),
    ])  # fmt: skip
    job = start(haidian_officer, body.encode())
    imports.import_process(job_id=job.pk, now=T0)
    job.refresh_from_db()
    assert (job.status, job.total, job.processed, job.imported) == ("failed", 5, 5, 0)
    problems = {(e["row"], e["field"]) for e in job.errors}
    assert problems == {
        (3, "credit_code"),
        (4, "credit_code"),
        (5, ""),
        (6, "sector"),
        (6, "total_investment_cny"),
    }
    assert Lead.objects.count() == 1
    report = imports.error_report(job).lstrip("\ufeff").splitlines()
    assert report[0] == "行,列,问题" and len(report) == 6


def test_a_good_excel_file_is_imported_in_one_go(haidian_officer):
    content = workbook([lead_row(3000 + i, strategic="") for i in range(1, 121)])
    job = start(haidian_officer, content, "leads.xlsx")
    assert process_due(now=T0).jobs["imports"] == 120  # the due work picks a waiting import up
    job.refresh_from_db()
    assert (job.status, job.imported, job.errors) == ("done", 120, [])
    assert (
        Lead.objects.filter(state="draft", discovering_unit__code="haidian", first_negotiation=True).count()
        == 120
    )


def test_a_company_registered_between_the_check_and_the_import_refuses_the_whole_file(
    haidian_officer, make_lead, monkeypatch
):
    job = start(haidian_officer, csv_body(5).encode())
    # while the worker checks the last row, someone registers the file's row 4 by hand
    with time_machine.travel(T0, tick=False) as traveller:
        slow_rows(monkeypatch, traveller, timedelta(0), 5, lambda: make_lead(haidian_officer, serial=5002))
        assert imports.import_process(job_id=job.pk, now=T0) == 0
    job.refresh_from_db()
    assert (job.status, job.imported) == ("failed", 0)
    assert [(e["row"], e["field"]) for e in job.errors] == [(4, "")]
    assert list(Lead.objects.values_list("credit_code", flat=True)) == [credit_code(5002)]


def test_an_unreadable_upload_is_refused_at_once(haidian_officer):
    for name, content in (("leads.txt", b"x"), ("leads.csv", b""), ("leads.csv", b"name,foo\n1,2\n")):
        refused(haidian_officer, content, name)


def test_the_import_pages_show_progress_and_the_error_report(haidian_officer):
    client = web(haidian_officer)
    bad = csv_of([lead_row(9, sector="nope")]).encode()
    response = client.post("/cases/imports/", {"file": SimpleUploadedFile("bad.csv", bad)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/imports/{job.pk}/"
    imports.import_process(job_id=job.pk, now=T0)
    assert client.get(f"/cases/imports/{job.pk}/progress/").json()["status"] == "failed"
    report = client.get(f"/cases/imports/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert "2,Sector,“nope” is not one of:" in report.replace('"', "")
    assert Credit.objects.count() == 0


# --- what a file may be: CSV in UTF-8 or GB18030, a real .xlsx; decided by content ------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_a_csv_as_excel_saves_it_is_imported_in_utf8_or_gb18030(haidian_officer, encoding):
    job = start(haidian_officer, csv_body(3, name="北京·集成电路项目（一期）").encode(encoding))
    assert imports.import_process(job_id=job.pk, now=T0) == 3
    assert sorted(Lead.objects.values_list("name", flat=True)) == [
        "北京·集成电路项目（一期）",
        "示范项目 5001",
        "示范项目 5002",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Café Zürich,Straße",  # bytes GB18030 cannot decode
        "Müller,Gärtner",  # bytes GB18030 decodes into rare ideographs: gibberish, not Chinese
    ],
)
def test_a_latin1_csv_is_refused_with_what_to_do(haidian_officer, text):
    name, company = text.split(",")
    body = csv_of([lead_row(1, name=name, company_name=company, strategic="0")])
    error = refused(haidian_officer, body.encode("latin-1"))
    assert (error.status, error.code) == (400, "file_type")
    assert "“CSV UTF-8 (Comma delimited) (*.csv)” or “Excel Workbook (*.xlsx)”" in english(error)


def stored_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),  # an old .xls (or a password-protected .xlsx)
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),  # a picture
        csv_body(1).encode("utf-16"),  # Excel's "Unicode Text"
        stored_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
        stored_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}),
    ],
    ids=["xls", "png", "utf16", "ods", "docx"],
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_with_what_to_do(haidian_officer, content):
    error = refused(haidian_officer, content, "leads.xlsx")
    assert (error.status, error.code) == (400, "file_type") and "Save As" in english(error)


def test_a_truncated_or_corrupt_workbook_is_refused_as_damaged(haidian_officer):
    content = workbook([lead_row(i) for i in range(30)])
    sheet = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
    offset = sheet.header_offset + 30 + len(sheet.filename) + 20  # inside the sheet's compressed data
    corrupt = (
        content[:offset] + bytes(b ^ 0x5A for b in content[offset : offset + 40]) + content[offset + 40 :]
    )
    for damaged in (content[: len(content) // 2], content[:-30], corrupt):
        error = refused(haidian_officer, damaged, "leads.xlsx")
        assert (error.status, error.code) == (400, "damaged") and "damaged or incomplete" in english(error)


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(haidian_officer, monkeypatch):
    import openpyxl

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(files.MAX_UNZIPPED // (1024 * 1024) + 1):
                sheet.write(bytes(1024 * 1024))
    assert len(buffer.getvalue()) < 200 * 1024  # 100 MB of zeros in a small upload
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **kw: pytest.fail("openpyxl opened it"))
    error = refused(haidian_officer, buffer.getvalue(), "leads.xlsx")
    assert (error.status, error.code) == (400, "unpacks_too_large") and "more than 100 MB" in english(error)


def test_the_type_is_read_from_the_content_not_the_name(haidian_officer):
    assert start(haidian_officer, workbook([lead_row(7)]), "leads.csv").total == 1
    assert start(haidian_officer, csv_body(2).encode(), "leads.xlsx").total == 2
    assert start(haidian_officer, csv_body(1).encode("gb18030"), "导出").total == 1


def test_a_forged_sheet_size_does_not_size_the_read(haidian_officer):
    content = workbook([lead_row(8)])
    archive = zipfile.ZipFile(io.BytesIO(content))
    members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    # a sheet that claims 16,384 columns and a row a billion rows down
    sheet = re.sub(r"<dimension [^>]*>", '<dimension ref="A1:XFD999999999"/>', sheet)
    assert "XFD999999999" in sheet
    sheet = sheet.replace(
        "</sheetData>",
        '<row r="999999999"><c r="A999999999" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    started = time.perf_counter()
    job = start(haidian_officer, stored_zip(members), "leads.xlsx")
    assert job.total == 1 and time.perf_counter() - started < 10
    assert imports.import_process(job_id=job.pk, now=T0) == 1


# --- limits, checked while reading -------------------------------------------------------------------


class EndlessUpload(io.RawIOBase):
    """An upload that never ends (a client streaming forever): counts what is read of it."""

    read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        buffer[:] = b"x" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_an_upload_over_10_mb_is_refused_while_it_is_read(haidian_officer):
    upload = EndlessUpload()
    with pytest.raises(Invalid) as caught:
        # a raw stream is read as an upload is (typing's IO is not its base)
        imports.import_start(actor=haidian_officer, filename="leads.csv", upload=upload)  # type: ignore[arg-type]
    assert (caught.value.status, caught.value.code) == (413, "too_large")
    assert "larger than 10 MB" in english(caught.value)
    assert files.MAX_BYTES < upload.read_bytes <= files.MAX_BYTES + files.CHUNK
    assert ImportJob.objects.count() == 0 and Lead.objects.count() == 0


def test_a_file_of_exactly_10_mb_is_read(haidian_officer):
    body = csv_body(1).encode()
    body += b" " * (files.MAX_BYTES - len(body))  # a blank last line: no row
    assert start(haidian_officer, body).total == 1


def test_the_import_page_refuses_an_upload_over_10_mb_with_413(haidian_officer, monkeypatch):
    body = csv_body(1).encode() + b" " * files.MAX_BYTES
    # the page stops taking the file in at the cap: it never reaches the service
    monkeypatch.setattr(
        imports, "import_start", lambda **kwargs: pytest.fail("the upload was taken in whole")
    )
    response = web(haidian_officer).post("/cases/imports/", {"file": SimpleUploadedFile("big.csv", body)})
    assert response.status_code == 413
    assert "The file is larger than 10 MB." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_reading_stops_at_row_20001(haidian_officer, monkeypatch):
    # 100,000 rows, each of which the reader would have to take apart were it to read them all
    header, row = csv_of([lead_row(1, name="x", company_name="y")]).splitlines(keepends=True)
    body = header + row * 100_000
    assert len(body.encode()) < files.MAX_BYTES
    cells = 0
    cell = files._cell

    def counted(value):  # type: ignore[no-untyped-def]
        nonlocal cells
        cells += 1
        return cell(value)

    monkeypatch.setattr(files, "_cell", counted)
    error = refused(haidian_officer, body.encode())
    assert error.code == "too_many" and "20000" in english(error)
    columns = len(header.split(","))
    assert cells == columns * (1 + files.MAX_ROWS + 1)  # the header and 20,001 rows, no more


def test_a_file_of_20000_rows_is_accepted(haidian_officer):
    assert start(haidian_officer, csv_body(files.MAX_ROWS).encode()).total == files.MAX_ROWS


@pytest.mark.parametrize("field", ["name", "notes"])
def test_a_200_kb_field_is_a_row_error(haidian_officer, field):
    job = start(haidian_officer, csv_of([lead_row(1, **{field: "长" * 200_000})]).encode())
    assert imports.import_process(job_id=job.pk, now=T0) == 0
    job.refresh_from_db()
    limit = {"name": 200, "notes": 10000}[field]
    assert job.status == "failed" and [(e["row"], e["field"]) for e in job.errors] == [(2, field)]
    assert str(limit) in job.errors[0]["message"]
    assert Lead.objects.count() == 0


# --- only officers import ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "haidian_leader"])
def test_only_officers_import(who, request):
    person = request.getfixturevalue(who)
    with pytest.raises(NotPermitted):
        start(person, csv_body(2).encode())
    response = web(person).post(
        "/cases/imports/", {"file": SimpleUploadedFile("leads.csv", csv_body(2).encode())}
    )
    assert response.status_code == 403
    assert "Only an officer of a unit can import leads." in response.content.decode()
    assert ImportJob.objects.count() == 0 and Lead.objects.count() == 0


def test_the_upload_still_needs_its_csrf_token(haidian_officer):
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    client.force_login(haidian_officer)
    response = client.post("/cases/imports/", {"file": SimpleUploadedFile("leads.csv", csv_body(2).encode())})
    assert response.status_code == 403 and ImportJob.objects.count() == 0


# --- the worker job ------------------------------------------------------------------------------------


def no_threads(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    monkeypatch.setattr(threading.Thread, "start", lambda self: pytest.fail("a thread was started"))


def test_without_a_broker_an_upload_waits_for_the_due_work_run(
    haidian_officer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    no_threads(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = start(haidian_officer, csv_body(3).encode())
    assert callbacks == []
    assert ImportJob.objects.get().status == "pending" and Lead.objects.count() == 0
    assert process_due(now=T0).jobs["imports"] == 3
    job.refresh_from_db()
    assert (job.status, job.imported) == ("done", 3)


def test_with_a_broker_the_upload_queues_a_celery_task_once_it_commits(
    haidian_officer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from config.celery import app, import_process_task

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    no_threads(monkeypatch)
    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args: sent.append((name, args)))
    with django_capture_on_commit_callbacks() as callbacks:
        job = start(haidian_officer, csv_body(3).encode())
    assert sent == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert sent == [("shoutan.import_process", [job.pk])]
    assert app.tasks[imports.IMPORT_TASK].name == import_process_task.name  # the worker knows the task
    assert import_process_task.run(job.pk) == 3  # what the worker runs
    assert ImportJob.objects.get().status == "done"


def test_an_unreachable_broker_leaves_the_job_to_the_due_work_run(
    haidian_officer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from config.celery import app

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("broker down")

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(app, "send_task", down)
    with django_capture_on_commit_callbacks(execute=True):
        job = start(haidian_officer, csv_body(2).encode())
    assert ImportJob.objects.get().status == "pending"
    assert process_due(now=T0).jobs["imports"] == 2
    job.refresh_from_db()
    assert job.status == "done"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_a_queued_import_is_run_by_a_celery_worker_on_redis(redis_server, haidian_officer):
    from tests.notifications.test_resilience import worker_env

    env = {**worker_env(), "REDIS_URL": redis_server.url}
    # the upload, made as a web server with a broker makes it: its own process, which commits and queues
    upload = (
        "import io\nfrom cases.demo import person\nfrom cases.imports import services\n"
        f"job = services.import_start(actor=person('haidian_officer'), filename='leads.csv', upload=io.BytesIO({csv_body(3).encode()!r}))\n"
        "print(job.pk)\n"
    )  # fmt: skip
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", upload], cwd=settings.BASE_DIR, env=env,
                          check=True, capture_output=True, text=True, timeout=120)  # fmt: skip
    job_id = int(done.stdout.split()[-1])
    assert ImportJob.objects.get(pk=job_id).status == "pending"
    # a worker without beat: nothing but the queued task can run the import
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and ImportJob.objects.get(pk=job_id).status != "done":
            time.sleep(0.2)
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=20)
    job = ImportJob.objects.get(pk=job_id)
    assert (job.status, job.imported) == ("done", 3), err[-3000:]
    assert Lead.objects.filter(credit_code__in=[credit_code(5000 + i) for i in range(3)]).count() == 3


def test_a_failing_job_does_not_hold_up_the_others(haidian_officer, monkeypatch):
    first, second = (
        start(haidian_officer, csv_body(2).encode()),
        start(haidian_officer, csv_body(2, 6000).encode()),
    )
    process = imports.import_process

    def fails_for_the_first(*, job_id, now):  # type: ignore[no-untyped-def]
        if job_id == first.pk:
            raise RuntimeError("a bug")
        return process(job_id=job_id, now=now)

    monkeypatch.setattr(imports, "import_process", fails_for_the_first)
    assert imports.imports_due(T0) == 2
    assert ImportJob.objects.get(pk=second.pk).status == "done"


# --- the lease ------------------------------------------------------------------------------------------


def test_a_second_claim_is_refused_while_the_lease_runs(haidian_officer):
    job = start(haidian_officer, csv_body(2).encode())
    first = imports.import_claim(job_id=job.pk, now=T0)
    assert first is not None
    assert imports.import_claim(job_id=job.pk, now=T0) is None
    assert imports.import_claim(job_id=job.pk, now=T0 + imports.LEASE - timedelta(seconds=1)) is None
    assert imports.import_process(job_id=job.pk, now=T0 + timedelta(minutes=5)) == 0
    job.refresh_from_db()
    assert (job.status, job.claimed_until, Lead.objects.count()) == ("running", T0 + imports.LEASE, 0)


def slow_rows(monkeypatch, traveller, per_row: timedelta, at_row: int, then):  # type: ignore[no-untyped-def]
    """Each row's check takes `per_row`; when the first worker reaches row `at_row`, `then()` runs."""
    check = lead_services.lead_check
    rows = itertools.count(1)

    def slow(**kwargs):  # type: ignore[no-untyped-def]
        traveller.shift(per_row)
        if next(rows) == at_row:
            then()
        return check(**kwargs)

    monkeypatch.setattr(lead_services, "lead_check", slow)


def test_a_worker_renews_its_lease_as_it_works(haidian_officer, monkeypatch):
    # 120 rows at 10 s each: 20 minutes of checking, twice the lease
    with time_machine.travel(T0, tick=False) as traveller:
        job = start(haidian_officer, csv_body(120).encode())
        other = []
        slow_rows(monkeypatch, traveller, timedelta(seconds=10), 110,
                  lambda: other.append(imports.import_process(job_id=job.pk, now=timezone.now())))  # fmt: skip
        assert imports.import_process(job_id=job.pk, now=timezone.now()) == 120
    assert other == [0]  # 18 minutes in, the lease renewed at row 100 still held the job
    job.refresh_from_db()
    assert (job.status, job.imported, Lead.objects.count()) == ("done", 120, 120)


def test_a_job_is_taken_over_when_its_lease_runs_out_and_the_stale_worker_writes_nothing(
    haidian_officer, monkeypatch
):
    with time_machine.travel(T0, tick=False) as traveller:
        job = start(haidian_officer, csv_body(120).encode())
        taken_over = []

        def stall_then_another_worker_takes_over() -> None:
            traveller.shift(imports.LEASE + timedelta(minutes=1))  # the first worker stalls past its lease
            taken_over.append(imports.import_process(job_id=job.pk, now=timezone.now()))
            taken_over.append(ImportJob.objects.values().get(pk=job.pk))

        slow_rows(monkeypatch, traveller, timedelta(seconds=1), 60, stall_then_another_worker_takes_over)
        assert imports.import_process(job_id=job.pk, now=timezone.now()) == 0  # the stale worker
    imported, row_after_takeover = taken_over
    assert imported == 120 and row_after_takeover["status"] == "done"
    assert ImportJob.objects.values().get(pk=job.pk) == row_after_takeover  # the stale worker wrote nothing
    assert Lead.objects.count() == 120


def test_a_stale_workers_finish_writes_nothing(haidian_officer):
    job = start(haidian_officer, csv_body(3).encode())
    stale = imports.import_claim(job_id=job.pk, now=T0)
    assert stale is not None
    later = T0 + imports.LEASE + timedelta(seconds=1)
    current = imports.import_claim(job_id=job.pk, now=later)  # the lease ran out: taken over
    assert current is not None
    before = ImportJob.objects.values().get(pk=job.pk)
    # the stale worker registers nothing (its check passes: the new worker has not registered yet) …
    with pytest.raises(imports.LostClaim):
        imports.import_run(claim=stale)
    # … and can neither report progress nor finish
    with pytest.raises(imports.LostClaim):
        stale.renew(processed=3)
    assert imports.import_finish(claim=stale, status=ImportJob.Status.FAILED, errors=[{"row": 0}]) is False
    assert ImportJob.objects.values().get(pk=job.pk) == before and Lead.objects.count() == 0
    # the worker that holds the job finishes it
    assert imports.import_run(claim=current) == 3
    job.refresh_from_db()
    assert (job.status, job.imported, Lead.objects.count()) == ("done", 3, 3)
