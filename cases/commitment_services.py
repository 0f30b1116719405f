"""Every write to a commitment application (§6). `commitment_transition` is the one place its state changes."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, can_proceed

from cases import access, commitment_selectors, policy
from cases.errors import Bilingual, Conflict, Invalid, NotFound, NotPermitted
from cases.forms import COMMITMENT_FORMS, CommitmentForm
from cases.models import Breach, CommitmentApplication, CommitmentStandard, CommitmentState, Lead
from cases.services import official_language
from workflow import locks, registry
from workflow import services as engine
from workflow.models import OrgUnit, PilotZone, Role

INSPECTION = "commitment_inspection"
RECTIFICATION = "commitment_rectification"
# API names to the machine's method names (`return` is a Python keyword)
METHODS = {"return": "return_"}
TRANSITIONS = {
    t.name: t
    for t in CommitmentApplication._meta.get_field("state").get_all_transitions(CommitmentApplication)  # type: ignore[union-attr]
}


@official_language
def commitment_create(
    *, actor: Any, data: Mapping[str, Any], now: datetime | None = None
) -> CommitmentApplication:
    """Register a draft application for a unit the actor is an officer of. Refuses, with the reason,
    anything §6 does not allow and an enterprise still barred by a breach."""
    now = now or timezone.now()
    form = CommitmentForm(data)
    if not form.is_valid():
        raise Invalid(_("Some fields are missing or wrong."), errors=form.errors.get_json_data())
    d = form.cleaned_data
    unit = OrgUnit.objects.filter(code=d["unit"]).first()
    zone = PilotZone.objects.filter(slug=d["zone"]).first()
    if unit is None or zone is None:
        raise Invalid(_("Unknown unit or pilot zone."), code="unknown_unit")
    if not access.holds_role(unit, actor, Role.OFFICER):
        raise NotPermitted(_("Only an officer of the handling unit can register its applications."))
    decision = _eligibility(d, zone, unit)
    _refuse_barred(credit_code=d["credit_code"], now=now)
    lead = Lead.objects.filter(pk=d["lead"]).first() if d["lead"] else None
    with transaction.atomic():
        application = CommitmentApplication.objects.create(
            **{k: d[k] for k in ("project_name", "company_name", "credit_code", "project_type")},
            **{k: d[k] for k in ("investment_nature", "land_supply", "industrial_content")},
            zone=zone,
            unit=unit,
            lead=lead,
            eligibility_reason=decision.reason,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        engine.grants_sync(
            obj=application,
            desired={
                (unit.pk, Role.OFFICER): {"view_commitmentapplication", "work_commitment"},
                (unit.pk, Role.LEADER): {"view_commitmentapplication", "approve_commitment"},
            },
        )
    return application


def _eligibility(d: dict, zone: PilotZone, unit: OrgUnit) -> policy.Decision:
    facts = {
        "zone": zone.slug,
        "unit_in_zone": zone.units.filter(pk=unit.pk).exists(),
        **{k: d[k] for k in ("project_type", "industrial_content", "investment_nature", "land_supply")},
    }
    decision = policy.commitment_eligibility(**facts)
    if not decision.applies:
        # the refusal is worded again in whatever language it is read in
        raise Invalid(lazy(lambda: policy.commitment_eligibility(**facts).reason, str)(), code="ineligible")
    return decision


def _refuse_barred(*, credit_code: str, now: datetime) -> None:
    breach = commitment_selectors.breach_in_force(credit_code=credit_code, now=now)
    if breach is not None:
        raise Conflict(
            _(
                "This enterprise broke its commitments (application #%(id)s, %(date)s) and may not use the "
                "commitment route again before %(until)s."
            ),
            {
                "id": breach.application_id,
                "date": timezone.localtime(breach.at).date().isoformat(),
                "until": timezone.localtime(breach.barred_until).date().isoformat(),
            },
            code="breach_bar",
        )


@official_language
def standard_publish(
    *, actor: Any, zone_slug: str, items: list[str], now: datetime | None = None
) -> CommitmentStandard:
    """Publish a new version of a pilot zone's standards (city roles). Earlier versions stay as they were."""
    now = now or timezone.now()
    if not actor.has_perm("cases.add_commitmentstandard"):
        raise NotPermitted(_("Only the city maintains the commitment standards."))
    zone = PilotZone.objects.filter(slug=zone_slug).first()
    clean = (
        [str(i).strip() for i in items if isinstance(i, str) and i.strip()] if isinstance(items, list) else []
    )
    if zone is None or not clean:
        raise Invalid(_("Name a pilot zone and list at least one standard."))
    try:
        with transaction.atomic():
            latest = (
                CommitmentStandard.objects.select_for_update()
                .filter(zone=zone)
                .aggregate(v=Max("version"))["v"]
            )
            return CommitmentStandard.objects.create(
                zone=zone, version=(latest or 0) + 1, items=clean, created_by=actor, created_at=now
            )
    except IntegrityError as exc:
        raise Conflict(_("Someone published a version at the same moment; reload."), code="race") from exc


