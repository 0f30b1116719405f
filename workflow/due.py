"""Processing what is due: clock warnings and deadlines, then every registered due job.

Any number of runs may overlap (several workers, a cron run beside a worker, a run after a crash).
Each clock event is claimed inside the transaction that handles it: the row is locked with
SKIP LOCKED where the database has it (PostgreSQL), and the claim itself is a compare-and-set
UPDATE on `due_at`, acted on only when exactly one row changed. A rollback of the handler undoes
the claim, so a crash never loses an event and a second run never repeats one. Clocks are handled
in chunks, one transaction per chunk and a savepoint per clock.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from workflow import clockmath, locks, registry
from workflow.models import Clock, ClockStatus

log = logging.getLogger(__name__)

BATCH = 500
# Clocks per transaction. Larger chunks commit less often but hold their leads' locks longer: a
# person acting on one of them waits at most one chunk (tens of milliseconds).
CHUNK = 50


@dataclass
class DueReport:
    warnings: int = 0
    deadlines: int = 0
    failed: int = 0
    jobs: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"warnings": self.warnings, "deadlines": self.deadlines, "failed": self.failed, **self.jobs}


def process_due(*, now: datetime) -> DueReport:
    """Handle every clock event due at `now`, then run the registered due jobs. Returns counts."""
    report = DueReport()
    # One visit handles everything due on a clock (the nearest warning, or the deadline), so each
    # clock is visited at most once a run. That also bounds the loop: a clock another worker has
    # locked, one whose subject is busy, or one whose handler failed is left for the next run.
    visited: set[int] = set()
    while True:
        ids = list(
            Clock.objects.filter(due_at__lte=now)
            .exclude(pk__in=visited)
            .order_by("due_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            break
        visited.update(ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            try:
                counts = _process_chunk(chunk, now)
            except Exception:
                # The commit failed (a lost connection, say): all of it rolled back, all stays due.
                log.exception("clocks %s… failed to commit; they stay due", chunk[:3])
                report.failed += len(chunk)
                continue
            report.deadlines += counts["deadline"]
            report.warnings += counts["warning"]
            report.failed += counts["failed"]
    for name, job in registry.due_jobs().items():
        report.jobs[name] = job(now)
    return report


@transaction.atomic
def _process_chunk(ids: list[int], now: datetime) -> dict[str, int]:
    """Handle several clocks in one transaction, each in its own savepoint: one commit (and one
    after-commit send) for the chunk instead of one per clock. A clock whose handler fails is
    rolled back to its savepoint alone; it stays due and the next run retries it."""
    counts = {"deadline": 0, "warning": 0, "failed": 0}
    for clock_id in ids:
        try:
            outcome = _process_clock(clock_id=clock_id, now=now)
        except Exception:
            log.exception("clock %s failed; it stays due", clock_id)
            counts["failed"] += 1
            continue
        if outcome in counts:
            counts[outcome] += 1
    return counts


@transaction.atomic
def _process_clock(*, clock_id: int, now: datetime) -> str | None:
    candidate = Clock.objects.filter(pk=clock_id).values("kind", "subject_id").first()
    if candidate is None:
        return None
    handler, lock_subject = registry.clock_handler(candidate["kind"])
    if not lock_subject(candidate["subject_id"]):
        return "busy"
    clock = locks.skip_locked(
        Clock.objects.filter(pk=clock_id, status=ClockStatus.RUNNING, due_at__lte=now)
    ).first()
    if clock is None:
        return None  # claimed by another run, or no longer due
    if clock.deadline_at <= now:
        # A late run (worker down past the deadline) skips the stale warnings: telling a unit
        # "30 days left" after its time ran out would only confuse. They are marked handled.
        changes = {
            "status": ClockStatus.FIRED,
            "fired_at": now,
            "due_at": None,
            "warnings_sent": sorted(set(clock.warnings_sent) | set(clock.warning_days), reverse=True),
        }
        event_days = None
    else:
        due = [
            d
            for d, t in clockmath.warning_times(clock.deadline_at, clock.warning_days).items()
            if t <= now and d not in clock.warnings_sent
        ]
        if not due:
            changes = {
                "due_at": clockmath.next_due(clock.deadline_at, clock.warning_days, clock.warnings_sent)
            }
            Clock.objects.filter(pk=clock.pk).update(**changes)
            return None
        # Several warnings due at once (a late run): only the nearest one is worth sending.
        event_days = min(due)
        sent = sorted(set(clock.warnings_sent) | set(due), reverse=True)
        changes = {
            "warnings_sent": sent,
            "due_at": clockmath.next_due(clock.deadline_at, clock.warning_days, sent),
        }
    claimed = Clock.objects.filter(pk=clock.pk, status=ClockStatus.RUNNING, due_at=clock.due_at).update(
        **changes
    )
    if claimed != 1:
        return None
    event = registry.ClockEvent(
        clock_id=clock.pk,
        kind=clock.kind,
        subject_id=clock.subject_id,
        deadline_at=clock.deadline_at,
        warning_days=event_days,
    )
    handler(event, now)
    return "deadline" if event.is_deadline else "warning"
