"""What the lead page shows of its admission supports (DESIGN §6b, §14)."""

from typing import Any

from django import template

from cases.admissions import selectors, services

register = template.Library()


@register.simple_tag
def lead_admissions(lead: Any, user: Any) -> dict[str, Any]:
    """The lead's admission supports `user` may see, and whether `user` may ask for one."""
    return {
        "supports": list(selectors.support_list(user=user).filter(lead=lead)),
        "may_ask": services.may_ask(lead=lead, user=user),
    }
