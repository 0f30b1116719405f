"""Leads, their milestones and exclusions; the lead machine (DESIGN §3), declared once.

Each `@transition` is the whole declaration of one transition: source, target and who (django-fsm-2),
and in `custom=declare(...)` its label, input, effect and whom it notifies. The engine's runner
(workflow.engine.fire) is the only thing that fires them; the methods themselves do nothing.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases import access, policy
from cases.audiences import (
    ASSIGNEE,
    CITY_OFFICERS,
    DISCOVERER,
    LOST_UNIT_LEADERS,
    PUSHING_UNIT,
    UNIT,
    UNIT_LEADERS,
    UNIT_OFFICERS,
)
from cases.creditcode import validate_credit_code
from workflow.engine import Notice, declare, system_only
from workflow.models import Clock, OrgUnit, Sector

NON_NEGATIVE = [MinValueValidator(0)]
EFFECTS = "cases.leads.effects"
INPUTS = "cases.leads.inputs"


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


TERMINAL = (State.LANDED, State.CLOSED)
OPEN_STATES = [s for s in State.values if s not in TERMINAL]


class Source(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    FUND = "fund", _("Industry fund")
    AGENCY = "agency", _("Third-party agency")


def self_loops(states: list[str], **kwargs: Any) -> Callable[[Any], Any]:
    """`@transition` from each of `states` back to itself: a decision that leaves the state as it
    is. django-fsm-2 keeps one target per source, so the machine (and its chart) says exactly that."""

    def wrap(func: Any) -> Any:
        for s in states:
            func = transition(source=s, target=s, **kwargs)(func)
        return func

    return wrap


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
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    # a foreign investor without a Chinese entity yet: its home registration instead of a credit code (§3)
    home_registration_number = models.CharField(_("home registration number"), max_length=64, blank=True)
    home_country = CountryField(_("home country"), blank=True)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector"))
    # §8, §15: the link of the chain (production, headquarters, R&D …): ranks units, gates the reward
    segment = models.CharField(_("segment"), max_length=20, choices=list(policy.SEGMENTS.items()))
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
    # the lead this one duplicated: the city merged it into that one (§3 "the city merges duplicates")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_duplicates"
    )
    # the unit's person who holds the case (承办人, DESIGN §6a); null: nobody yet
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

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
                condition=~models.Q(state__in=TERMINAL) & ~models.Q(credit_code=""),
                name="lead_one_open_per_credit_code",
            ),
            # a foreign investor without a credit code: one open lead per home registration
            models.UniqueConstraint(
                fields=["home_country", "home_registration_number"],
                condition=~models.Q(state__in=TERMINAL) & models.Q(credit_code=""),
                name="lead_one_open_per_home_registration",
            ),
            # every company is identified: by its credit code, or by its home registration and country
            models.CheckConstraint(
                condition=~models.Q(credit_code="")
                | (~models.Q(home_registration_number="") & ~models.Q(home_country="")),
                name="lead_company_identified",
            ),
        ]
        indexes = [
            # lead lists and queues: WHERE state IN (…) [AND unit_id = ?] ORDER BY created_at DESC
            models.Index(fields=["state", "-created_at"], name="lead_state_created_idx"),
            models.Index(fields=["unit", "state", "-created_at"], name="lead_unit_state_idx"),
            # the newest-first list of everything (city roles)
            models.Index(fields=["-created_at", "-id"], name="lead_created_idx"),
            # "my cases": WHERE assignee_id IN (me, those I cover for) AND state IN (…)
            models.Index(fields=["assignee", "state"], name="lead_assignee_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    # --- the machine (DESIGN §3) ----------------------------------------------------------------

    @transition(
        field=state,
        source=State.DRAFT,
        target=RETURN_VALUE(State.PENDING_CONFIRMATION, State.PENDING_ASSIGNMENT, State.NEGOTIATING),
        permission=access.can_work,
        custom=declare(
            _("Submit"), effect=f"{EFFECTS}.submit", notify=Notice("awaits_city", (CITY_OFFICERS,))
        ),
    )
    def submit(self, *, target: str) -> str:
        return target

    @transition(
        field=state,
        source=State.PENDING_CONFIRMATION,
        target=State.NEGOTIATING,
        permission=access.can_dispatch,
        custom=declare(
            _("Confirm first-negotiation unit"),
            input=f"{INPUTS}.ConfirmInput",
            effect=f"{EFFECTS}.confirm",
            notify=Notice("first_negotiation_confirmed", (DISCOVERER,)),
        ),
    )
    def confirm(self) -> None: ...

    @transition(
        field=state,
        source=State.PENDING_CONFIRMATION,
        target=State.PENDING_ASSIGNMENT,
        permission=access.can_dispatch,
        custom=declare(
            _("Decline the claim"),
            input=f"{INPUTS}.DeclineInput",
            effect=f"{EFFECTS}.decline",
            notify=Notice("claim_declined", (DISCOVERER,)),
        ),
    )
    def decline(self) -> None: ...

    @transition(
        field=state,
        source=State.PENDING_ASSIGNMENT,
        target=State.NEGOTIATING,
        permission=access.can_dispatch,
        custom=declare(
            _("Assign to a unit"),
            input=f"{INPUTS}.AssignInput",
            effect=f"{EFFECTS}.assign",
            notify=Notice("assigned", (UNIT,)),
        ),
    )
    def assign(self) -> None: ...

    @transition(
        field=state,
        source=State.NEGOTIATING,
        target=State.PROGRESS_REVIEW,
        permission=access.can_work,
        custom=declare(
            _("Report substantive progress"),
            input=f"{INPUTS}.ProgressInput",
            effect=f"{EFFECTS}.report_progress",
            notify=Notice("progress_to_review", (UNIT_LEADERS,)),
        ),
    )
    def report_progress(self) -> None: ...

    @transition(
        field=state,
        source=State.PROGRESS_REVIEW,
        target=State.PROGRESSING,
        permission=access.can_approve,
        custom=declare(
            _("Approve progress"),
            effect=f"{EFFECTS}.approve_progress",
            notify=Notice("progress_approved", (UNIT_OFFICERS,)),
        ),
    )
    def approve_progress(self) -> None: ...

    @transition(
        field=state,
        source=State.PROGRESS_REVIEW,
        target=State.NEGOTIATING,
        permission=access.can_approve,
        custom=declare(
            _("Reject progress"),
            input=f"{INPUTS}.ReasonInput",
            effect=f"{EFFECTS}.reject_progress",
            notify=Notice("progress_rejected", (UNIT_OFFICERS,)),
        ),
    )
    def reject_progress(self) -> None: ...

    @transition(
        field=state,
        source=State.NEGOTIATING,
        target=State.PUSH_REQUESTED,
        permission=access.can_approve,
        custom=declare(
            _("Push to the city"),
            input=f"{INPUTS}.PushInput",
            effect=f"{EFFECTS}.request_push",
            notify=Notice("push_to_confirm", (CITY_OFFICERS,)),
        ),
    )
    def request_push(self) -> None: ...

    @transition(
        field=state,
        source=State.PUSH_REQUESTED,
        target=State.PENDING_ASSIGNMENT,
        permission=access.can_dispatch,
        custom=declare(
            _("Confirm the push"),
            effect=f"{EFFECTS}.confirm_push",
            notify=Notice("push_confirmed", (PUSHING_UNIT,)),
        ),
    )
    def confirm_push(self) -> None: ...

    @transition(
        field=state,
        source=State.PUSH_REQUESTED,
        target=State.NEGOTIATING,
        permission=access.can_dispatch,
        custom=declare(
            _("Reject the push"),
            input=f"{INPUTS}.ReasonInput",
            effect=f"{EFFECTS}.reject_push",
            notify=Notice("push_rejected", (UNIT,)),
        ),
    )
    def reject_push(self) -> None: ...

    @transition(
        field=state,
        source=State.NEGOTIATING,
        target=State.ESCALATED,
        permission=system_only,
        custom=declare(
            _("Escalate"),
            effect=f"{EFFECTS}.escalate",
            notify=Notice("escalated", (CITY_OFFICERS, LOST_UNIT_LEADERS)),
            system=True,
        ),
    )
    def escalate(self) -> None: ...

    @transition(
        field=state,
        source=State.ESCALATED,
        target=State.NEGOTIATING,
        permission=access.can_dispatch,
        custom=declare(
            _("Reassign"),
            input=f"{INPUTS}.UnitInput",
            effect=f"{EFFECTS}.reassign",
            notify=Notice("assigned", (UNIT,)),
        ),
    )
    def reassign(self) -> None: ...

    @transition(
        field=state,
        source=State.PROGRESSING,
        target=State.LANDED,
        permission=access.can_approve,
        custom=declare(
            _("Record landing"),
            input=f"{INPUTS}.LandInput",
            effect=f"{EFFECTS}.land",
            notify=Notice("landed", (CITY_OFFICERS,)),
        ),
    )
    def land(self) -> None: ...

    @self_loops(
        # after submission: the registering officer proposes the flag on the draft, the city rules on it
        [s for s in OPEN_STATES if s != State.DRAFT],
        field=state,
        permission=access.can_dispatch,
        custom=declare(
            _("Rule on the strategic flag"),
            input=f"{INPUTS}.StrategicInput",
            effect=f"{EFFECTS}.rule_strategic",
        ),
    )
    def rule_strategic(self) -> None: ...

    @transition(
        field=state,
        source=OPEN_STATES,
        target=State.CLOSED,
        permission=access.can_close,
        custom=declare(
            _("Close"),
            input=f"{INPUTS}.ReasonInput",
            effect=f"{EFFECTS}.close",
            notify=Notice("closed", (UNIT, DISCOVERER)),
        ),
    )
    def close(self) -> None: ...

    # --- case work that leaves the state as it is (DESIGN §3, §6a), each through its own endpoint ---

    @self_loops(
        OPEN_STATES,
        field=state,
        permission=access.can_hold,
        custom=declare(
            _("Change who holds the lead"),
            input=f"{INPUTS}.AssigneeInput",
            effect=f"{EFFECTS}.set_assignee",
            notify=Notice("assigned_to_you", (ASSIGNEE,)),
            own_endpoint=True,
        ),
    )
    def set_assignee(self) -> None: ...

    @self_loops(
        OPEN_STATES,
        field=state,
        permission=access.can_correct,
        custom=declare(
            _("Correct the lead"),
            input=f"{INPUTS}.CorrectionInput",
            effect=f"{EFFECTS}.correct",
            own_endpoint=True,
        ),
    )
    def correct(self) -> None: ...

    @transition(
        field=state,
        source=[s for s in OPEN_STATES if s != State.DRAFT],
        target=State.CLOSED,
        permission=access.can_dispatch,
        custom=declare(
            _("Merge into another lead"),
            input=f"{INPUTS}.MergeInput",
            effect=f"{EFFECTS}.merge",
            notify=Notice("merged", (UNIT, DISCOVERER)),
            own_endpoint=True,
        ),
    )
    def merge(self) -> None: ...


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


class Activity(models.Model):
    """What officers do all day on a lead: a meeting, a site visit, a call or a note (DESIGN §6a).
    Activity is not substantive progress; it shows in the lead's timeline beside the transitions."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        VISIT = "visit", _("Site visit")
        CALL = "call", _("Call")
        NOTE = "note", _("Note")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("when"))
    summary = models.TextField(_("summary"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["lead", "-at"], name="activity_lead_at_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class SavedFilter(models.Model):
    """A list's filters saved by name by one person (DESIGN §6a "filters kept in the URL and savable")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    list_name = models.CharField(max_length=40, default="leads")  # which list the query belongs to
    query = models.CharField(max_length=2000, blank=True)  # the URL's query string, without `page`
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_name", "name"], name="saved_filter_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


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
