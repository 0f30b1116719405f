"""Reads about outcomes: landing recommendations (§3, §5), the §16 assessment figures, reward cases."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.errors import NotFound
from cases.models import Credit, Exclusion, Lead, RewardCase, State
from workflow.clockmath import SHANGHAI
from workflow.models import Level, OrgUnit

SECTOR_POINTS, LAND_POINTS, SPACE_POINTS, HISTORY_POINTS = 50, 25, 10, 15
LAND_REFERENCE_MU, SPACE_REFERENCE_M2 = Decimal(200), Decimal(50000)


def lead_recommendations(*, lead: Lead) -> list[dict[str, Any]]:
    """Every unit that may take the lead, best first, each with a score out of 100 and its reasons:
    sector fit (the unit's leading industries), the capacity it reports, its landing record in the
    sector. Excluded units never appear."""
    units = list(
        OrgUnit.objects.exclude(level=Level.CITY)
        .exclude(pk__in=Exclusion.objects.filter(lead=lead).values("unit_id"))
        .select_related("capacity")
        .prefetch_related("leading_industries")
    )
    history = _sector_record(sector_id=lead.sector_id)
    ranked = [_score(unit, lead, history.get(unit.pk, (0, 0))) for unit in units]
    return sorted(ranked, key=lambda r: (-r["score"], r["unit"]))


def _sector_record(*, sector_id: str) -> dict[int, tuple[int, int]]:
    """(landed, ended) per unit for leads of this sector: one grouped query each."""
    landed = dict(
        Lead.objects.filter(sector_id=sector_id, state=State.LANDED)
        .values_list("unit_id")
        .annotate(n=Count("id"))
    )
    closed = dict(
        Lead.objects.filter(sector_id=sector_id, state=State.CLOSED, unit__isnull=False)
        .values_list("unit_id")
        .annotate(n=Count("id"))
    )
    lost = dict(
        Exclusion.objects.filter(lead__sector_id=sector_id).values_list("unit_id").annotate(n=Count("id"))
    )
    units = set(landed) | set(closed) | set(lost)
    return {u: (landed.get(u, 0), landed.get(u, 0) + closed.get(u, 0) + lost.get(u, 0)) for u in units}


def _score(unit: OrgUnit, lead: Lead, record: tuple[int, int]) -> dict[str, Any]:
    score, reasons = 0.0, []
    sectors = {s.slug for s in unit.leading_industries.all()}
    if lead.sector_id in sectors:
        score += SECTOR_POINTS
        reasons.append(_("leading industry includes %(sector)s") % {"sector": lead.sector.name_zh})
    else:
        reasons.append(_("%(sector)s is not among its leading industries") % {"sector": lead.sector.name_zh})
    capacity = getattr(unit, "capacity", None)
    if capacity is None:
        reasons.append(_("no capacity figures reported"))
    else:
        need = lead.land_need_mu or LAND_REFERENCE_MU
        score += LAND_POINTS * float(min(Decimal(1), capacity.industrial_land_mu / need))
        score += SPACE_POINTS * float(min(Decimal(1), capacity.factory_space_m2 / SPACE_REFERENCE_M2))
        reasons.append(
            _(
                "available industrial land %(land)s mu (need %(need)s), standard factory space %(space)s m², as of %(on)s"
            )
            % {
                "land": capacity.industrial_land_mu,
                "need": lead.land_need_mu or "—",
                "space": capacity.factory_space_m2,
                "on": capacity.updated_on,
            }
        )
    landed, ended = record
    if ended:
        score += HISTORY_POINTS * landed / ended
        reasons.append(
            _("landed %(landed)s of %(ended)s finished leads in this sector")
            % {"landed": landed, "ended": ended}
        )
    return {
        "unit": unit.code,
        "name_zh": unit.name_zh,
        "name_en": unit.name_en,
        "score": round(score, 1),
        "reasons": reasons,
    }


# --- §16 assessment ------------------------------------------------------------------------------

KPI_FIELDS = [
    "registered", "first_negotiations_confirmed", "landed", "landed_investment_cny", "referral_credits",
    "lost_to_clock", "median_days_to_progress", "landing_rate",
]  # fmt: skip


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in Beijing time: a period of whole calendar days as people mean it."""
    lo = datetime.combine(start, time.min, SHANGHAI)
    hi = datetime.combine(end, time.min, SHANGHAI) + timedelta(days=1)
    return lo, hi


def kpis(*, start: date, end: date, units: QuerySet[OrgUnit] | None = None) -> dict[str, Any]:
    """§16 figures per unit for the period, and the city-wide totals. Each figure is one grouped
    SQL aggregate; nothing iterates over leads in Python."""
    lo, hi = _bounds(start, end)
    per: dict[int, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(KPI_FIELDS, 0))

    def put(field: str, rows) -> None:  # type: ignore[no-untyped-def]
        for unit_id, value in rows:
            if unit_id is not None:
                per[unit_id][field] = value or 0

    put(
        "registered",
        Lead.objects.filter(created_at__gte=lo, created_at__lt=hi)
        .values_list("discovering_unit_id")
        .annotate(n=Count("id")),
    )
    put(
        "first_negotiations_confirmed",
        Lead.objects.filter(first_negotiation_confirmed_at__gte=lo, first_negotiation_confirmed_at__lt=hi)
        .values_list("first_negotiation_unit_id")
        .annotate(n=Count("id")),
    )
    landed = Lead.objects.filter(state=State.LANDED, landed_on__gte=start, landed_on__lte=end).values_list(
        "unit_id"
    )
    put("landed", landed.annotate(n=Count("id")))
    put("landed_investment_cny", landed.annotate(s=Sum("total_investment_cny")))
    put(
        "referral_credits",
        Credit.objects.filter(kind=Credit.Kind.REFERRAL, at__gte=lo, at__lt=hi)
        .values_list("unit_id")
        .annotate(n=Count("id")),
    )
    put(
        "lost_to_clock",
        Exclusion.objects.filter(reason=Exclusion.Reason.CLOCK_EXPIRED, at__gte=lo, at__lt=hi)
        .values_list("unit_id")
        .annotate(n=Count("id")),
    )
    closed = dict(
        Lead.objects.filter(state=State.CLOSED, updated_at__gte=lo, updated_at__lt=hi)
        .values_list("unit_id")
        .annotate(n=Count("id"))
    )
    for unit_id, median in _median_days_to_progress(lo, hi).items():
        per[unit_id]["median_days_to_progress"] = median
    for unit_id, row in per.items():
        ended = row["landed"] + row["lost_to_clock"] + closed.get(unit_id, 0)
        row["landing_rate"] = round(row["landed"] / ended, 3) if ended else None
    rows = []
    for unit in units if units is not None else OrgUnit.objects.exclude(level=Level.CITY):
        row = per.get(unit.pk, dict.fromkeys(KPI_FIELDS, 0) | {"landing_rate": None})
        rows.append({"unit": unit.code, "name_zh": unit.name_zh, **{k: row.get(k) for k in KPI_FIELDS}})
    return {"from": start.isoformat(), "to": end.isoformat(), "units": rows, "totals": _totals(per, closed)}  # fmt: skip


def _median_days_to_progress(lo: datetime, hi: datetime) -> dict[int, float]:
    """Median days from first-negotiation confirmation to approved substantive progress, per unit.
    SQL numbers the durations within each unit (a window function); only the one or two middle
    rows per unit come back."""
    duration = ExpressionWrapper(
        F("progressed_at") - F("first_negotiation_confirmed_at"), output_field=DurationField()
    )
    qs = (
        Lead.objects.filter(
            progressed_at__gte=lo,
            progressed_at__lt=hi,
            unit__isnull=False,
            first_negotiation_confirmed_at__isnull=False,
        )
        .annotate(d=duration)
        .annotate(
            rn=Window(RowNumber(), partition_by=[F("unit_id")], order_by=F("d").asc()),
            n=Window(Count("id"), partition_by=[F("unit_id")]),
        )
    )
    middles: dict[int, list[float]] = defaultdict(list)
    for unit_id, d in qs.filter(Q(rn=(F("n") + 1) / 2) | Q(rn=(F("n") + 2) / 2)).values_list("unit_id", "d"):
        middles[unit_id].append(d.total_seconds() / 86400)
    return {u: round(sum(v) / len(v), 1) for u, v in middles.items()}


def _totals(per: dict[int, dict[str, Any]], closed: dict[int, int]) -> dict[str, Any]:
    totals = {
        k: sum((row[k] or 0) for row in per.values())
        for k in KPI_FIELDS
        if k not in ("median_days_to_progress", "landing_rate")
    }
    ended = totals["landed"] + totals["lost_to_clock"] + sum(closed.values())
    totals["landing_rate"] = round(totals["landed"] / ended, 3) if ended else None
    return totals


def reward_get(*, user: Any, reward_id: Any) -> RewardCase:
    """One reward case the caller may see, or NotFound."""
    try:
        return rewards_visible(user=user).get(pk=int(reward_id))
    except (RewardCase.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(gettext_lazy("No such reward case.")) from exc


def rewards_visible(*, user: Any) -> QuerySet[RewardCase]:
    """City roles see every reward case; a unit's people see their unit's."""
    qs = RewardCase.objects.select_related("lead", "unit", "agency")
    if user.has_perm("cases.view_lead"):
        return qs
    return qs.filter(unit__memberships__user=user).distinct()
