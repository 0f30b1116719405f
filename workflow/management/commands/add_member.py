from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from workflow.models import OrgUnit, Role
from workflow.services import member_add


class Command(BaseCommand):
    help = "Give USERNAME a role in a unit, creating the user if needed."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help="unit code, e.g. haidian, bda, beijing")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", help="set this password (new users without one cannot log in)")

    def handle(self, *args, **o) -> None:  # type: ignore[no-untyped-def]
        unit = OrgUnit.objects.filter(code=o["unit"]).first()
        if unit is None:
            raise CommandError(f"no unit {o['unit']!r}; run load_org first or check the code")
        user, created = get_user_model().objects.get_or_create(username=o["username"])
        if o["password"]:
            user.set_password(o["password"])
            user.save()
        elif created:
            user.set_unusable_password()
            user.save()
        member_add(user=user, unit=unit, role=o["role"])
        self.stdout.write(self.style.SUCCESS(f"{user.username}: {o['role']} of {unit.code}"))
