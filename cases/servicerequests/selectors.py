"""Reads of service requests: visibility in SQL through guardian grants, the responsible unit's
queue, a lead's requests and each request's SLA deadline."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases import access as lead_access
from cases.errors import NotFound
from cases.inputs import id_param
from cases.servicerequests import access
from cases.servicerequests.machine import SERVICE_REQUEST
from cases.servicerequests.models import (
    ServiceRequest,
    ServiceRequestGroupObjectPermission,
    ServiceRequestState,
)
from workflow import selectors as engine_selectors
from workflow.models import HOSTING_LEVELS, Clock, ClockStatus, Level, OrgUnit, TransitionRecord

WAITING = (ServiceRequestState.OPEN, ServiceRequestState.ACCEPTED)
# the units a request may be addressed to: a city department, a district or a zone (not the city
# itself, the government or a bank)
RESPONSIBLE_LEVELS = (Level.DEPARTMENT, *HOSTING_LEVELS)


def requests_visible(*, user: Any) -> QuerySet[ServiceRequest]:
    """Every request for the city roles; otherwise those granted to one of the user's units."""
    if not getattr(user, "is_authenticated", False):
        return ServiceRequest.objects.none()
    if user.has_perm(access.CITY_VIEW):
        return ServiceRequest.objects.all()
    return ServiceRequest.objects.filter(pk__in=_granted(user, access.VIEW))


def _granted(user: Any, codename: str) -> QuerySet:
    """Ids of the requests on which one of the user's role groups holds this grant, as a subquery:
    one statement with the page (guardian's get_objects_for_user spends queries first)."""
    return ServiceRequestGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=codename, permission__content_type__app_label="servicerequests"
    ).values("content_object_id")


def _related(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    return qs.select_related(
        "lead", "lead__sector", "lead__unit", "lead__discovering_unit", "responsible_unit", "raised_by"
    )


def request_list(
    *, user: Any, state: str | None = None, lead: str | None = None, unit: str | None = None
) -> QuerySet[ServiceRequest]:
    """What the caller may see, newest first; `state` may list several (comma-separated), `unit` is
    the responsible unit's code."""
    qs = requests_visible(user=user)
    if state:
        qs = qs.filter(state__in=state.split(","))
    if lead:
        qs = qs.filter(lead_id=id_param(lead, "lead"))
    if unit:
        qs = qs.filter(responsible_unit__code=unit)
    return _related(qs).order_by("-raised_at", "-id")


def request_get(*, user: Any, request_id: Any) -> ServiceRequest:
    try:
        return _related(requests_visible(user=user)).get(pk=int(request_id))
    except (ServiceRequest.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(_("No such service request.")) from exc


def request_queue(*, user: Any) -> QuerySet[ServiceRequest]:
    """What awaits the user's units as responsible units: requests they may answer, oldest first."""
    if not getattr(user, "is_authenticated", False):
        return ServiceRequest.objects.none()
    work = _granted(user, access.WORK)
    return _related(ServiceRequest.objects.filter(pk__in=work, state__in=WAITING)).order_by("raised_at", "id")


def request_page(*, requests: Sequence[ServiceRequest], user: Any) -> dict[int, list[TransitionRecord]]:
    """A page's grants (for the transitions each row offers) and histories, read once for the page."""
    lead_access.prefetch_object_perms(requests, user)
    return engine_selectors.histories(subjects=requests)


def sla_deadlines(*, requests: Sequence[ServiceRequest]) -> dict[int, datetime]:
    """Each waiting request's SLA deadline (its newest escalation rung), in one query."""
    ids = [r.pk for r in requests if r.state in WAITING]
    if not ids:
        return {}
    rows = (
        Clock.objects.filter(
            subject_type=ContentType.objects.get_for_model(ServiceRequest),
            subject_id__in=ids,
            kind=SERVICE_REQUEST.wait_kinds()[1],
            status__in=(ClockStatus.RUNNING, ClockStatus.FIRED),
        )
        .order_by("subject_id", "id")
        .values_list("subject_id", "deadline_at")
    )
    return dict(rows)  # the newest clock of each request wins (ordered by id)


def lead_requests(*, lead_id: int, user: Any) -> list[ServiceRequest]:
    """The requests of one lead the user may see, newest first, each with its SLA deadline."""
    requests = list(request_list(user=user).filter(lead_id=lead_id))
    deadlines = sla_deadlines(requests=requests)
    for r in requests:
        vars(r)["sla_deadline"] = deadlines.get(r.pk)  # for the template
    return requests


def responsible_units() -> list[OrgUnit]:
    """The units a request may be addressed to: the departments first, then districts and zones."""
    units = OrgUnit.objects.filter(level__in=RESPONSIBLE_LEVELS)
    return sorted(units, key=lambda u: (u.level != Level.DEPARTMENT, u.code))
