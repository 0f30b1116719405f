"""What every benchmark shares: databases made fresh from a migrated template, Django set-up in the
benchmark's own process, timing statistics and the one-line result format.

Each benchmark is a module run as its own process (`python -m benchmarks.<name> --db URL …`), so the
database, channel layer and settings it measures are exactly those of its environment.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://shoutan:shoutan@127.0.0.1:5432/shoutan")
TEMPLATE = "shoutan_bench_tpl"
# What a benchmark process runs with besides its database: no SMTP server (sending is outside the
# product; the text is still rendered), quiet logs.
ENV = {
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-key-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
}


# --- databases --------------------------------------------------------------------------------


def _pg_url(name: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path="/" + name))


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


def _sqlite_path(name: str) -> Path:
    return BENCH_DIR / f"{name}.sqlite3"


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{_sqlite_path(name)}"


def manage(url: str, *args: str, **env: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=process_env(url, **env),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def process_env(url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, **ENV, "DATABASE_URL": url, **extra}
    env.setdefault("VAR_DIR", str(BENCH_DIR))
    return env


def template_create(kind: str) -> None:
    """A migrated database with Beijing's units and the demo people, cloned by every benchmark."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if kind == "postgres":
        _pg_admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {TEMPLATE}")
        url = _pg_url(TEMPLATE)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{_sqlite_path(TEMPLATE)}{suffix}").unlink(missing_ok=True)
        url = _sqlite_url(TEMPLATE)
    manage(url, "migrate", "--no-input")
    manage(url, "shell", "-c", "from benchmarks.common import people_create; people_create()")


def database_clone(kind: str, name: str) -> str:
    """A fresh copy of the template; returns its DATABASE_URL."""
    if kind == "postgres":
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return _pg_url(name)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{_sqlite_path(name)}{suffix}").unlink(missing_ok=True)
    shutil.copy(_sqlite_path(TEMPLATE), _sqlite_path(name))
    return _sqlite_url(name)


def database_drop(kind: str, name: str) -> None:
    if kind == "postgres":
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{_sqlite_path(name)}{suffix}").unlink(missing_ok=True)


def people_create() -> None:
    """Units from the data files and the demo people (with e-mail addresses, so every channel runs)."""
    from cases.demo import PEOPLE, person
    from workflow.services import org_load

    org_load()
    for username in PEOPLE:
        user = person(username)
        user.email = f"{username}@example.org"
        user.save(update_fields=["email"])


# --- running inside a benchmark process --------------------------------------------------------


def django_setup(url: str, **extra: str) -> None:
    os.environ.update(process_env(url, **extra))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def arguments(description: str, **defaults: Any) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", required=True, help="DATABASE_URL of a fresh clone of the template")
    for name, value in defaults.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    return parser


def spawn_together(db: str, module: str, argvs: list[list[str]]) -> list[subprocess.Popen]:
    """Start one worker process of `benchmarks.<module>` per argument list; return once all are ready
    and released together."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", f"benchmarks.{module}", "--db", db, *argv],
            cwd=ROOT,
            env=process_env(db),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for argv in argvs
    ]
    start_together(procs)
    return procs


def start_together(procs: list[subprocess.Popen]) -> None:
    """Wait until every worker process has set itself up and says "ready", then let them all go."""
    for p in procs:
        line = p.stdout.readline() if p.stdout else ""
        if line.strip() != "ready":
            raise SystemExit(f"a worker did not start: {line!r}")
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_go() -> None:
    """The worker's side of start_together."""
    print("ready", flush=True)
    sys.stdin.readline()


# --- figures ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def result(
    name: str, value: float, unit: str, baseline: float | None, baseline_unit: str = "", **extra: Any
) -> None:
    """Print the benchmark line (`name: value unit (R x baseline)`) and a JSON twin for run.py.

    The ratio is value / baseline: for rates higher is better, for times lower is better."""
    ratio = f" ({value / baseline:.2f} x baseline {baseline:.4g} {baseline_unit or unit})" if baseline else ""
    print(f"{name}: {value:.4g} {unit}{ratio}", flush=True)
    print("JSON " + json.dumps({"name": name, "value": value, "unit": unit, "baseline": baseline, **extra}))


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())
