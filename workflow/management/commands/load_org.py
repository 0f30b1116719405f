from django.core.management.base import BaseCommand

from workflow.services import org_load


class Command(BaseCommand):
    help = "Load (or update) sectors, units, pilot zones and role groups from workflow/data/. Idempotent."

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        counts = org_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['units']} units, {counts['sectors']} sectors, {counts['pilot_zones']} pilot zones loaded"
            )
        )
