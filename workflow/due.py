"""Processing what is due: clock warnings and deadlines, then every registered due job.

Any number of runs may overlap (several workers, a cron run beside a worker, a run after a crash).
Each clock event is claimed inside the transaction that handles it: the clock's subject and then
the clock are locked with SKIP LOCKED where the database has it (PostgreSQL; on SQLite the
transaction holds the database's write lock from BEGIN), and the claim is an UPDATE of rows that
are still running and due, acted on only when every row changed. A rollback of the handler undoes
the claim, so a crash never loses an event and a second run never repeats one.

Clocks are handled in chunks: one transaction claims a chunk's clocks together and hands each
kind's events to its handler at once, so a chunk of a hundred escalations costs a few dozen SQL
statements rather than a hundred times as many. If anything in a chunk fails, the chunk rolls back
to its savepoint and its clocks are handled one by one, each in its own savepoint: the one that
fails stays due for the next run and the others go through. Sending what the handlers wrote to the
outbox is left to the run's `deliveries` job, which runs as soon as the clocks are done.
"""

import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from workflow import clockmath, locks, registry
from workflow.models import Clock, ClockStatus

log = logging.getLogger(__name__)

BATCH = 500
# Clocks per transaction. Larger chunks commit less often but hold their subjects' locks longer: a
# person acting on one of those leads waits at most one chunk (tens of milliseconds).
CHUNK = 100


@dataclass
class DueReport:
    warnings: int = 0
    deadlines: int = 0
    failed: int = 0
    jobs: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # how long each phase took (clocks, jobs)

    def as_dict(self) -> dict:
        return {"warnings": self.warnings, "deadlines": self.deadlines, "failed": self.failed, **self.jobs}

    def add(self, counts: dict[str, int]) -> None:
        self.deadlines += counts.get("deadline", 0)
        self.warnings += counts.get("warning", 0)
        self.failed += counts.get("failed", 0)


def process_due(*, now: datetime) -> DueReport:
    """Handle every clock event due at `now`, then run the registered due jobs. Returns counts."""
    report = DueReport()
    started = time.perf_counter()
    with registry.sweep():
        _clocks_due(report, now)
    report.seconds["clocks"] = time.perf_counter() - started
    for name, job in registry.due_jobs().items():
        started = time.perf_counter()
        report.jobs[name] = job(now)
        report.seconds[name] = time.perf_counter() - started
    return report


def _clocks_due(report: DueReport, now: datetime) -> None:
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
                report.add(_process_chunk(chunk, now))
            except Exception:
                # The commit failed (a lost connection, say): all of it rolled back, all stays due.
                log.exception("clocks %s… failed to commit; they stay due", chunk[:3])
                report.failed += len(chunk)


@transaction.atomic
def _process_chunk(ids: list[int], now: datetime) -> dict[str, int]:
    try:
        with transaction.atomic():
            return _process_together(ids, now)
    except Exception:
        if len(ids) == 1:
            log.exception("clock %s failed; it stays due", ids[0])
            return {"failed": 1}
        log.exception("a chunk of %d clocks failed; handling them one by one", len(ids))
    counts: dict[str, int] = defaultdict(int)
    for clock_id in ids:
        try:
            with transaction.atomic():
                one = _process_together([clock_id], now)
        except Exception:
            log.exception("clock %s failed; it stays due", clock_id)
            counts["failed"] += 1
            continue
        for outcome, n in one.items():
            counts[outcome] += n
    return counts


def _process_together(ids: list[int], now: datetime) -> dict[str, int]:
    """Claim these clocks' due events and hand each kind's events to its handler, all at once."""
    counts: dict[str, int] = defaultdict(int)
    by_kind: dict[str, dict[int, int]] = defaultdict(dict)  # kind → clock id → subject id
    for pk, kind, subject_id in Clock.objects.filter(pk__in=ids).values_list("pk", "kind", "subject_id"):
        by_kind[kind][pk] = subject_id
    for kind, subjects in by_kind.items():
        handler, lock_subjects = registry.clock_handler(kind)
        # the subjects first, then the clocks: the order transitions take them in (no deadlocks)
        free = lock_subjects(sorted(set(subjects.values())))
        clocks = list(
            locks.skip_locked(
                Clock.objects.filter(
                    pk__in=[pk for pk, subject in subjects.items() if subject in free],
                    status=ClockStatus.RUNNING,
                    due_at__lte=now,
                )
            ).order_by("pk")
        )
        events = _claim(clocks, now)
        if events:
            handler(events, now)
        for event in events:
            counts["deadline" if event.is_deadline else "warning"] += 1
    return counts


def _claim(clocks: list[Clock], now: datetime) -> list[registry.ClockEvent]:
    """Mark each clock's due event handled and return the events. Clocks with the same change are
    claimed by one UPDATE; every row must change, or the whole claim rolls back."""
    claims: dict[str, tuple[dict, list[int]]] = {}
    events = []
    for clock in clocks:
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
            if not due:  # nothing to say yet (a due_at computed before a pause moved the deadline)
                Clock.objects.filter(pk=clock.pk).update(
                    due_at=clockmath.next_due(clock.deadline_at, clock.warning_days, clock.warnings_sent)
                )
                continue
            # Several warnings due at once (a late run): only the nearest one is worth sending.
            event_days = min(due)
            sent = sorted(set(clock.warnings_sent) | set(due), reverse=True)
            changes = {
                "warnings_sent": sent,
                "due_at": clockmath.next_due(clock.deadline_at, clock.warning_days, sent),
            }
        key = json.dumps(changes, default=str, sort_keys=True)
        claims.setdefault(key, (changes, []))[1].append(clock.pk)
        events.append(
            registry.ClockEvent(
                clock_id=clock.pk,
                kind=clock.kind,
                subject_id=clock.subject_id,
                deadline_at=clock.deadline_at,
                warning_days=event_days,
            )
        )
    for changes, pks in claims.values():
        claimed = Clock.objects.filter(pk__in=pks, status=ClockStatus.RUNNING, due_at__lte=now).update(
            **changes
        )
        if claimed != len(pks):
            raise RuntimeError(f"claimed {claimed} of {len(pks)} clocks: another run changed them")
    return events
