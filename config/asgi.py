"""ASGI entry point: HTTP (Django) and websockets (channels), plus, in the embedded mode, the
due-work loop running inside the server's own event loop (started by the lifespan protocol)."""

import asyncio
import logging
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_http = get_asgi_application()

from config.settings import require_secret_key  # noqa: E402

require_secret_key()  # no server signs sessions with a key everyone can read

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path  # noqa: E402

from notifications import transports  # noqa: E402
from notifications.auth import BrowserOriginValidator, WebsocketAuthStack  # noqa: E402
from notifications.consumers import NotificationConsumer  # noqa: E402

log = logging.getLogger(__name__)
transports.IN_SERVER = True  # this process holds the sockets

if settings.DEBUG:
    # the embedded mode serves the admin's static files itself (production: whitenoise or a proxy)
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    django_http = ASGIStaticFilesHandler(django_http)

router = ProtocolTypeRouter(
    {
        "http": django_http,
        # the Origin first (no cross-site websocket hijacking, DESIGN §11), then who it is
        "websocket": BrowserOriginValidator(
            WebsocketAuthStack(URLRouter([path("ws/notifications/", NotificationConsumer.as_asgi())]))
        ),
    }
)


async def due_loop(interval: float) -> None:
    """process_due every `interval` seconds, in a worker thread; deliveries it triggers run their
    websocket sends back on this loop, where the in-memory channel layer lives. Beside it runs
    `deliveries_loop`, so a slow mail server never holds up a deadline."""
    from asgiref.sync import sync_to_async
    from django.db import close_old_connections
    from django.utils import timezone

    from workflow.due import process_due

    def run_once() -> None:
        close_old_connections()
        try:
            report = process_due(now=timezone.now())
            if report.warnings or report.deadlines or report.failed:
                log.info("due work: %s", report.as_dict())
        finally:
            close_old_connections()

    sender = asyncio.get_running_loop().create_task(deliveries_loop())
    try:
        while True:
            try:
                await sync_to_async(run_once, thread_sensitive=False)()
            except Exception:
                log.exception("due-work run failed; retrying")
            await asyncio.sleep(interval)
    finally:
        sender.cancel()


async def deliveries_loop() -> None:
    """Send at once what a commit left waiting (e-mails, webhooks): a commit in this process wakes
    it (notifications.outbox.kick). Claims keep it and the due runs from sending a row twice."""
    from asgiref.sync import sync_to_async
    from django.db import close_old_connections
    from django.utils import timezone

    from notifications import outbox

    loop = asyncio.get_running_loop()
    woken = asyncio.Event()

    def wake() -> None:  # from a request's thread
        loop.call_soon_threadsafe(woken.set)

    def send() -> None:
        close_old_connections()
        try:
            outbox.deliveries_send(now=timezone.now())
        finally:
            close_old_connections()

    outbox.WAKE.append(wake)
    try:
        while True:
            await woken.wait()
            woken.clear()
            try:
                await sync_to_async(send, thread_sensitive=False)()
            except Exception:
                log.exception("sending deliveries failed; the next due run retries")
    finally:
        outbox.WAKE.remove(wake)


async def application(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "lifespan":
        return await router(scope, receive, send)
    task = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if settings.EMBEDDED_WORKER:
                task = asyncio.get_running_loop().create_task(due_loop(settings.DUE_WORK_INTERVAL))
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if task is not None:
                task.cancel()
            await send({"type": "lifespan.shutdown.complete"})
            return
