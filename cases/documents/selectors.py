"""Every read of the formal papers: which papers a lead has reached and the facts each one states.

The facts come from the case's own records (the lead, its history, its clock, its reward case), so a
paper says what the records say; only its number is stored (cases.documents.services).
"""

import functools
import gettext
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import django_countries
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases import policy
from cases.documents.models import LEAD_KINDS, Document, Kind
from cases.errors import NotFound
from cases.leads import selectors as lead_selectors
from cases.leads.models import Lead
from cases.outcomes.models import RewardCase, RewardState
from workflow import selectors as engine_selectors
from workflow.models import ClockStatus, OrgUnit, TransitionRecord
from workflow.services import CITY

# The transitions by which the city recognises a unit as the lead's first-negotiation unit (§5): their
# history row names the unit and, for a first-negotiation lead, the deadline of the clock they start.
RECOGNITIONS = ("confirm", "assign", "rule_strategic")
# What moves a lead to a unit (or away from one), as its history records it.
UNIT_CHANGES = ("confirm", "assign", "reassign")
DECIDED = (RewardState.APPROVED, RewardState.PAID, RewardState.REJECTED)


@dataclass
class Paper:
    """What one paper states, besides its number and date: who issues it and its facts."""

    kind: str
    unit: OrgUnit
    lead: Lead | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def lead_facts(*, lead: Lead) -> dict[str, Any]:
    """The lead's facts every paper about it repeats: project, company and its identification, sector,
    total investment."""
    country = country_zh(str(lead.home_country)) if lead.home_country else ""  # str: its code
    return {
        "name": lead.name,
        "company_name": lead.company_name,
        "credit_code": lead.credit_code,
        "home_registration_number": lead.home_registration_number,
        "home_country": country,
        "sector": lead.sector.name_zh,
        "total_investment_cny": lead.total_investment_cny,
    }


@functools.cache
def _country_names() -> gettext.NullTranslations:
    """django-countries' Chinese names, read from its catalogue (the app is not installed, so Django's
    translations do not include it)."""
    localedir = Path(django_countries.__file__).parent / "locale"
    return gettext.translation("django", localedir=localedir, languages=["zh_Hans"], fallback=True)


def country_zh(code: str) -> str:
    """The country's Chinese name (德国 for DE); its English name if the catalogue lacks it."""
    return _country_names().gettext(str(countries.name(code)))


def _history(lead: Lead) -> list[TransitionRecord]:
    """The lead's own history: a duplicate merged into it brings its timeline, not its papers."""
    return list(engine_selectors.history(subject=lead))


def _recognition(records: list[TransitionRecord]) -> TransitionRecord | None:
    """The first history row in which the city recognised a first-negotiation unit (a clock started)."""
    for record in records:
        p = record.params
        if (
            record.transition in RECOGNITIONS
            and "deadline_at" in p
            and (p.get("unit") or p.get("first_negotiation_unit"))
        ):
            return record
    return None


def _unit(code: str | None) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code).first() if code else None


def _city() -> OrgUnit:
    return OrgUnit.objects.get(code=CITY["code"])


def notice_paper(*, lead: Lead, records: list[TransitionRecord] | None = None) -> Paper | None:
    """首谈区认定通知: once the city recognised the lead's first-negotiation unit (confirm, or assign /
    a strategic ruling that started its clock); None before."""
    record = _recognition(_history(lead) if records is None else records)
    if record is None:
        return None
    unit = _unit(record.params.get("unit") or record.params.get("first_negotiation_unit"))
    if unit is None:
        return None
    return Paper(
        kind=Kind.FIRST_NEGOTIATION_NOTICE,
        unit=_city(),
        lead=lead,
        facts={
            **lead_facts(lead=lead),
            "first_negotiation_unit": unit.name_zh,
            "confirmed_at": record.at,
            "deadline_at": _deadline(lead, record),
            "clock_stopped": lead.clock is not None
            and lead.clock.started_at == record.at
            and lead.clock.status in (ClockStatus.STOPPED, ClockStatus.FIRED),
            "months": (
                lead.clock.period if lead.clock is not None and lead.clock.started_at == record.at else None
            )
            or policy.NO_PROGRESS_PERIOD_MONTHS,
        },
    )


def _deadline(lead: Lead, record: TransitionRecord) -> datetime:
    """The no-progress deadline of the clock the recognition started: as the clock reads now (pauses
    move it) while the lead still runs on that clock, else as it was set then."""
    if lead.clock is not None and lead.clock.started_at == record.at:
        summary = lead_selectors.clock_summary(clock=lead.clock, pauses=False)
        if summary is not None:
            return summary["deadline_at"]
    return datetime.fromisoformat(record.params["deadline_at"])


