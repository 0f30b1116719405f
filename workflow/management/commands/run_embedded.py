import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "The embedded mode: one process serving HTTP and websockets (uvicorn, ASGI) with the due-work "
        "loop in its event loop, so live push works with the in-memory channel layer and no Redis."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--interval", type=float, default=settings.DUE_WORK_INTERVAL)

    def handle(self, *args, **o) -> None:  # type: ignore[no-untyped-def]
        host, _, port = o["addrport"].rpartition(":")
        settings.EMBEDDED_WORKER = True
        settings.DUE_WORK_INTERVAL = o["interval"]
        self.stdout.write(
            f"serving http://{host or '127.0.0.1'}:{port}/ with the due-work loop every {o['interval']}s"
        )
        uvicorn.run(
            "config.asgi:application",
            host=host or "127.0.0.1",
            port=int(port),
            lifespan="on",
            log_level="info",
        )
