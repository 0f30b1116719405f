"""Writes of the financing platform (§13) that are not transitions: raising a need, and the people
page's financial institutions and their people. State changes go through the engine."""

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import access
from cases.errors import Conflict, Invalid, NotPermitted
from cases.financing import selectors
from cases.financing.inputs import InstitutionInput, MemberInput, NeedInput
from cases.financing.models import FinancingNeed, NeedState
from cases.leads.models import OPEN_STATES, State
from cases.leads.selectors import leads_visible
from workflow import engine
from workflow import services as engine_services
from workflow.models import Level, Membership, OrgUnit, Role


def need_create(*, actor: Any, data: Any, now: datetime | None = None) -> FinancingNeed:
    """Raise a draft financing need for a lead the actor's unit works, recording who took the
    enterprise's consent and when. Refuses a need without consent (400), a lead the actor cannot see
    (400, as if there were none), a lead that is a draft, over or not yet with a unit (409), and
    someone who is not an officer of the lead's unit (403)."""
    from cases.financing.machine import FINANCING

    now = now or timezone.now()
    d = engine.validate(NeedInput, data)
    lead = leads_visible(user=actor).select_related("unit").filter(pk=d["lead"]).first()
    if lead is None:
        raise Invalid(
            _("There is no lead #%(id)s that you can see."), {"id": d["lead"]}, code="unknown_lead",
            errors={"lead": [{"message": "unknown", "code": "unknown_lead"}]},
        )  # fmt: skip
    if lead.state == State.DRAFT or lead.state not in OPEN_STATES or lead.unit is None:
        raise Conflict(
            _("A financing need is raised for a submitted, open lead that a unit works."), code="wrong_state"
        )
    if not access.holds_role(lead.unit, actor, Role.OFFICER):
        raise NotPermitted(_("Only an officer of the unit working the lead can raise its financing needs."))
    with transaction.atomic():
        need = FinancingNeed.objects.create(
            lead=lead,
            unit=lead.unit,
            consent=True,
            consent_by=actor,
            consent_at=now,
            amount_cny=d["amount_cny"],
            term_months=d["term_months"],
            purpose=d["purpose"],
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        engine_services.grants_sync_many(FINANCING.grants([need]))  # type: ignore[misc] # declared
    return need


def may_manage_people(user: Any) -> bool:
    """The people page is the city leaders' (and superusers')."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return (
        user.is_superuser
        or Membership.objects.filter(user=user, unit__level=Level.CITY, role=Role.LEADER).exists()
    )


def institution_add(*, actor: Any, data: Any) -> OrgUnit:
    """Add a financial institution (as `manage.py add_unit CODE --level bank` does); it sees the needs
    published already at once."""
    if not may_manage_people(actor):
        raise NotPermitted(_("Only city leaders add financial institutions."))
    d = engine.validate(InstitutionInput, data)
    if OrgUnit.objects.filter(code=d["code"]).exists():
        raise Invalid(
            _("A unit with the code %(code)s exists already."), {"code": d["code"]}, code="duplicate",
            errors={"code": [{"message": "in use", "code": "duplicate"}]},
        )  # fmt: skip
    try:
        with transaction.atomic():
            unit = engine_services.unit_add(
                code=d["code"], level=Level.BANK, name_zh=d["name_zh"], name_en=d["name_en"]
            )
            bank_grants_sync()
    except (ValueError, ValidationError) as exc:
        raise Invalid(_("The institution could not be added: %(why)s"), {"why": str(exc)}) from exc
    return unit


def institution_member_add(*, actor: Any, data: Any) -> Membership:
    """Give a person a role in a financial institution; a new person is created without a usable
    password (they set one through the password reset, or an operator sets it)."""
    if not may_manage_people(actor):
        raise NotPermitted(_("Only city leaders add people to financial institutions."))
    d = engine.validate(MemberInput, data)
    unit = OrgUnit.objects.filter(code=d["unit"], level=Level.BANK).first()
    if unit is None:
        raise Invalid(
            _("There is no financial institution %(code)s."), {"code": d["unit"]}, code="unknown_unit",
            errors={"unit": [{"message": "unknown", "code": "unknown_unit"}]},
        )  # fmt: skip
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(username=d["username"])
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return engine_services.member_add(user=user, unit=unit, role=d["role"])


def bank_grants_sync() -> int:
    """Give every financial institution sight of every published need (a bank added since a need
    was published, e.g. by `manage.py add_unit`, gets it here). Returns how many needs changed.

    One query finds the published needs that lack some bank's grant; only those are synced."""
    from cases.financing.machine import FINANCING

    groups = list(
        engine_services.role_groups(
            OrgUnit.objects.filter(level=Level.BANK).values_list("pk", flat=True)
        ).values()
    )
    if not groups:
        return 0
    view = selectors.view_permission_id()
    have = Count(
        "financingneedgroupobjectpermission",
        filter=Q(
            financingneedgroupobjectpermission__permission_id=view,
            financingneedgroupobjectpermission__group_id__in=groups,
        ),
    )
    needs = list(
        FinancingNeed.objects.filter(state=NeedState.PUBLISHED)
        .annotate(have=have)
        .filter(have__lt=len(groups))
    )
    if needs:
        engine_services.grants_sync_many(FINANCING.grants(needs))  # type: ignore[misc] # declared
    return len(needs)


def bank_grants_due(now: datetime) -> int:
    """process_due's job: see bank_grants_sync."""
    with transaction.atomic():
        return bank_grants_sync()
