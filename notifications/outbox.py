"""The delivery outbox: rows written with their notification, sent after commit, retried with back-off.

A sender claims a batch of rows in one short transaction (locked, skipping rows another sender
holds; status → sending, a lease in next_attempt_at), sends outside any transaction, then settles
them. Two senders never both claim a row; a sender that dies mid-send leaves a lease that expires,
and the row is sent again with the same idempotency key.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from notifications import transports
from notifications.models import Delivery, Notification, Preference, WebhookEndpoint
from workflow import locks, refcache, registry
from workflow.models import Membership

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a claim older than this was a sender that died
MAX_ATTEMPTS = 8
BATCH = 200


def lease_end(now: datetime, started: float | None = None) -> datetime:
    """Until when a claim made at this moment holds: LEASE from the moment itself, not from when a
    long run began (its later batches are claimed minutes after `now`). The moment is the run's `now`
    plus the time the run has taken since (`started`, monotonic), or the real clock if that is later:
    a run with a simulated `--now` in the future must not find its own claims expired either."""
    elapsed = timedelta(seconds=time.monotonic() - started) if started is not None else timedelta(0)
    return max(now + elapsed, timezone.now()) + LEASE


def backoff(attempts: int) -> timedelta:
    """10 s, 30 s, 90 s, … ×3 each time, at most an hour."""
    return min(timedelta(seconds=10 * 3 ** (attempts - 1)), timedelta(hours=1))


def deliveries_create(*, notifications: list[Notification], now: datetime) -> int:
    """The outbox rows for fresh notifications (same transaction): websocket always, email if the
    person has an address, each active webhook of the person, and one per cause for their units'.

    Only the websocket push leaves from this process, right after the commit (DESIGN §9): its rows
    are written already claimed by it (`sending`, with a lease), so no sender takes them meanwhile,
    and a push that fails or never happens is sent by a worker once the lease runs out. E-mail and
    webhook rows wait for a worker, which the commit wakes (`kick`). Returns the rows written."""
    users = {n.user_id for n in notifications}
    recipients = _recipients(users)
    personal, of_units = _endpoints(users)
    # Due at once for any sender: a run with a simulated `--now` in the future must not hide its
    # first attempt from a server loop that runs on the real clock.
    first_attempt = min(now, timezone.now())
    push_here = transports.websocket_reachable() and not registry.sweeping()
    rows: dict[str, Delivery] = {}  # by key: a unit's webhook hears of a cause once
    for n in notifications:
        base = {"notification": n, "next_attempt_at": first_attempt, "created_at": now}
        ws = Delivery(channel=Delivery.Channel.WEBSOCKET, key=f"{n.key}:u{n.user_id}:ws", **base)
        if push_here:
            ws.status, ws.attempts, ws.next_attempt_at = Delivery.Status.SENDING, 1, lease_end(now)
        rows[ws.key] = ws
        email, muted = recipients.get(n.user_id, ("", True))
        if email and not muted:
            key = f"{n.key}:u{n.user_id}:email"
            rows[key] = Delivery(channel=Delivery.Channel.EMAIL, key=key, **base)
        for ep in personal.get(n.user_id, ()):
            key = f"{n.key}:u{n.user_id}:hook{ep}"
            rows[key] = Delivery(channel=Delivery.Channel.WEBHOOK, endpoint_id=ep, key=key, **base)
        for ep in of_units.get(n.user_id, ()):
            key = f"{n.key}:hook{ep}"
            rows.setdefault(key, Delivery(channel=Delivery.Channel.WEBHOOK, endpoint_id=ep, key=key, **base))
    Delivery.objects.bulk_create(rows.values(), ignore_conflicts=True)
    if not registry.sweeping():  # the sweep's own `deliveries` job sends what it wrote
        pushes = [(n, f"{n.key}:u{n.user_id}:ws") for n in notifications] if push_here else []
        later = any(d.channel != Delivery.Channel.WEBSOCKET for d in rows.values())
        # robust: the transition has committed whatever a push or a wake-up raises (logged, retried)
        transaction.on_commit(lambda: _after_commit(pushes, later, now), robust=True)
    return len(rows)


def _recipients(users: set[int]) -> dict[int, tuple[str, bool]]:
    """user id → (e-mail address, has turned e-mail off), from the process's memory of everyone's
    (workflow.refcache: renewed when a person or a preference changes)."""
    everyone = refcache.get("notifications.recipients", _read_recipients)
    return {pk: everyone[pk] for pk in users if pk in everyone}


def _read_recipients() -> dict[int, tuple[str, bool]]:
    muted = Preference.objects.filter(user_id=OuterRef("pk"), email=False)
    people = get_user_model().objects.annotate(muted=Exists(muted))
    return {pk: (email, muted_) for pk, email, muted_ in people.values_list("pk", "email", "muted")}


def _endpoints(users: set[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The active webhooks that hear of these people's notifications: user id → their own
    endpoints, and user id → the endpoints of the units they belong to (from memory, as above)."""
    own, by_unit, units_of = refcache.get("notifications.endpoints", _read_endpoints)
    personal = {u: list(own[u]) for u in users if u in own}
    of_units: dict[int, list[int]] = {}
    for u in users:
        endpoints = [ep for unit in units_of.get(u, ()) for ep in by_unit.get(unit, ())]
        if endpoints:
            of_units[u] = sorted(set(endpoints))
    return personal, of_units


