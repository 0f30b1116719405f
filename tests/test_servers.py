"""The product as operators run it: real processes on loopback, real websocket clients."""

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import websockets
from django.conf import settings
from django.db import connection

from tests.servers import free_port

SETUP_DUE_WARNING = """
from datetime import timedelta
from django.utils import timezone
from cases.leads import services
from cases.leads.machine import LEAD
from workflow import engine
from cases.demo import lead_data, person
from workflow.models import Clock
hd, city = person("haidian_officer"), person("city_officer")
lead = services.lead_create(actor=hd, data=lead_data(4242))
engine.fire(LEAD, pk=lead.pk, name="submit", actor=hd)
lead = engine.fire(LEAD, pk=lead.pk, name="confirm", actor=city)
# the clock started long enough ago that its 30-day warning is due now
Clock.objects.filter(pk=lead.clock_id).update(due_at=timezone.now() - timedelta(seconds=1),
                                              deadline_at=timezone.now() + timedelta(days=29))
print(lead.pk)
"""


def manage(*args, env, **kw):  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, check=True,
                          capture_output=True, text=True, timeout=120, **kw)  # fmt: skip


def wait_for_http(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def token(base: str, username: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/auth/token/",
        data=json.dumps({"username": username, "password": "shoutan-demo-2026"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return json.load(urllib.request.urlopen(request))["token"]  # noqa: S310


@contextmanager
def embedded_server(env: dict, interval: float) -> Iterator[tuple[int, str]]:
    """`manage.py run_embedded` on a free loopback port (as scripts/run.sh starts it), answering;
    yields (port, base URL) and stops it afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "run_embedded", f"127.0.0.1:{port}", "--interval", str(interval)],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_http(f"{base}/api/units/")
        yield port, base
    finally:
        server.terminate()
        server.wait(10)


def test_the_embedded_server_pushes_a_warning_from_its_own_due_loop_without_redis(tmp_path):
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": "", "DEBUG": "1"}
    manage("migrate", "-v0", env=env)
    manage("load_demo", env=env)
    with embedded_server(env, interval=0.5) as (port, base):
        key = token(base, "haidian_leader")

        async def listen() -> list[dict]:
            async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws/notifications/",
                additional_headers={"Authorization": f"Token {key}"},
            ) as ws:
                assert json.loads(await ws.recv())["type"] == "unread"
                lead_id = int(manage("shell", "-c", SETUP_DUE_WARNING, env=env).stdout.split()[-1])
                received = []
                while {m.get("kind") for m in received} < {"clock_warning", "first_negotiation_confirmed"}:
                    received.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=20)))
                assert all(m["lead"] == lead_id for m in received if m["type"] == "notification")
                return received

        received = asyncio.run(listen())
        # the CLI process that confirmed the lead could not reach the server's in-memory layer: the
        # server's own loop delivered its websocket rows, so both notifications arrived, live
        assert sorted(m["kind"] for m in received) == ["clock_warning", "first_negotiation_confirmed"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_celery_worker_and_beat_escalate_a_due_lead(
    redis_server, haidian_officer, haidian_leader, city_officer
):
    from django.utils import timezone

    from cases.models import Lead
    from tests.notifications.test_resilience import bulk_negotiating, worker_env

    lead_ids = bulk_negotiating(3, haidian_officer, deadline=timezone.now())  # the worker uses the real clock
    env = {**worker_env(), "REDIS_URL": redis_server.url, "DUE_WORK_INTERVAL": "0.5"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "--pool", "solo", "--loglevel", "WARNING",
         "--schedule", str(redis_server.dir / "beat-schedule")],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Lead.objects.filter(pk__in=lead_ids, state="escalated").count() == 3:
                break
            time.sleep(0.2)
        escalated = Lead.objects.filter(pk__in=lead_ids, state="escalated").count()
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=20)
    assert escalated == 3, err[-3000:]


SETUP_SUBMITTED = """
from django.contrib.auth import get_user_model
from cases.demo import lead_data, person
from cases.leads import services
from cases.leads.machine import LEAD
from workflow import engine
hd = person("haidian_officer")
lead = services.lead_create(actor=hd, data=lead_data(4343))
engine.fire(LEAD, pk=lead.pk, name="submit", actor=hd)
for name in ("haidian_officer", "haidian_leader"):
    get_user_model().objects.filter(username=name).update(email=name + "@haidian.example")
print(lead.pk)
"""


def test_a_transition_answers_before_its_emails_go_and_the_servers_loop_sends_them(tmp_path):
    """DESIGN §9: only the websocket push leaves from the request. With a mail server that takes
    5 s per message, the city's confirmation answers before any e-mail is accepted; the embedded
    loop (woken by the commit, its own schedule 10 min away) then sends both."""
    from benchmarks.smtp import SlowSMTP

    smtp = SlowSMTP(delay=5.0)
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": "", "DEBUG": "1",
           "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
           "EMAIL_PORT": str(smtp.port)}  # fmt: skip
    manage("migrate", "-v0", env=env)
    manage("load_demo", env=env)
    lead_id = int(manage("shell", "-c", SETUP_SUBMITTED, env=env).stdout.split()[-1])
    try:
        with embedded_server(env, interval=600) as (_port, base):
            request = urllib.request.Request(
                f"{base}/api/leads/{lead_id}/transitions/confirm/",
                data=b"{}",
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Token {token(base, 'city_officer')}",
                },
            )
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                assert response.status == 200
            assert smtp.count() == 0  # the answer did not wait for the mail server
            deadline = time.monotonic() + 60
            while smtp.count() < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert smtp.count() == 2  # the officer and the leader of Haidian, each once
    finally:
        smtp.close()
