"""What each §15 reward transition does besides moving the state (declared on RewardCase)."""

from django.utils.translation import gettext_lazy as _

from workflow.engine import Step, each

RULE = _("§15 agency reward")


@each
def approve(step: Step) -> None:
    step.case.amount_cny, step.case.decided_at = step.params["amount_cny"], step.now
    step.rule = str(RULE)


@each
def reject(step: Step) -> None:
    step.case.decision_reason, step.case.decided_at = step.params["reason"], step.now
    step.rule = str(RULE)


@each
def pay(step: Step) -> None:
    step.case.paid_at = step.now
    step.rule = str(RULE)
