"""Raising a service request (DESIGN §6b): the one write that is not a transition. Every state
change after it goes through the engine (workflow.engine.fire)."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cases.errors import Conflict, Invalid, NotPermitted
from cases.leads.models import Lead, State
from cases.leads.selectors import leads_visible
from cases.majorprojects.models import MajorProject, MajorProjectState
from cases.servicerequests.inputs import RaiseInput
from cases.servicerequests.machine import SERVICE_REQUEST
from cases.servicerequests.models import RESPONSIBLE_OFFICERS, ServiceRequest, ServiceRequestState
from cases.servicerequests.selectors import RESPONSIBLE_LEVELS
from workflow import engine
from workflow import services as engine_services
from workflow.models import Membership, OrgUnit, Role

# a request is raised for a lead someone is working on: not a draft, not a closed or landed one
NOT_FOR = (State.DRAFT, State.CLOSED, State.LANDED)


def service_request_raise(*, actor: Any, data: Any, now: datetime | None = None) -> ServiceRequest:
    """Raise a request for a lead on its enterprise's behalf, as the lead's assignee, its city steward
    or an officer of its unit. 400 bad input, an unknown lead or an impossible responsible unit; 403
    anyone else; 409 a lead in draft, closed or landed. Starts the SLA and tells the responsible unit."""
    now = now or timezone.now()
    d = engine.validate(RaiseInput, data)
    lead = leads_visible(user=actor).select_related("unit", "discovering_unit").filter(pk=d["lead"]).first()
    if lead is None:  # one answer for "no such lead" and "not yours": ids tell nothing
        raise Invalid(
            _("There is no lead #%(id)s that you can see."), {"id": d["lead"]}, code="unknown_lead",
            errors={"lead": [{"message": "unknown", "code": "unknown_lead"}]},
        )  # fmt: skip
    unit = OrgUnit.objects.filter(code=d["responsible_unit"], level__in=RESPONSIBLE_LEVELS).first()
    if unit is None:
        raise Invalid(
            _("Address the request to a city department, a district or a development zone."),
            code="unknown_unit",
            errors={
                "responsible_unit": [{"message": "not a department, district or zone", "code": "invalid"}]
            },
        )
    raising_unit_id = _refuse_unless_raiser(actor=actor, lead=lead)
    with transaction.atomic():
        # the lead's row lock: a close or landing at the same moment comes before or after, not between
        state = Lead.objects.select_for_update().values_list("state", flat=True).get(pk=lead.pk)
        if state in NOT_FOR:
            raise Conflict(
                _("A service request cannot be raised for a lead that is “%(state)s”."),
                {"state": State(state).label},
                code="wrong_state",
            )
        request = ServiceRequest.objects.create(
            lead=lead,
            kind=d["kind"],
            description=d["description"],
            responsible_unit=unit,
            raised_by=actor,
            raising_unit_id=raising_unit_id,
            raised_at=now,
            updated_at=now,
        )
        with translation.override(settings.LANGUAGE_CODE):  # the history's rule: the official language
            _started(request, now)
    return request


def may_raise(*, actor: Any, lead: Lead) -> bool:
    """The lead's assignee, its city steward or an officer of its unit, while the lead is worked on
    (the page shows the raise form to them)."""
    return lead.state not in NOT_FOR and _raises(actor=actor, lead=lead)


def _refuse_unless_raiser(*, actor: Any, lead: Lead) -> int:
    """403 unless the actor may raise requests for the lead; returns the lead's unit (the raising side)."""
    if not _raises(actor=actor, lead=lead):
        raise NotPermitted(
            _("Only the lead's assignee, its city steward or an officer of its unit raises service requests.")
        )
    return lead.unit_id or lead.discovering_unit_id


def _raises(*, actor: Any, lead: Lead) -> bool:
    """One statement: the assignee, an officer of the lead's unit, or the active major project's steward."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.pk == lead.assignee_id:
        return True
    unit_id = lead.unit_id or lead.discovering_unit_id
    officer = Membership.objects.filter(user=actor.pk, unit_id=unit_id, role=Role.OFFICER)
    steward = MajorProject.objects.filter(lead_id=lead.pk, state=MajorProjectState.ACTIVE, steward=actor.pk)
    return Lead.objects.filter(Q(Exists(officer)) | Q(Exists(steward)), pk=lead.pk).exists()


def _started(request: ServiceRequest, now: datetime) -> None:
    """What a transition into `open` would do, for a request that starts there: its history row, the
    grants, the SLA ladder and the responsible unit's notification."""
    engine_services.history_records(
        [
            {
                "subject": request,
                "transition": "raise",
                "source": "",
                "target": request.state,
                "actor_id": request.raised_by_id,
                "at": now,
                "params": {
                    "lead": request.lead_id,
                    "kind": request.kind,
                    "description": request.description,
                    "responsible_unit": request.responsible_unit.code,
                },
                "rule": str(_("§4 service package: raised for the enterprise, the SLA starts")),
            }
        ]
    )
    engine_services.grants_sync_many(SERVICE_REQUEST.grants([request]))  # type: ignore[misc] # declared
    rungs = SERVICE_REQUEST.waits[ServiceRequestState.OPEN].at(now)
    engine_services.clocks_start(
        [
            {"kind": kind, "subject": request, "at": now, "working_days": days, "warning_days": [],
             "policy_version": rungs.version}
            for kind, days in zip(SERVICE_REQUEST.wait_kinds(), (rungs.remind_days, rungs.escalate_days), strict=True)
        ]
    )  # fmt: skip
    engine.announce(
        SERVICE_REQUEST,
        [(request, engine.Notice("service_request_raised", (RESPONSIBLE_OFFICERS,)), {}, f"service_request:{request.pk}:raised")],
        at=now,
        name="raise",
    )  # fmt: skip
