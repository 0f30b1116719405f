"""Commitment-based approval (承诺制, §6): standards, applications (a case type) and breaches."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases import access
from cases.audiences import CITY_OFFICERS, UNIT_LEADERS, UNIT_OFFICERS
from cases.creditcode import validate_credit_code
from cases.leads.models import Lead
from workflow.engine import Notice, declare
from workflow.models import Clock, OrgUnit

EFFECTS = "cases.commitments.effects"
INPUTS = "cases.commitments.inputs"


class CommitmentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved on commitment")
    REJECTED = "rejected", _("Rejected")
    RECTIFYING = "rectifying", _("Rectifying")
    COMPLIANT = "compliant", _("Compliant")
    REVOKED = "revoked", _("Revoked")


class CommitmentStandard(models.Model):
    """One published version of a pilot zone's commitment checklist ("政府定标准"). Never edited: a
    change is a new version, so an approval can say exactly what the enterprise committed to."""

    zone = models.ForeignKey("workflow.PilotZone", on_delete=models.PROTECT, related_name="standards")
    version = models.PositiveIntegerField()
    items = models.JSONField(help_text="the standards, one text each")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["zone", "version"], name="standard_version_unique")]
        ordering = ["zone", "-version"]

    def __str__(self) -> str:
        return f"{self.zone.slug} v{self.version}"


class CommitmentApplication(ConcurrentTransitionMixin, models.Model):
    """An enterprise's application to build on commitment in a pilot zone (DESIGN §6)."""

    class ProjectType(models.TextChoices):
        WAREHOUSE = "warehouse", _("Warehouse")
        FACTORY = "factory", _("Factory")
        OTHER = "other", _("Other")

    class Nature(models.TextChoices):
        SOCIAL = "social", _("Social investment")
        GOVERNMENT = "government", _("Government investment")

    class LandSupply(models.TextChoices):
        TRANSFER = "transfer", _("Transfer (出让)")
        ALLOCATION = "allocation", _("Allocation (划拨)")
        LEASE = "lease", _("Lease (租赁)")

    project_name = models.CharField(_("project name"), max_length=200)
    company_name = models.CharField(_("company name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, validators=[validate_credit_code]
    )
    zone = models.ForeignKey("workflow.PilotZone", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    project_type = models.CharField(max_length=10, choices=ProjectType.choices)
    investment_nature = models.CharField(max_length=10, choices=Nature.choices)
    land_supply = models.CharField(max_length=10, choices=LandSupply.choices)
    industrial_content = models.BooleanField()
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    eligibility_reason = models.CharField(max_length=300, blank=True)

    state = FSMField(default=CommitmentState.DRAFT, choices=CommitmentState.choices, protected=True)
    standard = models.ForeignKey(
        CommitmentStandard, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commitments = models.JSONField(default=list, help_text="the enterprise's written commitments")
    findings = models.TextField(blank=True)
    decision_reason = models.TextField(blank=True)
    clock = models.ForeignKey(Clock, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        permissions = [
            ("work_commitment", "Prepare, submit and inspect commitment applications (unit officer)"),
            (
                "approve_commitment",
                "Approve, reject, return and revoke commitment applications (unit leader)",
            ),
        ]
        indexes = [
            # the unit's commitment queue: WHERE unit_id = ? AND state IN (…) ORDER BY created_at DESC
            models.Index(fields=["unit", "state", "-created_at"], name="commitment_unit_state_idx"),
            # the breach bar and history of one enterprise: WHERE credit_code = ?
            models.Index(fields=["credit_code"], name="commitment_credit_code_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.project_name}"

    @transition(
        field=state,
        source=CommitmentState.DRAFT,
        target=CommitmentState.SUBMITTED,
        permission=access.can_work_commitment,
        custom=declare(
            _("Submit"), effect=f"{EFFECTS}.submit", notify=Notice("commitment_to_review", (UNIT_LEADERS,))
        ),
    )
    def submit(self) -> None: ...

    @transition(
        field=state,
        source=CommitmentState.SUBMITTED,
        target=CommitmentState.APPROVED,
        permission=access.can_approve_commitment,
        custom=declare(
            _("Approve on commitment"),
            input=f"{INPUTS}.ApproveInput",
            effect=f"{EFFECTS}.approve",
            notify=Notice("commitment_decided", (UNIT_OFFICERS,)),
        ),
    )
    def approve(self) -> None: ...

    @transition(
        field=state,
        source=CommitmentState.SUBMITTED,
        target=CommitmentState.REJECTED,
        permission=access.can_approve_commitment,
        custom=declare(
            _("Reject"),
            input="cases.inputs.ReasonInput",
            effect=f"{EFFECTS}.reject",
            notify=Notice("commitment_decided", (UNIT_OFFICERS,)),
        ),
    )
    def reject(self) -> None: ...

    @transition(
        field=state,
        source=CommitmentState.SUBMITTED,
        target=CommitmentState.DRAFT,
        permission=access.can_approve_commitment,
        custom=declare(
            _("Return for correction"),
            input="cases.inputs.ReasonInput",
            effect=f"{EFFECTS}.return_",
            notify=Notice("commitment_decided", (UNIT_OFFICERS,)),
            name="return",
        ),
    )
    def return_(self) -> None: ...

    @transition(
        field=state,
        source=CommitmentState.APPROVED,
        target=RETURN_VALUE(CommitmentState.COMPLIANT, CommitmentState.RECTIFYING),
        permission=access.can_work_commitment,
        custom=declare(
            _("Record inspection"),
            input=f"{INPUTS}.InspectionInput",
            effect=f"{EFFECTS}.record_inspection",
            notify=Notice("commitment_inspected", (UNIT_LEADERS,)),
        ),
    )
    def record_inspection(self, *, target: str) -> str:
        return target

    @transition(
        field=state,
        source=CommitmentState.RECTIFYING,
        target=CommitmentState.COMPLIANT,
        permission=access.can_approve_commitment,
        custom=declare(_("Confirm rectification"), effect=f"{EFFECTS}.confirm_rectified"),
    )
    def confirm_rectified(self) -> None: ...

    @transition(
        field=state,
        source=CommitmentState.RECTIFYING,
        target=CommitmentState.REVOKED,
        permission=access.can_approve_commitment,
        custom=declare(
            _("Revoke"),
            input="cases.inputs.ReasonInput",
            effect=f"{EFFECTS}.revoke",
            notify=Notice("commitment_revoked", (UNIT_OFFICERS, CITY_OFFICERS)),
        ),
    )
    def revoke(self) -> None: ...


class Breach(models.Model):
    """A broken commitment on record against an enterprise (§6 "守信用"): it bars the commitment route."""

    credit_code = models.CharField(max_length=18)
    application = models.ForeignKey(CommitmentApplication, on_delete=models.PROTECT, related_name="breaches")
    reason = models.TextField()
    at = models.DateTimeField()
    barred_until = models.DateTimeField()

    class Meta:
        indexes = [
            # the bar check at registration: WHERE credit_code = ? AND barred_until > now
            models.Index(fields=["credit_code", "barred_until"], name="breach_bar_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.credit_code} until {self.barred_until:%Y-%m-%d}"


class CommitmentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(CommitmentApplication, on_delete=models.CASCADE)


class CommitmentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(CommitmentApplication, on_delete=models.CASCADE)
