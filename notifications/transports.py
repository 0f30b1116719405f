"""How a delivery leaves the building. Each transport raises TransportError saying whether a retry can help."""

import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications import texts
from notifications.models import Delivery, Notification, Preference

# True in a process that hosts websocket consumers (the ASGI server). With the in-memory channel
# layer only such a process can reach open sockets; other processes leave websocket deliveries
# for it. A shared layer (Redis) reaches every server from anywhere.
IN_SERVER = False


class TransportError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def group_for(user_id: int) -> str:
    return f"notifications.user.{user_id}"


def websocket_reachable() -> bool:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    return IN_SERVER or not backend.endswith("InMemoryChannelLayer")


def payload(notification: Notification) -> dict[str, Any]:
    """The websocket message of DESIGN §8, with the text in both languages for the socket to pick."""
    return {
        "type": "notification",
        "id": notification.pk,
        "kind": notification.kind,
        "lead": notification.lead_id,
        "texts": texts.render_all(notification),
        "created_at": timezone.localtime(notification.created_at).isoformat(),  # +08:00, as the API
    }


def push(notification: Notification) -> None:
    """The notification to its person's open browsers, over the channel layer."""
    layer = get_channel_layer()
    try:
        async_to_sync(layer.group_send)(
            group_for(notification.user_id), {**payload(notification), "type": "notification.push"}
        )
    except Exception as exc:  # redis down, connection refused, timeouts: the layer will be back
        raise TransportError(f"channel layer: {exc!r}", retryable=True) from exc


def send_websocket(delivery: Delivery) -> None:
    push(delivery.notification)


def language_of(user_id: int) -> str:
    pref = Preference.objects.filter(user_id=user_id).first()
    return pref.language if pref else settings.LANGUAGE_CODE


def send_email(delivery: Delivery) -> None:
    notification = delivery.notification
    user = notification.user
    if not user.email:
        raise TransportError("the recipient has no email address", retryable=False)
    # the outbox reads every claimed recipient's language with the claim; a lone send asks
    language = (
        delivery.recipient_language or settings.LANGUAGE_CODE
        if hasattr(delivery, "recipient_language")
        else language_of(user.pk)
    )
    with translation.override(language):
        context = {"user": user, "text": texts.render(notification), "notification": notification}
        subject = render_to_string("notifications/email_subject.txt", context).strip()
        body = render_to_string("notifications/email_body.txt", context)
    message = EmailMultiAlternatives(
        subject, body, to=[user.email], headers={"Message-ID": f"<{delivery.key}@shoutan>"}
    )
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise TransportError(f"recipient refused: {exc!r}", retryable=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransportError(f"smtp: {exc!r}", retryable=True) from exc


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>`: what a receiver recomputes to verify."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def send_webhook(delivery: Delivery) -> None:
    endpoint = delivery.endpoint
    assert endpoint is not None
    data = payload(delivery.notification) | {"idempotency_key": delivery.key}
    if endpoint.unit is not None:  # a unit's endpoint; else a person's
        data["unit"] = endpoint.unit.code
    else:
        data["user"] = delivery.notification.user.username
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": delivery.key,
            "X-Shoutan-Timestamp": str(timestamp),
            "X-Shoutan-Signature": sign(endpoint.secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        retryable = exc.code >= 500 or exc.code in (408, 425, 429)
        raise TransportError(f"HTTP {exc.code}", retryable=retryable) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TransportError(f"connection: {exc!r}", retryable=True) from exc


# keyed by the stored channel value, a plain str once read back from the database
TRANSPORTS: dict[str, Callable[[Delivery], None]] = {
    Delivery.Channel.WEBSOCKET: send_websocket,
    Delivery.Channel.EMAIL: send_email,
    Delivery.Channel.WEBHOOK: send_webhook,
}
