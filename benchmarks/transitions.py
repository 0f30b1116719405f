"""transitions: full lead lifecycles through the services, against the bare-ORM transaction.

A lifecycle is six transitions — create, submit, confirm, report_progress, approve_progress,
land — each through `cases.services` with everything a real one does: the permission checks, the
FSM, history, guardian grants, the clock, inbox and outbox rows, and the after-commit sends.
The baseline is the same number of bare ORM transactions, each one `select_for_update` + `save` +
one history insert, on the same database, by the same number of processes.

    python -m benchmarks.transitions --db URL [--lifecycles 200] [--procs 1]
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import common

# the same lead process on viewflow 2.4's engine, shipped beside the project (its README)
PEER = common.ROOT.parent / "shared" / "benchmarks" / "viewflow_peer"

STEPS = 6  # create + five transitions


def lifecycles(worker: int, n: int, counts: list[int] | None = None) -> None:
    """n lead lifecycles; with `counts`, the SQL statements of each person's transition are appended."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cases.demo import lead_data
    from cases.leads import services
    from cases.leads.machine import LEAD
    from workflow import engine

    users = {u.username: u for u in get_user_model().objects.filter(username__in=PEOPLE)}
    officer, leader, city = users["haidian_officer"], users["haidian_leader"], users["city_officer"]
    today = timezone.localdate().isoformat()
    for i in range(n):
        lead = services.lead_create(actor=officer, data=lead_data(worker * 1_000_000 + i))
        for name, actor, params in (
            ("submit", officer, {}),
            ("confirm", city, {}),
            (
                "report_progress",
                officer,
                {"milestone": "agreement_signed", "date": today, "evidence": "协议"},
            ),
            ("approve_progress", leader, {}),
            ("land", leader, {"landed_on": today, "paid_in_capital_cny": "100000000"}),
        ):
            with CaptureQueriesContext(connection) as queries:
                engine.fire(LEAD, pk=lead.pk, name=name, actor=actor, params=params)
            if counts is not None:
                counts.append(statement_count(queries.captured_queries))


PEOPLE = ("haidian_officer", "haidian_leader", "city_officer")
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statement_count(captured: list[dict]) -> int:
    """SQL statements, not counting the transaction's own BEGIN/COMMIT (PostgreSQL's driver sends
    them unseen; SQLite's are captured)."""
    return sum(1 for q in captured if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL))


def bare_setup(n: int) -> None:
    """The rows the baseline updates: one lead per baseline worker slot, made once."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from cases.demo import lead_data
    from cases.models import Lead
    from workflow.models import OrgUnit

    haidian = OrgUnit.objects.get(code="haidian")
    user = get_user_model().objects.get(username="haidian_officer")
    now = timezone.now()
    Lead.objects.bulk_create(
        [
            Lead(
                name=f"baseline {i}",
                company_name=f"baseline {i}",
                credit_code=lead_data(9_000_000 + i)["credit_code"],
                sector_id="integrated_circuits",
                total_investment_cny=1,
                source="district",
                discovering_unit=haidian,
                created_by=user,
                created_at=now,
                updated_at=now,
            )
            for i in range(n)
        ]
    )


def statements(worker: int) -> tuple[float, int]:
    """The median number of SQL statements of a person's transition over three lifecycles (the
    transaction's BEGIN/COMMIT not counted), and the same for one bare transaction."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts: list[int] = []
    lifecycles(worker, 3, counts)
    with CaptureQueriesContext(connection) as queries:
        bare(worker, 1)
    return statistics.median(counts), statement_count(queries.captured_queries)


