"""Outcomes of leads: the credit ledger (§5, §12, §16), §15 agency reward cases (a case type) and the
§16 annual targets the city sets per unit."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases import access
from cases.audiences import CITY_OFFICERS, UNIT_LEADERS
from cases.leads.models import Lead, Referrer
from workflow.engine import Notice, declare
from workflow.models import OrgUnit

EFFECTS = "cases.outcomes.effects"
INPUTS = "cases.outcomes.inputs"


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
        return f"{self.kind} {getattr(self.unit, 'code', '-')} #{self.lead_id}"


class Target(models.Model):
    """§16 "建立项目落地考核激励机制": what the city expects a unit to land in a calendar year, set by
    the city's leaders; the assessment shows each figure beside its target with the completion ratio."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1900), MaxValueValidator(2100)])
    leads_landed = models.PositiveIntegerField()
    investment_landed_cny = models.DecimalField(max_digits=18, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "unit_id"]
        constraints = [
            # its index, (year, unit), also serves GET /api/targets/?year= and the KPIs' WHERE year = ?
            models.UniqueConstraint(fields=["year", "unit"], name="target_once_per_unit_year"),
            models.CheckConstraint(
                condition=models.Q(investment_landed_cny__gte=0), name="target_investment_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit.code}: {self.leads_landed}, {self.investment_landed_cny}"


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
        field=state,
        source=RewardState.OPEN,
        target=RewardState.APPROVED,
        permission=access.can_decide_reward,
        custom=declare(
            _("Approve the reward"),
            input=f"{INPUTS}.RewardApproveInput",
            effect=f"{EFFECTS}.approve",
            notify=Notice("reward_decided", (CITY_OFFICERS,)),
        ),
    )
    def approve(self) -> None: ...

    @transition(
        field=state,
        source=RewardState.OPEN,
        target=RewardState.REJECTED,
        permission=access.can_decide_reward,
        custom=declare(
            _("Reject the reward"),
            input="cases.inputs.ReasonInput",
            effect=f"{EFFECTS}.reject",
            notify=Notice("reward_decided", (CITY_OFFICERS,)),
        ),
    )
    def reject(self) -> None: ...

    @transition(
        field=state,
        source=RewardState.APPROVED,
        target=RewardState.PAID,
        permission=access.can_decide_reward,
        custom=declare(
            _("Mark as paid"),
            effect=f"{EFFECTS}.pay",
            notify=Notice("reward_paid", (CITY_OFFICERS, UNIT_LEADERS)),
        ),
    )
    def pay(self) -> None: ...