def _read_endpoints() -> tuple[dict[int, list[int]], dict[int, list[int]], dict[int, set[int]]]:
    own: dict[int, list[int]] = {}
    by_unit: dict[int, list[int]] = {}
    for pk, user_id, unit_id in WebhookEndpoint.objects.filter(active=True).values_list(
        "pk", "user_id", "unit_id"
    ):
        if user_id is not None:
            own.setdefault(user_id, []).append(pk)
        elif unit_id is not None:
            by_unit.setdefault(unit_id, []).append(pk)
    units_of: dict[int, set[int]] = {}
    if by_unit:  # only then does anyone's unit matter
        for user_id, unit_id in Membership.objects.filter(unit_id__in=by_unit).values_list(
            "user_id", "unit_id"
        ):
            units_of.setdefault(user_id, set()).add(unit_id)
    return own, by_unit, units_of


# Set by a process that runs the embedded due loop: wakes it to send what a commit left waiting.
WAKE: list[Callable[[], None]] = []
DELIVERIES_TASK = "shoutan.deliveries"  # the Celery task in config/celery.py


def _after_commit(pushes: list[tuple[Notification, str]], later: bool, now: datetime) -> None:
    if pushes:
        _push(pushes, now)
    if later:
        kick()


def _push(pushes: list[tuple[Notification, str]], now: datetime) -> None:
    """The live push of fresh notifications, settled in one statement; a failure leaves the rows
    to a worker's retry (with back-off), as any failed delivery."""
    failed: dict[str, str] = {}
    for notification, key in pushes:
        try:
            transports.push(notification)
        except transports.TransportError as exc:
            failed[key] = str(exc)[:2000]
            log.warning("websocket push %s failed: %s", key, exc)
    keys = [key for _n, key in pushes if key not in failed]
    with _bookkeeping():
        if keys:
            Delivery.objects.filter(key__in=keys, status=Delivery.Status.SENDING).update(
                status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
            )
        for key, error in failed.items():
            Delivery.objects.filter(key=key, status=Delivery.Status.SENDING).update(
                status=Delivery.Status.PENDING, next_attempt_at=now + backoff(1), last_error=error
            )


def kick() -> None:
    """Have a worker send the waiting e-mail and webhook rows now: a Celery task when a broker is
    configured, the embedded due loop when this process runs one. Either may be missing or down:
    the rows wait in the database for the next due-work run, so nothing is lost."""
    if settings.CELERY_DELIVERIES:
        from config.celery import app  # config imports the apps: imported when used

        try:
            app.send_task(DELIVERIES_TASK, retry=False)  # a broker that is down must not hold the request
        except Exception:  # the broker is down: the due-work run sends them
            log.warning(
                "the deliveries task could not be queued; the due-work run will send them", exc_info=True
            )
    for wake in WAKE:
        wake()


def deliveries_send(*, now: datetime) -> int:
    """Claim and send every due delivery; returns how many were sent."""
    qs = Delivery.objects.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING], next_attempt_at__lte=now
    ).order_by("next_attempt_at")
    if not transports.websocket_reachable():
        qs = qs.exclude(channel=Delivery.Channel.WEBSOCKET)  # left for the server that holds the sockets
    sent, started = 0, time.monotonic()
    while claimed := _claim(qs, now, started):
        sent += _send(claimed, now, started)
    return sent


@contextmanager
def _bookkeeping() -> Iterator[None]:
    """Outbox status writes need not wait for the disk (PostgreSQL: no fsync at their commits). A
    crash can lose only the last few of them, and each loss means one send is repeated with the
    same idempotency key, as after a sender that dies mid-send. Inbox rows are never written so."""
    conn = transaction.get_connection()
    if conn.vendor != "postgresql":
        yield
        return
    with conn.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _claim(qs, now: datetime, started: float | None = None) -> list[Delivery]:  # type: ignore[no-untyped-def]
    """Take up to BATCH due rows in one short transaction: locked (skipping rows another sender
    holds), marked `sending` with a lease, their attempt counted. Returns them, ready to send."""
    with _bookkeeping(), transaction.atomic():
        pks = list(locks.skip_locked(qs).values_list("pk", flat=True)[:BATCH])
        if not pks:
            return []
        Delivery.objects.filter(pk__in=pks).update(
            status=Delivery.Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=lease_end(now, started),
        )
    language = Preference.objects.filter(user_id=OuterRef("notification__user_id")).values("language")[:1]
    return list(
        Delivery.objects.filter(pk__in=pks)
        .select_related("notification__user", "endpoint__unit")
        .annotate(recipient_language=Subquery(language))  # read by the e-mail transport
    )


def _send(claimed: list[Delivery], now: datetime, started: float | None = None) -> int:
    """Send claimed rows outside any transaction, settling each as soon as it is sent, so a sender
    that dies leaves at most one row sent but not recorded."""
    sent = 0
    renew_at = time.monotonic() + LEASE.total_seconds() / 2
    with _bookkeeping():
        for i, delivery in enumerate(claimed):
            if time.monotonic() >= renew_at:  # slow sends (a 2 s SMTP server): keep the claim on the rest
                Delivery.objects.filter(
                    pk__in=[d.pk for d in claimed[i:]], status=Delivery.Status.SENDING
                ).update(next_attempt_at=lease_end(now, started))
                renew_at = time.monotonic() + LEASE.total_seconds() / 2
            try:
                transports.TRANSPORTS[delivery.channel](delivery)
            except transports.TransportError as exc:
                final = not exc.retryable or delivery.attempts >= MAX_ATTEMPTS
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
                    next_attempt_at=now + backoff(delivery.attempts),
                    last_error=str(exc)[:2000],
                )
                (log.error if final else log.warning)(
                    "delivery %s (%s) failed: %s", delivery.pk, delivery.channel, exc
                )
                continue
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
            )
            sent += 1
    return sent
