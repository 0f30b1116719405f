"""What each service-request transition does besides moving the state (named by the declarations in
cases.servicerequests.models); run by the engine inside its transaction. The SLA ladder is the
engine's: `open` and `accepted` share one Wait, so accepting keeps it counting; a reopen starts anew."""

from django.utils.translation import gettext_lazy as _

from workflow.engine import Step, each


@each
def accept(step: Step) -> None:
    step.rule = str(_("§4 service package: the responsible unit took the request on; the SLA runs on"))


@each
def resolve(step: Step) -> None:
    step.case.answer = step.params["answer"]
    step.case.resolved_at = step.now
    step.rule = str(_("Answered by the responsible unit; the raiser confirms or reopens"))


@each
def decline(step: Step) -> None:
    step.case.reason = step.params["reason"]
    step.rule = str(_("Declined by the responsible unit; the reason is recorded"))


@each
def confirm(step: Step) -> None:
    step.rule = str(_("The raiser confirmed the answer"))


@each
def reopen(step: Step) -> None:
    step.case.reason = step.params["reason"]
    step.case.answer = ""
    step.case.resolved_at = None
    step.rule = str(_("Reopened by the raiser; a new SLA starts"))
