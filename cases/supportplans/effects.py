"""What each support-plan transition does besides moving the state (named by the declarations in
cases.supportplans.models); run by the engine inside its transaction, the plan's row locked."""

from django.utils.translation import gettext_lazy as _

from cases.errors import Conflict
from cases.supportplans import services
from cases.supportplans.models import Disbursement, SupportPlan
from workflow.engine import Step, each


@each
def submit(step: Step) -> None:
    services.refuse_unless_major(step.case.lead)
    plan: SupportPlan = step.case
    plan.reached_finance_at = plan.reached_finance_at or step.now
    step.rule = str(
        _("§10: drafted by the city's industry department, sent to the finance bureau to co-sign")
    )


@each
def cosign(step: Step) -> None:
    services.refuse_unless_major(step.case.lead)
    plan: SupportPlan = step.case
    plan.finance_opinion = step.params["opinion"]
    plan.reached_government_at = plan.reached_government_at or step.now
    step.rule = str(_("§10: co-signed by the finance bureau, sent to the city government for approval"))


@each
def return_(step: Step) -> None:
    step.case.decision_reason = step.params["reason"]
    step.rule = str(_("Returned to the city officers for revision"))


@each
def approve(step: Step) -> None:
    services.refuse_unless_major(step.case.lead)
    step.case.approved_at = step.now
    step.rule = str(_("§10: approved by the city government (一事一议)"))


@each
def reject(step: Step) -> None:
    step.case.decision_reason = step.params["reason"]
    step.rule = str(_("Rejected by the city government; the reason is recorded"))


@each
def record_disbursement(step: Step) -> None:
    """Pay out under the plan, never beyond the approved amount. The engine holds the plan's row
    lock, so two disbursements at once add up one after the other against the same total."""
    plan: SupportPlan = step.case
    services.refuse_unless_major(plan.lead)
    amount = step.params["amount_cny"]
    if plan.disbursed_cny + amount > plan.amount_cny:
        raise Conflict(
            _(
                "This payment of %(amount)s would take the disbursements beyond the approved %(approved)s "
                "(%(remaining)s remain)."
            ),
            {"amount": amount, "approved": plan.amount_cny, "remaining": plan.remaining_cny},
            code="over_approved",
        )
    row = Disbursement.objects.create(
        plan=plan,
        amount_cny=amount,
        date=step.params["date"],
        note=step.params["note"],
        recorded_by=step.actor,
        recorded_at=step.now,
    )
    plan.disbursed_cny += amount
    step.record.update({"disbursement_id": row.pk, "disbursed_cny": str(plan.disbursed_cny)})
    step.rule = str(_("Disbursement recorded: %(total)s of %(approved)s paid")) % {
        "total": plan.disbursed_cny,
        "approved": plan.amount_cny,
    }


@each
def complete(step: Step) -> None:
    plan: SupportPlan = step.case
    step.record["disbursed_cny"] = str(plan.disbursed_cny)
    step.rule = str(_("Implementation completed: %(total)s of %(approved)s paid")) % {
        "total": plan.disbursed_cny,
        "approved": plan.amount_cny,
    }
