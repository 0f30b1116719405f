"""Writes to city major projects that are not transitions (DESIGN §6b): the designation, and the
rows a project's decisions write into its lead's history. State changes go through the engine."""

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.errors import Conflict, Invalid, NotPermitted
from cases.leads.models import Lead, State
from cases.majorprojects import access
from cases.majorprojects.inputs import DesignateInput
from cases.majorprojects.models import LEAD_UNIT, STEWARD, MajorProject
from workflow import engine
from workflow import services as engine_services
from workflow.models import Level, Membership, Role

# a lead the city has not received yet, or one that is over, is not followed as a major project
NOT_FOLLOWED = (State.DRAFT, State.LANDED, State.CLOSED)


def steward_check(*, username: str) -> Any:
    """The person a steward's username names: an active officer of the city (400 otherwise)."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    is_city_officer = (
        user is not None
        and Membership.objects.filter(user=user, role=Role.OFFICER, unit__level=Level.CITY).exists()
    )
    if not is_city_officer:
        raise Invalid(
            _("The city steward must be an active city officer; %(name)s is not."),
            {"name": username},
            code="unknown_steward",
            errors={
                "steward": [{"message": str(_("Name an active city officer.")), "code": "unknown_steward"}]
            },
        )
    return user


def major_project_create(*, actor: Any, data: Any, now: datetime | None = None) -> MajorProject:
    """City leaders designate a submitted, open lead as a city major project (§2, §4) and name its city
    steward. The designation is written in the lead's history (under the lead's lock) and in the
    project's own; the steward and the lead's unit are told."""
    now = now or timezone.now()
    if not access.may_designate(actor):
        raise NotPermitted(_("Only the city leaders designate city major projects."))
    d = engine.validate(DesignateInput, data)
    steward = steward_check(username=d["steward"])
    try:
        with transaction.atomic():
            # the lead's row lock: its history is chained under it, and two designations queue here
            lead = Lead.objects.select_for_update().filter(pk=d["lead"]).first()
            if lead is None:
                raise Invalid(
                    _("There is no lead #%(id)s."), {"id": d["lead"]}, code="unknown_lead",
                    errors={"lead": [{"message": str(_("There is no such lead.")), "code": "unknown_lead"}]},
                )  # fmt: skip
            _refuse_not_followed(lead)
            project = MajorProject.objects.create(
                lead=lead, steward=steward, reason=d["reason"], designated_by=actor, designated_at=now,
                updated_at=now,
            )  # fmt: skip
            _designation_history(project=project, actor=actor, now=now)
    except IntegrityError as exc:  # a designation committed while this one waited
        raise Conflict(_("This lead is a city major project already."), code="already_major") from exc
    return project


def _refuse_not_followed(lead: Lead) -> None:
    if lead.state in NOT_FOLLOWED:
        raise Conflict(
            _(
                "Only a submitted lead that is still open can become a city major project (it is “%(state)s”)."
            ),
            {"state": State(lead.state).label},
            code="wrong_state",
        )
    existing = MajorProject.objects.filter(lead=lead).first()
    if existing is not None:
        raise Conflict(
            _("This lead is a city major project already (#%(id)s, “%(state)s”)."),
            {"id": existing.pk, "state": existing.get_state_display()},
            code="already_major",
        )


@engine.official_language  # the rules are official texts, in the product's language
def _designation_history(*, project: MajorProject, actor: Any, now: datetime) -> None:
    from cases.majorprojects.machine import MAJOR_PROJECT  # registered after the model is loaded

    steward = project.steward.username
    params = {"major_project": project.pk, "reason": project.reason, "steward": steward}
    rule = str(_("§4: the city leaders designated a city major project; city steward %(steward)s")) % {
        "steward": steward
    }
    lead_history(project=project, transition="designate_major_project", actor=actor, now=now,
                 params=params, rule=rule)  # fmt: skip
    engine_services.history_records(
        [{"subject": project, "transition": "designate", "source": "", "target": project.state,
          "actor_id": actor.pk, "at": now, "params": params, "rule": rule}]
    )  # fmt: skip
    engine.announce(
        MAJOR_PROJECT,
        [(project, engine.Notice("major_project_designated", (STEWARD, LEAD_UNIT)), {},
          f"major_project:{project.pk}:designated")],
        at=now,
        name="designate",
    )  # fmt: skip


def lead_history(
    *, project: MajorProject, transition: str, actor: Any, now: datetime, params: dict, rule: str
) -> None:
    """A row in the lead's own history for a decision on its major project (designation, steward,
    end), written under the lead's row lock as every row of a lead's history is."""
    lead = Lead.objects.select_for_update().get(pk=project.lead_id)
    engine_services.history_records(
        [{"subject": lead, "transition": transition, "source": lead.state, "target": lead.state,
          "actor_id": getattr(actor, "pk", None), "at": now, "params": params, "rule": rule}]
    )  # fmt: skip
