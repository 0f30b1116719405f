"""What each lead transition does besides moving the state (named by the declarations in
cases.leads.models). The runner calls them inside its transaction, after every check passed and
before the state, history, grants, ladder and events are written: an error here rolls it all back."""

from decimal import Decimal
from typing import Any

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access, policy
from cases.audiences import LOST_ASSIGNEE, LOST_UNIT_OFFICERS
from cases.errors import Bilingual, Conflict, Invalid, NotPermitted
from cases.leads import services
from cases.leads.inputs import CORRECTABLE
from cases.leads.machine import UNIT_MOVED
from cases.leads.models import Exclusion, Lead, Milestone, Referrer, State
from cases.outcomes.models import Credit, RewardCase
from cases.parameters.selectors import parameters_at
from workflow import absences
from workflow import services as engine
from workflow.engine import Notice, Step, each
from workflow.models import ClockStatus, Membership, OrgUnit


@each
def submit(step: Step) -> None:
    lead = step.case
    services.refuse_duplicate_of(lead)
    # routed by who discovered it, not by its source: a fund's tip a district took up is the district's
    found = lead.discovering_unit
    target = policy.submit_target(
        discovering_level=found.level, first_negotiation_applies=lead.first_negotiation
    )
    step.target_kwargs = {"target": target}
    step.rule = _rules(
        lead.first_negotiation_reason,
        str(_("discovered by %(unit)s (%(level)s), goes to: %(state)s"))
        % {"unit": found.name_zh, "level": found.get_level_display(), "state": State(target).label},
    )
    step.record = {"first_negotiation": lead.first_negotiation}
    if target == State.NEGOTIATING:  # a district's lead below the threshold: it simply keeps it
        lead.unit = lead.discovering_unit
        step.notice = None  # and the city has nothing to do


@each
def confirm(step: Step) -> None:
    ruling = _ruling(step)
    _give_first_negotiation(step, step.case.discovering_unit)
    step.rule = _rules(_("§5: the city confirmed the discovering unit as the first-negotiation unit"), ruling)


@each
def decline(step: Step) -> None:
    step.rule = _rules(_("§5: the city declined the claim and will choose the landing unit"), _ruling(step))
    _assignee_follows_unit(step, before=_home(step.case))  # the city pool: nobody of the claimant holds it


@each
def assign(step: Step) -> None:
    ruling = _ruling(step)
    before = _home(step.case)
    unit, override = _target_unit(step)
    _give_first_negotiation(step, unit, before=before)
    step.rule = _rules(_("§5: the city chose the priority landing unit"), override, ruling)


@each
def rule_strategic(step: Step) -> None:
    """§5: the city rules on the strategic flag later, with a reason. The lead stays where it is;
    its first-negotiation clock starts if it now qualifies and a unit holds it, and stops if it no
    longer qualifies."""
    ruling = _ruling(step, strategic=step.params["strategic"], reason=step.params["reason"])
    step.rule = _rules(ruling, _clock_follows_eligibility(step))


def _clock_follows_eligibility(step: Step) -> str:
    """After the eligibility changed (a ruling, a corrected amount): the first-negotiation clock
    starts if the lead now qualifies and a unit holds it, and stops if it no longer qualifies.
    Returns what happened, for the history ("" for nothing)."""
    lead = step.case
    live = lead.clock is not None and lead.clock.status in (ClockStatus.RUNNING, ClockStatus.PAUSED)
    if lead.first_negotiation and not live and lead.state in HELD:
        if lead.first_negotiation_unit is None:  # the ruling is the city's recognition of the unit (§15)
            lead.first_negotiation_unit, lead.first_negotiation_confirmed_at = lead.unit, step.now
            step.record["first_negotiation_unit"] = lead.unit.code
        _start_clock(step)
        if lead.state != State.NEGOTIATING:  # it waits on the leader or the city, as any clock would
            _pause(step, lead.state)
        return str(_("the no-progress clock starts"))
    if not lead.first_negotiation and live:
        _stop(step)
        step.record["clock_stopped"] = True
        return str(_("the no-progress clock stops"))
    return ""


# The states in which a unit holds the lead with its first-negotiation clock (running or paused).
HELD = (State.NEGOTIATING, State.PROGRESS_REVIEW, State.PUSH_REQUESTED)