def push_paper(*, lead: Lead, records: list[TransitionRecord] | None = None) -> Paper | None:
    """推送函: once a unit pushed the lead to the city (its first `request_push`); None before."""
    records = _history(lead) if records is None else records
    holder: str | None = None
    for record in records:
        if record.transition == "request_push":
            unit = _unit(holder) or lead.unit
            if unit is None:
                return None
            return Paper(
                kind=Kind.PUSH_LETTER,
                unit=unit,
                lead=lead,
                facts={
                    **lead_facts(lead=lead),
                    "pushing_unit": unit.name_zh,
                    "reason_key": record.params.get("reason", ""),
                    "note": record.params.get("note", ""),
                    "pushed_at": record.at,
                    "first_negotiation_unit": lead.first_negotiation_unit.name_zh
                    if lead.first_negotiation_unit
                    else "",
                },
            )
        holder = _holder_after(record, lead, holder)
    return None


def _holder_after(record: TransitionRecord, lead: Lead, holder: str | None) -> str | None:
    """The code of the unit holding the lead after this history row."""
    if record.transition in UNIT_CHANGES and record.params.get("unit"):
        return record.params["unit"]
    if record.transition == "submit" and record.target == "negotiating":
        return lead.discovering_unit.code
    if record.transition in ("confirm_push", "escalate"):
        return None
    return holder


def reward_paper(*, lead: Lead) -> Paper | None:
    """奖励决定: once the landing unit decided the lead's §15 reward case (approved, paid or rejected)."""
    reward = RewardCase.objects.select_related("unit", "agency").filter(lead=lead, state__in=DECIDED).first()
    if reward is None:
        return None
    facts = reward.facts
    return Paper(
        kind=Kind.REWARD_DECISION,
        unit=reward.unit,
        lead=lead,
        facts={
            **lead_facts(lead=lead),
            "landing_unit": reward.unit.name_zh,
            "agency": reward.agency.name,
            "landed_on": date.fromisoformat(facts["landed_on"]) if facts.get("landed_on") else lead.landed_on,
            "paid_in_capital_cny": Decimal(facts.get("paid_in_capital_cny") or 0),
            "actual_fdi_usd": Decimal(facts.get("actual_fdi_usd") or 0),
            "approved": reward.state != RewardState.REJECTED,
            "amount_cny": reward.amount_cny,
            "decision_reason": reward.decision_reason,
            "decided_at": reward.decided_at,
            "rule": facts.get("rule", ""),
        },
    )


def lead_paper(*, user: Any, lead_id: Any, kind: str) -> Paper:
    """The paper of this kind for a lead the caller may see, or NotFound: an unknown kind, a lead the
    caller may not see, or a paper the lead has not reached yet."""
    if kind not in LEAD_KINDS:
        raise NotFound(
            _("There is no such document: %(kind)s."), {"kind": kind[:40]}, code="unknown_document"
        )
    lead = lead_selectors.lead_get(user=user, lead_id=lead_id)
    paper = _paper(lead, kind, None)
    if paper is None:
        raise NotFound(
            _("This lead has not reached the %(document)s yet."),
            {"document": Kind(kind).label},
            code="not_reached",
        )
    return paper


def _paper(lead: Lead, kind: str, records: list[TransitionRecord] | None) -> Paper | None:
    if kind == Kind.FIRST_NEGOTIATION_NOTICE:
        return notice_paper(lead=lead, records=records)
    if kind == Kind.PUSH_LETTER:
        return push_paper(lead=lead, records=records)
    return reward_paper(lead=lead)


def lead_papers(*, lead: Lead) -> list[dict[str, Any]]:
    """The papers this lead has reached, in the order of the process, each with its number if issued
    (the lead page's documents section). The caller has already been allowed to see the lead."""
    records = _history(lead)
    numbers = dict(Document.objects.filter(lead=lead).values_list("kind", "number"))
    out = []
    for kind in LEAD_KINDS:
        if _paper(lead, kind, records) is not None:
            out.append({"kind": kind, "label": Kind(kind).label, "number": numbers.get(kind, "")})
    return out


def report_paper(*, start: date, end: date) -> Paper:
    """The §16 report of a period: issued by the city."""
    return Paper(kind=Kind.ASSESSMENT_REPORT, unit=_city(), facts={"from": start, "to": end})
