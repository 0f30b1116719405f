"""The lead page's service-requests section (cases/templates/cases/_lead_servicerequests.html)."""

from typing import Any

from django import template

from cases.leads.models import Lead
from cases.servicerequests import selectors, services
from cases.servicerequests.models import ServiceRequest

register = template.Library()


@register.simple_tag
def lead_service_requests(lead: Lead, user: Any) -> dict[str, Any]:
    """The lead's requests the viewer may see (state, SLA deadline) and, for those who may raise one,
    what the raise form offers. The page has already checked that the viewer may see the lead."""
    may_raise = services.may_raise(actor=user, lead=lead)
    return {
        "requests": selectors.lead_requests(lead_id=lead.pk, user=user),
        "may_raise": may_raise,
        "units": selectors.responsible_units() if may_raise else [],
        "kinds": ServiceRequest.Kind.choices,
    }
