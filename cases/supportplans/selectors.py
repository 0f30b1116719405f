"""Reads of support plans; visibility in SQL through guardian grants (DESIGN §2, §6b)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user

from cases import access as case_access
from cases.errors import NotFound
from cases.inputs import id_param
from cases.supportplans import access
from cases.supportplans.models import Disbursement, SupportPlan, SupportPlanState
from workflow import selectors as engine_selectors
from workflow.models import TransitionRecord


def plans_visible(*, user: Any) -> QuerySet[SupportPlan]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return SupportPlan.objects.none()
    if user.has_perm(f"supportplans.{access.VIEW}"):
        return SupportPlan.objects.all()
    return get_objects_for_user(
        user, f"supportplans.{access.VIEW}", klass=SupportPlan, accept_global_perms=False
    )


def _related(qs: QuerySet[SupportPlan]) -> QuerySet[SupportPlan]:
    payments = Prefetch(
        "disbursements", Disbursement.objects.select_related("recorded_by").order_by("date", "id")
    )
    return qs.select_related("lead", "lead__unit", "created_by").prefetch_related(payments)


def plan_list(*, user: Any, state: str | None = None, lead: Any = None) -> QuerySet[SupportPlan]:
    """The plans the caller may see, newest first; `state` may list several, comma-separated."""
    qs = plans_visible(user=user)
    if state:
        qs = qs.filter(state__in=state.split(","))
    if lead:
        qs = qs.filter(lead_id=id_param(lead, "lead"))
    return _related(qs).order_by("-created_at", "-id")


def plan_get(*, user: Any, plan_id: Any) -> SupportPlan:
    try:
        return _related(plans_visible(user=user)).get(pk=int(plan_id))
    except (SupportPlan.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(_("No such support plan.")) from exc


def plan_page(*, plans: Sequence[SupportPlan], user: Any) -> dict[int, list[TransitionRecord]]:
    """A page's grants (for the caller's transitions) and histories, read once for the whole page."""
    case_access.prefetch_object_perms(plans, user)
    return engine_selectors.histories(subjects=plans)


def plan_disbursements(*, plan: SupportPlan) -> QuerySet[Disbursement]:
    return plan.disbursements.select_related("recorded_by").order_by("date", "id")


def plan_disbursed_total(*, plan: SupportPlan) -> Decimal:
    """The disbursements' sum, from the rows themselves (the plan keeps the same running total)."""
    return plan.disbursements.aggregate(total=Sum("amount_cny"))["total"] or Decimal(0)


def plan_queue(*, user: Any) -> dict[str, QuerySet[SupportPlan]]:
    """What awaits the caller: plans to co-sign (finance officers), to decide (government leaders),
    and for city officers their drafts and the plans being implemented."""
    cosign = get_objects_for_user(
        user, f"supportplans.{access.COSIGN}", klass=SupportPlan, accept_global_perms=False
    )
    decide = get_objects_for_user(
        user, f"supportplans.{access.DECIDE}", klass=SupportPlan, accept_global_perms=False
    )
    city = access.may_draft(user)
    none = SupportPlan.objects.none()
    return {
        "cosign": _related(cosign.filter(state=SupportPlanState.FINANCE_REVIEW)).order_by("updated_at", "id"),
        "decide": _related(decide.filter(state=SupportPlanState.GOVERNMENT_REVIEW)).order_by(
            "updated_at", "id"
        ),
        "drafts": _related(SupportPlan.objects.filter(state=SupportPlanState.DRAFT)).order_by(
            "-updated_at", "-id"
        )
        if city
        else none,
        "implementing": _related(SupportPlan.objects.filter(state=SupportPlanState.IMPLEMENTING)).order_by(
            "-updated_at", "-id"
        )
        if city
        else none,
    }


def plans_of_lead(*, user: Any, lead: Any) -> QuerySet[SupportPlan]:
    """The lead's plans the caller may see (the lead page's section)."""
    return plan_list(user=user, lead=lead.pk)
