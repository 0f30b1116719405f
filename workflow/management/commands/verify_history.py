from typing import Any

from django.core.management.base import BaseCommand, CommandError

from workflow.history import verify
from workflow.models import TransitionRecord


class Command(BaseCommand):
    help = (
        "Walk every case's history chain and report the first broken link of each case (a row changed, "
        "removed or inserted behind the application's back). Exits non-zero if any chain is broken."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = list(verify())
        for broken in breaks:
            self.stderr.write(str(broken))
        rows = TransitionRecord.objects.count()
        if breaks:
            raise CommandError(f"{len(breaks)} broken history chain(s) among {rows} rows")
        self.stdout.write(f"history intact: {rows} rows")
