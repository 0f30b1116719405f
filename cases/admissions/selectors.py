"""Reads of admission supports (DESIGN §6b); visibility in SQL through guardian grants."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user

from cases import access as lead_access
from cases.admissions import access
from cases.admissions.models import AdmissionState, AdmissionSupport
from cases.errors import NotFound
from cases.inputs import id_param
from workflow import selectors as engine_selectors
from workflow.models import TransitionRecord


def supports_visible(*, user: Any) -> QuerySet[AdmissionSupport]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return AdmissionSupport.objects.none()
    if user.has_perm(f"admissions.{access.VIEW}"):
        return AdmissionSupport.objects.all()
    return get_objects_for_user(
        user, f"admissions.{access.VIEW}", klass=AdmissionSupport, accept_global_perms=False
    )


def _related(qs: QuerySet[AdmissionSupport]) -> QuerySet[AdmissionSupport]:
    return qs.select_related("lead", "unit", "created_by", "decided_by")


def support_list(
    *, user: Any, state: str | None = None, lead: str | None = None
) -> QuerySet[AdmissionSupport]:
    qs = supports_visible(user=user)
    if state:
        qs = qs.filter(state__in=state.split(","))
    if lead:
        qs = qs.filter(lead_id=id_param(lead, "lead"))
    return _related(qs).order_by("-created_at", "-id")


def support_get(*, user: Any, support_id: Any) -> AdmissionSupport:
    try:
        return _related(supports_visible(user=user)).get(pk=int(support_id))
    except (AdmissionSupport.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(_("No such admission support.")) from exc


def support_page(*, supports: Sequence[AdmissionSupport], user: Any) -> dict[int, list[TransitionRecord]]:
    """A page's grants (for the transitions each row offers) and histories, read for all rows at once."""
    lead_access.prefetch_object_perms(supports, user)
    return engine_selectors.histories(subjects=supports)


def approved_support(*, lead: Any, unit: Any) -> AdmissionSupport | None:
    """The approved admission support of this unit for this lead: the §8 override (§14)."""
    return (
        AdmissionSupport.objects.filter(lead=lead, unit=unit, state=AdmissionState.APPROVED)
        .order_by("-decided_at", "-id")
        .first()
    )
