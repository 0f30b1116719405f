"""The escalation ladder for leads waiting on someone (DESIGN §7).

When a lead enters a waiting state two clocks start on the engine: a reminder to whoever must act
after 5 working days, and an escalation to the level above after 10. Any transition stops them.
"""

from datetime import datetime

from cases import policy
from cases.models import Lead, State
from cases.services import lead_lock_for_clock
from notifications import rules
from notifications.services import notify
from workflow import registry
from workflow import services as engine
from workflow.workdays import add_working_days

REMIND = "lead_wait_remind"
ESCALATE = "lead_wait_escalate"

# waiting state → (who must act: reminded, the level above: escalated to)
WAITING = {
    State.PENDING_CONFIRMATION: (rules.CITY, rules.CITY_LEADERS),
    State.PUSH_REQUESTED: (rules.CITY, rules.CITY_LEADERS),
    State.ESCALATED: (rules.CITY, rules.CITY_LEADERS),
    State.PROGRESS_REVIEW: (rules.UNIT_LEADERS, rules.CITY),
}


def on_events(events: list[registry.Event]) -> None:
    """Restart the ladder on every transition of a lead."""
    events = [e for e in events if e.name.startswith("lead.") and "target" in e.data]
    if not events:
        return
    leads = Lead.objects.in_bulk([e.subject_id for e in events])
    for at in sorted({e.at for e in events}):
        engine.clocks_stop(
            kinds=(REMIND, ESCALATE), subjects=[leads[e.subject_id] for e in events if e.at == at], at=at
        )
    starts, deadlines = [], {}
    for event in events:
        if event.data["target"] not in WAITING:
            continue
        for kind, days in (
            (REMIND, policy.WAIT_REMIND_WORKING_DAYS),
            (ESCALATE, policy.WAIT_ESCALATE_WORKING_DAYS),
        ):
            if (event.at, days) not in deadlines:
                deadlines[(event.at, days)] = add_working_days(event.at, days)
            deadline, fallback = deadlines[(event.at, days)]
            note = (
                f"Monday–Friday assumed for {', '.join(map(str, fallback))}: statutory calendar unknown"
                if fallback
                else ""
            )
            starts.append(
                {"kind": kind, "subject": leads[event.subject_id], "at": event.at, "deadline": deadline,
                 "warning_days": [], "note": note}
            )  # fmt: skip
    engine.clocks_start(starts)


def on_dues(events: list[registry.ClockEvent], now: datetime) -> None:
    for event in events:
        on_due(event, now)


def on_due(event: registry.ClockEvent, now: datetime) -> None:
    lead = Lead.objects.get(pk=event.subject_id)
    if lead.state not in WAITING:
        return
    level = 0 if event.kind == REMIND else 1
    name = WAITING[State(lead.state)][level]
    days = policy.WAIT_REMIND_WORKING_DAYS if level == 0 else policy.WAIT_ESCALATE_WORKING_DAYS
    users = rules.audience(name, lead, registry.Event(name=event.kind, subject_id=lead.pk, at=now))
    notify(
        users=users,
        kind="wait_reminder" if level == 0 else "wait_escalation",
        lead_id=lead.pk,
        params={"lead_name": lead.name, "state": lead.state, "days": days},
        key=f"clock:{event.clock_id}",
        at=now,
    )


def register() -> None:
    registry.subscribe(on_events)
    for kind in (REMIND, ESCALATE):
        registry.register_clock_handler(kind, on_dues, lead_lock_for_clock)
