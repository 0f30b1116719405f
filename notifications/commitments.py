"""Who is told what about commitment applications (§6)."""

from cases.models import CommitmentApplication
from notifications.services import notify
from workflow import registry
from workflow.models import Level, Membership, Role

# event → (kind, roles of the handling unit told, city officers told too)
RULES = {
    "commitment.submit": ("commitment_to_review", (Role.LEADER,), False),
    "commitment.approve": ("commitment_decided", (Role.OFFICER,), False),
    "commitment.reject": ("commitment_decided", (Role.OFFICER,), False),
    "commitment.return": ("commitment_decided", (Role.OFFICER,), False),
    "commitment.record_inspection": ("commitment_inspected", (Role.LEADER,), False),
    "commitment.revoke": ("commitment_revoked", (Role.OFFICER,), True),
    "commitment.clock_warning": ("commitment_due_soon", (Role.OFFICER, Role.LEADER), False),
    "commitment.clock_deadline": (
        "commitment_overdue",
        (Role.LEADER,),
        False,
    ),  # escalated to the unit leader
}


def on_events(events: list[registry.Event]) -> None:
    for event in events:
        _on_event(event)


def _on_event(event: registry.Event) -> None:
    rule = RULES.get(event.name)
    if rule is None:
        return
    kind, roles, city = rule
    app = CommitmentApplication.objects.get(pk=event.subject_id)
    members = Membership.objects.filter(unit_id=app.unit_id, role__in=roles)
    if city:
        members = members | Membership.objects.filter(unit__level=Level.CITY, role=Role.OFFICER)
    users = set(members.filter(user__is_active=True).values_list("user_id", flat=True)) - {event.actor_id}
    clocked = "clock_id" in event.data
    notify(
        users=users,
        kind=kind,
        lead_id=None,
        commitment_id=app.pk,
        params={
            "lead_name": app.project_name,
            "state": app.state,
            "days": event.data.get("days"),
            "deadline_at": event.data.get("deadline_at"),
            "clock_kind": event.data.get("clock_kind"),
        },
        key=f"clock:{event.data['clock_id']}:{event.data.get('days') or 'deadline'}"
        if clocked
        else f"history:{event.data['history_id']}",
        at=event.at,
    )
