"""The financing need case type (DESIGN §6b, §13); its transitions are declared on the model.

Grants: the raising unit's officers see and work the need, its leaders see it; while it is published
every financial institution's people see it (its officers may offer); once it leaves `published`, a
bank keeps sight of it only if it made an offer (to follow what became of its offer).
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from cases import audiences
from cases.financing import access
from cases.financing.models import (
    ACCEPTED_BANK,
    BANK_OFFICERS,
    UNIT_OFFICERS,
    FinancingNeed,
    FinancingOffer,
    NeedState,
)
from workflow.engine import CaseType, Members, register
from workflow.models import Level, OrgUnit, Role

BOTH = (Role.OFFICER, Role.LEADER)


def grants(needs: list[FinancingNeed]) -> dict[Any, dict[tuple[int, str], set[str]]]:
    """What each need's state gives each unit, and nothing more (two queries for any number)."""
    published = [n for n in needs if n.state == NeedState.PUBLISHED]
    banks = list(OrgUnit.objects.filter(level=Level.BANK).values_list("pk", flat=True)) if published else []
    offered: dict[int, set[int]] = {n.pk: set() for n in needs}
    for need_id, bank_id in FinancingOffer.objects.filter(need__in=needs).values_list("need_id", "bank_id"):
        offered[need_id].add(bank_id)
    wanted = {}
    for need in needs:
        desired: dict[tuple[int, str], set[str]] = {
            (need.unit_id, Role.OFFICER): {access.VIEW, access.WORK},
            (need.unit_id, Role.LEADER): {access.VIEW},
        }
        viewers = banks if need.state == NeedState.PUBLISHED else offered[need.pk]
        for bank in viewers:
            desired[(bank, Role.LEADER)] = {access.VIEW}
            desired[(bank, Role.OFFICER)] = {access.VIEW}
            if need.state == NeedState.PUBLISHED:
                desired[(bank, Role.OFFICER)].add(access.OFFER)
        wanted[need] = desired
    return wanted


def _accepted_bank(need: Any, data: Mapping[str, Any]) -> Members | None:
    return Members(unit_id=data["bank_id"], roles=BOTH) if data.get("bank_id") else None


FINANCING = register(
    CaseType(
        key="financing",
        weighty=frozenset({"withdraw"}),  # ends, refuses or pays: last, as danger, confirmed
        model=FinancingNeed,
        can_view=access.can_view,
        not_found=_("No such financing need."),
        noun=_("financing need"),
        audiences={
            **audiences.COMMON,
            UNIT_OFFICERS: audiences.COMMON[audiences.UNIT_OFFICERS],
            BANK_OFFICERS: lambda need, data: Members(level=Level.BANK, roles=(Role.OFFICER,)),
            ACCEPTED_BANK: _accepted_bank,
        },
        grants=grants,
        notice_refs=lambda need: {"lead_id": need.lead_id},
        notice_params=lambda need: {
            "lead_name": need.lead.name,
            "state": need.state,
            "case": "financing",
            "case_id": need.pk,
        },
        related=("lead", "unit"),
    )
)
