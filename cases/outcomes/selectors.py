"""Reads about outcomes: landing recommendations (§3, §5), the §16 assessment figures and targets, reward
cases."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.errors import Invalid, NotFound, NotPermitted
from cases.leads.selectors import leads_visible
from cases.models import Credit, Exclusion, Lead, RewardCase, State, Target
from workflow.clockmath import SHANGHAI
from workflow.models import HOSTING_LEVELS, OrgUnit, TransitionRecord

SECTOR_POINTS, LAND_POINTS, SPACE_POINTS, HISTORY_POINTS = 50, 25, 10, 15
# each criterion's most points; a score is their sum, out of SCALE (100)
POINTS = {"sector": SECTOR_POINTS, "land": LAND_POINTS, "space": SPACE_POINTS, "record": HISTORY_POINTS}
SCALE = sum(POINTS.values())
LAND_REFERENCE_MU, SPACE_REFERENCE_M2 = Decimal(200), Decimal(50000)


def lead_recommendations(*, lead: Lead) -> list[dict[str, Any]]:
    """Every unit that may take the lead, best first, each with a score out of 100 and its reasons:
    sector fit (the unit's leading industries), the capacity it reports, its landing record in the
    sector. Excluded units never appear. Units §8 rules out for the lead (a production lead in a
    central urban district) come last with score 0 and the rule as their first reason: the city may
    still choose one, with an override reason."""
    from cases import policy  # the measures' rules (§8)

    units = list(
        OrgUnit.objects.filter(level__in=HOSTING_LEVELS)
        .exclude(pk__in=Exclusion.objects.filter(lead=lead).values("unit_id"))
        .select_related("capacity")
        .prefetch_related("leading_industries", "pilot_zones")
    )
    history = _sector_record(sector_id=lead.sector_id)
    ranked = [_score(unit, lead, history.get(unit.pk, (0, 0))) for unit in units]
    ruled_out = set()
    for r in ranked:
        rule = policy.central_district_rule(segment=lead.segment, unit_code=r["unit"])
        if rule.applies:
            ruled_out.add(r["unit"])
            r["score"] = 0.0
            r["points"] = dict.fromkeys(r["points"], 0.0)
            r["reasons"].insert(
                0, _("%(rule)s: ranked out; assigning needs an override reason") % {"rule": rule.reason}
            )
    by_unit = {unit.code: unit for unit in units}
    return _break_ties(ranked, ruled_out, by_unit, history)


def _break_ties(
    ranked: list[dict[str, Any]],
    ruled_out: set[str],
    units: dict[str, OrgUnit],
    history: dict[int, tuple[int, int]],
) -> list[dict[str, Any]]:
    """Best first. Units with the same score are ordered by what the capped score cannot show — the land
    and factory space they report, then their landings in the sector — and each says so; units equal on
    all of it are listed by code, and say that too: a ranking is never silently decided by a name."""

    def facts(r: dict[str, Any]) -> tuple[Decimal, Decimal, int]:
        unit = units[r["unit"]]
        capacity = getattr(unit, "capacity", None)
        land = capacity.industrial_land_mu if capacity else Decimal(0)
        space = capacity.factory_space_m2 if capacity else Decimal(0)
        return land, space, history.get(unit.pk, (0, 0))[0]

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        land, space, landed = facts(r)
        return (r["unit"] in ruled_out, -r["score"], -land, -space, -landed, r["unit"])

    ranked = sorted(ranked, key=key)
    groups: dict[tuple[bool, float], list[dict[str, Any]]] = {}
    for r in ranked:
        groups.setdefault((r["unit"] in ruled_out, r["score"]), []).append(r)
    for group in groups.values():
        if len(group) < 2:
            continue
        for r in group:
            others = "、".join(units[o["unit"]].name_zh for o in group if o is not r)
            same = [o for o in group if o is not r and facts(o) == facts(r)]
            if same:
                r["reasons"].append(
                    _("equal on every criterion with %(units)s: listed by unit code, not a preference")
                    % {"units": "、".join(units[o["unit"]].name_zh for o in same)}
                )
            else:
                r["reasons"].append(
                    _(
                        "same score as %(units)s: ordered by available industrial land, then factory space, "
                        "then landings in this sector"
                    )
                    % {"units": others}
                )
    return ranked


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
    """The unit's score out of SCALE: the points of each criterion (`points`, adding up to the score) and
    the reasons in words."""
    points = dict.fromkeys(POINTS, 0.0)
    reasons = []
    sectors = {s.slug for s in unit.leading_industries.all()}
    if lead.sector_id in sectors:
        points["sector"] = SECTOR_POINTS
        reasons.append(_("leading industry includes %(sector)s") % {"sector": lead.sector.name_zh})
    else:
        reasons.append(_("%(sector)s is not among its leading industries") % {"sector": lead.sector.name_zh})
    capacity = getattr(unit, "capacity", None)
    if capacity is None:
        reasons.append(_("no capacity figures reported"))
    else:
        need = lead.land_need_mu or LAND_REFERENCE_MU
        points["land"] = LAND_POINTS * float(min(Decimal(1), capacity.industrial_land_mu / need))
        points["space"] = SPACE_POINTS * float(
            min(Decimal(1), capacity.factory_space_m2 / SPACE_REFERENCE_M2)
        )
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
    zones = [z.name_zh for z in unit.pilot_zones.all()]
    if zones:  # said, not scored: the commitment pilot (§6) speeds a factory's approval there
        reasons.append(_("lies in the commitment pilot zone %(zones)s") % {"zones": "、".join(zones)})
    landed, ended = record
    if ended:
        points["record"] = HISTORY_POINTS * landed / ended
        reasons.append(
            _("landed %(landed)s of %(ended)s finished leads in this sector")
            % {"landed": landed, "ended": ended}
        )
    return {
        "unit": unit.code,
        "name_zh": unit.name_zh,
        "name_en": unit.name_en,
        "score": round(sum(points.values()), 1),
        "points": {k: round(v, 1) for k, v in points.items()},
        "reasons": reasons,
    }


# --- §16 assessment ------------------------------------------------------------------------------
#
# Every figure is counted from a fact that a later edit cannot move: the history's first `submit` and
# `close`, the confirmation time, the landing date, the credit ledger, the exclusions. Each figure is
# one grouped SQL aggregate (the same query for 2 units or 2,000 leads), and its drill-down is the same
# query's leads, so the list behind a number is exactly what was counted (less what the caller may not see).

FIGURES = [
    "submitted", "first_negotiations_confirmed", "landed", "landed_investment_cny", "referral_credits",
    "lost_to_clock", "median_days_to_progress", "landing_rate",
]  # fmt: skip
TARGET_FIELDS = [
    "target_leads_landed", "leads_landed_completion", "target_investment_landed_cny", "investment_landed_completion",
]  # fmt: skip
TREND_FIGURES = ["submitted", "landed", "landed_investment_cny"]
DRILLABLE = FIGURES
# The ranking: more landed investment first, then more landed leads; units equal on both share a rank.
RANKING = ("landed_investment_cny", "landed")


@dataclass(frozen=True)
class Period:
    """[start 00:00, end+1 00:00) in Beijing time: a period of whole calendar days as people mean it."""

    start: date
    end: date

    @property
    def lo(self) -> datetime:
        return datetime.combine(self.start, time.min, SHANGHAI)

    @property
    def hi(self) -> datetime:
        return datetime.combine(self.end, time.min, SHANGHAI) + timedelta(days=1)

    @property
    def year(self) -> int | None:
        """The calendar year whose targets apply: only a period within one year has them."""
        return self.start.year if self.start.year == self.end.year else None

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        out, month = [], self.start.replace(day=1)
        while month <= self.end:
            out.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return out


def _first(transition: str) -> Subquery:
    """When the lead first took this transition, from its history: the lead's own columns change with
    every edit (`updated_at`), the history does not. Served by the history's (subject_type,
    subject_id, at) index."""
    return Subquery(
        TransitionRecord.objects.filter(
            subject_type_id=ContentType.objects.get_for_model(Lead).pk,
            subject_id=OuterRef("pk"),
            transition=transition,
        )
        .order_by("at", "id")
        .values("at")[:1]
    )


def _submitted(p: Period) -> QuerySet[Lead]:
    """§16 "leads submitted": by the discovering unit, at the lead's first `submit`; a draft never counts."""
    return (
        Lead.objects.exclude(state=State.DRAFT)
        .annotate(on=_first("submit"))
        .filter(on__gte=p.lo, on__lt=p.hi)
    )