def bare(worker: int, n: int) -> None:
    """The baseline: n transactions of select_for_update + save + one history insert."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from cases.models import Lead
    from workflow.models import TransitionRecord

    ct = ContentType.objects.get_for_model(Lead)
    pks = list(Lead.objects.filter(name__startswith="baseline").order_by("pk").values_list("pk", flat=True))
    pk = pks[worker % len(pks)]  # each process its own row, as each lifecycle has its own lead
    for _ in range(n):
        with transaction.atomic():
            lead = Lead.objects.select_for_update().get(pk=pk)
            lead.updated_at = timezone.now()
            lead.save()
            TransitionRecord.objects.create(
                subject_type=ct, subject_id=pk, transition="bare", source="a", target="b", at=lead.updated_at
            )


def worker_main(kind: str, worker: int, n: int) -> None:
    """One process: warm up, wait for the common start, run, print how long it took."""
    fn = lifecycles if kind == "services" else bare
    fn(worker, 1)  # warm-up: imports, caches, the connection
    common.wait_for_go()
    t0 = time.perf_counter()
    fn(worker + 1, n) if kind == "services" else fn(worker, n)
    print(json.dumps({"seconds": time.perf_counter() - t0}), flush=True)


def measure(db: str, kind: str, procs: int, n: int) -> float:
    """Transactions per second of `procs` processes each running n units of `kind`."""
    workers = common.spawn_together(
        db,
        "transitions",
        [["--worker", kind, "--index", str(w), "--lifecycles", str(n)] for w in range(procs)],
    )
    seconds = []
    for p in workers:
        out, _ = p.communicate()
        if p.returncode:
            raise SystemExit(f"a {kind} worker failed ({p.returncode})")
        seconds.append(json.loads(out.strip().splitlines()[-1])["seconds"])
    units = n * procs * (STEPS if kind == "services" else 1)
    return units / max(seconds)


def viewflow_steps_per_s(processes: int) -> float:
    """viewflow 2.4's business steps per second (processes/s × 3: start, the district decision, the
    negotiation outcome) for the same lead process, on SQLite in WAL mode with synchronous=NORMAL as
    ours, in this project's virtual environment, measured now."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PEER_DB": "sqlite", "PEER_SQLITE": str(Path(tmp) / "peer.sqlite3"), "VF_LOCK": "none",
               "SQLITE_SYNC": "NORMAL", "RESULTS": str(Path(tmp) / "peer.jsonl"), "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
        env.pop("DJANGO_SETTINGS_MODULE", None)
        for argv in (
            ["manage.py", "migrate", "-v0"],
            ["bench.py", "setup"],
            ["bench.py", "flow", "-n", str(processes)],
        ):
            subprocess.run([sys.executable, *argv], cwd=PEER, env=env, check=True, capture_output=True)
        record = json.loads((Path(tmp) / "peer.jsonl").read_text().splitlines()[-1])
    return record["per_s"] * 3


def main() -> None:
    parser = common.arguments(__doc__, lifecycles=200, procs=1, worker="", index=0, bare=0)
    a = parser.parse_args()
    common.django_setup(a.db)
    if a.worker:
        # each worker's lifecycles are numbered from its own block (w + 1) so companies never repeat
        worker_main(a.worker, (a.index + 1) * 10, a.lifecycles)
        return
    from django.db import connection

    bare_setup(64)
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    if a.procs == 1:
        per_transition, per_bare = statements(5)  # its own block of company numbers
        common.result(
            f"transition SQL statements {engine}",
            per_transition,
            "statements",
            per_bare,
            "bare transaction's",
        )
    connection.close()
    baseline = measure(a.db, "bare", a.procs, a.bare or a.lifecycles * STEPS)
    rate = measure(a.db, "services", a.procs, a.lifecycles)
    common.result(
        f"transitions {engine} {a.procs} proc{'s' if a.procs > 1 else ''}",
        rate,
        "transitions/s",
        baseline,
        "bare transactions/s",
        lifecycles=a.lifecycles * a.procs,
    )
    if engine == "SQLite" and a.procs == 1 and PEER.exists():
        common.result(
            "transitions SQLite vs viewflow 2.4",
            rate,
            "transitions/s",
            viewflow_steps_per_s(max(a.lifecycles * 6, 200)),  # its own check needs 100 or more
            "viewflow business steps/s",
        )


if __name__ == "__main__":
    main()