def _ruling(step: Step, *, strategic: bool | None = None, reason: str = "") -> str:
    """The city's ruling on the strategic flag (§5), if the input carries one: the flag is set and
    eligibility re-run; the history records the proposal, the ruling and its outcome."""
    if strategic is None:
        strategic, reason = step.params.get("strategic"), step.params.get("strategic_reason", "")
    if strategic is None:
        return ""
    lead = step.case
    before = lead.strategic
    lead.strategic = strategic
    decision = policy.first_negotiation(total_investment_cny=lead.total_investment_cny, strategic=strategic)
    lead.first_negotiation, lead.first_negotiation_reason = decision.applies, decision.reason
    step.record.update(strategic_before=before, first_negotiation=decision.applies)
    said = _("The city ruled the lead strategic") if strategic else _("The city ruled the lead not strategic")
    return f"{said} ({reason}); {decision.reason}"


def _rules(*parts: Any) -> str:
    """The rules that applied, in order, as one history line."""
    return "; ".join(str(p) for p in parts if p)


@each
def reassign(step: Step) -> None:
    before = _home(step.case)
    _unit, override = _target_unit(step)
    _assignee_follows_unit(step, before=before)
    _start_clock(step)
    step.rule = _rules(
        _("§5: the city chose another landing unit after the deadline passed; a new 3-month clock"), override
    )


def _give_first_negotiation(step: Step, unit: OrgUnit, *, before: int | None = None) -> None:
    lead = step.case
    before = _home(lead) if before is None else before
    lead.unit = lead.first_negotiation_unit = unit
    lead.first_negotiation_confirmed_at = step.now
    step.record["unit"] = step.notice_params["unit"] = unit.code
    _assignee_follows_unit(step, before=before)
    _start_clock(step)


def _home(lead: Lead) -> int:
    """The unit whose people the lead belongs to: the one holding it, or the one that found it."""
    return lead.unit_id or lead.discovering_unit_id


def _assignee_follows_unit(step: Step, *, before: int) -> None:
    """The assignee is one of the unit's people (DESIGN §6a): when the lead leaves the unit, nobody
    holds it until the new unit's people take it. `before`: the lead's home unit before the move."""
    lead = step.case
    if _home(lead) != before:
        lead.__dict__[UNIT_MOVED] = True  # the cases that follow the lead's unit re-sync their grants
    if lead.assignee_id is None:
        return
    if (
        lead.unit_id is not None
        and Membership.objects.filter(user_id=lead.assignee_id, unit_id=lead.unit_id).exists()
    ):
        return
    step.record["assignee_released"] = lead.assignee.username
    lead.assignee = None


def _start_clock(step: Step) -> None:
    lead = step.case
    if not lead.first_negotiation:
        return  # only first-negotiation leads are protected and timed (§5)
    p = parameters_at(when=step.now)  # the clock keeps the version in force when it starts (§4)
    lead.clock = engine.clock_start(
        kind=services.CLOCK_KIND,
        subject=lead,
        at=step.now,
        months=p.no_progress_months,  # counted as the Civil Code counts periods (workflow.clockmath)
        warning_days=list(p.warning_days),
        policy_version=p.version,
    )
    step.record["deadline_at"] = services.iso(lead.clock.deadline_at)


def _target_unit(step: Step) -> tuple[OrgUnit, str]:
    """The unit the city chose, if the rules allow it, and the §8 override it needed (or "")."""
    code = step.params["unit"]
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise Invalid(_("There is no unit with the code %(code)s."), {"code": code}, code="unknown_unit")
    if not unit.hosts_leads:
        raise Invalid(
            _("%(unit)s does not host leads; choose a district or zone."),
            {"unit": Bilingual(unit.name_zh, unit.name_en)},
        )
    exclusion = Exclusion.objects.filter(lead=step.case, unit=unit).first()
    if exclusion is not None:
        raise Conflict(
            _("%(unit)s may not take this lead again: %(reason)s."),
            {
                "unit": Bilingual(unit.name_zh, unit.name_en),
                "reason": Exclusion.Reason(exclusion.reason).label,
            },
            code="excluded_unit",
        )
    override = _central_district_override(step, unit)
    step.case.unit = unit
    step.record["unit"] = step.notice_params["unit"] = unit.code
    return unit, override