def _confirmed(p: Period) -> QuerySet[Lead]:
    return Lead.objects.filter(
        first_negotiation_confirmed_at__gte=p.lo, first_negotiation_confirmed_at__lt=p.hi
    )


def _landed(p: Period) -> QuerySet[Lead]:
    return Lead.objects.filter(state=State.LANDED, landed_on__gte=p.start, landed_on__lte=p.end)


def _referrals(p: Period) -> QuerySet[Credit]:
    return Credit.objects.filter(kind=Credit.Kind.REFERRAL, at__gte=p.lo, at__lt=p.hi)


def _lost(p: Period) -> QuerySet[Exclusion]:
    return Exclusion.objects.filter(reason=Exclusion.Reason.CLOCK_EXPIRED, at__gte=p.lo, at__lt=p.hi)


def _closed(p: Period) -> QuerySet[Lead]:
    """Submitted leads closed in the period, at their `close` (a draft thrown away is no lost lead)."""
    return (
        Lead.objects.filter(state=State.CLOSED)
        .annotate(on=_first("close"), submitted_at=_first("submit"))
        .filter(on__gte=p.lo, on__lt=p.hi, submitted_at__isnull=False)
    )


def _progressed(p: Period) -> QuerySet[Lead]:
    return Lead.objects.filter(
        progressed_at__gte=p.lo,
        progressed_at__lt=p.hi,
        unit__isnull=False,
        first_negotiation_confirmed_at__isnull=False,
    )


