"""Bulk import of leads from CSV or Excel. Nothing is half-imported: every row is checked with the
same rules as a single registration (services.lead_check), duplicates within the file included;
only a file whose rows are all good is imported, in one transaction."""

import csv
import io
import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cases.errors import CaseError, Invalid
from cases.leads import services
from cases.models import ImportJob
from workflow.engine import official_language

log = logging.getLogger(__name__)

COLUMNS = [
    "name", "company_name", "credit_code", "sector", "total_investment_cny", "strategic", "source",
    "referrer", "foreign_investment_usd", "land_need_mu", "contacts", "notes",
]  # fmt: skip
PROGRESS_EVERY = 50
LEASE = timedelta(minutes=10)
MAX_ROWS = 20000
TRUE = {"1", "true", "yes", "y", "是", "√"}


def read_rows(filename: str, content: bytes) -> list[dict[str, Any]]:
    """The file's rows as dicts keyed by the header (CSV in UTF-8, with or without BOM, or .xlsx)."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    elif filename.lower().endswith(".csv"):
        values = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        raise Invalid(_("Upload a .csv or .xlsx file."), code="file_type")
    if not values:
        raise Invalid(_("The file is empty."), code="empty")
    header = [h.strip() for h in values[0]]
    missing = [
        c
        for c in ("name", "company_name", "credit_code", "sector", "total_investment_cny", "source")
        if c not in header
    ]
    if missing:
        raise Invalid(
            _("The header row lacks the columns: %(cols)s."), {"cols": ", ".join(missing)}, code="header"
        )
    rows = [
        dict(zip(header, (v.strip() for v in row), strict=False))
        for row in values[1:]
        if any(v.strip() for v in row)
    ]
    if len(rows) > MAX_ROWS:
        raise Invalid(_("At most %(n)s rows per file."), {"n": MAX_ROWS}, code="too_many")
    return rows


@official_language
def import_start(*, actor: Any, filename: str, content: bytes, discovering_unit: str = "") -> ImportJob:
    """Accept a file (its header and size are checked at once) and queue it; checking starts after commit."""
    total = len(read_rows(filename, content))
    job = ImportJob.objects.create(
        created_by=actor, filename=filename[:200], content=content, discovering_unit=discovering_unit,
        total=total, created_at=timezone.now(),
    )  # fmt: skip
    transaction.on_commit(
        lambda: threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True).start()
    )
    return job


def _run_in_thread(job_id: int) -> None:
    try:
        import_process(job_id=job_id, now=timezone.now())
    finally:
        close_old_connections()


def imports_due(now: datetime) -> int:
    """The due-work job: any import waiting, or abandoned by a process that died, is run now."""
    ids = ImportJob.objects.filter(
        Q(status=ImportJob.Status.PENDING) | Q(status=ImportJob.Status.RUNNING, claimed_until__lt=now)
    ).values_list("pk", flat=True)
    return sum(import_process(job_id=pk, now=now) for pk in list(ids))


@official_language
def import_process(*, job_id: int, now: datetime) -> int:
    """Check every row, then import all or nothing. Returns how many leads it created."""
    claimed = ImportJob.objects.filter(
        Q(status=ImportJob.Status.PENDING) | Q(status=ImportJob.Status.RUNNING, claimed_until__lt=now),
        pk=job_id,
    ).update(status=ImportJob.Status.RUNNING, claimed_until=now + LEASE, processed=0)
    if claimed != 1:
        return 0  # another process has it
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    rows = read_rows(job.filename, bytes(job.content))
    errors = _check(job, rows)
    if errors:
        _finish(job, ImportJob.Status.FAILED, errors=errors)
        return 0
    try:
        with transaction.atomic():
            for row in rows:
                services.lead_create(actor=job.created_by, data=_data(job, row), now=now)
    except CaseError as exc:  # a registration elsewhere won a race since the check: refuse the whole file
        _finish(job, ImportJob.Status.FAILED, errors=[{"row": 0, "field": "", "message": exc.text()}])
        return 0
    _finish(job, ImportJob.Status.DONE, imported=len(rows))
    return len(rows)


def _check(job: ImportJob, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        try:
            data, _unit = services.lead_check(actor=job.created_by, data=_data(job, row))
            code = data["credit_code"]
            if code in seen:
                errors.append({"row": number, "field": "credit_code",
                               "message": str(_("The same company as row %(row)s.") % {"row": seen[code]})})  # fmt: skip
            seen.setdefault(code, number)
        except CaseError as exc:
            errors.extend(_row_errors(number, exc))
        if number % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed=number - 1)
    return errors


def _row_errors(number: int, exc: CaseError) -> list[dict[str, Any]]:
    if not exc.errors:
        return [{"row": number, "field": "", "message": exc.text()}]
    return [
        {"row": number, "field": field, "message": e["message"]}
        for field, errs in exc.errors.items()
        for e in errs
    ]


def _data(job: ImportJob, row: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in row.items() if k in COLUMNS and v != ""}
    data["strategic"] = str(row.get("strategic", "")).strip().lower() in TRUE
    if job.discovering_unit:
        data["discovering_unit"] = job.discovering_unit
    return data


def _finish(job: ImportJob, status: str, *, errors: list | None = None, imported: int = 0) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, errors=errors or [], imported=imported, processed=job.total, finished_at=timezone.now()
    )


def error_report(job: ImportJob) -> str:
    """The rows refused and why, as CSV (UTF-8 with BOM for Excel)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    with translation.override("zh-hans"):
        writer.writerow([str(_("Row")), str(_("Field")), str(_("Problem"))])
    writer.writerows([[e["row"], e["field"], e["message"]] for e in job.errors])
    return buffer.getvalue()
