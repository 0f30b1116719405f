"""The lead page's documents section (cases/templates/cases/_lead_documents.html)."""

from typing import Any

from django import template
from django.urls import reverse

from cases.documents import selectors
from cases.leads.models import Lead

register = template.Library()


@register.simple_tag
def lead_documents(lead: Lead) -> list[dict[str, Any]]:
    """The papers this lead has reached, each with its download URL (the API's, which takes the browser
    session) and its number once issued. The page has already checked that the viewer may see the lead."""
    return [
        {**paper, "url": reverse("api-lead-document", kwargs={"pk": lead.pk, "kind": paper["kind"]})}
        for paper in selectors.lead_papers(lead=lead)
    ]
