"""Admission support (准入支持, DESIGN §6b, measures §14 "一事一议"): a district or zone asks the city to
admit a supporting project of a chain-leading firm although it misses a standard. An approved support
counts as the city's override reason where §8 would rank the unit out (cases.leads.effects)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.admissions import access
from cases.audiences import CITY_LEADERS, UNIT
from workflow.engine import Notice, declare
from workflow.models import OrgUnit

EFFECTS = "cases.admissions.effects"


class AdmissionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting the city leaders")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AdmissionSupport(ConcurrentTransitionMixin, models.Model):
    lead = models.ForeignKey("cases.Lead", on_delete=models.PROTECT, related_name="admission_supports")
    # the district or zone that asks (the lead's unit, or its discoverer while the city holds the lead)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    chain_leader = models.CharField(_("chain-leading firm"), max_length=200)
    standard_not_met = models.TextField(_("standard not met"))
    justification = models.TextField(_("justification"))
    state = FSMField(default=AdmissionState.DRAFT, choices=AdmissionState.choices, protected=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        permissions = [
            ("work_admissionsupport", "Prepare and submit admission supports (unit officer)"),
            ("decide_admissionsupport", "Approve or reject admission supports (city leader)"),
        ]
        ordering = ["-created_at", "-id"]
        indexes = [
            # the §8 override look-up at assignment: WHERE lead_id = ? AND unit_id = ? AND state = 'approved'
            models.Index(fields=["lead", "unit", "state"], name="admission_lead_unit_idx"),
            # the city leaders' queue and the list: WHERE state IN (…) ORDER BY created_at DESC
            models.Index(fields=["state", "-created_at"], name="admission_state_idx"),
        ]

    def __str__(self) -> str:
        return f"admission support #{self.pk} (lead #{self.lead_id})"

    @transition(
        field=state,
        source=AdmissionState.DRAFT,
        target=AdmissionState.SUBMITTED,
        permission=access.can_work_admission,
        custom=declare(
            _("Submit to the city"),
            effect=f"{EFFECTS}.submit",
            notify=Notice("admission_to_decide", (CITY_LEADERS,)),
        ),
    )
    def submit(self) -> None: ...

    @transition(
        field=state,
        source=AdmissionState.SUBMITTED,
        target=AdmissionState.APPROVED,
        permission=access.can_decide_admission,
        custom=declare(
            _("Approve admission"), effect=f"{EFFECTS}.approve", notify=Notice("admission_decided", (UNIT,))
        ),
    )
    def approve(self) -> None: ...

    @transition(
        field=state,
        source=AdmissionState.SUBMITTED,
        target=AdmissionState.REJECTED,
        permission=access.can_decide_admission,
        custom=declare(
            _("Reject"),
            input="cases.inputs.ReasonInput",
            effect=f"{EFFECTS}.reject",
            notify=Notice("admission_decided", (UNIT,)),
        ),
    )
    def reject(self) -> None: ...


class AdmissionSupportUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(AdmissionSupport, on_delete=models.CASCADE)


class AdmissionSupportGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(AdmissionSupport, on_delete=models.CASCADE)
