"""Reads of commitment applications, standards and breaches; visibility in SQL through guardian grants."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user

from cases import access
from cases.errors import NotFound
from cases.models import Breach, CommitmentApplication, CommitmentStandard, CommitmentState
from workflow import selectors as engine_selectors
from workflow.models import PilotZone, TransitionRecord


def commitments_visible(*, user: Any) -> QuerySet[CommitmentApplication]:
    if not getattr(user, "is_authenticated", False):
        return CommitmentApplication.objects.none()
    if user.has_perm("cases.view_commitmentapplication"):
        return CommitmentApplication.objects.all()
    return get_objects_for_user(
        user, "cases.view_commitmentapplication", klass=CommitmentApplication, accept_global_perms=False
    )


def _related(qs: QuerySet[CommitmentApplication]) -> QuerySet[CommitmentApplication]:
    return qs.select_related("zone", "unit", "standard", "clock")


def commitment_list(
    *, user: Any, state: str | None = None, unit: str | None = None
) -> QuerySet[CommitmentApplication]:
    qs = commitments_visible(user=user)
    if state:
        qs = qs.filter(state__in=state.split(","))
    if unit:
        qs = qs.filter(unit__code=unit)
    return _related(qs).order_by("-created_at", "-id")


def commitment_get(*, user: Any, application_id: Any) -> CommitmentApplication:
    try:
        return _related(commitments_visible(user=user)).get(pk=int(application_id))
    except (CommitmentApplication.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such application.")) from exc


def commitment_page(
    *, applications: Sequence[CommitmentApplication], user: Any
) -> dict[int, list[TransitionRecord]]:
    """What a page of applications shows beside each row's own columns, read for the whole page at once
    (a constant number of queries however long the page): the caller's grants on every application,
    memoised for the permission functions (the transitions the caller may fire), and each one's
    history, returned by application id."""
    access.prefetch_object_perms(applications, user)
    return engine_selectors.histories(subjects=applications)


def commitment_queue(*, user: Any) -> dict[str, QuerySet[CommitmentApplication]]:
    """The unit's commitment work: applications to review, inspections due, rectifications due."""
    approve = get_objects_for_user(
        user, "cases.approve_commitment", klass=CommitmentApplication, accept_global_perms=False
    )
    work = get_objects_for_user(
        user, "cases.work_commitment", klass=CommitmentApplication, accept_global_perms=False
    )
    mine = Q(pk__in=approve.values("pk")) | Q(pk__in=work.values("pk"))
    base = _related(CommitmentApplication.objects.filter(mine))
    return {
        "review": base.filter(state=CommitmentState.SUBMITTED, pk__in=approve.values("pk")).order_by(
            "created_at"
        ),
        "inspection": base.filter(state=CommitmentState.APPROVED).order_by("clock__deadline_at"),
        "rectification": base.filter(state=CommitmentState.RECTIFYING).order_by("clock__deadline_at"),
    }


def commitment_available_transitions(*, application: CommitmentApplication, user: Any) -> list[str]:
    names = [t.name for t in application.get_available_user_state_transitions(user)]  # type: ignore[attr-defined]
    return ["return" if n == "return_" else n for n in names]


def standard_current(*, zone: PilotZone) -> CommitmentStandard | None:
    return CommitmentStandard.objects.filter(zone=zone).order_by("-version").first()


def standards(*, zone: str | None = None) -> QuerySet[CommitmentStandard]:
    qs = CommitmentStandard.objects.select_related("zone", "created_by")
    return qs.filter(zone__slug=zone) if zone else qs


def breach_in_force(*, credit_code: str, now: datetime) -> Breach | None:
    return (
        Breach.objects.filter(credit_code=credit_code, barred_until__gt=now).order_by("-barred_until").first()
    )