@dataclass(frozen=True)
class Source:
    """The rows a figure counts, the unit it counts them for, and the lead each row stands for."""

    rows: Callable[[Period], QuerySet[Any]]
    unit: str
    lead: str = "pk"


SUBMITTED = Source(_submitted, "discovering_unit")
CONFIRMED = Source(_confirmed, "first_negotiation_unit")
LANDED = Source(_landed, "unit")
REFERRALS = Source(_referrals, "unit", "lead_id")
LOST = Source(_lost, "unit", "lead_id")
CLOSED = Source(_closed, "unit")
PROGRESSED = Source(_progressed, "unit")
SOURCES: dict[str, tuple[Source, ...]] = {
    "submitted": (SUBMITTED,),
    "first_negotiations_confirmed": (CONFIRMED,),
    "landed": (LANDED,),
    "landed_investment_cny": (LANDED,),
    "referral_credits": (REFERRALS,),
    "lost_to_clock": (LOST,),
    "median_days_to_progress": (PROGRESSED,),
    "landing_rate": (LANDED, LOST, CLOSED),  # landed ÷ (landed + lost to the clock + closed)
}


def _count(source: Source, p: Period) -> dict[int | None, int]:
    rows = source.rows(p).values_list(f"{source.unit}_id").annotate(n=Count(source.lead)).order_by()
    return dict(rows)


def _monthly(source: Source, p: Period, month: Any, total: str | None = None) -> list[tuple]:
    """(unit id, month, count[, sum of `total`]) rows: one grouped query gives both the period's
    figures and their trend."""
    aggregates: dict[str, Any] = {"n": Count("pk")}
    if total:
        aggregates["s"] = Sum(total)
    return list(
        source.rows(p)
        .annotate(month=month)
        .values_list(f"{source.unit}_id", "month")
        .annotate(**aggregates)
        .order_by()
    )


def assessment_units(*, user: Any) -> QuerySet[OrgUnit]:
    """The units whose figures the caller sees: city roles every unit, a unit's people their own units
    (and the city-wide totals); a person without a role nothing at all (DESIGN §11: NotPermitted)."""
    if not user.has_perm("cases.view_lead") and not user.memberships.exists():
        raise NotPermitted(gettext_lazy("Only people with a role in a unit see the assessment figures."))
    units = OrgUnit.objects.filter(level__in=HOSTING_LEVELS).order_by("id")
    return units if user.has_perm("cases.view_lead") else units.filter(memberships__user=user).distinct()


