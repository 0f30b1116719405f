"""Reads for bulk import."""

from typing import Any

from workflow.models import Membership, Role


def import_permitted(*, user: Any) -> bool:
    """Only officers import (DESIGN §11): a person who is an officer of some unit. Which unit each
    row is registered for is checked row by row, as for a single registration."""
    return bool(user.is_authenticated) and Membership.objects.filter(user=user, role=Role.OFFICER).exists()