@official_language
def commitment_transition(
    *, application_id: int, name: str, actor: Any, params: Mapping[str, Any], now: datetime | None = None
) -> CommitmentApplication:
    """Fire transition `name` (API name) on the application as `actor`. All or nothing; the same
    status codes as leads."""
    method_name = METHODS.get(name, name)
    if name not in COMMITMENT_FORMS:
        raise NotFound(_("There is no action called %(name)s."), {"name": name})
    now = now or timezone.now()
    try:
        with transaction.atomic():
            app = _locked(application_id)
            if not access.can_view_commitment(app, actor):
                raise NotPermitted(_("You are not permitted to do this on this application."))
            if not can_proceed(getattr(app, method_name)):
                raise Conflict(
                    _("This is not possible while the application is “%(state)s”."),
                    {"state": CommitmentState(app.state).label},
                    code="wrong_state",
                )
            if not TRANSITIONS[method_name].has_perm(app, actor):
                raise NotPermitted(_("You are not permitted to do this on this application."))
            form = COMMITMENT_FORMS[name](params, now=now)
            if not form.is_valid():
                raise Invalid(_("Some parameters are missing or wrong."), errors=form.errors.get_json_data())
            source = app.state
            record, kwargs = EFFECTS[name](app, form.cleaned_data, now)
            getattr(app, method_name)(**kwargs)
            app.updated_at = now
            app.save()
            history = engine.history_record(
                subject=app, transition=name, source=source, target=app.state,
                actor_id=actor.pk, at=now, params=record["params"], rule=record["rule"],
            )  # fmt: skip
            registry.publish(
                registry.Event(
                    name=f"commitment.{name}",
                    subject_id=app.pk,
                    at=now,
                    actor_id=actor.pk,
                    data={"history_id": history.pk, "source": source, "target": app.state},
                )
            )
    except ConcurrentTransition as exc:
        raise Conflict(
            _("Someone else changed this application at the same moment; reload it."), code="race"
        ) from exc
    return app


