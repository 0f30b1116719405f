"""Writes of the policy parameters: city leaders publish a new version (DESIGN §4, §8 "Additions")."""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import policy
from cases.errors import Conflict, NotPermitted
from cases.parameters import selectors
from cases.parameters.inputs import PublishInput
from cases.parameters.models import PolicyVersion
from workflow import engine
from workflow.models import Level, Membership, Role


def may_publish(user: Any) -> bool:
    """City leaders decide the policy's numbers (DESIGN §1 "change policy parameters")."""
    return (
        bool(getattr(user, "is_active", False))
        and Membership.objects.filter(user=user, role=Role.LEADER, unit__level=Level.CITY).exists()
    )


def may_read(user: Any) -> bool:
    """Everyone with a role reads the parameters; a person without one sees nothing (DESIGN §11)."""
    return bool(getattr(user, "is_active", False)) and Membership.objects.filter(user=user).exists()


NO_ROLE = _("Only people with a role in a unit see the policy parameters.")


def refuse_unless_city_leader(user: Any) -> None:
    if not may_publish(user):
        raise NotPermitted(_("Only the city's leaders change the policy parameters."))


def parameters_publish(*, actor: Any, data: Any, now: datetime | None = None) -> PolicyVersion:
    """Publish a new version of the policy parameters (city leaders). Clocks started before its
    effective day keep the numbers they started with; so do clocks already running after it."""
    now = now or timezone.now()
    refuse_unless_city_leader(actor)
    clean = engine.validate(
        PublishInput, data, context={"now": now, "current": selectors.parameters_at(when=now)}
    )
    try:
        with transaction.atomic():
            latest = PolicyVersion.objects.select_for_update().order_by("-version").first()
            return PolicyVersion.objects.create(
                version=(latest.version if latest else 0) + 1,
                effective_from=clean["effective_from"],
                basis=clean["basis"],
                **{name: clean[name] for name in policy.PARAMETER_NAMES},
                published_by=actor,
                published_at=now,
            )
    except IntegrityError as exc:  # another leader published at the same moment and took the number
        raise Conflict(
            _("Another version was published at the same moment; reload and try again."), code="race"
        ) from exc
