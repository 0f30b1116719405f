"""`/ws/notifications/`: a person's own notifications, live (DESIGN §8)."""

import re
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications import selectors
from notifications.transports import group_for


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Joins the caller's own group only; sends the unread count on connect and, with `?after=<id>`,
    every notification newer than the last one the client saw (a reconnecting client catches up)."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close()  # before accepting: the handshake is refused with HTTP 403
            return
        self.user = user
        self.language = self.scope.get("language", "zh-hans")
        self.group = group_for(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        unread, missed = await self._catch_up()
        await self.send_json({"type": "unread", "count": unread})
        for message in missed:
            await self.send_json(message)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_push(self, event: dict[str, Any]) -> None:
        await self.send_json(self._shape(event))

    def _shape(self, event: dict[str, Any]) -> dict[str, Any]:
        lang = "en" if self.language.startswith("en") else "zh-hans"
        return {
            "type": "notification",
            "id": event["id"],
            "kind": event["kind"],
            "lead": event["lead"],
            "text": event["texts"][lang],
            "created_at": event["created_at"],
        }

    @database_sync_to_async
    def _catch_up(self) -> tuple[int, list[dict[str, Any]]]:
        from notifications.transports import payload

        unread = selectors.notification_unread_count(user=self.user)
        after = _after(self.scope.get("query_string", b""))
        if after is None:
            return unread, []
        newer = selectors.notification_list(user=self.user).filter(pk__gt=after).order_by("pk")[:200]
        return unread, [self._shape(payload(n)) for n in newer]


LARGEST_ID = 2**63 - 1  # a bigint column's largest value


def _after(query_string: bytes) -> int | None:
    """`?after=<id>`: ASCII digits, clamped to the largest id a column can hold. Anything else (`²`,
    `-1`, an empty value, undecodable bytes) is ignored, as if no id had been given: a junk value
    must not close the socket (int() refuses `²` and numbers of thousands of digits; the database
    refuses ids past a bigint)."""
    from urllib.parse import parse_qs

    values = parse_qs(query_string.decode("latin-1")).get("after")
    if not values or not re.fullmatch(r"[0-9]+", values[0]):
        return None
    digits = values[0].lstrip("0") or "0"
    return LARGEST_ID if len(digits) > 19 else min(int(digits), LARGEST_ID)
