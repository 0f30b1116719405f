"""Writes to leads that are not transitions: registration, and what the no-progress clock says
when it comes due. Every state change goes through the engine (workflow.engine.fire)."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cases import audiences, policy
from cases.attachments.services import attachments_move
from cases.errors import Bilingual, Conflict, Invalid, NotPermitted
from cases.leads import selectors
from cases.leads.inputs import LeadInput
from cases.leads.machine import LEAD
from cases.leads.models import Activity, Lead, Referrer, Source, State
from workflow import engine, locks, registry
from workflow import services as engine_services
from workflow.models import HOSTING_LEVELS, Level, OrgUnit, Role

CLOCK_KIND = "lead_no_progress"


def iso(moment: datetime) -> str:
    """History and events read in Beijing time, as people wrote them."""
    return timezone.localtime(moment).isoformat()


def lead_create(*, actor: Any, data: Any, now: datetime | None = None) -> Lead:
    """Register a lead in `draft` for the actor's unit. Refuses a company that has an open lead."""
    now = now or timezone.now()
    d, unit = lead_check(actor=actor, data=data)
    with translation.override(settings.LANGUAGE_CODE):  # the rule is recorded in the official language
        decision = policy.first_negotiation(
            total_investment_cny=d["total_investment_cny"], strategic=d["strategic"]
        )
    try:
        with transaction.atomic():
            referrer = None
            if d["referrer"]:
                referrer, _created = Referrer.objects.get_or_create(
                    name=d["referrer"], kind=d["referrer_kind"]
                )
            fields = ("name", "company_name", "credit_code", "home_registration_number", "home_country", "sector",
                      "segment", "total_investment_cny", "strategic", "source", "contacts", "notes",
                      "foreign_investment_usd", "land_need_mu")  # fmt: skip
            lead = Lead.objects.create(
                **{k: d[k] for k in fields},
                referrer=referrer,
                discovering_unit=unit,
                first_negotiation=decision.applies,
                first_negotiation_reason=decision.reason,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            engine_services.grants_sync_many(LEAD.grants([lead]))  # type: ignore[misc] # declared
    except IntegrityError as exc:  # the partial unique index lost a race to a simultaneous registration
        refuse_duplicate(**_identity(d))
        raise Conflict(_("The lead could not be saved; please try again.")) from exc
    return lead


def lead_check(*, actor: Any, data: Any) -> tuple[dict[str, Any], OrgUnit]:
    """Every check of a registration short of saving it (the bulk import checks each row with it):
    fields, the registering unit, and that the company has no open lead. Returns the clean data."""
    d = engine.validate(LeadInput, data)
    unit = _registering_unit(actor=actor, code=d["discovering_unit"], source=d["source"])
    refuse_duplicate(**_identity(d))
    return d, unit


def _identity(d: Any) -> dict[str, Any]:
    """How a registration (its clean data, or a lead) names its company: its credit code, or a foreign
    investor's home registration number and country."""
    get = d.get if isinstance(d, dict) else lambda name: getattr(d, name)
    country = get("home_country")
    return {
        "credit_code": get("credit_code") or "",
        "home_registration_number": get("home_registration_number") or "",
        "home_country": str(getattr(country, "code", country) or ""),
    }


def refuse_duplicate_of(lead: Lead) -> None:
    """refuse_duplicate for a lead as it now is (its submission, a corrected identity)."""
    refuse_duplicate(**_identity(lead), exclude_pk=lead.pk)


def _registering_unit(*, actor: Any, code: str, source: str) -> OrgUnit:
    # the city, districts and zones register leads; departments, the government and banks do not (§6b)
    units = OrgUnit.objects.filter(
        memberships__user=actor, memberships__role=Role.OFFICER, level__in=(Level.CITY, *HOSTING_LEVELS)
    ).distinct()
    if code:
        units = units.filter(code=code)
    found = list(units[:2])
    if not found:
        raise NotPermitted(_("Only an officer of a unit can register leads (for the unit given)."))
    if len(found) > 1:
        raise Invalid(_("You are an officer in several units: say which one discovered the lead."))
    unit = found[0]
    if source == Source.DISTRICT and unit.level == Level.CITY:
        raise Invalid(_("A lead from a district source must be registered by a district or zone."))
    if source == Source.CITY and unit.level != Level.CITY:
        raise Invalid(_("Only the city registers city-discovered leads."))
    return unit


def refuse_duplicate(
    *,
    credit_code: str,
    home_registration_number: str = "",
    home_country: str = "",
    exclude_pk: int | None = None,
) -> None:
    """Conflict (409) naming who registered this company first, if it has an open lead."""
    first = selectors.lead_open_duplicate(
        credit_code=credit_code, home_registration_number=home_registration_number, home_country=home_country
    )
    if first is not None and first.pk != exclude_pk:
        raise Conflict(
            _(
                "This company (%(code)s) already has an open lead, registered by %(unit)s "
                "on %(date)s (lead #%(id)s). Ask the city to merge or close it instead of registering again."
            ),
            {
                "code": credit_code or f"{home_country} {home_registration_number}",
                "unit": Bilingual(first.discovering_unit.name_zh, first.discovering_unit.name_en),
                "date": date_format(timezone.localtime(first.created_at), "Y-m-d"),
                "id": first.pk,
            },
            code="duplicate",
        )


# --- the no-progress clock's handler ----------------------------------------------------------------


def lead_lock_for_clock(subject_ids: list[int]) -> set[int]:
    """Lock the leads before their clocks (the order transitions use), skipping leads in use."""
    return locks.lock_free(Lead, subject_ids)


def lead_clocks_due(events: list[registry.ClockEvent], now: datetime) -> None:
    """Warnings and deadlines of leads' no-progress clocks came due (runs inside the claim): the
    deadlines escalate through the engine, as one set; the warnings tell the unit."""
    current = Lead.objects.filter(pk__in=[e.subject_id for e in events], state=State.NEGOTIATING).in_bulk()
    # a clock of a negotiation that has since ended has nothing to say
    events = [e for e in events if e.subject_id in current and current[e.subject_id].clock_id == e.clock_id]
    deadlines = [e.subject_id for e in events if e.is_deadline]
    if deadlines:
        engine.fire_many(LEAD, pks=deadlines, name="escalate", now=now)
    warning = engine.Notice("clock_warning", (audiences.UNIT,))
    engine.announce(
        LEAD,
        [
            (
                current[e.subject_id],
                warning,
                {"clock_id": e.clock_id, "days": e.warning_days, "deadline_at": iso(e.deadline_at)},
                f"clock:{e.clock_id}:warn:{e.warning_days}",
            )
            for e in events
            if not e.is_deadline
        ],
        at=now,
        name="clock_warning",
    )


# --- case work (DESIGN §6a) -------------------------------------------------------------------------


def merge_move(*, duplicate: Lead, survivor: Lead) -> None:
    """What a merged duplicate hands to the lead that stays (inside the merge's transaction):
    activities, attachments, credits (a credit the survivor holds already stays where it is: one per
    cause), and earlier duplicates merged into this one."""
    from cases.outcomes.models import Credit  # outcomes reads leads; leads reads it only here

    Activity.objects.filter(lead=duplicate).update(lead=survivor)
    held = set(Credit.objects.filter(lead=survivor).values_list("unit_id", "kind"))
    for credit in Credit.objects.filter(lead=duplicate):
        if (credit.unit_id, credit.kind) not in held:
            credit.lead = survivor
            credit.save(update_fields=["lead"])
    attachments_move(source=duplicate, target=survivor)
    Lead.objects.filter(duplicate_of=duplicate).update(duplicate_of=survivor)


def activity_create(*, actor: Any, lead_id: Any, data: Any, now: datetime | None = None) -> Activity:
    """Log a meeting, visit, call or note on a lead (DESIGN §6a): those who work the lead (its unit's
    people, city officers) while it is not closed."""
    from cases import access
    from cases.leads.inputs import ActivityInput

    now = now or timezone.now()
    with transaction.atomic():
        lead = selectors.lead_get(user=actor, lead_id=lead_id)  # 404 for a lead the actor may not see
        if lead.state == State.CLOSED:
            raise Conflict(_("The lead is closed: nothing more is logged on it."), code="wrong_state")
        if not access.can_log_activity(lead, actor):
            raise NotPermitted(_("Only the people working this lead can log activities on it."))
        d = engine.validate(ActivityInput, data, context={"now": now})
        return Activity.objects.create(
            lead=lead, kind=d["kind"], at=d["at"], summary=d["summary"], actor=actor, created_at=now
        )
