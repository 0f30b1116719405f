from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from notifications import outbox
from notifications.models import Notification


def notify(
    *,
    users: Iterable[int],
    kind: str,
    lead_id: int | None,
    params: dict[str, Any],
    key: str,
    at: datetime,
    commitment_id: int | None = None,
) -> list[Notification]:
    """Write one inbox row per person and its outbox rows, in the caller's transaction.

    (user, key) is unique, so a cause that is handled again notifies nobody twice. Delivery
    starts after the transaction commits.
    """
    users = sorted(set(users))
    if not users:
        return []
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=u,
                kind=kind,
                lead_id=lead_id,
                commitment_id=commitment_id,
                params=params,
                key=key,
                created_at=at,
            )
            for u in users
        ],
        ignore_conflicts=True,
    )
    fresh = list(
        Notification.objects.filter(key=key, user_id__in=users, deliveries__isnull=True).select_related(
            "user"
        )
    )
    outbox.deliveries_create(notifications=fresh, now=at)
    return fresh


def notification_mark_read(
    *, user: Any, notification_id: int | None = None, now: datetime | None = None
) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=now or timezone.now())
