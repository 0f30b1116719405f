"""Who is told what when something happens to a lead (DESIGN §7).

Called synchronously by workflow.registry.publish (with a list of events) inside the transaction of
the cause, so an inbox row exists exactly when its cause does.
"""

from django.utils import timezone

from cases.models import Lead
from notifications.services import notify_many
from workflow import registry
from workflow.models import Level, Membership, Role

UNIT = "unit"  # officers and leaders of the lead's unit
UNIT_LEADERS = "unit_leaders"
UNIT_OFFICERS = "unit_officers"
DISCOVERER = "discoverer"
CITY = "city_officers"
CITY_LEADERS = "city_leaders"

# event → (notification kind, audiences)
RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "lead.submit": ("awaits_city", (CITY,)),
    "lead.confirm": ("first_negotiation_confirmed", (DISCOVERER,)),
    "lead.decline": ("claim_declined", (DISCOVERER,)),
    "lead.assign": ("assigned", (UNIT,)),
    "lead.reassign": ("assigned", (UNIT,)),
    "lead.report_progress": ("progress_to_review", (UNIT_LEADERS,)),
    "lead.approve_progress": ("progress_approved", (UNIT_OFFICERS,)),
    "lead.reject_progress": ("progress_rejected", (UNIT_OFFICERS,)),
    "lead.request_push": ("push_to_confirm", (CITY,)),
    "lead.confirm_push": ("push_confirmed", ("pushing_unit",)),
    "lead.reject_push": ("push_rejected", (UNIT,)),
    "lead.escalate": ("escalated", (CITY, "lost_unit_leaders")),
    "lead.clock_warning": ("clock_warning", (UNIT,)),
    "lead.land": ("landed", (CITY,)),
    "lead.close": ("closed", (UNIT, DISCOVERER)),
}


def on_events(events: list[registry.Event]) -> None:
    """Inbox rows for these events' audiences, written together (a chunk of escalations at once)."""
    events = [e for e in events if e.name in RULES]
    # a district keeps its own small lead: the city has nothing to do
    events = [e for e in events if not (e.name == "lead.submit" and e.data.get("target") == "negotiating")]
    if not events:
        return
    leads = Lead.objects.select_related("unit").in_bulk([e.subject_id for e in events])
    memo: dict = {}
    items = []
    for event in events:
        kind, audiences = RULES[event.name]
        lead = leads[event.subject_id]
        users = set()
        for name in audiences:
            users |= audience(name, lead, event, memo)
        users.discard(event.actor_id)
        params = {
            "lead_name": lead.name,
            "days": event.data.get("days"),
            "deadline_at": event.data.get("deadline_at"),
            "unit": event.data.get("unit") or event.data.get("lost_unit") or event.data.get("pushing_unit"),
        }
        items.append(
            {"users": users, "kind": kind, "lead_id": lead.pk, "params": params, "key": _key(event),
             "at": event.at or timezone.now()}
        )  # fmt: skip
    notify_many(items)


def _key(event: registry.Event) -> str:
    if event.name == "lead.clock_warning":
        return f"clock:{event.data['clock_id']}:warn:{event.data['days']}"
    return f"history:{event.data['history_id']}"


def audience(name: str, lead: Lead, event: registry.Event, memo: dict | None = None) -> set[int]:
    """The people an audience name stands for, for this lead and event. With `memo` (one batch of
    events), an audience that names the same people for several events is looked up once."""
    if memo is None:
        return _audience(name, lead, event)
    code = event.data.get("pushing_unit") or event.data.get("lost_unit")
    key = (name, None if name in (CITY, CITY_LEADERS) else (lead.discovering_unit_id, lead.unit_id, code,
                                                           event.data.get("unit_id")))  # fmt: skip
    if key not in memo:
        memo[key] = _audience(name, lead, event)
    return memo[key]


def _audience(name: str, lead: Lead, event: registry.Event) -> set[int]:
    if name in (CITY, CITY_LEADERS):
        role = Role.OFFICER if name == CITY else Role.LEADER
        return _members(Membership.objects.filter(unit__level=Level.CITY, role=role))
    if name == DISCOVERER:
        return _members(Membership.objects.filter(unit_id=lead.discovering_unit_id))
    if name in ("pushing_unit", "lost_unit_leaders"):
        code = event.data.get("pushing_unit") or event.data.get("lost_unit")
        qs = Membership.objects.filter(unit__code=code)
        return _members(qs.filter(role=Role.LEADER) if name == "lost_unit_leaders" else qs)
    unit_id = lead.unit_id or event.data.get("unit_id")
    if unit_id is None:
        return set()
    qs = Membership.objects.filter(unit_id=unit_id)
    if name == UNIT_LEADERS:
        qs = qs.filter(role=Role.LEADER)
    elif name == UNIT_OFFICERS:
        qs = qs.filter(role=Role.OFFICER)
    return _members(qs)


def _members(qs) -> set[int]:  # type: ignore[no-untyped-def]
    return set(qs.filter(user__is_active=True).values_list("user_id", flat=True))