def kpis(*, start: date, end: date, units: QuerySet[OrgUnit] | None = None) -> dict[str, Any]:
    """§16 figures for the period: per unit (ranked; targets and completion when the period lies in
    one calendar year), city-wide, and by month. A constant number of grouped SQL queries; nothing
    iterates over leads in Python."""
    p = Period(start, end)
    months = [m.strftime("%Y-%m") for m in p.months()]
    per: dict[int | None, dict[str, Any]] = defaultdict(_empty)
    trend: dict[int | None, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    submit_month = TruncMonth("on", output_field=DateField(), tzinfo=SHANGHAI)
    for unit_id, month, n in _monthly(SUBMITTED, p, submit_month):
        per[unit_id]["submitted"] += n
        trend[unit_id]["submitted"][f"{month:%Y-%m}"] = n
    for unit_id, month, n, s in _monthly(LANDED, p, TruncMonth("landed_on"), "total_investment_cny"):
        per[unit_id]["landed"] += n
        per[unit_id]["landed_investment_cny"] += s or 0
        trend[unit_id]["landed"][f"{month:%Y-%m}"] = n
        trend[unit_id]["landed_investment_cny"][f"{month:%Y-%m}"] = s or Decimal(0)
    for field, source in (("first_negotiations_confirmed", CONFIRMED), ("referral_credits", REFERRALS),
                          ("lost_to_clock", LOST), ("closed", CLOSED)):  # fmt: skip
        for unit_id, n in _count(source, p).items():
            per[unit_id][field] = n
    for unit_id, median in _median_days_to_progress(p).items():
        per[unit_id]["median_days_to_progress"] = median
    targets = _targets(p.year)
    hosting = list(
        OrgUnit.objects.filter(level__in=HOSTING_LEVELS).order_by("id").values_list("pk", flat=True)
    )
    ranks = _ranks(per, hosting)
    shown = sorted(
        units if units is not None else OrgUnit.objects.filter(level__in=HOSTING_LEVELS).order_by("id"),
        key=lambda unit: ranks[unit.pk],  # stable: units of equal rank keep their order
    )
    rows = [_row(unit, per.get(unit.pk) or _empty(), targets.get(unit.pk), ranks[unit.pk]) for unit in shown]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "target_year": p.year,
        "ranked_units": len(hosting),
        "units": rows,
        "totals": _totals(per, targets, median=_median_days_to_progress(p, city_wide=True).get(None)),
        "trend": _trend(trend, months, [(unit.pk, unit.code) for unit in shown]),
    }


def _median_days_to_progress(p: Period, *, city_wide: bool = False) -> dict[int | None, float]:
    """Median days from first-negotiation confirmation to approved substantive progress, per unit (or
    city-wide, under the key None). SQL numbers the durations within each unit (a window function);
    only the one or two middle rows per unit come back."""
    duration = ExpressionWrapper(
        F("progressed_at") - F("first_negotiation_confirmed_at"), output_field=DurationField()
    )
    partition = None if city_wide else [F("unit_id")]
    qs = (
        PROGRESSED.rows(p)
        .annotate(d=duration)
        .annotate(
            rn=Window(RowNumber(), partition_by=partition, order_by=F("d").asc()),
            n=Window(Count("id"), partition_by=partition),
        )
    )
    middles: dict[int | None, list[float]] = defaultdict(list)
    for unit_id, d in qs.filter(Q(rn=(F("n") + 1) / 2) | Q(rn=(F("n") + 2) / 2)).values_list("unit_id", "d"):
        middles[None if city_wide else unit_id].append(d.total_seconds() / 86400)
    return {u: round(sum(v) / len(v), 1) for u, v in middles.items()}


def _empty() -> dict[str, Any]:
    return dict.fromkeys(FIGURES, 0) | {
        "landed_investment_cny": Decimal(0), "closed": 0, "median_days_to_progress": None, "landing_rate": None,
    }  # fmt: skip


def _targets(year: int | None) -> dict[int, tuple[int, Decimal]]:
    if year is None:
        return {}
    rows = Target.objects.filter(year=year).values_list("unit_id", "leads_landed", "investment_landed_cny")
    return {unit_id: (n, amount) for unit_id, n, amount in rows}


def _ranks(per: dict[int | None, dict[str, Any]], hosting: list[int]) -> dict[int, int]:
    """Competition ranking ("1, 2, 2, 4") of every unit hosting leads by RANKING."""
    key = {u: tuple((per.get(u) or _empty())[f] for f in RANKING) for u in hosting}
    ordered = sorted(hosting, key=lambda u: key[u], reverse=True)
    ranks: dict[int, int] = {}
    for i, u in enumerate(ordered, start=1):
        ranks[u] = ranks[ordered[i - 2]] if i > 1 and key[u] == key[ordered[i - 2]] else i
    return ranks