def _central_district_override(step: Step, unit: OrgUnit) -> str:
    """§8: a production lead goes to a central urban district only with the city's recorded reason."""
    rule = policy.central_district_rule(segment=step.case.segment, unit_code=unit.code)
    if not rule.applies:
        return ""
    reason = step.params.get("override_reason", "")
    if not reason:
        # §14: the city leaders' approved admission support for this unit is the recorded reason
        from cases.admissions.selectors import approved_support  # a case type loaded after leads

        support = approved_support(lead=step.case, unit=unit)
        if support is not None:
            step.record |= {"override": "§8", "admission_support": support.pk}
            return str(_("%(rule)s; admitted by the city's approved admission support #%(id)s (§14)")) % {
                "rule": rule.reason,
                "id": support.pk,
            }
        raise Invalid(
            _(
                "%(unit)s takes only the non-production links of advanced manufacturing (§8); give the override reason."
            ),
            {"unit": Bilingual(unit.name_zh, unit.name_en)},
            code="override_required",
            errors={
                "override_reason": [{"message": str(_("A reason is required.")), "code": "override_required"}]
            },
        )
    step.record["override"] = "§8"
    return str(_("%(rule)s; the city overrode it: %(reason)s")) % {"rule": rule.reason, "reason": reason}


@each
def report_progress(step: Step) -> None:
    lead, p = step.case, step.params
    clock = lead.clock
    if clock is not None and clock.status == ClockStatus.RUNNING and step.now >= clock.deadline_at:
        # §5: the deadline is the deadline, whether or not the due work has escalated the lead yet
        # (a worker that was down fires it late); a milestone reported after it does not save the unit.
        raise Conflict(
            _("The no-progress deadline (%(deadline)s) has passed: the city coordinates this lead now (§5)."),
            {"deadline": timezone.localtime(clock.deadline_at).strftime("%Y-%m-%d %H:%M")},
            code="deadline_passed",
        )
    milestone = Milestone.objects.create(
        lead=lead, unit=lead.unit, kind=p["milestone"], date=p["date"], evidence=p["evidence"],
        reported_by=step.actor, reported_at=step.now,
    )  # fmt: skip
    # the files of the lead that prove it (validated by ProgressInput), shown to the deciding leader
    from cases.attachments import services as attachments  # a capability of its own, loaded after leads

    attachments.milestone_attachments_link(milestone=milestone, attachment_ids=p.get("attachments", []))
    _pause(step, "progress_review")
    step.rule = str(
        _("Substantive milestone reported: %(kind)s; the clock pauses for the leader's review")
    ) % {"kind": policy.MILESTONE_KINDS[p["milestone"]]}


def _decide_milestone(step: Step, status: str) -> None:
    Milestone.objects.filter(lead=step.case, status=Milestone.Status.PENDING).update(
        status=status, decided_at=step.now, decision_reason=step.params.get("reason", "")
    )


@each
def approve_progress(step: Step) -> None:
    _decide_milestone(step, Milestone.Status.APPROVED)
    step.case.progressed_at = step.now
    _stop(step)
    step.rule = str(_("§5: substantive progress approved by the unit leader; the clock has stopped for good"))


@each
def reject_progress(step: Step) -> None:
    _decide_milestone(step, Milestone.Status.REJECTED)
    _resume(step)
    step.rule = str(_("Not substantive progress; the clock resumes"))


@each
def request_push(step: Step) -> None:
    _pause(step, "push_requested")
    step.rule = str(_("§5: the unit pushes the lead to the city: %(reason)s")) % {
        "reason": policy.PUSH_REASONS[step.params["reason"]]
    }


@each
def confirm_push(step: Step) -> None:
    lead = step.case
    pusher = lead.unit
    # §5 "视同该区项目谋划引进成果": the credit is for the unit that discovered the lead; a unit handing
    # back a lead the city (or another unit) brought earns none.
    credited = pusher.pk == lead.discovering_unit_id
    if credited:
        Credit.objects.create(lead=lead, unit=pusher, kind=Credit.Kind.REFERRAL, at=step.now)
        step.rule = str(
            _("§5: push confirmed; it counts as the pushing unit's result (视同该区项目谋划引进成果)")
        )
    else:
        step.rule = str(
            _(
                "§5: push confirmed; no referral credit: %(unit)s did not discover the lead (%(discoverer)s did), "
                "so it does not count as its result"
            )
        ) % {"unit": pusher.name_zh, "discoverer": lead.discovering_unit.name_zh}
        if step.notice is not None:  # the pushing unit is told, without the credit it does not get
            step.notice = Notice("push_confirmed_no_credit", step.notice.audiences)
    Exclusion.objects.create(lead=lead, unit=pusher, reason=Exclusion.Reason.PUSHED, at=step.now)
    _stop(step)
    lead.unit = None
    _assignee_follows_unit(step, before=pusher.pk)
    step.record["pushing_unit"] = step.notice_params["unit"] = pusher.code
    step.record["referral_credit"] = credited


