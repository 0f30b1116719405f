"""Support plans (支持方案, DESIGN §6b, measures §10 "一事一议"): a city officer drafts the support a city
major project gets, the finance bureau co-signs it, the city government approves it, and the city
officer records what is paid out. The machine is declared on the model; the engine's runner fires it."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.audiences import CITY_OFFICERS
from cases.supportplans import access
from cases.supportplans.audiences import FINANCE, FINANCE_OFFICERS, GOVERNMENT_LEADERS, LEAD_UNIT
from workflow.engine import Notice, declare

EFFECTS = "cases.supportplans.effects"
INPUTS = "cases.supportplans.inputs"


class SupportPlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINANCE_REVIEW = "finance_review", _("Awaiting the finance bureau's co-signature")
    GOVERNMENT_REVIEW = "government_review", _("Awaiting the city government's approval")
    IMPLEMENTING = "implementing", _("Being implemented")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", pgettext_lazy("support plan", "Rejected")


class Method(models.TextChoices):
    """How the city supports the project (§10: 股权投资、贷款贴息、落地奖励)."""

    EQUITY = "equity", _("Equity investment")
    LOAN_INTEREST_SUBSIDY = "loan_interest_subsidy", _("Loan interest subsidy")
    LANDING_REWARD = "landing_reward", _("Landing reward")


class SupportPlan(ConcurrentTransitionMixin, models.Model):
    lead = models.ForeignKey("cases.Lead", on_delete=models.PROTECT, related_name="support_plans")
    amount_cny = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2)
    methods = models.JSONField(_("support methods"), default=list)
    terms = models.TextField(_("terms"))
    state = FSMField(default=SupportPlanState.DRAFT, choices=SupportPlanState.choices, protected=True)
    finance_opinion = models.TextField(blank=True)
    decision_reason = models.TextField(blank=True)  # the last return's or the rejection's reason
    # when the plan first reached each reviewer: from then on the reviewer keeps seeing it (grants)
    reached_finance_at = models.DateTimeField(null=True, blank=True)
    reached_government_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # the running total of the disbursements, changed only under the plan's row lock (the engine's)
    disbursed_cny = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        permissions = [
            ("work_supportplan", "Draft, submit and implement support plans (city officer)"),
            ("cosign_supportplan", "Co-sign or return a support plan (finance bureau officer)"),
            ("decide_supportplan", "Approve, reject or return a support plan (city government leader)"),
        ]
        indexes = [
            # the reviewers' queues and the list's state filter: WHERE state = ? ORDER BY created_at DESC
            models.Index(fields=["state", "-created_at"], name="supportplan_state_idx"),
        ]

    def __str__(self) -> str:
        return f"support plan #{self.pk} (lead #{self.lead_id})"

    @property
    def remaining_cny(self) -> Decimal:
        return self.amount_cny - self.disbursed_cny

    @transition(
        field=state,
        source=SupportPlanState.DRAFT,
        target=SupportPlanState.FINANCE_REVIEW,
        permission=access.can_work,
        custom=declare(
            _("Submit to the finance bureau"),
            effect=f"{EFFECTS}.submit",
            notify=Notice("support_plan_to_cosign", (FINANCE_OFFICERS,)),
        ),
    )
    def submit(self) -> None: ...

    @transition(
        field=state,
        source=SupportPlanState.FINANCE_REVIEW,
        target=SupportPlanState.GOVERNMENT_REVIEW,
        permission=access.can_cosign,
        custom=declare(
            _("Co-sign"),
            input=f"{INPUTS}.CosignInput",
            effect=f"{EFFECTS}.cosign",
            notify=Notice("support_plan_to_approve", (GOVERNMENT_LEADERS,)),
        ),
    )
    def cosign(self) -> None: ...

    @transition(
        field=state,
        source=[SupportPlanState.FINANCE_REVIEW, SupportPlanState.GOVERNMENT_REVIEW],
        target=SupportPlanState.DRAFT,
        # the finance officers while it waits on them, the government leaders while it waits on them:
        # the grants of each state say which (cases.supportplans.machine.grants)
        permission=access.can_return,
        custom=declare(
            _("Return to the city officers"),
            input="cases.inputs.ReasonInput",
            effect=f"{EFFECTS}.return_",
            notify=Notice("support_plan_returned", (CITY_OFFICERS,)),
            name="return",
        ),
    )
    def return_(self) -> None: ...

    @transition(
        field=state,
        source=SupportPlanState.GOVERNMENT_REVIEW,
        target=SupportPlanState.IMPLEMENTING,
        permission=access.can_decide,
        custom=declare(
            _("Approve"),
            effect=f"{EFFECTS}.approve",
            notify=Notice("support_plan_decided", (CITY_OFFICERS, FINANCE, LEAD_UNIT)),
        ),
    )
    def approve(self) -> None: ...

    @transition(
        field=state,
        source=SupportPlanState.GOVERNMENT_REVIEW,
        target=SupportPlanState.REJECTED,
        permission=access.can_decide,
        custom=declare(
            _("Reject"),
            input="cases.inputs.ReasonInput",
            effect=f"{EFFECTS}.reject",
            notify=Notice("support_plan_decided", (CITY_OFFICERS, FINANCE)),
        ),
    )
    def reject(self) -> None: ...

    @transition(
        field=state,
        source=SupportPlanState.IMPLEMENTING,
        target=SupportPlanState.IMPLEMENTING,
        permission=access.can_work,
        custom=declare(
            _("Record a disbursement"),
            input=f"{INPUTS}.DisbursementInput",
            effect=f"{EFFECTS}.record_disbursement",
            notify=Notice("support_plan_disbursed", (FINANCE, LEAD_UNIT)),
        ),
    )
    def record_disbursement(self) -> None: ...

    @transition(
        field=state,
        source=SupportPlanState.IMPLEMENTING,
        target=SupportPlanState.COMPLETED,
        permission=access.can_work,
        custom=declare(
            _("Complete"),
            effect=f"{EFFECTS}.complete",
            notify=Notice("support_plan_decided", (FINANCE, GOVERNMENT_LEADERS, LEAD_UNIT)),
        ),
    )
    def complete(self) -> None: ...


class Disbursement(models.Model):
    """One payment made under an approved plan (recorded by the city officer)."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="disbursements")
    amount_cny = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.amount_cny} on {self.date} (plan #{self.plan_id})"


class SupportPlanUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(SupportPlan, on_delete=models.CASCADE)


class SupportPlanGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(SupportPlan, on_delete=models.CASCADE)
