"""What each commitment transition does besides moving the state (named by the declarations in
cases.commitments.models); run by the engine inside its transaction."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import policy
from cases.commitments import selectors
from cases.commitments.models import Breach, CommitmentApplication, CommitmentState
from cases.commitments.services import INSPECTION, RECTIFICATION, refuse_barred
from cases.errors import Bilingual, Conflict
from cases.parameters.selectors import parameters_at
from workflow import services as engine
from workflow.engine import Step, each


@each
def submit(step: Step) -> None:
    refuse_barred(credit_code=step.case.credit_code, now=step.now)
    step.rule = step.case.eligibility_reason


@each
def approve(step: Step) -> None:
    app = step.case
    standard = selectors.standard_current(zone=app.zone)
    if standard is None:
        raise Conflict(
            _("The city has not published commitment standards for %(zone)s yet."),
            {"zone": Bilingual(app.zone.name_zh, app.zone.name_en)},
            code="no_standard",
        )
    app.standard, app.commitments, app.approved_at = standard, step.params["commitments"], step.now
    _start_clock(step, INSPECTION, "inspection_days", policy.COMMITMENT_INSPECTION_WARNING_DAYS)
    step.record["standard_version"] = standard.version
    step.rule = str(
        _("§6: approved on the enterprise's commitment to %(zone)s standards v%(version)s; inspection due")
    ) % {"zone": app.zone.name_zh, "version": standard.version}


@each
def reject(step: Step) -> None:
    step.case.decision_reason = step.params["reason"]
    step.rule = str(_("Rejected; the reason is recorded"))


@each
def return_(step: Step) -> None:
    step.case.decision_reason = step.params["reason"]
    step.rule = str(_("Returned to the unit for correction"))


@each
def record_inspection(step: Step) -> None:
    _stop_clock(step)
    step.case.findings = step.params["findings"]
    if step.params["result"] == "compliant":
        step.target_kwargs = {"target": CommitmentState.COMPLIANT}
        step.rule = str(_("§6 supervision: every commitment met"))
        return
    _start_clock(step, RECTIFICATION, "rectification_days", policy.COMMITMENT_RECTIFICATION_WARNING_DAYS)
    step.target_kwargs = {"target": CommitmentState.RECTIFYING}
    step.rule = str(_("§6 supervision: rectification required by the deadline"))


@each
def confirm_rectified(step: Step) -> None:
    _stop_clock(step)
    step.rule = str(_("Rectification confirmed by the unit leader"))


@each
def revoke(step: Step) -> None:
    app = step.case
    _stop_clock(step)
    until = step.now + timedelta(days=policy.COMMITMENT_BREACH_BAR_DAYS)
    Breach.objects.create(
        credit_code=app.credit_code,
        application=app,
        reason=step.params["reason"],
        at=step.now,
        barred_until=until,
    )
    step.rule = str(
        _(
            "§6: approval revoked for breach; the enterprise is barred from the commitment route until %(until)s"
        )
    ) % {"until": timezone.localtime(until).date().isoformat()}


def _start_clock(step: Step, kind: str, parameter: str, warnings: tuple[int, ...]) -> None:
    """Start the inspection or rectification clock with the days of the policy parameters in force
    now (`parameter` names which); the clock keeps that version."""
    app: CommitmentApplication = step.case
    p = parameters_at(when=step.now)
    app.clock = engine.clock_start(
        kind=kind,
        subject=app,
        at=step.now,
        deadline=step.now + timedelta(days=getattr(p, parameter)),
        warning_days=list(warnings),
        policy_version=p.version,
    )


def _stop_clock(step: Step) -> None:
    if step.case.clock is not None:
        engine.clock_stop(clock=step.case.clock, at=step.now)
