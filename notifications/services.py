from datetime import datetime
from typing import Any

from django.utils import timezone

from notifications.models import Notification


def notification_mark_read(
    *, user: Any, notification_id: int | None = None, now: datetime | None = None
) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=now or timezone.now())
