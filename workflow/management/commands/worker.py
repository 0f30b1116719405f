import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from workflow.due import process_due

log = logging.getLogger(__name__)


def run_loop(*, interval: float, stop: threading.Event) -> None:
    """Run process_due every `interval` seconds until `stop` is set. Errors are logged, not fatal."""
    while not stop.is_set():
        close_old_connections()
        try:
            report = process_due(now=timezone.now())
            if report.warnings or report.deadlines or report.failed:
                log.info("due work: %s", report.as_dict())
        except Exception:
            log.exception("due-work run failed; retrying in %.0fs", interval)
        stop.wait(interval)


class Command(BaseCommand):
    help = "Long-running worker: the same code as process_due, in a loop."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between runs")

    def handle(self, *args, **o) -> None:  # type: ignore[no-untyped-def]
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"worker: processing due work every {o['interval']}s")
        run_loop(interval=o["interval"], stop=stop)