def _locked(application_id: int) -> CommitmentApplication:
    try:
        return CommitmentApplication.objects.select_for_update().get(pk=application_id)
    except (CommitmentApplication.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such application.")) from exc


def _record(params: dict, rule: Any) -> dict:
    return {"params": params, "rule": str(rule)}


def _submit(app: CommitmentApplication, p: dict, now: datetime) -> tuple[dict, dict]:
    _refuse_barred(credit_code=app.credit_code, now=now)
    return _record({}, app.eligibility_reason), {}


def _approve(app: CommitmentApplication, p: dict, now: datetime) -> tuple[dict, dict]:
    standard = commitment_selectors.standard_current(zone=app.zone)
    if standard is None:
        raise Conflict(
            _("The city has not published commitment standards for %(zone)s yet."),
            {"zone": Bilingual(app.zone.name_zh, app.zone.name_en)},
            code="no_standard",
        )
    app.standard, app.commitments, app.approved_at = standard, p["commitments"], now
    _start_clock(
        app, INSPECTION, now, policy.COMMITMENT_INSPECTION_DAYS, policy.COMMITMENT_INSPECTION_WARNING_DAYS
    )
    rule = _(
        "§6: approved on the enterprise's commitment to %(zone)s standards v%(version)s; inspection due"
    ) % {
        "zone": app.zone.name_zh,
        "version": standard.version,
    }
    return _record({"commitments": p["commitments"], "standard_version": standard.version}, rule), {}


def _reject(app: CommitmentApplication, p: dict, now: datetime) -> tuple[dict, dict]:
    app.decision_reason = p["reason"]
    return _record({"reason": p["reason"]}, _("Rejected; the reason is recorded")), {}


def _return(app: CommitmentApplication, p: dict, now: datetime) -> tuple[dict, dict]:
    app.decision_reason = p["reason"]
    return _record({"reason": p["reason"]}, _("Returned to the unit for correction")), {}


def _inspect(app: CommitmentApplication, p: dict, now: datetime) -> tuple[dict, dict]:
    _stop_clock(app, now)
    app.findings = p["findings"]
    if p["result"] == "compliant":
        return _record(p, _("§6 supervision: every commitment met")), {"target": CommitmentState.COMPLIANT}
    _start_clock(
        app,
        RECTIFICATION,
        now,
        policy.COMMITMENT_RECTIFICATION_DAYS,
        policy.COMMITMENT_RECTIFICATION_WARNING_DAYS,
    )
    return _record(p, _("§6 supervision: rectification required by the deadline")), {
        "target": CommitmentState.RECTIFYING
    }


def _confirm_rectified(app: CommitmentApplication, p: dict, now: datetime) -> tuple[dict, dict]:
    _stop_clock(app, now)
    return _record({}, _("Rectification confirmed by the unit leader")), {}


def _revoke(app: CommitmentApplication, p: dict, now: datetime) -> tuple[dict, dict]:
    _stop_clock(app, now)
    until = now + timedelta(days=policy.COMMITMENT_BREACH_BAR_DAYS)
    Breach.objects.create(
        credit_code=app.credit_code, application=app, reason=p["reason"], at=now, barred_until=until
    )
    rule = _(
        "§6: approval revoked for breach; the enterprise is barred from the commitment route until %(until)s"
    )
    return _record(
        {"reason": p["reason"]}, rule % {"until": timezone.localtime(until).date().isoformat()}
    ), {}


EFFECTS = {
    "submit": _submit,
    "approve": _approve,
    "reject": _reject,
    "return": _return,
    "record_inspection": _inspect,
    "confirm_rectified": _confirm_rectified,
    "revoke": _revoke,
}


def _start_clock(
    app: CommitmentApplication, kind: str, now: datetime, days: int, warnings: tuple[int, ...]
) -> None:
    app.clock = engine.clock_start(
        kind=kind, subject=app, at=now, deadline=now + timedelta(days=days), warning_days=list(warnings)
    )


def _stop_clock(app: CommitmentApplication, now: datetime) -> None:
    if app.clock is not None:
        engine.clock_stop(clock=app.clock, at=now)


def commitment_lock_for_clock(subject_ids: list[int]) -> set[int]:
    return locks.lock_free(CommitmentApplication, subject_ids)


def commitment_clocks_due(events: list[registry.ClockEvent], now: datetime) -> None:
    """Inspections or rectifications due soon (warning) or overdue (escalated to the unit leader)."""
    for event in events:
        _commitment_clock_due(event, now)


def _commitment_clock_due(event: registry.ClockEvent, now: datetime) -> None:
    app = CommitmentApplication.objects.filter(pk=event.subject_id, clock_id=event.clock_id).first()
    if app is None or app.state not in (CommitmentState.APPROVED, CommitmentState.RECTIFYING):
        return
    registry.publish(
        registry.Event(
            name="commitment.clock_deadline" if event.is_deadline else "commitment.clock_warning",
            subject_id=app.pk,
            at=now,
            data={
                "clock_id": event.clock_id,
                "clock_kind": event.kind,
                "days": event.warning_days,
                "deadline_at": timezone.localtime(event.deadline_at).isoformat(),
            },
        )
    )
