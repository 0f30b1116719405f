"""Events become inbox rows (DESIGN §7). Whom to tell was decided by the case's declaration and
resolved by the engine; here each event's recipients get their row and its deliveries.

Called synchronously by workflow.registry.publish_many inside the transaction of the cause, so an
inbox row exists exactly when its cause does.
"""

from notifications.services import notify_many
from workflow import registry


def on_events(events: list[registry.Event]) -> None:
    """Inbox rows for every event that names a notification (a chunk of escalations at once)."""
    notify_many(
        [
            {
                "users": e.recipients,
                "kind": e.kind,
                "lead_id": e.refs.get("lead_id"),
                "commitment_id": e.refs.get("commitment_id"),
                "params": e.params,
                "key": e.key,
                "at": e.at,
                "fresh": e.fresh,
            }
            for e in events
            if e.kind and e.recipients
        ]
    )
