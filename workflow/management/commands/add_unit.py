from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from workflow.models import Level
from workflow.services import unit_add


class Command(BaseCommand):
    help = "Add a financial institution (--level bank, §13) or another zone-level unit, with its role groups."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("code", help="a short code of letters, digits, - and _, e.g. icbc_beijing")
        parser.add_argument("--level", required=True, choices=[Level.BANK, Level.ZONE])
        parser.add_argument("--name-zh", required=True, help="the Chinese name, e.g. 工商银行北京分行")
        parser.add_argument("--name-en", default="", help="the English name (default: the code)")

    def handle(self, *args, **o) -> None:  # type: ignore[no-untyped-def]
        try:
            unit = unit_add(code=o["code"], level=o["level"], name_zh=o["name_zh"], name_en=o["name_en"])
        except (ValueError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{unit.code}: {unit.name_zh} ({unit.level})"))
