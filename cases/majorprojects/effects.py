"""What a major project's transitions do besides moving the state (declared on
cases.majorprojects.models.MajorProject); run by the engine inside its transaction. Each decision is
written into the lead's history too, so the lead's timeline tells the whole story."""

from django.utils.translation import gettext_lazy as _

from cases.errors import Invalid
from cases.majorprojects import services
from workflow.engine import Step, each


@each
def change_steward(step: Step) -> None:
    project = step.case
    steward = services.steward_check(username=step.params["steward"])
    if steward.pk == project.steward_id:
        raise Invalid(
            _("%(name)s is the city steward already."),
            {"name": steward.username},
            code="same_steward",
            errors={"steward": [{"message": str(_("Name another city officer.")), "code": "same_steward"}]},
        )
    previous = project.steward
    project.steward = steward
    step.record = {"previous_steward": previous.username, "previous_steward_id": previous.pk}
    step.rule = str(_("§4: the city leaders named %(new)s city steward in place of %(old)s")) % {
        "new": steward.username,
        "old": previous.username,
    }
    _on_lead(
        step,
        "change_major_project_steward",
        {"steward": steward.username, "previous_steward": previous.username},
    )


@each
def end(step: Step) -> None:
    step.case.ended_reason = step.params["reason"]
    step.rule = str(_("The city leaders ended the city major project"))
    _on_lead(step, "end_major_project", {})


def _on_lead(step: Step, transition: str, params: dict) -> None:
    services.lead_history(
        project=step.case,
        transition=transition,
        actor=step.actor,
        now=step.now,
        params={"major_project": step.case.pk, "reason": step.params["reason"], **params},
        rule=step.rule,
    )