def _ratio(done: Any, of: Any) -> float | None:
    return round(float(Decimal(done) / Decimal(of)), 3) if of else None


def _with_targets(row: dict[str, Any], target: tuple[int, Decimal] | None) -> dict[str, Any]:
    leads, amount = target if target is not None else (None, None)
    ended = row["landed"] + row["lost_to_clock"] + row["closed"]
    return {
        **{k: row[k] for k in FIGURES if k != "landing_rate"},
        "landing_rate": _ratio(row["landed"], ended),
        "target_leads_landed": leads,
        "leads_landed_completion": _ratio(row["landed"], leads),
        "target_investment_landed_cny": amount,
        "investment_landed_completion": _ratio(row["landed_investment_cny"], amount),
    }


def _row(unit: OrgUnit, row: dict[str, Any], target: tuple[int, Decimal] | None, rank: int) -> dict[str, Any]:
    return {"unit": unit.code, "name_zh": unit.name_zh, "name_en": unit.name_en, "rank": rank,
            **_with_targets(row, target)}  # fmt: skip


def _totals(
    per: dict[int | None, dict[str, Any]], targets: dict[int, tuple[int, Decimal]], *, median: float | None
) -> dict[str, Any]:
    """City-wide: every unit, and the leads the city itself registered (in `submitted`)."""
    summed = _empty()
    for row in per.values():
        for k in ("submitted", "first_negotiations_confirmed", "landed", "landed_investment_cny",
                  "referral_credits", "lost_to_clock", "closed"):  # fmt: skip
            summed[k] += row[k]
    summed["median_days_to_progress"] = median
    target = None
    if targets:
        target = (sum(n for n, _a in targets.values()), sum((a for _n, a in targets.values()), Decimal(0)))
    return _with_targets(summed, target)


def _trend(
    trend: dict[int | None, dict[str, dict[str, Any]]], months: list[str], shown: list[tuple[int, str]]
) -> dict[str, Any]:
    """Month series (dense: a month without activity is 0) city-wide and for each unit shown."""
    zero = {"submitted": 0, "landed": 0, "landed_investment_cny": Decimal(0)}

    def series(by_figure: dict[str, dict[str, Any]]) -> dict[str, list[Any]]:
        return {f: [by_figure.get(f, {}).get(m, zero[f]) for m in months] for f in TREND_FIGURES}

    city: dict[str, dict[str, Any]] = defaultdict(dict)
    for by_figure in trend.values():
        for f, values in by_figure.items():
            for m, v in values.items():
                city[f][m] = city[f].get(m, zero[f]) + v
    return {
        "months": months,
        "totals": series(city),
        "units": [{"unit": code, **series(trend.get(unit_id, {}))} for unit_id, code in shown],
    }


def hosting_unit(*, code: str) -> OrgUnit:
    """The district or zone with this code, or Invalid (400 `unknown_unit`): the city hosts no leads."""
    unit = OrgUnit.objects.filter(level__in=HOSTING_LEVELS).filter(code=code).first()
    if unit is None:
        raise Invalid(
            gettext_lazy("No district or zone has the code %(unit)s."),
            {"unit": code[:40]},
            code="unknown_unit",
        )
    return unit


def kpi_leads(*, user: Any, figure: str, start: date, end: date, unit: str | None = None) -> QuerySet[Lead]:
    """The leads behind one figure of one unit (a code; None: city-wide) in the period, exactly those
    counted, less those the caller may not see; newest first."""
    host = hosting_unit(code=unit) if unit else None
    p = Period(start, end)
    behind = Q(pk__in=[])
    for source in SOURCES[figure]:
        rows = source.rows(p)
        if host is not None:
            rows = rows.filter(**{source.unit: host})
        behind |= Q(pk__in=rows.values(source.lead))
    return leads_visible(user=user).filter(behind).order_by("-created_at", "-id")


def targets_of(*, year: int) -> QuerySet[Target]:
    """The §16 targets the city set for `year`, in the units' order."""
    return Target.objects.filter(year=year).select_related("unit", "set_by").order_by("unit_id")


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
