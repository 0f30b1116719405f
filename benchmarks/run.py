"""Run every benchmark and print each figure with its ratio to the baseline measured in the same run.

    python benchmarks/run.py            # full sizes (1,000,000 leads and clocks; several minutes)
    python benchmarks/run.py --quick    # reduced sizes, under a minute (CI runs this)
    python benchmarks/run.py --only queue,push --json var/bench/figures.json

Needs PostgreSQL (BENCH_PG_URL, default the test role's database on 127.0.0.1) and redis-server
on PATH: `bash scripts/services.sh` provides both. Each benchmark runs in its own processes on a
fresh database cloned from a migrated template, and leaves nothing behind.
"""

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402

# name → [(database kind, module, arguments at full size, arguments in --quick)]
PLAN: dict[str, list[tuple[str, str, list[str], list[str]]]] = {
    "transitions": [
        ("sqlite", "transitions", ["--lifecycles", "300"], ["--lifecycles", "15", "--bare", "300"]),
        ("postgres", "transitions", ["--lifecycles", "300"], ["--lifecycles", "10", "--bare", "200"]),
        (
            "postgres",
            "transitions",
            ["--lifecycles", "100", "--procs", "4"],
            ["--lifecycles", "4", "--procs", "4", "--bare", "100"],
        ),
    ],
    "queue": [
        (
            "postgres",
            "queues",
            ["--leads", "1000000", "--repeat", "100"],
            ["--leads", "10000", "--repeat", "15"],
        ),
    ],
    "due": [  # due-work, and memory (the peak RSS of its one-worker run)
        (
            "postgres",
            "due",
            ["--leads", "1000000", "--clocks", "1000000", "--due", "10000"],
            ["--leads", "10000", "--clocks", "20000", "--due", "300", "--bare", "300"],
        ),
    ],
    "deliveries": [  # a transition telling ten people by e-mail, through a slow mail server
        (
            "sqlite",
            "deliveries",
            ["--transitions", "10", "--delay", "2"],
            ["--transitions", "4", "--delay", "0.2"],
        ),
    ],
    "push": [
        (
            "sqlite",
            "push",
            ["--sockets", "1000", "--messages", "400"],
            ["--sockets", "150", "--messages", "40"],
        ),
        (
            "postgres",
            "push",
            ["--sockets", "1000", "--messages", "400", "--layer", "redis"],
            ["--sockets", "150", "--messages", "40", "--layer", "redis"],
        ),
    ],
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="reduced sizes (CI)")
    parser.add_argument("--only", default=",".join(PLAN), help="comma list of: " + ", ".join(PLAN))
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    a = parser.parse_args()
    chosen = [name for name in a.only.split(",") if name]
    unknown = set(chosen) - set(PLAN)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    started = time.perf_counter()
    kinds = {kind for name in chosen for kind, *_ in PLAN[name]}
    with ThreadPoolExecutor() as pool:  # each is a `migrate` in its own process
        list(pool.map(common.template_create, sorted(kinds)))
    figures, lines = [], []
    for name in chosen:
        for n, (kind, module, full, quick) in enumerate(PLAN[name]):
            db_name = f"shoutan_bench_{name}_{n}"
            url = common.database_clone(kind, db_name)
            try:
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        f"benchmarks.{module}",
                        "--db",
                        url,
                        *(quick if a.quick else full),
                    ],
                    cwd=ROOT,
                    env=common.process_env(url),
                    capture_output=True,
                    text=True,
                )
            finally:
                common.database_drop(kind, db_name)
            if done.returncode:
                sys.stderr.write(done.stdout + done.stderr)
                print(f"{name}: FAILED ({module} on {kind}, exit {done.returncode})", flush=True)
                return 1
            for line in done.stdout.splitlines():
                if line.startswith("JSON "):
                    figures.append(json.loads(line[5:]))
                elif not line.startswith("#"):
                    lines.append(line)
                    print(line, flush=True)
    for kind in kinds:
        common.database_drop(kind, common.TEMPLATE)
    total = time.perf_counter() - started
    print(f"# {'quick' if a.quick else 'full'} run of {', '.join(chosen)} in {total:.0f} s", flush=True)
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"quick": a.quick, "seconds": total, "figures": figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
