"""The lead page's financing card: the lead's needs the reader may see, and the form that raises one
(with the enterprise's consent) for the officers of the unit working the lead."""

from typing import Any

from django import template

from cases import access
from cases.financing import selectors
from cases.leads.models import OPEN_STATES, State

register = template.Library()


@register.inclusion_tag("cases/financing_lead_card.html")
def lead_financing(lead: Any, user: Any) -> dict[str, Any]:
    needs = list(selectors.need_list(user=user, lead=lead.pk)[:20])
    # the unit's officers work the lead and do not approve it: judged from the grants the lead page read
    # already (no query); a person who is both officer and leader of the unit raises it through the API
    may_raise = (
        lead.state != State.DRAFT
        and lead.state in OPEN_STATES
        and access.can_work(lead, user)
        and not access.can_approve(lead, user)
    )
    return {"box": {"shown": bool(needs) or may_raise, "needs": needs, "may_raise": may_raise,
                    "data": {"lead": lead.pk}}}  # fmt: skip
