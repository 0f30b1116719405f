"""Bulk import of leads from CSV or Excel. Nothing is half-imported: every row is checked with the
same rules as a single registration (services.lead_check), duplicates within the file included;
only a file whose rows are all good is imported, in one transaction.

The import runs as a worker job, never in the request that uploaded it: once the upload commits, a
Celery task when a broker is configured (REDIS_URL), and in any case the due-work run's "imports"
job, which takes whatever is waiting (in the embedded mode, the server's own due loop). A worker
claims a job with a lease, `claimed_until`, which it renews as it goes; a job whose worker died is
taken over when its lease runs out, and a worker that was taken over writes nothing."""

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cases.errors import CaseError, Invalid, NotPermitted
from cases.imports import columns, files, selectors
from cases.leads import services
from cases.models import ImportJob
from workflow.engine import official_language

log = logging.getLogger(__name__)

# The columns are a single registration's inputs (cases.imports.columns names each, in both languages;
# a test keeps the two lists one); the job sets the discovering unit, and a referrer's kind follows
# from the source.
COLUMNS, REQUIRED = columns.CODES, columns.REQUIRED
MAX_BYTES, MAX_ROWS = files.MAX_BYTES, files.MAX_ROWS
PROGRESS_EVERY = 50  # rows between progress updates, each of which also renews the lease
# A worker that stops renewing for this long is taken to be dead. Renewals come every
# PROGRESS_EVERY rows (well under a second apart) and once more as the registration transaction
# begins, the one long stretch without them (20,000 rows: about 4 minutes on SQLite, 8 on
# PostgreSQL, measured); that transaction also holds the job's row, so the job is not taken over
# while it runs.
LEASE = timedelta(minutes=10)
IMPORT_TASK = "shoutan.import_process"  # the Celery task in config/celery.py
NOT_OFFICER = _("Only an officer of a unit can import leads.")


@official_language
def import_start(*, actor: Any, filename: str, upload: IO[bytes], discovering_unit: str = "") -> ImportJob:
    """Accept a file and queue it for a worker. Who may import, the file's size and type, its header
    and its number of rows are checked at once (NotPermitted, Invalid); its rows by the worker."""
    if not selectors.import_permitted(user=actor):
        raise NotPermitted(NOT_OFFICER)
    content = files.read_upload(upload)
    total = sum(1 for _row in files.read_rows(content, header=columns.read_header))
    job = ImportJob.objects.create(
        created_by=actor, filename=filename[:200], content=content, discovering_unit=discovering_unit,
        total=total, created_at=timezone.now(),
    )  # fmt: skip
    if settings.REDIS_URL:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    # config imports cases, so the Celery app is imported here, when it is used, not at load time
    from config.celery import app

    try:
        app.send_task(IMPORT_TASK, args=[job_id])
    except Exception:  # the broker is down: the job waits in the database for the due-work run
        log.warning("import #%s could not be queued; the due-work run will take it", job_id, exc_info=True)


def _claimable(now: datetime) -> Q:
    return Q(status=ImportJob.Status.PENDING) | Q(status=ImportJob.Status.RUNNING, claimed_until__lt=now)


def imports_due(now: datetime) -> int:
    """The due-work job: any import waiting, or abandoned by a worker that died, is run now."""
    ids = list(ImportJob.objects.filter(_claimable(now)).order_by("pk").values_list("pk", flat=True))
    created = 0
    for pk in ids:
        try:
            created += import_process(job_id=pk, now=now)
        except Exception:  # one job's failure does not hold up the others; it is retried after its lease
            log.exception("import #%s failed", pk)
    return created


class LostClaim(Exception):
    """Another worker took the job over after this one's lease ran out."""


@dataclass
class Claim:
    """A worker's hold on a job. `until` is the job's `claimed_until` as this worker last wrote it,
    and doubles as the claim's token: a takeover needs `claimed_until < now` and writes `now + LEASE`,
    a later time than any this worker wrote, so a worker finds its own value gone once it has lost
    the job, and every write it makes is conditional on finding it."""

    job: ImportJob
    until: datetime
    now: datetime  # the time the run was given
    started: datetime  # the real clock then: the run's clock moves on from `now` with it

    def clock(self) -> datetime:
        return self.now + (timezone.now() - self.started)

    def owned(self) -> QuerySet[ImportJob]:
        return ImportJob.objects.filter(
            pk=self.job.pk, status=ImportJob.Status.RUNNING, claimed_until=self.until
        )

    def renew(self, **fields: Any) -> None:
        """Extend the lease (and write `fields`, the progress), or raise LostClaim writing nothing."""
        until = self.clock() + LEASE
        if self.owned().update(claimed_until=until, **fields) != 1:
            raise LostClaim
        self.until = until


def import_claim(*, job_id: int, now: datetime) -> Claim | None:
    """Claim a job that is waiting or whose lease ran out at `now`; None if another worker has it."""
    until = now + LEASE
    claimed = ImportJob.objects.filter(_claimable(now), pk=job_id).update(
        status=ImportJob.Status.RUNNING, claimed_until=until, processed=0
    )
    if claimed != 1:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    return Claim(job=job, until=until, now=now, started=timezone.now())


@official_language
def import_process(*, job_id: int, now: datetime) -> int:
    """Claim the job, check every row, then import all or nothing. Returns how many leads it created
    (0 when another worker has the job, or takes it over while this one works)."""
    claim = import_claim(job_id=job_id, now=now)
    if claim is None:
        return 0
    try:
        return import_run(claim=claim)
    except LostClaim:
        log.warning("import #%s was taken over after its lease ran out; this run wrote nothing", job_id)
        return 0


