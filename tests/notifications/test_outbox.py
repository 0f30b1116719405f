"""Deliveries: one per channel per notification, sent after commit, retried with back-off, never twice."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from notifications.models import Delivery, Notification, Preference, WebhookEndpoint
from notifications.transports import sign
from tests.helpers import at
from workflow.due import process_due
from workflow.models import OrgUnit

SECRET = "whsec-test-secret"


class Receiver:
    """A webhook receiver on loopback that answers a scripted list of statuses, then 200."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    made = []

    def make(statuses):  # type: ignore[no-untyped-def]
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run the after-commit hooks the way a real commit would, then a worker's send of what they
    left waiting (e-mails, webhooks), at the moment of the cause (09:00 unless `now` says)."""
    from notifications.outbox import deliveries_send

    def run(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(*args, **kwargs)
        deliveries_send(now=kwargs.get("now", at("2026-11-30 09:00")))
        return result

    return run


def test_a_webhook_answering_500_twice_then_200_is_delivered_once_after_three_attempts(
    receiver, committed, make_negotiating, haidian_leader
):
    hook = receiver([500, 500])
    WebhookEndpoint.objects.create(user=haidian_leader, url=hook.url, secret=SECRET)
    lead = committed(make_negotiating, now=at("2026-11-30 09:00"))
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    assert delivery.next_attempt_at == at("2026-11-30 09:00:10")  # back-off: 10 s
    process_due(now=at("2026-11-30 09:00:05"))  # not yet
    process_due(now=at("2026-11-30 09:00:10"))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "pending",
        2,
        at("2026-11-30 09:00:40"),
    )
    process_due(now=at("2026-11-30 09:00:40"))
    process_due(now=at("2026-11-30 10:00:00"))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert len(hook.requests) == 3
    keys = {r["headers"]["Idempotency-Key"] for r in hook.requests}
    assert keys == {delivery.key}
    last = hook.requests[-1]
    ts = int(last["headers"]["X-Shoutan-Timestamp"])
    assert last["headers"]["X-Shoutan-Signature"] == sign(SECRET, ts, last["body"])
    body = json.loads(last["body"])
    assert (body["kind"], body["lead"], body["user"]) == (
        "first_negotiation_confirmed",
        lead.pk,
        "haidian_leader",
    )
    assert set(body["texts"]) == {"zh-hans", "en"}


def test_a_4xx_answer_is_a_permanent_failure_visible_in_the_api(
    receiver, committed, make_negotiating, haidian_leader
):
    from rest_framework.test import APIClient

    WebhookEndpoint.objects.create(user=haidian_leader, url=receiver([404]).url, secret=SECRET)
    committed(make_negotiating, now=at("2026-11-30 09:00"))
    process_due(now=at("2026-12-30 09:00"))
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 1, "HTTP 404")
    api = APIClient()
    api.force_authenticate(haidian_leader)
    note = api.get("/api/notifications/").json()["results"][0]
    assert {"channel": "webhook", "status": "failed", "attempts": 1, "last_error": "HTTP 404"} in note[
        "deliveries"
    ]


def test_a_unit_webhook_hears_of_a_cause_once_however_many_members_are_told(
    receiver, committed, make_negotiating, haidian_leader
):
    from cases.demo import person

    person("haidian_officer")
    hook = receiver([])
    WebhookEndpoint.objects.create(unit=OrgUnit.objects.get(code="haidian"), url=hook.url, secret=SECRET)
    committed(make_negotiating, now=at("2026-11-30 09:00"))
    told = Notification.objects.filter(kind="first_negotiation_confirmed").count()
    assert told == 2  # the Haidian officer and leader
    assert Delivery.objects.filter(channel="webhook").count() == 1
    assert len(hook.requests) == 1
    assert json.loads(hook.requests[0]["body"])["unit"] == "haidian"


def test_email_goes_in_the_recipients_language(
    committed, settings, make_negotiating, haidian_leader, haidian_officer
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    haidian_leader.email, haidian_officer.email = "leader@haidian.example", "officer@haidian.example"
    haidian_leader.save()
    haidian_officer.save()
    Preference.objects.create(user=haidian_officer, language="en")
    committed(make_negotiating, now=at("2026-11-30 09:00"))
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert by_recipient["leader@haidian.example"].subject.startswith("【招商线索】")
    assert "您好" in by_recipient["leader@haidian.example"].body
    assert by_recipient["officer@haidian.example"].subject.startswith("[Investment leads]")
    assert Delivery.objects.filter(channel="email", status="sent").count() == 2


def test_an_unreachable_mail_server_is_retried(committed, settings, make_negotiating, haidian_leader):
    from tests.servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    haidian_leader.email = "leader@haidian.example"
    haidian_leader.save()
    committed(make_negotiating, now=at("2026-11-30 09:00"))
    delivery = Delivery.objects.get(channel="email")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "smtp" in delivery.last_error


def test_nobody_without_an_address_gets_an_email_row_and_every_notification_gets_a_websocket_row(
    make_negotiating, haidian_leader
):
    make_negotiating(now=at("2026-11-30 09:00"))
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"websocket"}
    assert Delivery.objects.count() == Notification.objects.count()


def test_a_sender_never_claims_a_row_another_sender_holds(in_server, make_negotiating, haidian_leader):
    """The request that commits writes its push rows already claimed; until that claim runs out
    (the request died before pushing) no worker takes them, and then one does, once."""
    from notifications.outbox import LEASE, deliveries_send

    make_negotiating(now=at("2026-11-30 09:00"))  # its commit hooks never run: the pusher "died"
    held = Delivery.objects.filter(channel="websocket")
    assert held.exists() and set(held.values_list("status", "attempts")) == {("sending", 1)}
    assert deliveries_send(now=at("2026-11-30 09:01")) == 0
    assert set(held.values_list("status", "attempts")) == {("sending", 1)}
    assert deliveries_send(now=at("2026-11-30 09:00") + LEASE + timedelta(seconds=1)) == held.count()
    assert set(held.values_list("status", "attempts")) == {("sent", 2)}


def test_a_rolled_back_cause_sends_nothing_and_the_others_go_once(receiver, committed, haidian_leader):
    """Deliveries of a rolled-back savepoint are forgotten with it, even when a later row reuses
    their id (SQLite); each delivery the transaction kept is tried once after the commit."""
    from django.db import transaction

    from notifications.services import notify

    hook = receiver([500])
    WebhookEndpoint.objects.create(user=haidian_leader, url=hook.url, secret=SECRET)

    def causes() -> None:
        try:
            with transaction.atomic():  # a cause that fails after notifying, at a later `now`
                notify(users=[haidian_leader.pk], kind="closed", lead_id=None, params={"lead_name": "甲"},
                       key="rolled-back", at=at("2030-01-01 09:00"))  # fmt: skip
                raise RuntimeError("the cause failed")
        except RuntimeError:
            pass
        for n in range(3):
            notify(users=[haidian_leader.pk], kind="closed", lead_id=None, params={"lead_name": f"乙{n}"},
                   key=f"kept-{n}", at=at("2026-11-30 09:00"))  # fmt: skip

    committed(lambda: transaction.atomic()(causes)())
    assert not Delivery.objects.filter(key__startswith="rolled-back").exists()
    hooks = Delivery.objects.filter(channel="webhook")
    # each tried once, at 09:00: one got the 500 and waits for its back-off, the others went out
    assert sorted((d.status, d.attempts) for d in hooks) == [("pending", 1), ("sent", 1), ("sent", 1)]
    assert hooks.get(status="pending").next_attempt_at == at("2026-11-30 09:00:10")
    assert len(hook.requests) == 3


def test_the_clock_phase_leaves_sending_to_the_runs_deliveries_job(
    receiver, committed, make_negotiating, haidian_leader, django_capture_on_commit_callbacks
):
    """Escalations write their outbox rows; the same run's `deliveries` job sends them once the
    clocks are done (no send holds up the claims), each exactly once."""
    hook = receiver([])
    WebhookEndpoint.objects.create(user=haidian_leader, url=hook.url, secret=SECRET)
    lead = committed(make_negotiating, now=at("2026-11-30 09:00"))
    Delivery.objects.update(status="sent")  # what the confirmation sent is not under test
    before = len(hook.requests)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = process_due(now=at("2027-03-02 09:00"))
    assert report.deadlines == 1
    assert callbacks == []  # nothing queued to send after the claims
    escalation = Delivery.objects.filter(notification__kind="escalated", notification__lead=lead)
    assert escalation.filter(channel="webhook").get().status == "sent"
    assert report.jobs["deliveries"] == escalation.exclude(channel="websocket").count() > 0
    assert len(hook.requests) == before + 1
    assert set(report.seconds) == {"clocks", *report.jobs}


def test_the_request_sends_no_email_or_webhook_only_its_commit_wakes_a_worker(
    receiver, settings, django_capture_on_commit_callbacks, make_negotiating, haidian_leader
):
    """DESIGN §9: e-mails and webhooks are sent by a worker, never in the request of the person who
    clicked; the commit only wakes the worker (here: the embedded loop's hook)."""
    from notifications import outbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    haidian_leader.email = "leader@haidian.example"
    haidian_leader.save()
    hook = receiver([])
    WebhookEndpoint.objects.create(user=haidian_leader, url=hook.url, secret=SECRET)
    woken: list[int] = []
    outbox.WAKE.append(lambda: woken.append(1))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            make_negotiating(now=at("2026-11-30 09:00"))
    finally:
        outbox.WAKE.clear()
    assert woken  # the worker was told
    assert (mail.outbox, hook.requests) == ([], [])  # and nothing left from the request itself
    waiting = Delivery.objects.filter(channel__in=["email", "webhook"], notification__user=haidian_leader)
    assert sorted(waiting.values_list("status", "attempts")) == [("pending", 0), ("pending", 0)]
    outbox.deliveries_send(now=at("2026-11-30 09:00"))  # the worker's run
    assert sorted(waiting.values_list("status", flat=True)) == ["sent", "sent"]
    assert (len(mail.outbox), len(hook.requests)) == (1, 1)


@pytest.fixture
def in_server(monkeypatch):  # type: ignore[no-untyped-def]
    """This process holds the sockets (as the ASGI server does), so it can push live."""
    from notifications import transports

    monkeypatch.setattr(transports, "IN_SERVER", True)


def test_the_live_push_leaves_from_the_commit_and_is_recorded_sent_once(
    in_server, django_capture_on_commit_callbacks, make_negotiating, haidian_leader
):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from notifications.outbox import deliveries_send
    from notifications.transports import group_for

    layer = get_channel_layer()
    async_to_sync(layer.group_add)(group_for(haidian_leader.pk), "leader-socket")
    with django_capture_on_commit_callbacks(execute=True):
        make_negotiating(now=at("2026-11-30 09:00"))
    message = async_to_sync(layer.receive)("leader-socket")
    assert (message["type"], message["kind"]) == ("notification.push", "first_negotiation_confirmed")
    pushed = Delivery.objects.get(channel="websocket", notification__user=haidian_leader)
    assert (pushed.status, pushed.attempts) == ("sent", 1)
    assert deliveries_send(now=at("2026-12-30 09:00")) == 0  # a worker finds nothing left to push


def test_a_push_the_channel_layer_refuses_is_left_to_a_worker_with_back_off(
    in_server, settings, django_capture_on_commit_callbacks, make_negotiating, haidian_leader
):
    from channels.layers import channel_layers

    from config.settings import redis_channel_layer
    from notifications.outbox import deliveries_send
    from tests.servers import free_port

    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(f"redis://127.0.0.1:{free_port()}/0")}  # nobody
    channel_layers.backends.clear()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            make_negotiating(now=at("2026-11-30 09:00"))
        row = Delivery.objects.get(channel="websocket", notification__user=haidian_leader)
        assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, at("2026-11-30 09:00:10"))
        assert "channel layer" in row.last_error
    finally:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
        channel_layers.backends.clear()
    assert deliveries_send(now=at("2026-11-30 09:00:10")) >= 1  # the layer is back: the worker pushes it
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_slow_mail_server_does_not_lose_a_senders_claim_on_the_rest_of_its_batch(
    settings, make_negotiating, haidian_leader, haidian_officer, monkeypatch
):
    """A claim is a 2-minute lease; sending a batch to a mail server that takes long would let it
    run out, and a second sender would send the rest again. The sender renews it as it goes."""
    from benchmarks.smtp import SlowSMTP
    from notifications import outbox

    smtp = SlowSMTP(delay=0.3)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    for person in (haidian_leader, haidian_officer):
        person.email = f"{person.username}@haidian.example"
        person.save()
    make_negotiating(now=at("2026-11-30 09:00"))
    monkeypatch.setattr(outbox, "LEASE", timedelta(seconds=0.4))
    leases: list = []
    real_send = outbox.transports.TRANSPORTS["email"]

    def watching(delivery):  # type: ignore[no-untyped-def]
        # what another sender would see of the rows still to go, at each send
        leases.append(list(Delivery.objects.filter(channel="email").values_list("status", "next_attempt_at")))
        real_send(delivery)

    monkeypatch.setitem(outbox.transports.TRANSPORTS, "email", watching)
    try:
        assert outbox.deliveries_send(now=at("2026-11-30 09:00")) >= 2
    finally:
        smtp.close()
    # at the second send the first took 0.3 s of a 0.4 s lease: renewed beyond the first claim's
    second = sorted(t for status, t in leases[1] if status == "sending")
    assert second and second[-1] > at("2026-11-30 09:00:00.4")
    assert smtp.count() == 2


