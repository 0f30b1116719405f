"""What each financing transition does besides moving the state (named by the declarations in
cases.financing.models); run by the engine inside its transaction."""

from django.utils.translation import gettext_lazy as _

from cases.errors import Invalid
from cases.financing.models import FinancingNeed, FinancingOffer
from workflow.engine import Step, each
from workflow.models import Level, OrgUnit


@each
def publish(step: Step) -> None:
    step.case.published_at = step.now
    step.rule = str(_("§13: shared with the financial institutions with the enterprise's consent"))


@each
def offer(step: Step) -> None:
    """The offer is the offering bank's: the one bank unit the actor is an officer of (the grant
    that let them fire says they are one)."""
    need: FinancingNeed = step.case
    bank = (
        OrgUnit.objects.filter(level=Level.BANK, memberships__user=step.actor, memberships__role="officer")
        .order_by("pk")
        .first()
    )
    if bank is None:  # the permission passed, so this cannot happen; never write an offer of nobody
        raise Invalid(_("Only an officer of a financial institution can make an offer."))
    made = FinancingOffer.objects.create(
        need=need, bank=bank, made_by=step.actor, made_at=step.now, **step.params
    )
    step.record |= {"offer_id": made.pk, "bank": bank.code}
    step.rule = str(_("§13: an offer by %(bank)s")) % {"bank": bank.name_zh}


@each
def accept(step: Step) -> None:
    need: FinancingNeed = step.case
    chosen = FinancingOffer.objects.filter(pk=step.params["offer"], need=need).select_related("bank").first()
    if chosen is None:
        raise Invalid(
            _("Offer #%(id)s is not an offer on this need."),
            {"id": step.params["offer"]},
            code="unknown_offer",
            errors={"offer": [{"message": "not an offer on this need", "code": "unknown_offer"}]},
        )
    chosen.accepted_at = step.now
    chosen.save(update_fields=["accepted_at"])
    need.accepted_offer = chosen
    step.record |= {"bank": chosen.bank.code, "bank_id": chosen.bank_id, "amount_cny": str(chosen.amount_cny)}
    step.rule = str(_("§13: financed by %(bank)s")) % {"bank": chosen.bank.name_zh}


@each
def withdraw(step: Step) -> None:
    step.rule = str(_("Withdrawn by the unit; the banks no longer see it unless they made an offer"))
