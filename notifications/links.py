"""Where a notification takes its reader: the page of the case it is about — a service request's, a
support plan's … — or, for a lead's own notifications, the lead's. Readers of a request (a department,
a bank) may not see its lead: a link to the lead would be a dead end."""

from typing import Any

from django.urls import NoReverseMatch, reverse

from notifications.models import Notification

# the case type (its engine key, the `case` of the notice's params) → the name of its page
PAGES = {
    "majorproject": "cases:majorprojects:detail",
    "service_request": "cases:servicerequests:detail",
    "support_plan": "cases:supportplans:detail",
    "admission": "cases:admissions:detail",
    "financing": "cases:financing:detail",
    "commitment": "cases:commitments:detail",
}


def page_of(notification: Notification) -> str:
    p: dict[str, Any] = notification.params or {}
    name = PAGES.get(p.get("case", ""))
    target = p.get("case_id") or (notification.commitment_id if p.get("case") == "commitment" else None)
    if name and target:
        try:
            return reverse(name, args=[target])
        except NoReverseMatch:
            pass
    if notification.lead_id:
        return reverse("cases:leads:detail", args=[notification.lead_id])
    return reverse("cases:notifications:index")
