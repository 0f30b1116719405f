from typing import Any

from django.db.models import QuerySet

from notifications.models import Notification


def notification_list(*, user: Any, unread: bool = False) -> QuerySet[Notification]:
    """The user's own inbox, newest first."""
    qs = Notification.objects.filter(user=user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.prefetch_related("deliveries").order_by("-created_at", "-id")


def notification_unread_count(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