@each
def reject_push(step: Step) -> None:
    _resume(step)
    step.rule = str(_("The city kept the lead with the unit; the clock resumes"))


# who else hears that the clock took a lead from its unit, besides those the declaration names (the
# city's officers, the unit's leaders): the unit's officers and the one who held it, who lose it
LOST_TOLD = (LOST_UNIT_OFFICERS, LOST_ASSIGNEE)


def escalate(steps: list[Step]) -> None:
    """§5: the deadline passed without substantive progress. Fired by the clock, for a whole
    due-work chunk at once: one INSERT of exclusions for the set. The unit's officers and the
    lead's assignee are told too: the lead is no longer theirs."""
    rule = str(_("§5: 3 months of negotiation without substantive progress; the city coordinates"))
    exclusions = []
    for step in steps:
        lead, lost = step.case, step.case.unit
        exclusions.append(Exclusion(lead=lead, unit=lost, reason=Exclusion.Reason.CLOCK_EXPIRED, at=step.now))
        step.record = {
            "lost_unit": lost.code,
            "lost_assignee_id": lead.assignee_id,
            "deadline_at": services.iso(lead.clock.deadline_at),
            "fired_at": services.iso(step.now),
        }
        if step.notice is not None:
            told = step.notice.audiences
            step.notice = Notice(step.notice.kind, told + tuple(a for a in LOST_TOLD if a not in told))
        step.notice_params["unit"] = lost.code
        step.rule = rule
        lead.unit = None
        _assignee_follows_unit(step, before=lost.pk)
    Exclusion.objects.bulk_create(exclusions)


