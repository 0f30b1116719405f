"""Production smoke test: the production configuration on loopback, and one lead through it.

Starts what docs/deployment.md describes — PostgreSQL (already running: scripts/services.sh),
Redis, two ASGI servers (uvicorn and daphne) with PRODUCTION=1, one Celery worker with beat — on
a fresh database, then drives one lead over HTTP through both servers: the officer registers and
submits it, the city confirms it, and when its clock runs out (the deadline is moved into the past
in the database: the one place the test touches time) the worker escalates it. A websocket on each
server must receive its person's notification, pushed through Redis from wherever it was committed.
Static files must come from whitenoise with their hashed names. Exits non-zero on any failure.

    .venv/bin/python scripts/smoke.py
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import RedisServer, free_port  # noqa: E402

PG_URL = os.environ.get("PG_URL", "postgres://shoutan:shoutan@127.0.0.1:5432/shoutan")
DB = "shoutan_smoke"
PASSWORD = "smoke-test-password-2026"
PEOPLE = {"haidian_officer": ("haidian", "officer"), "city_officer": ("beijing", "officer")}
PEOPLE["haidian_leader"] = ("haidian", "leader")


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


def db_url() -> str:
    return urlunsplit(urlsplit(PG_URL)._replace(path="/" + DB))


class Stack:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.redis = RedisServer(work)
        self.procs: list[subprocess.Popen] = []
        self.ports = [free_port(), free_port()]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": db_url(),
            "REDIS_URL": self.redis.url,
            "PRODUCTION": "1",
            "DEBUG": "0",
            "SECRET_KEY": "smoke-" + "k" * 60,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "VAR_DIR": str(self.work / "var"),
            "STATIC_ROOT": str(self.work / "static"),
            "CONN_MAX_AGE": "60",
            "DUE_WORK_INTERVAL": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }

    def run(self, *args: str) -> str:
        done = subprocess.run(args, cwd=ROOT, env=self.env(), capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"smoke: {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout + done.stderr

    def start(self, name: str, *args: str) -> None:
        log = (self.work / f"{name}.log").open("w")
        self.procs.append(
            subprocess.Popen(args, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        )

    def up(self) -> None:
        py = sys.executable
        bin_dir = Path(py).parent
        admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        admin(f"CREATE DATABASE {DB}")
        self.redis.start()
        self.run(py, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
        self.run(py, "manage.py", "migrate", "--no-input")
        self.run(py, "manage.py", "load_org")
        self.run(py, "manage.py", "collectstatic", "--no-input")
        for user, (unit, role) in PEOPLE.items():
            self.run(
                py, "manage.py", "add_member", user, "--unit", unit, "--role", role, "--password", PASSWORD
            )
        say("database migrated, units loaded, static files collected, check --deploy clean")
        a, b = self.ports
        self.start("uvicorn", str(bin_dir / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1",
                   "--port", str(a), "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1")  # fmt: skip
        self.start(
            "daphne", str(bin_dir / "daphne"), "-b", "127.0.0.1", "-p", str(b), "config.asgi:application"
        )
        self.start("celery", str(bin_dir / "celery"), "-A", "config", "worker", "--beat", "--concurrency", "1",
                   "--loglevel", "INFO", "--schedule", str(self.work / "beat-schedule"))  # fmt: skip
        for port in self.ports:
            wait_http(f"http://127.0.0.1:{port}/accounts/login/")
        say(f"uvicorn on :{a}, daphne on :{b}, one Celery worker with beat, Redis on :{self.redis.port}")

    def down(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        self.redis.stop()
        admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")

    def logs(self) -> str:
        return "\n".join(f"--- {f.name}\n{f.read_text()[-3000:]}" for f in sorted(self.work.glob("*.log")))


def wait_http(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(request(url), timeout=2)  # noqa: S310
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"smoke: {url} never answered")


def request(url: str, data: dict | None = None, token: str = "") -> urllib.request.Request:
    headers = {"X-Forwarded-Proto": "https", "Accept-Language": "en"}  # as the TLS proxy in front sets it
    if token:
        headers["Authorization"] = f"Token {token}"
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    return urllib.request.Request(
        url, data=body, headers=headers, method="POST" if data is not None else "GET"
    )


def call(base: str, path: str, data: dict | None = None, token: str = "") -> dict:
    try:
        with urllib.request.urlopen(request(base + path, data, token), timeout=30) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"smoke: {path} answered {exc.code}: {exc.read()[:500]!r}") from exc


async def listen(port: int, token: str, kinds: set[str], seen: dict) -> None:
    import websockets

    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/notifications/", additional_headers={"Authorization": f"Token {token}"}
    ) as ws:
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "notification" and message["kind"] in kinds:
                seen.setdefault(token, []).append(message["kind"])
                if kinds <= set(seen[token]):
                    return


async def journey(stack: Stack) -> None:
    a, b = (f"http://127.0.0.1:{p}" for p in stack.ports)
    tokens = {u: call(a, "/api/auth/token/", {"username": u, "password": PASSWORD})["token"] for u in PEOPLE}
    seen: dict = {}
    # the officer listens on server B, the city on server A: every push below crosses through Redis
    officer_ws = asyncio.create_task(
        listen(stack.ports[1], tokens["haidian_officer"], {"first_negotiation_confirmed"}, seen)
    )
    city_ws = asyncio.create_task(
        listen(stack.ports[0], tokens["city_officer"], {"awaits_city", "escalated"}, seen)
    )
    await asyncio.sleep(1)  # both sockets joined their groups
    lead = call(a, "/api/leads/", {
        "name": "冒烟测试项目", "company_name": "北京冒烟测试科技有限公司", "credit_code": "91110108000000099C",
        "sector": "integrated_circuits", "segment": "rnd_design", "total_investment_cny": "150000000",
        "source": "district",
    }, tokens["haidian_officer"])  # fmt: skip
    say(f"lead #{lead['id']} registered on uvicorn ({lead['state']})")
    lead = call(b, f"/api/leads/{lead['id']}/transitions/submit/", {}, tokens["haidian_officer"])
    say(f"submitted on daphne → {lead['state']}")
    lead = call(a, f"/api/leads/{lead['id']}/transitions/confirm/", {}, tokens["city_officer"])
    say(f"confirmed by the city on uvicorn → {lead['state']}, deadline {lead['clock']['deadline_at']}")
    await asyncio.wait_for(officer_ws, 20)
    say("the officer's socket on daphne got the confirmation committed on uvicorn")
    await asyncio.to_thread(expire_clock, lead["id"])
    for _ in range(60):
        lead = call(b, f"/api/leads/{lead['id']}/", token=tokens["city_officer"])
        if lead["state"] == "escalated":
            break
        await asyncio.sleep(0.5)
    if lead["state"] != "escalated":
        raise SystemExit(f"smoke: the worker did not escalate the lead (state {lead['state']})")
    say("the Celery worker escalated the lead when its clock ran out")
    await asyncio.wait_for(city_ws, 20)
    say("the city's socket on uvicorn got the escalation the worker committed")


def expire_clock(lead_id: int) -> None:
    import psycopg

    with psycopg.connect(db_url(), autocommit=True) as conn:
        conn.execute(
            """UPDATE workflow_clock SET deadline_at = now() - interval '1 minute', due_at = now() - interval
               '1 minute', warnings_sent = '[30, 7]' WHERE id = (SELECT clock_id FROM cases_lead WHERE id = %s)""",
            [lead_id],
        )


def static_served(stack: Stack) -> None:
    manifest = json.loads((stack.work / "static" / "staticfiles.json").read_text())["paths"]
    name = next(v for k, v in manifest.items() if k.endswith(".css"))
    with urllib.request.urlopen(request(f"http://127.0.0.1:{stack.ports[1]}/static/{name}"), timeout=10) as r:  # noqa: S310
        assert r.status == 200 and "max-age=315360000" in r.headers.get("Cache-Control", ""), r.headers
    say(f"whitenoise serves /static/{name} with a far-future cache header")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="smoke-"))
    stack = Stack(work)
    started = time.perf_counter()
    try:
        stack.up()
        static_served(stack)
        asyncio.run(journey(stack))
    except BaseException:
        print(stack.logs(), file=sys.stderr)
        raise
    finally:
        stack.down()
        shutil.rmtree(work, ignore_errors=True)
    say(f"passed in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
