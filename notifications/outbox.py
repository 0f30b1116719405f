"""The delivery outbox: rows written with their notification, sent after commit, retried with back-off.

A sender claims a batch of rows in one short transaction (locked, skipping rows another sender
holds; status → sending, a lease in next_attempt_at), sends outside any transaction, then settles
them. Two senders never both claim a row; a sender that dies mid-send leaves a lease that expires,
and the row is sent again with the same idempotency key.
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from notifications import transports
from notifications.models import Delivery, Notification, Preference, WebhookEndpoint
from workflow import locks, registry
from workflow.models import Membership

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a claim older than this was a sender that died
MAX_ATTEMPTS = 8
BATCH = 200


def backoff(attempts: int) -> timedelta:
    """10 s, 30 s, 90 s, … ×3 each time, at most an hour."""
    return min(timedelta(seconds=10 * 3 ** (attempts - 1)), timedelta(hours=1))


def deliveries_create(*, notifications: list[Notification], now: datetime) -> list[int]:
    """The outbox rows for fresh notifications (same transaction): websocket always, email if the
    person has an address, each active webhook of the person, and one per cause for their units'."""
    rows: list[Delivery] = []
    users = {n.user_id for n in notifications}
    emails = dict(
        Notification.user.field.related_model.objects.filter(pk__in=users).values_list("pk", "email")  # type: ignore[attr-defined]
    )
    endpoints = list(
        WebhookEndpoint.objects.filter(
            Q(user_id__in=users) | Q(unit__memberships__user_id__in=users), active=True
        ).distinct()
    )
    no_email = set(
        Preference.objects.filter(user_id__in=users, email=False).values_list("user_id", flat=True)
    )
    units_of: dict[int, set[int]] = {}
    for user_id, unit_id in Membership.objects.filter(user_id__in=users).values_list("user_id", "unit_id"):
        units_of.setdefault(user_id, set()).add(unit_id)
    # Due at once for any sender: a run with a simulated `--now` in the future must not hide its
    # first attempt from a server loop that runs on the real clock.
    first_attempt = min(now, timezone.now())
    for n in notifications:
        base = {"notification": n, "next_attempt_at": first_attempt, "created_at": now}
        rows.append(Delivery(channel=Delivery.Channel.WEBSOCKET, key=f"{n.key}:u{n.user_id}:ws", **base))
        if emails.get(n.user_id) and n.user_id not in no_email:
            rows.append(Delivery(channel=Delivery.Channel.EMAIL, key=f"{n.key}:u{n.user_id}:email", **base))
        for ep in endpoints:
            if ep.user_id == n.user_id:
                rows.append(
                    Delivery(
                        channel=Delivery.Channel.WEBHOOK,
                        endpoint=ep,
                        key=f"{n.key}:u{n.user_id}:hook{ep.pk}",
                        **base,
                    )
                )
            elif ep.unit_id in units_of.get(n.user_id, ()):
                # a unit's integration hears of a cause once, however many of its people are told
                rows.append(
                    Delivery(
                        channel=Delivery.Channel.WEBHOOK, endpoint=ep, key=f"{n.key}:hook{ep.pk}", **base
                    )
                )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(Delivery.objects.filter(key__in=[r.key for r in rows]).values_list("pk", flat=True))
    _send_after_commit(ids, now)
    return ids


def _send_after_commit(ids: list[int], now: datetime) -> None:
    """Send these deliveries once the transaction commits (a rollback drops the callback with the
    rows). During process_due's clock phase the run's deliveries job sends them instead."""
    if not registry.sweeping():
        transaction.on_commit(lambda: deliveries_send(ids=ids, now=now))


def deliveries_send(*, now: datetime, ids: Iterable[int] | None = None) -> int:
    """Claim and send due deliveries (these ids, or any due); returns how many were sent."""
    qs = Delivery.objects.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING], next_attempt_at__lte=now
    ).order_by("next_attempt_at")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if not transports.websocket_reachable():
        qs = qs.exclude(channel=Delivery.Channel.WEBSOCKET)  # left for the server that holds the sockets
    sent = 0
    while claimed := _claim(qs, now):
        sent += _send(claimed, now)
        if ids is not None and len(claimed) < BATCH:
            break
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


def _claim(qs, now: datetime) -> list[Delivery]:  # type: ignore[no-untyped-def]
    """Take up to BATCH due rows in one short transaction: locked (skipping rows another sender
    holds), marked `sending` with a lease, their attempt counted. Returns them, ready to send."""
    with _bookkeeping(), transaction.atomic():
        pks = list(locks.skip_locked(qs).values_list("pk", flat=True)[:BATCH])
        if not pks:
            return []
        Delivery.objects.filter(pk__in=pks).update(
            status=Delivery.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE
        )
    language = Preference.objects.filter(user_id=OuterRef("notification__user_id")).values("language")[:1]
    return list(
        Delivery.objects.filter(pk__in=pks)
        .select_related("notification__user", "endpoint__unit")
        .annotate(recipient_language=Subquery(language))  # read by the e-mail transport
    )


def _send(claimed: list[Delivery], now: datetime) -> int:
    """Send claimed rows outside any transaction, settling each as soon as it is sent, so a sender
    that dies leaves at most one row sent but not recorded."""
    sent = 0
    with _bookkeeping():
        for delivery in claimed:
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
