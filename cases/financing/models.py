"""Financing needs and bank offers (融资需求, DESIGN §6b, measures §13 "融资服务对接平台").

A need is raised for a lead whose enterprise agreed to share it; once the unit publishes it, every
financial institution (level `bank`) sees a limited projection of it and may offer; the unit accepts
one offer or withdraws the need. The machine is declared here, once; the engine's runner fires it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.financing import access
from workflow.engine import Notice, declare
from workflow.models import OrgUnit

HERE = "cases.financing"

# audiences (cases.financing.machine)
BANK_OFFICERS = "bank_officers"
ACCEPTED_BANK = "accepted_bank"
UNIT_OFFICERS = "unit_officers"


class NeedState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published to banks")
    FINANCED = "financed", _("Financed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FinancingNeed(ConcurrentTransitionMixin, models.Model):
    """An enterprise's financing need, shared with banks with its consent (§13)."""

    lead = models.ForeignKey("cases.Lead", on_delete=models.PROTECT, related_name="financing_needs")
    # the lead's unit when the need was raised: its officers work the need, whatever the lead does later
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    consent = models.BooleanField(_("the enterprise consents to sharing"))
    consent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consent_at = models.DateTimeField()
    amount_cny = models.DecimalField(
        _("amount (yuan)"), max_digits=18, decimal_places=2, validators=[MinValueValidator(0)]
    )
    term_months = models.PositiveIntegerField(_("term (months)"))
    purpose = models.TextField(_("purpose"))

    state = FSMField(default=NeedState.DRAFT, choices=NeedState.choices, protected=True)
    published_at = models.DateTimeField(null=True, blank=True)
    accepted_offer = models.OneToOneField(
        "FinancingOffer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        permissions = [
            (access.WORK, "Publish, accept offers on and withdraw the financing need (unit officer)"),
            (access.OFFER, "Make offers on the published financing need (bank officer)"),
        ]
        indexes = [
            # the banks' marketplace and the unit's list: WHERE state = ? ORDER BY created_at DESC
            models.Index(fields=["state", "-created_at"], name="financingneed_state_idx"),
        ]

    def __str__(self) -> str:
        return f"financing need #{self.pk} (lead #{self.lead_id})"

    @transition(
        field=state,
        source=NeedState.DRAFT,
        target=NeedState.PUBLISHED,
        permission=access.can_work,
        custom=declare(
            _("Publish to banks"),
            effect=f"{HERE}.effects.publish",
            notify=Notice("financing_published", (BANK_OFFICERS,)),
        ),
    )
    def publish(self) -> None: ...

    @transition(
        field=state,
        source=NeedState.PUBLISHED,
        target=NeedState.PUBLISHED,
        permission=access.can_offer,
        custom=declare(
            _("Make an offer"),
            input=f"{HERE}.inputs.OfferInput",
            effect=f"{HERE}.effects.offer",
            notify=Notice("financing_offer", (UNIT_OFFICERS,)),
        ),
    )
    def offer(self) -> None: ...

    @transition(
        field=state,
        source=NeedState.PUBLISHED,
        target=NeedState.FINANCED,
        permission=access.can_work,
        custom=declare(
            _("Accept an offer"),
            input=f"{HERE}.inputs.AcceptInput",
            effect=f"{HERE}.effects.accept",
            notify=Notice("financing_accepted", (ACCEPTED_BANK,)),
        ),
    )
    def accept(self) -> None: ...

    @transition(
        field=state,
        source=[NeedState.DRAFT, NeedState.PUBLISHED],
        target=NeedState.WITHDRAWN,
        permission=access.can_work,
        custom=declare(_("Withdraw"), effect=f"{HERE}.effects.withdraw"),
    )
    def withdraw(self) -> None: ...


class FinancingOffer(models.Model):
    """A bank's offer on a published need (written by the `offer` self-loop)."""

    need = models.ForeignKey(FinancingNeed, on_delete=models.PROTECT, related_name="offers")
    bank = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    product = models.CharField(_("product"), max_length=200)
    amount_cny = models.DecimalField(
        _("amount (yuan)"), max_digits=18, decimal_places=2, validators=[MinValueValidator(0)]
    )
    rate_percent = models.DecimalField(
        _("annual rate (%)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    term_months = models.PositiveIntegerField(_("term (months)"))
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["made_at", "id"]
        indexes = [
            # the §13 report: offers of each bank made (or accepted) within a period
            models.Index(fields=["bank", "made_at"], name="financingoffer_bank_made_idx"),
            models.Index(fields=["bank", "accepted_at"], name="financingoffer_bank_acc_idx"),
        ]

    def __str__(self) -> str:
        return f"offer #{self.pk} by {self.bank_id} on need #{self.need_id}"


class FinancingNeedUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(FinancingNeed, on_delete=models.CASCADE)


class FinancingNeedGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(FinancingNeed, on_delete=models.CASCADE)