@each
def land(step: Step) -> None:
    lead, p = step.case, step.params
    lead.landed_on = p["landed_on"]
    lead.paid_in_capital_cny = p["paid_in_capital_cny"]
    lead.actual_fdi_usd = p["actual_fdi_usd"] or Decimal(0)
    decision = policy.reward_qualification(
        segment=lead.segment,
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


@each
def close(step: Step) -> None:
    step.case.closed_reason = step.params["reason"]
    _stop(step)
    step.rule = str(_("Closed; the reason is recorded"))


def _pause(step: Step, reason: str) -> None:
    if step.case.clock is not None:
        engine.clock_pause(clock=step.case.clock, at=step.now, reason=reason)


def _resume(step: Step) -> None:
    if step.case.clock is not None:
        engine.clock_resume(clock=step.case.clock, at=step.now)


def _stop(step: Step) -> None:
    if step.case.clock is not None:
        engine.clock_stop(clock=step.case.clock, at=step.now)


# --- case work (DESIGN §3 "Correcting a lead", §6a) --------------------------------------------------


@each
def set_assignee(step: Step) -> None:
    """Who holds the lead (承办人): one of its unit's people, or nobody. A leader of the unit gives it
    to anyone of the unit; an officer claims an unassigned lead, or hands over one they hold — or one
    held by a colleague they stand in for (DESIGN §7 deputies)."""
    lead, actor, new = step.case, step.actor, step.params["username"]
    old = lead.assignee
    step.params = {}  # the history records usernames, below
    if new == old:
        raise Conflict(
            _("%(name)s already holds this lead."),
            {"name": new.username if new else "—"},
            code="unchanged",
        )
    home = lead.unit if lead.unit_id else lead.discovering_unit
    if new is not None and not Membership.objects.filter(user=new, unit=home).exists():
        raise Invalid(
            _("%(name)s is not one of %(unit)s's people: a lead is held by someone of its unit."),
            {"name": new.username, "unit": Bilingual(home.name_zh, home.name_en)},
            code="not_in_unit",
        )
    if access.can_approve(lead, actor):
        rule = _("The unit leader assigned the lead")
    elif old is None and new == actor:
        rule = _("The officer took the lead (claim)")
    elif old is not None and old.pk in {
        actor.pk,
        *absences.covered_by(actor.pk, timezone.localdate(step.now)),
    }:
        rule = _("The lead was handed over") if new is not None else _("The lead was released")
    else:
        raise NotPermitted(
            _(
                "An officer claims a lead nobody holds or hands over one they hold (or hold for an absent "
                "colleague); only a leader of the unit gives a colleague's lead to someone else."
            )
        )
    lead.assignee = new
    step.record = {
        "assignee_before": old.username if old else None,
        "assignee": new.username if new else None,
        "assignee_id": new.pk if new else None,
    }
    step.rule = str(rule)
    if new is None or new == actor:
        step.notice = None  # nobody to tell: the actor knows


def _plain(value: Any) -> Any:
    """A field's value as the history stores it."""
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(getattr(value, "pk", getattr(value, "code", value)))


@each
def correct(step: Step) -> None:
    """Correct a lead's facts: each changed field with its old and new value in the history, with the
    reason; a change of the amount or the strategic flag re-runs §5 (and the clock follows)."""
    lead, given = step.case, dict(step.params)
    reason = given.pop("reason", "").strip()
    step.params = {"reason": reason} if reason else {}
    changes = []
    for name in CORRECTABLE:
        if name not in given:
            continue
        old = _plain(getattr(lead, "sector_id" if name == "sector" else name))
        new = _plain(given[name])
        if name == "home_country":
            old = lead.home_country.code or ""
        if old != new:
            changes.append({"field": name, "old": old, "new": new})
            setattr(lead, name, given[name])
    if not changes:
        raise Invalid(_("Nothing to correct: every value given is the lead's already."), code="unchanged")
    fields = {c["field"] for c in changes}
    if fields & {"credit_code", "home_registration_number", "home_country"}:
        services.refuse_duplicate_of(lead)
    rule = [str(_("Corrected: %(fields)s")) % {"fields": ", ".join(c["field"] for c in changes)}]
    if fields & {"total_investment_cny", "strategic"}:
        decision = policy.first_negotiation(
            total_investment_cny=lead.total_investment_cny, strategic=lead.strategic
        )
        if decision.applies != lead.first_negotiation or decision.reason != lead.first_negotiation_reason:
            lead.first_negotiation, lead.first_negotiation_reason = decision.applies, decision.reason
            step.record["first_negotiation"] = decision.applies
            rule += [decision.reason, _clock_follows_eligibility(step)]
    step.record["changes"] = changes
    step.rule = _rules(*rule)


@each
def merge(step: Step) -> None:
    """The city merges a duplicate registration into the lead that stays (DESIGN §3): this one is
    closed as its duplicate; activities, credits and attachments move to the survivor, which keeps
    both histories (its timeline shows this lead's beside its own)."""
    lead, into = step.case, step.params["into"]
    if into == lead.pk:
        raise Invalid(_("A lead cannot be merged into itself."), code="merge_self")
    try:  # the survivor is locked too; never waits, so two crossing merges cannot deadlock
        survivor = Lead.objects.select_for_update(nowait=True).get(pk=into)
    except Lead.DoesNotExist:
        raise Invalid(
            _("There is no lead #%(id)s to merge into."), {"id": into}, code="unknown_lead"
        ) from None
    except DatabaseError:
        raise Conflict(
            _("Lead #%(id)s is being changed by someone else right now; try again."),
            {"id": into},
            code="race",
        ) from None
    if survivor.state in (State.CLOSED, State.DRAFT):
        raise Conflict(
            _("Lead #%(id)s is closed or not yet submitted: merge into a registration that is in progress."),
            {"id": into},
            code="survivor_not_open",
        )
    services.merge_move(duplicate=lead, survivor=survivor)
    lead.duplicate_of = survivor
    lead.closed_reason = str(_("Duplicate of lead #%(id)s: %(reason)s")) % {
        "id": into,
        "reason": step.params["reason"],
    }
    _stop(step)
    survivor.updated_at = step.now
    survivor.save(update_fields=["updated_at"])
    engine.history_records(
        [
            {
                "subject": survivor,
                "transition": "merged_in",
                "source": survivor.state,
                "target": survivor.state,
                "actor_id": step.actor.pk,
                "at": step.now,
                "params": {"duplicate": lead.pk, "reason": step.params["reason"]},
                "rule": str(_("Lead #%(id)s was merged into this one as its duplicate")) % {"id": lead.pk},
            }
        ]
    )
    step.record["into"] = into
    step.rule = str(_("Closed as a duplicate of lead #%(id)s (merged by the city)")) % {"id": into}
