import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from workflow.due import process_due


def parse_now(value: str | None):  # type: ignore[no-untyped-def]
    if not value:
        return timezone.now()
    now = parse_datetime(value)
    if now is None:
        raise CommandError(f"--now {value!r} is not an ISO-8601 date-time")
    if timezone.is_naive(now):
        now = timezone.make_aware(now)  # naive times are Asia/Shanghai, like everything people type here
    return now


class Command(BaseCommand):
    help = "Process everything due (clock warnings and deadlines, registered due jobs) once, then exit."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--now", help="act as if it were this ISO-8601 time (tests, simulations)")

    def handle(self, *args, **o) -> None:  # type: ignore[no-untyped-def]
        report = process_due(now=parse_now(o["now"]))
        self.stdout.write(json.dumps(report.as_dict()))
