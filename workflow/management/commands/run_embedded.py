import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from workflow.management.commands.worker import run_loop


class Command(BaseCommand):
    help = "The embedded mode: HTTP server and the due-work worker in one process (SQLite, no services)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--interval", type=float, default=30.0)

    def handle(self, *args, **o) -> None:  # type: ignore[no-untyped-def]
        stop = threading.Event()
        worker = threading.Thread(
            target=run_loop, kwargs={"interval": o["interval"], "stop": stop}, daemon=True
        )
        worker.start()
        try:
            call_command("runserver", o["addrport"], use_reloader=False)
        finally:
            stop.set()
