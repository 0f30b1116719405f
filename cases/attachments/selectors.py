"""Reads of attachments. A file is visible to exactly those who may see its lead or application;
for anyone else it does not exist (404), like the case itself."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.attachments.models import Attachment
from cases.commitments import selectors as commitment_selectors
from cases.commitments.models import CommitmentApplication, CommitmentState
from cases.errors import NotFound
from cases.leads import selectors as lead_selectors
from cases.leads.models import TERMINAL, Lead, Milestone

# A commitment application's final states: nothing follows them, so nothing is attached to them.
COMMITMENT_TERMINAL = (CommitmentState.REJECTED, CommitmentState.COMPLIANT, CommitmentState.REVOKED)

Owner = Lead | CommitmentApplication


def _files(qs: QuerySet[Attachment]) -> QuerySet[Attachment]:
    return qs.select_related("uploaded_by")


def attachment_owner_get(*, user: Any, kind: str, owner_id: Any) -> Owner:
    """The lead (`kind` "lead") or application ("commitment") the caller may see, or NotFound."""
    if kind == "lead":
        return lead_selectors.lead_get(user=user, lead_id=owner_id)
    return commitment_selectors.commitment_get(user=user, application_id=owner_id)


def attachment_list(*, user: Any, kind: str, owner_id: Any) -> QuerySet[Attachment]:
    """The files of a visible lead or application, newest first (NotFound for one the caller may not see)."""
    return attachments_of(owner=attachment_owner_get(user=user, kind=kind, owner_id=owner_id))


def attachments_of(*, owner: Owner) -> QuerySet[Attachment]:
    if isinstance(owner, Lead):
        return _files(Attachment.objects.filter(lead=owner))
    return _files(Attachment.objects.filter(application_id=owner.pk))


def attachments_of_milestone(*, milestone: Milestone) -> QuerySet[Attachment]:
    return _files(milestone.attachments.all())


def attachments_pending_review(*, lead: Lead) -> QuerySet[Attachment]:
    """The files the lead's milestone awaiting the leader's review points at (approve/reject_progress)."""
    return _files(
        Attachment.objects.filter(
            lead=lead, milestones__lead=lead, milestones__status=Milestone.Status.PENDING
        ).distinct()
    )


def attachment_get(*, user: Any, attachment_id: Any) -> Attachment:
    """One attachment whose lead or application the caller may see, or NotFound."""
    try:
        attachment = Attachment.objects.select_related("lead", "application").get(pk=int(attachment_id))
    except (Attachment.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(_("No such attachment.")) from exc
    owner: Owner = attachment.lead if attachment.lead is not None else attachment.application  # type: ignore[assignment]
    if not attachment_visible(owner=owner, user=user):
        raise NotFound(_("No such attachment."))
    return attachment


def attachment_visible(*, owner: Owner, user: Any) -> bool:
    if isinstance(owner, Lead):
        return access.can_view(owner, user)
    return access.can_view_commitment(owner, user)


def owner_is_closed(*, owner: Owner) -> bool:
    if isinstance(owner, Lead):
        return owner.state in TERMINAL
    return owner.state in COMMITMENT_TERMINAL


def upload_permitted(*, owner: Owner, user: Any) -> bool:
    """Those who work the case upload: its unit's officers and leaders (and, for leads, the city
    officers who dispatch them)."""
    if isinstance(owner, Lead):
        return (
            access.can_work(owner, user)
            or access.can_approve(owner, user)
            or access.can_dispatch(owner, user)
        )
    return access.can_work_commitment(owner, user) or access.can_approve_commitment(owner, user)


def upload_open(*, owner: Owner, user: Any) -> bool:
    """Whether the page offers the upload form: the case is open and the caller may upload."""
    return not owner_is_closed(owner=owner) and upload_permitted(owner=owner, user=user)


def attachment_ids_foreign(*, lead: Lead, ids: Iterable[int]) -> list[int]:
    """Those of `ids` that are not attachments of `lead` (report_progress refuses them)."""
    wanted = sorted(set(ids))
    mine = set(Attachment.objects.filter(lead=lead, pk__in=wanted).values_list("pk", flat=True))
    return [i for i in wanted if i not in mine]
