"""Leads, their milestones, exclusions and credits; the lead state machine (django-fsm-2).

The @transition methods declare the machine (source, target, who) and do nothing else: every
effect lives in cases.services.lead_transition, the one place a lead changes state.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases import access
from cases.creditcode import validate_credit_code
from workflow.models import Clock, OrgUnit, Sector

NON_NEGATIVE = [MinValueValidator(0)]


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_CONFIRMATION = "pending_confirmation", _("Awaiting first-negotiation confirmation")
    PENDING_ASSIGNMENT = "pending_assignment", _("Awaiting city assignment")
    NEGOTIATING = "negotiating", _("Negotiating")
    PROGRESS_REVIEW = "progress_review", _("Progress awaiting review")
    PUSH_REQUESTED = "push_requested", _("Push awaiting confirmation")
    ESCALATED = "escalated", _("Overdue, awaiting city coordination")
    PROGRESSING = "progressing", _("Substantive progress")
    LANDED = "landed", _("Landed")
    CLOSED = "closed", _("Closed")


# How each transition is named to people (buttons, messages); the API uses the keys.
TRANSITION_LABELS = {
    "submit": _("Submit"),
    "confirm": _("Confirm first-negotiation unit"),
    "decline": _("Decline the claim"),
    "assign": _("Assign to a unit"),
    "report_progress": _("Report substantive progress"),
    "approve_progress": _("Approve progress"),
    "reject_progress": _("Reject progress"),
    "request_push": _("Push to the city"),
    "confirm_push": _("Confirm the push"),
    "reject_push": _("Reject the push"),
    "escalate": _("Escalate"),
    "reassign": _("Reassign"),
    "land": _("Record landing"),
    "close": _("Close"),
}

TERMINAL = (State.LANDED, State.CLOSED)
OPEN_STATES = [s for s in State.values if s not in TERMINAL]


class Source(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    FUND = "fund", _("Industry fund")
    AGENCY = "agency", _("Third-party agency")


class Referrer(models.Model):
    """An industry fund (§12) or third-party agency (§15) that brought a lead."""

    class Kind(models.TextChoices):
        FUND = "fund", _("Industry fund")
        AGENCY = "agency", _("Third-party agency")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="referrer_unique")]

    def __str__(self) -> str:
        return self.name


class Lead(ConcurrentTransitionMixin, models.Model):
    """A prospective investment project (项目线索)."""

    name = models.CharField(_("project name"), max_length=200)
    company_name = models.CharField(_("company name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, validators=[validate_credit_code]
    )
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector"))
    total_investment_cny = models.DecimalField(
        _("total investment (yuan)"), max_digits=18, decimal_places=2, validators=NON_NEGATIVE
    )
    strategic = models.BooleanField(_("strategic"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    discovering_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    referrer = models.ForeignKey(
        Referrer, null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    foreign_investment_usd = models.DecimalField(
        _("foreign investment (USD)"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    land_need_mu = models.DecimalField(
        _("land need (mu)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    contacts = models.TextField(_("contacts"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    first_negotiation = models.BooleanField(default=False)
    first_negotiation_reason = models.CharField(max_length=200, blank=True)
    first_negotiation_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_negotiation_confirmed_at = models.DateTimeField(null=True, blank=True)
    clock = models.ForeignKey(Clock, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    excluded_units = models.ManyToManyField(OrgUnit, through="Exclusion", related_name="+")

    progressed_at = models.DateTimeField(null=True, blank=True)
    landed_on = models.DateField(null=True, blank=True)
    paid_in_capital_cny = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    actual_fdi_usd = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    reward_qualifies = models.BooleanField(null=True, blank=True)
    reward_reason = models.TextField(blank=True)
    closed_reason = models.TextField(blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        permissions = [
            ("work_lead", "Work the lead (officer actions)"),
            ("approve_lead", "Approve the lead's transitions (unit leader)"),
            ("dispatch_lead", "Confirm, assign and reassign leads (city)"),
        ]
        constraints = [
            # DESIGN §3 duplicate protection: one open lead per company; the database enforces it
            # so two simultaneous registrations cannot both win.
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(state__in=TERMINAL),
                name="lead_one_open_per_credit_code",
            ),
        ]
        indexes = [
            # lead lists and queues: WHERE state IN (…) [AND unit_id = ?] ORDER BY created_at DESC
            models.Index(fields=["state", "-created_at"], name="lead_state_created_idx"),
            models.Index(fields=["unit", "state", "-created_at"], name="lead_unit_state_idx"),
            # the newest-first list of everything (city roles)
            models.Index(fields=["-created_at", "-id"], name="lead_created_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    # --- the machine (DESIGN §3); `permission` decides who, cases.services decides everything else

    @transition(
        field=state,
        source=State.DRAFT,
        target=RETURN_VALUE(State.PENDING_CONFIRMATION, State.PENDING_ASSIGNMENT, State.NEGOTIATING),
        permission=access.can_work,
    )
    def submit(self, *, target: str) -> str:
        return target

    @transition(
        field=state,
        source=State.PENDING_CONFIRMATION,
        target=State.NEGOTIATING,
        permission=access.can_dispatch,
    )
    def confirm(self) -> None: ...

    @transition(
        field=state,
        source=State.PENDING_CONFIRMATION,
        target=State.PENDING_ASSIGNMENT,
        permission=access.can_dispatch,
    )
    def decline(self) -> None: ...

    @transition(
        field=state, source=State.PENDING_ASSIGNMENT, target=State.NEGOTIATING, permission=access.can_dispatch
    )
    def assign(self) -> None: ...

    @transition(
        field=state, source=State.NEGOTIATING, target=State.PROGRESS_REVIEW, permission=access.can_work
    )
    def report_progress(self) -> None: ...

    @transition(
        field=state, source=State.PROGRESS_REVIEW, target=State.PROGRESSING, permission=access.can_approve
    )
    def approve_progress(self) -> None: ...

    @transition(
        field=state, source=State.PROGRESS_REVIEW, target=State.NEGOTIATING, permission=access.can_approve
    )
    def reject_progress(self) -> None: ...

    @transition(
        field=state, source=State.NEGOTIATING, target=State.PUSH_REQUESTED, permission=access.can_approve
    )
    def request_push(self) -> None: ...

    @transition(
        field=state,
        source=State.PUSH_REQUESTED,
        target=State.PENDING_ASSIGNMENT,
        permission=access.can_dispatch,
    )
    def confirm_push(self) -> None: ...

    @transition(
        field=state, source=State.PUSH_REQUESTED, target=State.NEGOTIATING, permission=access.can_dispatch
    )
    def reject_push(self) -> None: ...

    @transition(field=state, source=State.NEGOTIATING, target=State.ESCALATED, permission=access.system_only)
    def escalate(self) -> None: ...

    @transition(field=state, source=State.ESCALATED, target=State.NEGOTIATING, permission=access.can_dispatch)
    def reassign(self) -> None: ...

    @transition(field=state, source=State.PROGRESSING, target=State.LANDED, permission=access.can_approve)
    def land(self) -> None: ...

    @transition(field=state, source=OPEN_STATES, target=State.CLOSED, permission=access.can_close)
    def close(self) -> None: ...


class Milestone(models.Model):
    """A reported substantive milestone and the leader's decision on it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="milestones")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    date = models.DateField()
    evidence = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["reported_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class Exclusion(models.Model):
    """A unit that may no longer be given the lead: its clock ran out, or it pushed the lead (§5)."""

    class Reason(models.TextChoices):
        CLOCK_EXPIRED = "clock_expired", _("3 months passed without substantive progress")
        PUSHED = "pushed", _("The unit pushed the lead to the city")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="exclusions")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lead", "unit"], name="exclusion_unique")]

    def __str__(self) -> str:
        return f"{self.unit.code} ({self.reason})"


