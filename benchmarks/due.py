"""due-work and memory: process_due over a city's running clocks (PostgreSQL).

Of `--clocks` running clocks, `--due` have passed their deadline: each is an escalation (history,
exclusion, grants, inbox and outbox rows, sends). Workers are separate processes calling
`workflow.due.process_due`, exactly as `manage.py process_due` and the worker do, started together.
Figures: escalations/s with 1 worker and with 2 (a second batch of `--due` made due between the
runs), the time of a run with nothing due, and the peak RSS of the one worker. Baselines, same run:
the bare-ORM transaction rate (select_for_update + save + history insert) with as many processes;
for the empty run the one indexed query that finds due clocks; for memory a worker process that has
only set Django up.

    python -m benchmarks.due --db URL [--leads 1000000] [--clocks 1000000] [--due 10000]
"""

import json
import resource
import subprocess
import time
from datetime import timedelta

from benchmarks import common, transitions


def worker() -> None:
    from django.utils import timezone

    from workflow.due import process_due

    common.wait_for_go()
    t0 = time.perf_counter()
    report = process_due(now=timezone.now())
    seconds = time.perf_counter() - t0
    started = time.time() - seconds
    print(
        json.dumps(
            {"seconds": seconds, "start": started, "report": report.as_dict(), "phases": report.seconds}
        )
    )


def run_workers(db: str, n: int, *extra: str) -> tuple[list[dict], int]:
    """Start n workers together; returns their reports and the peak RSS (KiB) of any of them."""
    procs = common.spawn_together(db, "due", [["--worker", *extra] for _ in range(n)])
    reports, peak = [], 0
    for p in procs:
        out = p.stdout.read() if p.stdout else ""
        _pid, status, usage = os_wait4(p)
        if status:
            raise SystemExit(f"a worker failed: {status}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
        peak = max(peak, usage.ru_maxrss)
    return reports, peak


def os_wait4(p: subprocess.Popen) -> tuple[int, int, resource.struct_rusage]:
    import os

    pid, status, usage = os.wait4(p.pid, 0)
    p.returncode = status
    return pid, status, usage


def rearm(due: int) -> int:
    """Make the next `due` negotiating leads' clocks due now (their warnings already sent)."""
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as c:
        c.execute(
            """
            UPDATE workflow_clock SET deadline_at = %(t)s, base_deadline_at = %(t)s, due_at = %(t)s,
                   warnings_sent = '[30, 7]'
            WHERE id IN (SELECT clock_id FROM cases_lead l JOIN workflow_clock c ON c.id = l.clock_id
                         WHERE l.state = 'negotiating' AND c.status = 'running' AND c.due_at > %(t)s
                         ORDER BY l.id LIMIT %(n)s)
            """,
            {"t": timezone.now() - timedelta(minutes=5), "n": due},
        )
        return c.rowcount


def escalations(reports: list[dict]) -> tuple[int, float, float, int]:
    """Escalations; wall time of the clock phase (the workers' slowest); wall time of the whole
    runs (clock phase and sending what it wrote); deliveries sent."""
    done = sum(r["report"]["deadlines"] for r in reports)
    start = min(r["start"] for r in reports)
    clocks = max(r["start"] + r["phases"]["clocks"] for r in reports) - start
    end = max(r["start"] + r["seconds"] for r in reports)
    return done, clocks, end - start, sum(r["report"].get("deliveries", 0) for r in reports)


def report_run(name: str, reports: list[dict], due: int, baseline: float, clocks: int) -> float:
    done, phase, total, sent = escalations(reports)
    assert done == due, f"{name}: {done} of {due} escalated"
    extra = {"clocks": clocks, "due": due, "deliveries": sent}
    common.result(name, done / phase, "escalations/s", baseline, "bare transactions/s", **extra)
    common.result(
        f"{name}, sends included", done / total, "escalations/s", baseline, "bare transactions/s", **extra
    )
    print(f"# {name}: {sent} deliveries sent in {total - phase:.2f} s after the clocks", flush=True)
    return done / phase


def main() -> None:
    parser = common.arguments(__doc__, leads=1_000_000, clocks=1_000_000, due=10_000, bare=2000)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--idle", action="store_true", help="with --worker: set Django up and stop")
    a = parser.parse_args()
    if a.worker:
        common.django_setup(a.db)
        if a.idle:  # the memory baseline: Django set up, nothing done
            common.wait_for_go()
            print(
                json.dumps(
                    {"seconds": 0, "start": time.time(), "report": {"deadlines": 0}, "phases": {"clocks": 0}}
                )
            )
        else:
            worker()
        return
    common.django_setup(a.db)
    from django.db import connection
    from django.utils import timezone

    from benchmarks import data
    from workflow.due import process_due

    t0 = time.perf_counter()
    built = data.build(leads=a.leads, clocks=a.clocks, due=a.due)
    print(
        f"# built {built['leads']:,} leads, {built['clocks']:,} running clocks in {time.perf_counter() - t0:.1f} s"
    )
    transitions.bare_setup(8)
    connection.close()
    base1 = transitions.measure(a.db, "bare", 1, a.bare)
    base2 = transitions.measure(a.db, "bare", 2, a.bare)

    reports, rss = run_workers(a.db, 1)
    rate1 = report_run("due-work 1 worker", reports, a.due, base1, built["clocks"])
    assert rearm(a.due) == a.due
    connection.close()
    reports, _ = run_workers(a.db, 2)
    rate2 = report_run("due-work 2 workers", reports, a.due, base2, built["clocks"])
    print(f"due-work scaling: {rate2 / rate1:.2f} x one worker", flush=True)
    extra = {"clocks": built["clocks"], "due": a.due}

    from workflow.models import Clock

    def nothing() -> None:
        report = process_due(now=timezone.now())
        assert report.deadlines == report.warnings == 0

    def baseline() -> None:
        list(Clock.objects.filter(due_at__lte=timezone.now()).order_by("due_at").values_list("pk")[:500])

    empty = [_ms(nothing) for _ in range(50)]
    query = [_ms(baseline) for _ in range(50)]
    common.result(
        "due-work nothing due", common.median(empty), "ms", common.median(query), "ms one query", **extra
    )

    _, idle = run_workers(a.db, 1, "--idle")
    common.result("memory worker peak RSS", rss / 1024, "MB", idle / 1024, "MB idle", **extra)


def _ms(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


if __name__ == "__main__":
    main()