def import_run(*, claim: Claim) -> int:
    """The claimed job's work: check every row, then register all of them or none. Raises LostClaim,
    having written nothing, if another worker has taken the job over."""
    job = claim.job
    try:
        errors, rows = _check(claim, files.read_rows(bytes(job.content), header=columns.read_header))
    except Invalid as exc:  # read at upload, so only if the reader's rules have changed since
        errors, rows = [_error(0, "", exc.messages())], []
    if errors:
        import_finish(claim=claim, status=ImportJob.Status.FAILED, errors=errors)
        return 0
    claim.renew()  # a full lease for the registration transaction
    try:
        with transaction.atomic():
            # The job is finished first: that checks the claim, and holds the job's row (until the
            # leads commit with it) against a takeover by a worker that finds the lease run out.
            if not import_finish(claim=claim, status=ImportJob.Status.DONE, imported=len(rows)):
                raise LostClaim
            for number, data in rows:
                try:
                    services.lead_create(actor=job.created_by, data=data, now=claim.now)
                except CaseError as exc:
                    raise _RowRefused(_row_errors(number, exc)) from exc
    except _RowRefused as exc:  # a registration elsewhere won a race since the check: refuse the whole file
        import_finish(claim=claim, status=ImportJob.Status.FAILED, errors=exc.errors)
        return 0
    return len(rows)


class _RowRefused(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _check(
    claim: Claim, rows: Iterable[files.Row]
) -> tuple[list[dict[str, Any]], list[tuple[int, dict[str, Any]]]]:
    """Every row's problems, and the good rows' data with their numbers."""
    errors: list[dict[str, Any]] = []
    good: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    words = columns.Vocabulary.load()
    for count, row in enumerate(rows, start=1):
        data, problems = _row_check(claim.job, row, words)
        if problems:
            errors.extend(problems)
        else:
            code = data.get("credit_code", "").strip().upper()
            if code and code in seen:
                errors.append(_error(row.number, "credit_code", columns.both(
                    _("The same company as row %(row)s."), {"row": seen[code]}
                )))  # fmt: skip
            elif code:
                seen[code] = row.number
            good.append((row.number, data))
        if count % PROGRESS_EVERY == 0:
            claim.renew(processed=count)
    return errors, good


def _row_check(
    job: ImportJob, row: files.Row, words: columns.Vocabulary
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A row's registration input and what is wrong with it, each problem in both languages ([] for a
    good row). The registration's own checks are run again in English only for a row that fails them."""
    data, problems = _data(job, row, words)
    if data.get("credit_code", "").strip().upper() == columns.EXAMPLE_CODE:
        return data, [_error(row.number, "credit_code", columns.both(EXAMPLE_ROW))]
    unread = {p.field for p in problems}
    found = [_error(row.number, p.field, p.message) for p in problems]
    try:
        services.lead_check(actor=job.created_by, data=data)
    except CaseError as exc:
        with translation.override("en"):
            try:
                services.lead_check(actor=job.created_by, data=data)
            except CaseError as again:
                english = again
            else:  # a registration committed in between: the first answer stands
                english = exc
        found += [e for e in _row_errors(row.number, exc, english) if e["field"] not in unread]
    return data, found


EXAMPLE_ROW = _("This is the template's example row: replace it with a real lead, or delete it.")


def _error(row: int, field: str, message: dict[str, str]) -> dict[str, Any]:
    """One problem as the job keeps it: `message` in the official language, `message_en` in English."""
    return {"row": row, "field": field, "message": message["zh-hans"], "message_en": message["en"]}


def _row_errors(number: int, exc: CaseError, english: CaseError | None = None) -> list[dict[str, Any]]:
    if not exc.errors:
        return [_error(number, "", exc.messages())]
    en = english.errors if english is not None else {}
    return [
        {"row": number, "field": field, "message": e["message"],
         "message_en": (en.get(field) or [])[i]["message"] if i < len(en.get(field) or []) else e["message"]}
        for field, errs in exc.errors.items()
        for i, e in enumerate(errs)
    ]  # fmt: skip


def _data(
    job: ImportJob, row: files.Row, words: columns.Vocabulary
) -> tuple[dict[str, Any], list[columns.Problem]]:
    data, problems = columns.row_data(row.values, row.scales, words)
    if job.discovering_unit:
        data["discovering_unit"] = job.discovering_unit
    return data, problems


def import_finish(*, claim: Claim, status: str, errors: list | None = None, imported: int = 0) -> bool:
    """Write the job's outcome if this worker still holds it; False (and nothing written) if not."""
    finished = claim.owned().update(
        status=status, errors=errors or [], imported=imported, processed=claim.job.total,
        finished_at=claim.clock(),
    )  # fmt: skip
    if finished != 1:
        log.warning("import #%s: another worker holds it; this one's outcome is not written", claim.job.pk)
    return finished == 1


def refused_rows(job: ImportJob) -> int:
    """How many of the file's rows have a problem (a problem of the whole file counts none)."""
    return len({e["row"] for e in job.errors if e.get("row")})


def problems(job: ImportJob) -> list[dict[str, Any]]:
    """The job's problems as the reader reads them: the row, the column's heading and the message, in
    the active language."""
    english = (translation.get_language() or "").startswith("en")
    return [
        {"row": e.get("row") or "", "column": columns.heading(e.get("field", "")),
         "message": e.get("message_en", e["message"]) if english else e["message"]}
        for e in job.errors
    ]  # fmt: skip


def error_report(job: ImportJob) -> str:
    """The rows refused and why, as CSV (UTF-8 with BOM for Excel), in the active language."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([str(_("Row")), str(_("Column")), str(_("Problem"))])
    writer.writerows([[p["row"], p["column"], p["message"]] for p in problems(job)])
    return buffer.getvalue()