class Credit(models.Model):
    """Append-only credit ledger (§5 referral, §16 landing)."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("Referral (pushed lead, §5)")
        LANDING = "landing", _("Landing")
        FUND = "fund", _("Fund's in-Beijing investment (§12)")

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="credits")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="credits")
    referrer = models.ForeignKey(
        Referrer, null=True, blank=True, on_delete=models.PROTECT, related_name="credits"
    )
    amount_cny = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "unit", "kind"], name="credit_once_per_cause"),
            # §12: the city confirms a fund's share once per landed lead
            models.UniqueConstraint(
                fields=["lead"], condition=models.Q(kind="fund"), name="fund_attribution_once_per_lead"
            ),
        ]
        indexes = [
            # GET /api/credits/?unit=: WHERE unit_id = ? ORDER BY at DESC
            models.Index(fields=["unit", "-at"], name="credit_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.unit.code} #{self.lead_id}"


class RewardState(models.TextChoices):
    OPEN = "open", _("Awaiting the landing unit's decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


class RewardCase(ConcurrentTransitionMixin, models.Model):
    """A §15 reward for the third-party agency that served a big confirmed lead, decided by the landing unit.

    The qualification facts are frozen at landing: later edits of the lead do not change the case.
    """

    lead = models.OneToOneField(Lead, on_delete=models.PROTECT, related_name="reward_case")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Referrer, on_delete=models.PROTECT, related_name="rewards")
    amount_cny = models.DecimalField(max_digits=18, decimal_places=2)
    facts = models.JSONField(help_text="landing facts and the rule, as they were at landing")
    state = FSMField(default=RewardState.OPEN, choices=RewardState.choices, protected=True)
    decision_reason = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"reward #{self.pk} {self.amount_cny}"

    @transition(
        field=state, source=RewardState.OPEN, target=RewardState.APPROVED, permission=access.can_decide_reward
    )
    def approve(self) -> None: ...

    @transition(
        field=state, source=RewardState.OPEN, target=RewardState.REJECTED, permission=access.can_decide_reward
    )
    def reject(self) -> None: ...

    @transition(
        field=state, source=RewardState.APPROVED, target=RewardState.PAID, permission=access.can_decide_reward
    )
    def pay(self) -> None: ...


class LeadUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign-key table for per-user grants on leads (faster than the generic one)."""

    content_object = models.ForeignKey(Lead, on_delete=models.CASCADE)


class LeadGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct foreign-key table for per-group (unit role) grants on leads.

    Its indexes come from guardian: the unique (group, permission, content_object) index serves the
    visibility and queue subqueries (WHERE group IN my groups AND permission = … → lead ids) and
    the content_object index serves grants_sync (the grants of these leads).
    """

    content_object = models.ForeignKey(Lead, on_delete=models.CASCADE)


# --- commitment-based approval (承诺制, §6) --------------------------------------------------------


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
    )
    def submit(self) -> None: ...

    @transition(
        field=state,
        source=CommitmentState.SUBMITTED,
        target=CommitmentState.APPROVED,
        permission=access.can_approve_commitment,
    )
    def approve(self) -> None: ...

    @transition(
        field=state,
        source=CommitmentState.SUBMITTED,
        target=CommitmentState.REJECTED,
        permission=access.can_approve_commitment,
    )
    def reject(self) -> None: ...

    @transition(
        field=state,
        source=CommitmentState.SUBMITTED,
        target=CommitmentState.DRAFT,
        permission=access.can_approve_commitment,
    )
    def return_(self) -> None: ...

    @transition(
        field=state,
        source=CommitmentState.APPROVED,
        target=RETURN_VALUE(CommitmentState.COMPLIANT, CommitmentState.RECTIFYING),
        permission=access.can_work_commitment,
    )
    def record_inspection(self, *, target: str) -> str:
        return target

    @transition(
        field=state,
        source=CommitmentState.RECTIFYING,
        target=CommitmentState.COMPLIANT,
        permission=access.can_approve_commitment,
    )
    def confirm_rectified(self) -> None: ...

    @transition(
        field=state,
        source=CommitmentState.RECTIFYING,
        target=CommitmentState.REVOKED,
        permission=access.can_approve_commitment,
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


class ImportJob(models.Model):
    """A bulk import of leads from CSV or Excel (§2 project library). Every row is checked first;
    the leads are created only if every row is good, all in one transaction."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Checking rows")
        FAILED = "failed", _("Refused: see the error report")
        DONE = "done", _("Imported")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    discovering_unit = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, help_text="[{row, field, message}]")
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # the import sweep: WHERE status IN ('pending','running')
            models.Index(
                fields=["status"],
                name="import_open_idx",
                condition=models.Q(status__in=["pending", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return f"import #{self.pk} {self.filename} {self.status}"
