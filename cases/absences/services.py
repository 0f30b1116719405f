"""A person away names a deputy for a date range (DESIGN §7): the only writes of absences."""

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.errors import Conflict, NotFound, NotPermitted
from cases.inputs import Date
from workflow import engine
from workflow.models import Absence, Membership


class AbsenceInput(serializers.Serializer):
    """`POST /api/absences/`: one's own absence and who stands in."""

    start = Date(label=_("First day away"))
    end = Date(label=_("Last day away"))
    deputy = serializers.CharField(max_length=150, label=_("Deputy (username)"))

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        actor, now = self.context["actor"], self.context["now"]
        errors: dict[str, Any] = {}
        if data["end"] < data["start"]:
            errors["end"] = [_("The last day cannot come before the first.")]
        elif data["end"] < timezone.localdate(now):
            errors["end"] = [_("The absence is over already: give days from today on.")]
        deputy = get_user_model().objects.filter(username=data["deputy"], is_active=True).first()
        if deputy is None:
            errors["deputy"] = [_("There is no active person called %(name)s.") % {"name": data["deputy"]}]
        elif deputy.pk == actor.pk:
            errors["deputy"] = [_("Name a colleague: you cannot stand in for yourself.")]
        elif not Membership.objects.filter(
            user=deputy, unit__in=Membership.objects.filter(user=actor).values("unit")
        ).exists():
            errors["deputy"] = [_("The deputy must be one of the people of a unit you belong to.")]
        if errors:
            raise serializers.ValidationError(errors)
        return {**data, "deputy": deputy}


def absence_create(*, actor: Any, data: Any, now: datetime | None = None) -> Absence:
    """Record the actor's absence. Refuses people without a role (they have nothing to hand over)
    and a range overlapping one of their absences (409)."""
    now = now or timezone.now()
    if not Membership.objects.filter(user=actor).exists():
        raise NotPermitted(_("Only people with a role in a unit name deputies."))
    d = engine.validate(AbsenceInput, data, context={"actor": actor, "now": now})
    with transaction.atomic():
        # the person's own rows, locked so two overlapping requests cannot both pass the check
        mine = list(Absence.objects.select_for_update().filter(user=actor, end__gte=d["start"]))
        clash = next((a for a in mine if a.start <= d["end"]), None)
        if clash is not None:
            raise Conflict(
                _("You are already away from %(start)s to %(end)s; change that absence instead."),
                {"start": clash.start.isoformat(), "end": clash.end.isoformat()},
                code="overlap",
            )
        return Absence.objects.create(
            user=actor, start=d["start"], end=d["end"], deputy=d["deputy"], created_at=now
        )


def absence_delete(*, actor: Any, absence_id: int) -> None:
    """Withdraw one of one's own absences (another person's does not exist for the caller)."""
    deleted, _rows = Absence.objects.filter(pk=absence_id, user=actor).delete()
    if not deleted:
        raise NotFound(_("No such absence."))


def absences_of(*, user: Any) -> Any:
    """The person's absences (newest first) and those they stand in for, current and coming."""
    return Absence.objects.filter(user=user).select_related("deputy")


def standing_in(*, user: Any, today: date | None = None) -> Any:
    today = today or timezone.localdate()
    return Absence.objects.filter(deputy=user, end__gte=today).select_related("user").order_by("start")
