"""Every write to a lead. `lead_transition` is the one place a lead changes state.

In one transaction it locks the lead, checks who is acting and the machine, validates the
parameters, applies the effects (unit, clock, exclusions, credits, landing facts), writes the
history row, re-syncs the guardian grants and publishes the event that notifications turn into
inbox rows. Any error rolls all of it back.
"""

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, can_proceed

from cases import access, policy, selectors
from cases.errors import Bilingual, Conflict, Invalid, NotFound, NotPermitted
from cases.forms import TRANSITION_FORMS, LeadForm
from cases.models import (
    TRANSITION_LABELS,
    Credit,
    Exclusion,
    Lead,
    Milestone,
    Referrer,
    RewardCase,
    Source,
    State,
)
from workflow import clockmath, locks, registry
from workflow import services as engine
from workflow.models import Level, OrgUnit, Role

T = TypeVar("T")
CLOCK_KIND = "lead_no_progress"
# States in which the assigned unit works the lead (its officers work, its leader approves).
ASSIGNED_STATES = (State.NEGOTIATING, State.PROGRESS_REVIEW, State.PUSH_REQUESTED, State.PROGRESSING)
BOTH_ROLES = (Role.OFFICER, Role.LEADER)


# --- registration -----------------------------------------------------------------------------


# Records (rules applied, reasons, history) are official texts: always written in the product's
# default language, whatever language the person acting reads. Errors stay lazy, in theirs.
def official_language(func: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with translation.override(settings.LANGUAGE_CODE):  # a new override per call: thread-safe
            return func(*args, **kwargs)

    return wrapper


@official_language
def lead_create(*, actor: Any, data: Mapping[str, Any], now: datetime | None = None) -> Lead:
    """Register a lead in `draft` for the actor's unit. Refuses a company that has an open lead."""
    now = now or timezone.now()
    d, unit = lead_check(actor=actor, data=data)
    decision = policy.first_negotiation(
        total_investment_cny=d["total_investment_cny"], strategic=d["strategic"]
    )
    try:
        with transaction.atomic():
            referrer = None
            if d["referrer"]:
                referrer, _created = Referrer.objects.get_or_create(
                    name=d["referrer"], kind=d["referrer_kind"]
                )
            lead = Lead.objects.create(
                **{
                    k: d[k] for k in ("name", "company_name", "credit_code", "sector", "total_investment_cny")
                },
                **{k: d[k] for k in ("strategic", "source", "contacts", "notes")},
                foreign_investment_usd=d["foreign_investment_usd"],
                land_need_mu=d["land_need_mu"],
                referrer=referrer,
                discovering_unit=unit,
                first_negotiation=decision.applies,
                first_negotiation_reason=decision.reason,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            _sync_grants(lead)
    except IntegrityError as exc:  # the partial unique index lost a race to a simultaneous registration
        _refuse_duplicate(credit_code=d["credit_code"])
        raise Conflict(_("The lead could not be saved; please try again.")) from exc
    return lead


def lead_check(*, actor: Any, data: Mapping[str, Any]) -> tuple[dict[str, Any], OrgUnit]:
    """Every check of a registration short of saving it (the bulk import checks each row with it):
    fields, the registering unit, and that the company has no open lead. Returns the clean data."""
    form = LeadForm(data)
    if not form.is_valid():
        raise Invalid(_("Some fields are missing or wrong."), errors=form.errors.get_json_data())
    d = form.cleaned_data
    unit = _registering_unit(actor=actor, code=d["discovering_unit"], source=d["source"])
    _refuse_duplicate(credit_code=d["credit_code"])
    return d, unit


def _registering_unit(*, actor: Any, code: str, source: str) -> OrgUnit:
    units = OrgUnit.objects.filter(memberships__user=actor, memberships__role=Role.OFFICER).distinct()
    if code:
        units = units.filter(code=code)
    units = list(units[:2])
    if not units:
        raise NotPermitted(_("Only an officer of a unit can register leads (for the unit given)."))
    if len(units) > 1:
        raise Invalid(_("You are an officer in several units: say which one discovered the lead."))
    unit = units[0]
    if source == Source.DISTRICT and unit.level == Level.CITY:
        raise Invalid(_("A lead from a district source must be registered by a district or zone."))
    if source == Source.CITY and unit.level != Level.CITY:
        raise Invalid(_("Only the city registers city-discovered leads."))
    return unit


def _name(unit: OrgUnit) -> Bilingual:
    return Bilingual(unit.name_zh, unit.name_en)


def _refuse_duplicate(*, credit_code: str, exclude_pk: int | None = None) -> None:
    first = selectors.lead_open_duplicate(credit_code=credit_code)
    if first is not None and first.pk != exclude_pk:
        raise Conflict(
            _(
                "This company (credit code %(code)s) already has an open lead, registered by %(unit)s "
                "on %(date)s (lead #%(id)s). Ask the city to merge or close it instead of registering again."
            ),
            {
                "code": credit_code,
                "unit": _name(first.discovering_unit),
                "date": date_format(timezone.localtime(first.created_at), "Y-m-d"),
                "id": first.pk,
            },
            code="duplicate",
        )


# --- transitions ------------------------------------------------------------------------------


@dataclass
class Step:
    """What one transition is doing, handed from the checks to the effects to the history."""

    lead: Lead
    actor: Any | None
    now: datetime
    params: dict[str, Any]
    rule: str = ""
    record: dict[str, Any] = field(default_factory=dict)
    target_kwargs: dict[str, Any] = field(default_factory=dict)


Effect = Callable[[Step], None]
TRANSITIONS = {t.name: t for t in Lead._meta.get_field("state").get_all_transitions(Lead)}  # type: ignore[union-attr]


@official_language
def lead_transition(
    *, lead_id: int, name: str, actor: Any | None, params: Mapping[str, Any], now: datetime | None = None
) -> Lead:
    """Fire transition `name` on the lead as `actor` (None: the system). All or nothing.

    Raises NotFound (no such lead or transition), NotPermitted (403), Conflict (409: wrong state,
    excluded unit, duplicate, lost a race) or Invalid (400: bad parameters).
    """
    if name not in TRANSITIONS:
        raise NotFound(_("There is no action called %(name)s."), {"name": name})
    now = now or timezone.now()
    try:
        with transaction.atomic():
            lead = _locked_lead(lead_id)
            _check_actor(lead, name, actor)
            if name == "escalate":  # the system's transition, built for due-work chunks
                return leads_escalate(lead_ids=[lead.pk], now=now)[0]
            step = Step(lead=lead, actor=actor, now=now, params=_parse(name, params, now))
            source = lead.state
            EFFECTS[name](step)
            getattr(lead, name)(**step.target_kwargs)
            lead.updated_at = now
            lead.save()
            record = engine.history_record(
                subject=lead,
                transition=name,
                source=source,
                target=lead.state,
                actor_id=getattr(actor, "pk", None),
                at=now,
                params={**_jsonable(step.params), **step.record},
                rule=step.rule,
            )
            _sync_grants(lead)
            registry.publish(
                registry.Event(
                    name=f"lead.{name}",
                    subject_id=lead.pk,
                    at=now,
                    actor_id=getattr(actor, "pk", None),
                    data={"history_id": record.pk, "source": source, "target": lead.state, **step.record},
                )
            )
    except ConcurrentTransition as exc:
        raise Conflict(
            _("Someone else changed this lead at the same moment; reload it."), code="race"
        ) from exc
    except IntegrityError as exc:
        raise Conflict(
            _("The change conflicts with another record; reload the lead."), code="integrity"
        ) from exc
    return lead


def _locked_lead(lead_id: int) -> Lead:
    try:
        return Lead.objects.select_for_update().get(pk=lead_id)
    except (Lead.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such lead.")) from exc


def _check_actor(lead: Lead, name: str, actor: Any | None) -> None:
    """Who may act, in the order that gives the most useful answer.

    A person who may not see the lead is refused outright (403). Otherwise a state that does not
    allow the transition is a conflict (409: "already submitted" beats "not yours any more"),
    and only then is the person's right to fire it checked (403).
    """
    if actor is None and name != "escalate":
        raise NotPermitted(_("Only a person can do this."))
    if actor is not None and not access.can_view(lead, actor):
        raise NotPermitted(_("You are not permitted to do this on this lead."))
    if not can_proceed(getattr(lead, name)):
        raise Conflict(
            _("“%(action)s” is not possible while the lead is “%(state)s”."),
            {"action": TRANSITION_LABELS[name], "state": State(lead.state).label},
            code="wrong_state",
        )
    if actor is not None and not TRANSITIONS[name].has_perm(lead, actor):
        raise NotPermitted(_("You are not permitted to do this on this lead."))


def _parse(name: str, params: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    form = TRANSITION_FORMS[name](params, now=now)
    if not form.is_valid():
        raise Invalid(_("Some parameters are missing or wrong."), errors=form.errors.get_json_data())
    return dict(form.cleaned_data)


def _iso(moment: datetime) -> str:
    """History and events read in Beijing time, as people wrote them."""
    return timezone.localtime(moment).isoformat()


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (str(v) if isinstance(v, Decimal) or hasattr(v, "isoformat") else v) for k, v in params.items()
    }


# --- effects, one per transition ---------------------------------------------------------------


def _submit(step: Step) -> None:
    lead = step.lead
    _refuse_duplicate(credit_code=lead.credit_code, exclude_pk=lead.pk)
    target = policy.submit_target(source=lead.source, first_negotiation_applies=lead.first_negotiation)
    step.target_kwargs = {"target": target}
    step.rule = f"{lead.first_negotiation_reason}; source={lead.source} → {target}"
    step.record = {"first_negotiation": lead.first_negotiation}
    if target == State.NEGOTIATING:  # a district's lead below the threshold: it simply keeps it
        lead.unit = lead.discovering_unit


def _confirm(step: Step) -> None:
    lead = step.lead
    _give_first_negotiation(step, lead.discovering_unit)
    step.rule = str(_("§5: the city confirmed the discovering unit as the first-negotiation unit"))


def _decline(step: Step) -> None:
    step.rule = str(_("§5: the city declined the claim and will choose the landing unit"))


def _assign(step: Step) -> None:
    unit = _target_unit(step)
    _give_first_negotiation(step, unit)
    step.rule = str(_("§5: the city chose the priority landing unit"))


def _reassign(step: Step) -> None:
    unit = _target_unit(step)
    step.lead.unit = unit
    _start_clock(step)
    step.rule = str(
        _("§5: the city chose another landing unit after the deadline passed; a new 3-month clock")
    )


def _give_first_negotiation(step: Step, unit: OrgUnit) -> None:
    lead = step.lead
    lead.unit = lead.first_negotiation_unit = unit
    lead.first_negotiation_confirmed_at = step.now
    step.record["unit"] = unit.code
    _start_clock(step)


def _start_clock(step: Step) -> None:
    lead = step.lead
    if not lead.first_negotiation:
        return  # only first-negotiation leads are protected and timed (§5)
    lead.clock = engine.clock_start(
        kind=CLOCK_KIND,
        subject=lead,
        at=step.now,
        deadline=clockmath.add_calendar_months(step.now, policy.NO_PROGRESS_PERIOD_MONTHS),
        warning_days=list(policy.NO_PROGRESS_WARNING_DAYS),
    )
    step.record["deadline_at"] = _iso(lead.clock.deadline_at)


def _target_unit(step: Step) -> OrgUnit:
    code = step.params["unit"]
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise Invalid(_("There is no unit with the code %(code)s."), {"code": code}, code="unknown_unit")
    if not unit.hosts_leads:
        raise Invalid(_("%(unit)s does not host leads; choose a district or zone."), {"unit": _name(unit)})
    exclusion = Exclusion.objects.filter(lead=step.lead, unit=unit).first()
    if exclusion is not None:
        raise Conflict(
            _("%(unit)s may not take this lead again: %(reason)s."),
            {"unit": _name(unit), "reason": Exclusion.Reason(exclusion.reason).label},
            code="excluded_unit",
        )
    step.lead.unit = unit
    step.record["unit"] = unit.code
    return unit


def _report_progress(step: Step) -> None:
    lead, p = step.lead, step.params
    Milestone.objects.create(
        lead=lead,
        unit=lead.unit,
        kind=p["milestone"],
        date=p["date"],
        evidence=p["evidence"],
        reported_by=step.actor,
        reported_at=step.now,
    )
    _pause(step, "progress_review")
    step.rule = str(
        _("Substantive milestone reported: %(kind)s; the clock pauses for the leader's review")
    ) % {"kind": policy.MILESTONE_KINDS[p["milestone"]]}


def _decide_milestone(step: Step, status: str) -> None:
    Milestone.objects.filter(lead=step.lead, status=Milestone.Status.PENDING).update(
        status=status, decided_at=step.now, decision_reason=step.params.get("reason", "")
    )


def _approve_progress(step: Step) -> None:
    _decide_milestone(step, Milestone.Status.APPROVED)
    step.lead.progressed_at = step.now
    _stop(step)
    step.rule = str(_("§5: substantive progress approved by the unit leader; the clock has stopped for good"))


def _reject_progress(step: Step) -> None:
    _decide_milestone(step, Milestone.Status.REJECTED)
    _resume(step)
    step.rule = str(_("Not substantive progress; the clock resumes"))


def _request_push(step: Step) -> None:
    _pause(step, "push_requested")
    step.rule = str(_("§5: the unit pushes the lead to the city: %(reason)s")) % {
        "reason": policy.PUSH_REASONS[step.params["reason"]]
    }


def _confirm_push(step: Step) -> None:
    lead = step.lead
    pusher = lead.unit
    Credit.objects.create(lead=lead, unit=pusher, kind=Credit.Kind.REFERRAL, at=step.now)
    Exclusion.objects.create(lead=lead, unit=pusher, reason=Exclusion.Reason.PUSHED, at=step.now)
    _stop(step)
    lead.unit = None
    step.record["pushing_unit"] = pusher.code
    step.rule = str(
        _("§5: push confirmed; it counts as the pushing unit's result (视同该区项目谋划引进成果)")
    )


def _reject_push(step: Step) -> None:
    _resume(step)
    step.rule = str(_("The city kept the lead with the unit; the clock resumes"))


@official_language
@transaction.atomic
def leads_escalate(*, lead_ids: list[int], now: datetime) -> list[Lead]:
    """`escalate` (§5: the deadline passed without substantive progress) on many leads at once.

    The same steps as lead_transition — lock, the machine's check, the effects, history, grants,
    the events — each taken for all the leads together, so a due-work chunk of a hundred
    escalations costs a few dozen statements. Leads the machine refuses are left out; returns
    the escalated ones. lead_transition("escalate") comes here too: there is one escalation.
    """
    leads = [
        lead
        for lead in Lead.objects.select_for_update(of=("self",))
        .select_related("unit", "clock")
        .filter(pk__in=lead_ids)
        .order_by("pk")
        if can_proceed(lead.escalate)
    ]
    if not leads:
        return []
    source = leads[0].state  # the machine lets escalate leave one state only
    rule = str(_("§5: 3 months of negotiation without substantive progress; the city coordinates"))
    exclusions, records = [], []
    for lead in leads:
        lost = lead.unit
        exclusions.append(Exclusion(lead=lead, unit=lost, reason=Exclusion.Reason.CLOCK_EXPIRED, at=now))
        records.append(
            {"lost_unit": lost.code, "deadline_at": _iso(lead.clock.deadline_at), "fired_at": _iso(now)}
        )
        lead.escalate()
        lead.unit, lead.updated_at = None, now
    Exclusion.objects.bulk_create(exclusions)
    # the rows are locked and the machine moved every one of them to the same state
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(
        state=leads[0].state, unit=None, updated_at=now
    )
    history = engine.history_records(
        [
            {
                "subject": lead,
                "transition": "escalate",
                "source": source,
                "target": lead.state,
                "actor_id": None,
                "at": now,
                "params": record,
                "rule": rule,
            }
            for lead, record in zip(leads, records, strict=True)
        ]  # fmt: skip
    )
    _sync_grants(*leads)
    registry.publish_many(
        [
            registry.Event(
                name="lead.escalate",
                subject_id=lead.pk,
                at=now,
                data={"history_id": h.pk, "source": source, "target": lead.state, **record},
            )
            for lead, h, record in zip(leads, history, records, strict=True)
        ]
    )
    return leads


def _land(step: Step) -> None:
    lead, p = step.lead, step.params
    lead.landed_on = p["landed_on"]
    lead.paid_in_capital_cny = p["paid_in_capital_cny"]
    lead.actual_fdi_usd = p["actual_fdi_usd"] or Decimal(0)
    decision = policy.reward_qualification(
        first_negotiation_confirmed=lead.first_negotiation
        and lead.first_negotiation_confirmed_at is not None,
        agency_served=lead.referrer is not None and lead.referrer.kind == Referrer.Kind.AGENCY,
        paid_in_capital_cny=lead.paid_in_capital_cny,
        actual_fdi_usd=lead.actual_fdi_usd,
    )
    lead.reward_qualifies, lead.reward_reason = decision.applies, decision.reason
    Credit.objects.create(lead=lead, unit=lead.unit, kind=Credit.Kind.LANDING, at=step.now)
    if decision.applies:  # §15: the landing unit decides the agency's reward; the facts are frozen now
        RewardCase.objects.create(
            lead=lead,
            unit=lead.unit,
            agency=lead.referrer,
            amount_cny=policy.REWARD_MIN_AMOUNT_CNY,
            facts={
                "landed_on": str(lead.landed_on),
                "paid_in_capital_cny": str(lead.paid_in_capital_cny),
                "actual_fdi_usd": str(lead.actual_fdi_usd),
                "first_negotiation_unit": lead.first_negotiation_unit.code,
                "rule": decision.reason,
            },
            opened_at=step.now,
        )
    step.record["reward_qualifies"] = decision.applies
    step.rule = decision.reason


def _close(step: Step) -> None:
    step.lead.closed_reason = step.params["reason"]
    _stop(step)
    step.rule = str(_("Closed; the reason is recorded"))


def _pause(step: Step, reason: str) -> None:
    if step.lead.clock is not None:
        engine.clock_pause(clock=step.lead.clock, at=step.now, reason=reason)


def _resume(step: Step) -> None:
    if step.lead.clock is not None:
        engine.clock_resume(clock=step.lead.clock, at=step.now)


def _stop(step: Step) -> None:
    if step.lead.clock is not None:
        engine.clock_stop(clock=step.lead.clock, at=step.now)


EFFECTS: dict[str, Effect] = {
    "submit": _submit,
    "confirm": _confirm,
    "decline": _decline,
    "assign": _assign,
    "report_progress": _report_progress,
    "approve_progress": _approve_progress,
    "reject_progress": _reject_progress,
    "request_push": _request_push,
    "confirm_push": _confirm_push,
    "reject_push": _reject_push,
    "reassign": _reassign,
    "land": _land,
    "close": _close,
}


# --- grants -----------------------------------------------------------------------------------


def _sync_grants(*leads: Lead) -> None:
    """Grant what each lead's state gives each unit (DESIGN §2), and nothing more.

    Every unit that ever held the lead keeps `view` (the discoverer, the current unit, units that
    pushed or lost it). The discoverer works a draft; the assigned unit works an active lead.
    """
    excluded: dict[int, set[int]] = {lead.pk: set() for lead in leads}
    for lead_id, unit_id in Exclusion.objects.filter(lead__in=leads).values_list("lead_id", "unit_id"):
        excluded[lead_id].add(unit_id)
    wanted = {}
    for lead in leads:
        viewers = {lead.discovering_unit_id, *excluded[lead.pk]}
        if lead.unit_id:
            viewers.add(lead.unit_id)
        desired: dict[tuple[int, str], set[str]] = {
            (u, r): {access.VIEW} for u in viewers for r in BOTH_ROLES
        }
        worker = lead.discovering_unit_id if lead.state == State.DRAFT else None
        if lead.state in ASSIGNED_STATES:
            worker = lead.unit_id
        if worker is not None:
            desired[(worker, Role.OFFICER)].add(access.WORK)
            desired[(worker, Role.LEADER)] |= {access.WORK, access.APPROVE}
        wanted[lead] = desired
    engine.grants_sync_many(wanted)


# --- the clock's handler ----------------------------------------------------------------------


def lead_lock_for_clock(subject_ids: list[int]) -> set[int]:
    """Lock the leads before their clocks (the order transitions use), skipping leads in use."""
    return locks.lock_free(Lead, subject_ids)


def lead_clocks_due(events: list[registry.ClockEvent], now: datetime) -> None:
    """Warnings and deadlines of leads' no-progress clocks came due (runs inside the claim)."""
    current = {
        pk: (clock_id, unit_id)
        for pk, clock_id, unit_id in Lead.objects.filter(
            pk__in=[e.subject_id for e in events], state=State.NEGOTIATING
        ).values_list("pk", "clock_id", "unit_id")
    }
    # a clock of a negotiation that has since ended has nothing to say
    events = [e for e in events if current.get(e.subject_id, (None,))[0] == e.clock_id]
    deadlines = [e.subject_id for e in events if e.is_deadline]
    if deadlines:
        leads_escalate(lead_ids=deadlines, now=now)
    registry.publish_many(
        [
            registry.Event(
                name="lead.clock_warning",
                subject_id=e.subject_id,
                at=now,
                data={
                    "clock_id": e.clock_id,
                    "days": e.warning_days,
                    "deadline_at": _iso(e.deadline_at),
                    "unit_id": current[e.subject_id][1],
                },
            )
            for e in events
            if not e.is_deadline
        ]
    )
