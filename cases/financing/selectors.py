"""Reads of financing needs, offers and the §13 report; visibility in SQL through guardian grants.

A bank's people see a need only through the grants its state gives (machine.grants) and, of its
offers, only their own bank's; the unit that raised it and the city roles see everything."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user

from cases import access as case_access
from cases.errors import NotFound, NotPermitted
from cases.financing import access
from cases.financing.models import FinancingNeed, FinancingOffer, NeedState
from cases.inputs import id_param
from workflow import selectors as engine_selectors
from workflow.models import Level, Membership, OrgUnit, TransitionRecord


def needs_visible(*, user: Any) -> QuerySet[FinancingNeed]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return FinancingNeed.objects.none()
    if user.has_perm(access.SEE_ALL):
        return FinancingNeed.objects.all()
    return get_objects_for_user(
        user, f"financing.{access.VIEW}", klass=FinancingNeed, accept_global_perms=False
    )


def _related(qs: QuerySet[FinancingNeed]) -> QuerySet[FinancingNeed]:
    return qs.select_related("lead", "lead__sector", "unit", "consent_by", "created_by")


def need_list(
    *, user: Any, state: str | None = None, unit: str | None = None, lead: Any = None
) -> QuerySet[FinancingNeed]:
    qs = needs_visible(user=user)
    if state:
        qs = qs.filter(state__in=state.split(","))
    if unit:
        qs = qs.filter(unit__code=unit)
    if lead:
        qs = qs.filter(lead_id=id_param(lead, "lead"))
    return _related(qs).order_by("-created_at", "-id")


def need_get(*, user: Any, need_id: Any) -> FinancingNeed:
    try:
        return _related(needs_visible(user=user)).get(pk=int(need_id))
    except (FinancingNeed.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(_("No such financing need.")) from exc


def bank_ids(*, user: Any) -> set[int]:
    """The financial institutions `user` holds a role in."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Membership.objects.filter(user=user, unit__level=Level.BANK).values_list("unit_id", flat=True))


def sees_everything(*, need: FinancingNeed, user: Any) -> bool:
    """The city roles and the people of the unit that raised the need see all of it (every offer,
    the history, the lead); anyone else who may see it (a bank) sees the limited projection."""
    return user.has_perm(access.SEE_ALL) or case_access.holds_role(need.unit, user, "officer", "leader")


def offers_for(*, need: FinancingNeed, user: Any) -> list[FinancingOffer]:
    """The offers on the need the caller may see: all of them, or a bank's own."""
    qs = need.offers.select_related("bank", "made_by")
    if not sees_everything(need=need, user=user):
        qs = qs.filter(bank_id__in=bank_ids(user=user))
    return list(qs)


def need_page(*, needs: Sequence[FinancingNeed], user: Any) -> dict[int, list[TransitionRecord]]:
    """The caller's grants on a page of needs (their transitions) and each one's history, read once."""
    case_access.prefetch_object_perms(needs, user)
    return engine_selectors.histories(subjects=needs)


def view_permission_id() -> int:
    return Permission.objects.get(content_type__app_label="financing", codename=access.VIEW).pk


# --- the §13 report ------------------------------------------------------------------------------


def _day_range(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def report_scope(*, user: Any) -> tuple[QuerySet[OrgUnit], Q]:
    """Which institutions' rows the caller reads, and which offers count (DESIGN §6b "banks see only
    their own figures"): city roles every bank and every offer; a bank's people their own bank's row;
    a district's or zone's people every bank, counting the offers on their own unit's needs. A person
    with no role reads nothing (403)."""
    banks = OrgUnit.objects.filter(level=Level.BANK).order_by("code")
    if user.has_perm(access.SEE_ALL):
        return banks, Q()
    own = bank_ids(user=user)
    if own:
        return banks.filter(pk__in=own), Q(bank_id__in=own)
    units = list(
        Membership.objects.filter(user=user, unit__level__in=(Level.DISTRICT, Level.ZONE)).values_list(
            "unit_id", flat=True
        )
    )
    if units:
        return banks, Q(need__unit_id__in=units)
    raise NotPermitted(_("The financing report is for the city, the units and the financial institutions."))


def report(*, user: Any, start: date, end: date) -> dict[str, Any]:
    """Per institution: offers made, offers accepted and the amount financed within the period (Beijing
    days, both ends included), counting only the offers the caller may count."""
    banks, offers = report_scope(user=user)
    lo, hi = _day_range(start, end)
    made = Q(made_at__gte=lo, made_at__lt=hi)
    accepted = Q(accepted_at__gte=lo, accepted_at__lt=hi)
    figures = {
        row["bank_id"]: row
        for row in FinancingOffer.objects.filter(offers, bank__in=banks)
        .values("bank_id")
        .annotate(
            offers=Count("pk", filter=made),
            accepted=Count("pk", filter=accepted),
            amount=Sum("amount_cny", filter=accepted),
        )
    }
    rows = []
    for bank in banks:
        f: dict[str, Any] = dict(figures.get(bank.pk) or {})
        rows.append({
            "unit": bank.code, "name_zh": bank.name_zh, "name_en": bank.name_en,
            "offers": f.get("offers", 0), "accepted": f.get("accepted", 0),
            "amount_financed_cny": f.get("amount") or Decimal("0.00"),
        })  # fmt: skip
    totals = {
        "offers": sum(r["offers"] for r in rows),
        "accepted": sum(r["accepted"] for r in rows),
        "amount_financed_cny": sum((r["amount_financed_cny"] for r in rows), Decimal("0.00")),
    }
    return {"from": start, "to": end, "institutions": rows, "totals": totals}


def market(*, user: Any) -> QuerySet[FinancingNeed]:
    """The banks' marketplace: the published needs the caller may see, newest first."""
    return need_list(user=user, state=NeedState.PUBLISHED)


def institutions() -> list[dict[str, Any]]:
    """The people page: every financial institution with its people and their roles."""
    banks = list(OrgUnit.objects.filter(level=Level.BANK).order_by("code"))
    people: dict[int, list[tuple[str, str]]] = {b.pk: [] for b in banks}
    for unit_id, username, role in (
        Membership.objects.filter(unit__in=banks)
        .order_by("user__username", "role")
        .values_list("unit_id", "user__username", "role")
    ):
        people[unit_id].append((username, role))
    return [{"unit": b, "people": people[b.pk]} for b in banks]
