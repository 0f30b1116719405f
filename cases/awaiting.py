"""What awaits a person in the city-level coordination case types (§6b), as the home page's "Awaiting me"
shows it beside the leads and commitment applications: how many of each, and where to work them. Each
count is the case type's own queue selector, so the card and the case type's page always agree."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.admissions import access as admission_access
from cases.admissions import selectors as admissions
from cases.admissions.models import AdmissionState
from cases.financing import selectors as financing
from cases.servicerequests import selectors as servicerequests
from cases.supportplans import selectors as supportplans
from workflow.models import Level, Membership


@dataclass(frozen=True)
class Part:
    key: str
    label: Any
    url: str  # the URL name of the page where the work is done, and its query
    query: str
    rows: Callable[[Any], QuerySet]
    levels: frozenset[str]  # only people with a role at one of these levels may have such work


def _plans(user: Any) -> QuerySet:
    queue = supportplans.plan_queue(user=user)
    return queue["cosign"] | queue["decide"]


def _admissions(user: Any) -> QuerySet:
    if not admission_access.can_decide_admission(None, user):  # the city leaders, whatever the case
        return admissions.supports_visible(user=user).none()
    return admissions.support_list(user=user, state=AdmissionState.SUBMITTED)


def _offers_to_make(user: Any) -> QuerySet:
    banks = Membership.objects.filter(user=user, unit__level=Level.BANK).values("unit_id")
    return financing.market(user=user).exclude(offers__bank_id__in=banks)


PARTS = (
    Part("servicerequests", _("Service requests to answer"), "cases:servicerequests:index", "",
         lambda user: servicerequests.request_queue(user=user), frozenset(servicerequests.RESPONSIBLE_LEVELS)),
    Part("supportplans", _("Support plans to co-sign or decide"), "cases:supportplans:index", "", _plans,
         frozenset({Level.DEPARTMENT, Level.GOVERNMENT})),
    Part("admissions", _("Admission support to decide"), "cases:admissions:index", "?state=submitted", _admissions,
         frozenset({Level.CITY})),
    Part("financing", _("Financing needs awaiting your bank's offer"), "cases:financing:index", "", _offers_to_make,
         frozenset({Level.BANK})),
)  # fmt: skip


def awaiting(*, user: Any) -> list[dict[str, Any]]:
    """The coordination work awaiting `user`: one entry per case type with anything waiting (one COUNT for
    each case type the person's roles may have work in, after one read of those roles)."""
    levels = set(Membership.objects.filter(user=user).values_list("unit__level", flat=True))
    found = []
    for part in PARTS:
        if not levels & part.levels:
            continue
        n = part.rows(user).count()
        if n:
            found.append(
                {"key": part.key, "label": part.label, "count": n, "url": reverse(part.url) + part.query}
            )
    return found
