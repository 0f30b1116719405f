"""What an admission support's transitions do besides moving the state (declared on
cases.admissions.models.AdmissionSupport); run by the engine inside its transaction."""

from django.utils.translation import gettext_lazy as _

from cases.admissions.services import refuse_closed_lead
from workflow.engine import Step, each


@each
def submit(step: Step) -> None:
    refuse_closed_lead(step.case.lead)
    step.rule = str(_("§14: %(unit)s asks the city to admit a supporting project of %(firm)s")) % {
        "unit": step.case.unit.name_zh,
        "firm": step.case.chain_leader,
    }


@each
def approve(step: Step) -> None:
    refuse_closed_lead(step.case.lead)
    _decided(step, "")
    step.rule = str(
        _("§14 一事一议: the city leaders admitted it; it counts as the §8 override for %(unit)s")
    ) % {"unit": step.case.unit.name_zh}


@each
def reject(step: Step) -> None:
    _decided(step, step.params["reason"])
    step.rule = str(_("§14: the city leaders did not admit it"))


def _decided(step: Step, reason: str) -> None:
    support = step.case
    support.decided_by, support.decided_at, support.decision_reason = step.actor, step.now, reason
