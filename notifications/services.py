from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications import outbox
from notifications.models import Notification
from workflow import absences, engine


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
    return notify_many(
        [{"users": users, "kind": kind, "lead_id": lead_id, "params": params, "key": key, "at": at,
          "commitment_id": commitment_id}]
    )  # fmt: skip


def notify_many(items: list[dict[str, Any]]) -> list[Notification]:
    """notify() for several causes at once (notify's keyword arguments, one dict each)."""
    rows = [
        Notification(
            user_id=u,
            kind=item["kind"],
            lead_id=item["lead_id"],
            commitment_id=item.get("commitment_id"),
            params=params,
            key=key,
            created_at=item["at"],
        )
        for item in items
        for u, params, key in _with_deputies(item)
    ]
    if not rows:
        return []
    if all(item.get("fresh") for item in items):
        # keys made in this very transaction (a new history row's): nobody holds them yet, so the
        # rows go in as they are, their ids returned by the insert
        fresh = Notification.objects.bulk_create(rows)
    else:
        fresh = _insert_new(rows)
    for at in sorted({n.created_at for n in fresh}):
        outbox.deliveries_create(notifications=[n for n in fresh if n.created_at == at], now=at)
    return fresh


def _with_deputies(item: dict[str, Any]) -> list[tuple[int, dict[str, Any], str]]:
    """Each recipient's (user, params, key), and for a recipient who is away a copy for their deputy
    (DESIGN §7), marked with whom it is for — unless the deputy is told anyway."""
    users = sorted(set(item["users"]))
    out = [(u, item["params"], item["key"]) for u in users]
    for absent, deputy in sorted(absences.deputies(users, item["at"]).items()):
        if deputy not in users and _may_see(deputy, item):
            marked = {**item["params"], "for_user": absent, "for_name": _name(absent)}
            out.append((deputy, marked, f"{item['key']}:for:{absent}"))
    return out


def _may_see(user_id: int, item: dict[str, Any]) -> bool:
    """Whether a deputy may see the case of a copy, by that case type's own rule: standing in grants no
    sight of another unit's cases. The case: the notice's own (`case`, `case_id`), else its lead or
    application."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    p = item["params"]
    if p.get("case_id"):
        key, pk = p.get("case"), p["case_id"]
    elif item.get("lead_id"):
        key, pk = "lead", item["lead_id"]
    elif item.get("commitment_id"):
        key, pk = "commitment", item["commitment_id"]
    else:
        return True  # about no case (the calendar): nothing to hide
    case_type = engine.case_types()[key]
    return case_type.can_view(case_type.model._default_manager.get(pk=pk), user)


def _name(user_id: int) -> str:
    """How a copy names the person it stands in for, stored with it: rendering reads no more rows."""
    first, last, username = (
        get_user_model().objects.values_list("first_name", "last_name", "username").get(pk=user_id)
    )
    return f"{last}{first}".strip() or username


def _insert_new(rows: list[Notification]) -> list[Notification]:
    """Insert the rows whose (user, key) is not there yet; returns those, read back with their ids."""
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    wanted = {(n.key, n.user_id) for n in rows}
    return [
        n
        for n in Notification.objects.filter(
            key__in={n.key for n in rows}, user_id__in={n.user_id for n in rows}, deliveries__isnull=True
        )
        if (n.key, n.user_id) in wanted
    ]


def notification_mark_read(
    *, user: Any, notification_id: int | None = None, now: datetime | None = None
) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=now or timezone.now())
