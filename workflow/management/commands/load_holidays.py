import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflow import statutory
from workflow.errors import CaseError


class Command(BaseCommand):
    help = (
        "Load a year of the statutory calendar (holidays and make-up working days) from the State Council's "
        "notice, as a JSON file (docs/operations.md), and compute again the running clocks' deadlines that "
        "reach into that year. Loading a year again replaces its dates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            data = statutory.parse_holiday_file(year=options["year"], content=content)
            counts = statutory.calendar_load(
                year=options["year"], data={**data, "source": data["source"] or path.name}
            )
        except CaseError as exc:
            detail = f": {json.dumps(exc.errors, ensure_ascii=False)}" if exc.errors else ""
            raise CommandError(f"{exc.text()}{detail}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{options['year']}: {counts['holidays']} holidays and {counts['workdays']} make-up working days "
                f"loaded ({data['reference']}); {counts['moved']} running deadlines moved"
            )
        )