def _celery_on(settings, broker_url):  # type: ignore[no-untyped-def]
    """The product's Celery app, publishing to `broker_url` (its producer pool made anew)."""
    from config.celery import app

    settings.CELERY_DELIVERIES = True
    app.conf.broker_url = broker_url
    app._pool = None  # the pool holds connections to the broker it was made for
    return app


def test_with_a_broker_each_commit_queues_the_deliveries_task(
    redis_server, settings, django_capture_on_commit_callbacks, make_negotiating, haidian_leader
):
    import redis

    haidian_leader.email = "leader@haidian.example"
    haidian_leader.save()
    app = _celery_on(settings, redis_server.url)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            make_negotiating(now=at("2026-11-30 09:00"))
    finally:
        app._pool = None
    queued = [json.loads(m) for m in redis.Redis.from_url(redis_server.url).lrange("celery", 0, -1)]
    assert {m["headers"]["task"] for m in queued} == {"shoutan.deliveries"}


def test_a_broker_that_is_down_holds_up_nothing_and_loses_nothing(
    settings, django_capture_on_commit_callbacks, make_negotiating, haidian_leader, caplog
):
    from notifications.outbox import deliveries_send
    from tests.servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    haidian_leader.email = "leader@haidian.example"
    haidian_leader.save()
    app = _celery_on(settings, f"redis://127.0.0.1:{free_port()}/0")  # nobody listens
    try:
        with django_capture_on_commit_callbacks(execute=True):
            lead = make_negotiating(now=at("2026-11-30 09:00"))
    finally:
        app._pool = None
    assert lead.state == "negotiating"  # the transition stands
    assert "could not be queued" in caplog.text
    waiting = Delivery.objects.get(channel="email", notification__user=haidian_leader)
    assert waiting.status == "pending"
    assert deliveries_send(now=at("2026-11-30 09:01")) >= 1  # the next due-work run sends it
    assert len(mail.outbox) == 1


def test_leases_run_from_the_real_clock_not_from_when_the_run_began(make_negotiating, haidian_leader):
    """A run that began long ago (its `now`) claims its later batches with a lease from the moment it
    claims them: a second sender must not find them expired while the first still works through them."""
    from datetime import timedelta

    from django.utils import timezone

    from notifications.outbox import LEASE, _claim

    make_negotiating(now=at("2026-11-30 09:00"))
    began = timezone.now() - timedelta(minutes=30)
    claimed = _claim(Delivery.objects.filter(status="pending"), began)
    assert claimed
    for row in Delivery.objects.filter(pk__in=[d.pk for d in claimed]):
        assert row.next_attempt_at >= timezone.now() + LEASE - timedelta(seconds=5)
