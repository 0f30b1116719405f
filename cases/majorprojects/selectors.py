"""Reads of city major projects (DESIGN §6b); visibility in SQL: city roles see every project, anyone
else the projects of the leads they see (the lead's guardian grants)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.errors import NotFound
from cases.leads.selectors import leads_visible
from cases.majorprojects import access
from cases.majorprojects.models import MajorProject
from workflow.models import Clock, ClockStatus


def projects_visible(*, user: Any) -> QuerySet[MajorProject]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return MajorProject.objects.none()
    if user.has_perm(access.VIEW):
        return MajorProject.objects.all()
    return MajorProject.objects.filter(lead__in=leads_visible(user=user).values("pk"))


def _related(qs: QuerySet[MajorProject]) -> QuerySet[MajorProject]:
    return qs.select_related("lead", "lead__unit", "lead__assignee", "steward", "designated_by")


def project_list(
    *, user: Any, state: str | None = None, steward: str | None = None
) -> QuerySet[MajorProject]:
    qs = projects_visible(user=user)
    if state:
        qs = qs.filter(state__in=state.split(","))
    if steward:
        qs = qs.filter(steward__username=steward)
    return _related(qs).order_by("-designated_at", "-id")


def project_get(*, user: Any, project_id: Any) -> MajorProject:
    try:
        return _related(projects_visible(user=user)).get(pk=int(project_id))
    except (MajorProject.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(_("No such major project.")) from exc


def project_of_lead(*, lead: Any) -> MajorProject | None:
    """The lead's major project, if it was ever designated (whoever sees the lead sees it)."""
    return MajorProject.objects.select_related("steward").filter(lead=lead).first()


def coordination_overview(*, user: Any) -> list[MajorProject]:
    """Every major project with what the city leaders' overview shows of it: the lead, its unit and
    assignee, the steward, and the lead's admission supports (read for all rows at once)."""
    from cases.admissions.models import AdmissionSupport  # a case type of its own, loaded after this one

    supports = Prefetch(
        "lead__admission_supports",
        queryset=AdmissionSupport.objects.select_related("unit").order_by("-created_at"),
    )
    return list(project_list(user=user).prefetch_related(supports))


def coordination_figures(
    projects: Sequence[MajorProject], now: datetime | None = None
) -> dict[int, dict[str, Any]]:
    """For each project (by id): its open service requests and how many are past their SLA, its support
    plans in progress and how many wait past their escalation rung — what the city leaders' overview
    shows beside each major project. Three queries for the page, whatever its length."""
    from cases.servicerequests.machine import SERVICE_REQUEST
    from cases.servicerequests.models import ServiceRequest, ServiceRequestState
    from cases.supportplans.machine import SUPPORT_PLAN_TYPE as SUPPORT_PLAN
    from cases.supportplans.models import SupportPlan, SupportPlanState

    now = now or timezone.now()
    by_lead = {p.lead_id: p.pk for p in projects}
    figures = {p.pk: {"requests": 0, "requests_overdue": 0, "plans": 0, "plans_overdue": 0} for p in projects}
    waiting_requests = (ServiceRequestState.OPEN, ServiceRequestState.ACCEPTED)
    requests = dict(
        ServiceRequest.objects.filter(lead_id__in=by_lead, state__in=waiting_requests).values_list(
            "pk", "lead_id"
        )
    )
    in_progress = (
        SupportPlanState.DRAFT, SupportPlanState.FINANCE_REVIEW, SupportPlanState.GOVERNMENT_REVIEW,
        SupportPlanState.IMPLEMENTING,
    )  # fmt: skip
    plans = dict(
        SupportPlan.objects.filter(lead_id__in=by_lead, state__in=in_progress).values_list("pk", "lead_id")
    )
    for lead_id in requests.values():
        figures[by_lead[lead_id]]["requests"] += 1
    for lead_id in plans.values():
        figures[by_lead[lead_id]]["plans"] += 1
    # past due: a waiting case's escalation rung whose moment has come (fired, or due and not yet run)
    overdue = Clock.objects.filter(
        Q(subject_type=ContentType.objects.get_for_model(ServiceRequest), subject_id__in=list(requests),
          kind=SERVICE_REQUEST.wait_kinds()[1])
        | Q(subject_type=ContentType.objects.get_for_model(SupportPlan), subject_id__in=list(plans),
            kind=SUPPORT_PLAN.wait_kinds()[1]),
        status__in=(ClockStatus.RUNNING, ClockStatus.FIRED),
        deadline_at__lte=now,
    ).values_list("kind", "subject_id")  # fmt: skip
    for kind, subject_id in set(overdue):
        if kind == SERVICE_REQUEST.wait_kinds()[1]:
            figures[by_lead[requests[subject_id]]]["requests_overdue"] += 1
        else:
            figures[by_lead[plans[subject_id]]]["plans_overdue"] += 1
    return figures
