"""Nothing lost, nothing doubled: overlapping worker processes, a SIGKILL mid-batch, Redis down.

Workers here are real `manage.py process_due` processes on the test database (PostgreSQL lane).
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection

from cases.models import Exclusion, Lead, State
from notifications.models import Delivery, Notification, WebhookEndpoint
from tests.helpers import at
from tests.notifications.test_outbox import Receiver
from workflow.models import Clock, OrgUnit, TransitionRecord

DEADLINE = at("2027-03-02 00:00")  # confirmed 2026-11-30: the end of the first working day after Feb 28
LATER = DEADLINE + timedelta(days=1)
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
)


def bulk_negotiating(n: int, officer, deadline=DEADLINE) -> list[int]:  # type: ignore[no-untyped-def]
    """n Haidian leads negotiating with clocks already past their deadline, made in bulk (the
    services would take minutes for thousands; what is under test is the sweep, not the setup)."""
    from django.contrib.contenttypes.models import ContentType

    from cases.demo import lead_data

    haidian = OrgUnit.objects.get(code="haidian")
    start = at("2026-11-28 09:00")
    leads = Lead.objects.bulk_create(
        [
            Lead(
                **{
                    k: v
                    for k, v in lead_data(100000 + i).items()
                    if k not in ("sector", "total_investment_cny")
                },
                sector_id="integrated_circuits",
                total_investment_cny=150_000_000,
                discovering_unit=haidian,
                unit=haidian,
                first_negotiation_unit=haidian,
                first_negotiation=True,
                state=State.NEGOTIATING,
                created_by=officer,
                created_at=start,
                updated_at=start,
            )
            for i in range(n)
        ]
    )
    ct = ContentType.objects.get_for_model(Lead)
    clocks = Clock.objects.bulk_create(
        [
            Clock(
                kind="lead_no_progress",
                subject_type=ct,
                subject_id=lead.pk,
                started_at=start,
                warning_days=[30, 7],
                warnings_sent=[30, 7],
                base_deadline_at=deadline,
                deadline_at=deadline,
                due_at=deadline,
            )  # fmt: skip
            for lead in leads
        ]
    )
    for lead, clock in zip(leads, clocks, strict=True):
        lead.clock = clock
    Lead.objects.bulk_update(leads, ["clock"])
    return [lead.pk for lead in leads]


def worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "ERROR",
    }


def process_due(now, **kw) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    return subprocess.Popen(
        [sys.executable, "manage.py", "process_due", "--now", now.isoformat()],
        cwd=settings.BASE_DIR, env=worker_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw,
    )  # fmt: skip


def assert_escalated_once_each(lead_ids, recipients) -> None:  # type: ignore[no-untyped-def]
    assert Lead.objects.filter(pk__in=lead_ids, state=State.ESCALATED).count() == len(lead_ids)
    assert Exclusion.objects.filter(lead_id__in=lead_ids).count() == len(lead_ids)
    assert TransitionRecord.objects.filter(transition="escalate", subject_id__in=lead_ids).count() == len(
        lead_ids
    )
    per_user = Counter(Notification.objects.filter(kind="escalated").values_list("user__username", flat=True))
    assert per_user == {name: len(lead_ids) for name in recipients}
    per_channel = Counter(Delivery.objects.values_list("notification_id", "channel", "endpoint_id"))
    assert set(per_channel.values()) == {1}


@pytest.fixture
def scene(haidian_officer, haidian_leader, city_officer):  # type: ignore[no-untyped-def]
    haidian_leader.email = "leader@haidian.example"
    haidian_leader.save()
    hook = Receiver([])
    WebhookEndpoint.objects.create(unit=OrgUnit.objects.get(code="beijing"), url=hook.url, secret="s")
    yield hook
    hook.close()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_four_overlapping_workers_over_2000_due_clocks_escalate_each_lead_once(scene, haidian_officer):
    lead_ids = bulk_negotiating(2000, haidian_officer)
    workers = [process_due(LATER) for _ in range(4)]
    outputs = [w.communicate(timeout=600) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], outputs
    assert_escalated_once_each(lead_ids, ["city_officer", "haidian_leader", "haidian_officer"])
    # one webhook per cause to the city's integration, each exactly once
    keys = Counter(r["headers"]["Idempotency-Key"] for r in scene.requests)
    assert len(keys) == 2000 and set(keys.values()) == {1}
    assert Delivery.objects.filter(channel="email", status="sent").count() == 2000  # the Haidian leader's


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(scene, haidian_officer):
    lead_ids = bulk_negotiating(1000, haidian_officer)
    worker = process_due(LATER)
    deadline = time.monotonic() + 120
    while Exclusion.objects.count() < 100 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    done = Exclusion.objects.count()
    assert 100 <= done < 1000, "the kill should land mid-batch"
    # the next run comes later, after any delivery the dead worker held has lost its lease
    rerun = process_due(LATER + timedelta(minutes=5))
    out = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, out
    assert_escalated_once_each(lead_ids, ["city_officer", "haidian_leader", "haidian_officer"])
    assert Delivery.objects.exclude(channel="websocket").exclude(status="sent").count() == 0
    keys = Counter(r["headers"]["Idempotency-Key"] for r in scene.requests)
    assert len(keys) == 1000  # every cause reached the integration
    # A webhook sent just before the kill, whose success was not yet recorded, is sent again with
    # the same Idempotency-Key for the receiver to drop: at most the one in flight.
    assert sum(keys.values()) - len(keys) <= 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_redis_down_while_notifications_are_made_then_up_delivers_everything_once(
    redis_layer, make_negotiating, haidian_leader, django_capture_on_commit_callbacks
):
    from config.asgi import router
    from config.tokens import token_issue
    from workflow.due import process_due as run_due

    redis_layer.stop()

    def make_while_redis_is_down():  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return [make_negotiating(now=at("2026-11-30 09:00")) for _ in range(3)]

    await database_sync_to_async(make_while_redis_is_down)()
    pending = await database_sync_to_async(
        lambda: list(
            Delivery.objects.filter(notification__user=haidian_leader).values_list("status", "attempts")
        )
    )()
    assert pending == [("pending", 1)] * 3
    redis_layer.start()
    key = (await database_sync_to_async(token_issue)(user=haidian_leader))[1]
    socket = WebsocketCommunicator(
        router, "/ws/notifications/", headers=[(b"authorization", f"Token {key}".encode())]
    )
    assert (await socket.connect())[0]
    assert await socket.receive_json_from() == {"type": "unread", "count": 3}
    await database_sync_to_async(run_due)(now=at("2026-11-30 09:01"))
    received = []
    while not await socket.receive_nothing(timeout=1):
        received.append(await socket.receive_json_from())
    assert sorted(m["kind"] for m in received) == ["first_negotiation_confirmed"] * 3
    assert len({m["id"] for m in received}) == 3
    await database_sync_to_async(run_due)(now=at("2026-11-30 10:00"))
    assert await socket.receive_nothing(timeout=1)  # nothing sent twice
    statuses = await database_sync_to_async(
        lambda: sorted(
            Delivery.objects.filter(notification__user=haidian_leader).values_list("status", "attempts")
        )
    )()
    assert statuses == [("sent", 2)] * 3
    await socket.disconnect()
