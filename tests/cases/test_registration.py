"""Registering leads: validation, the registering unit, duplicate protection."""

import pytest

from cases.demo import credit_code, lead_data
from cases.errors import Conflict, Invalid, NotPermitted
from cases.leads import services
from cases.models import Lead, State
from tests.helpers import at, fire


def test_it_registers_a_draft_with_its_first_negotiation_decision(make_lead, haidian_officer):
    lead = make_lead(haidian_officer, total_investment_cny="100000000")
    assert (lead.state, lead.discovering_unit.code, lead.unit) == (State.DRAFT, "haidian", None)
    assert lead.first_negotiation is True
    assert lead.first_negotiation_reason.startswith("§5")


def test_it_refuses_a_second_open_lead_for_the_same_company_naming_the_first(
    make_lead, haidian_officer, shunyi_officer
):
    first = services.lead_create(actor=haidian_officer, data=lead_data(7), now=at("2026-11-20 10:00"))
    with pytest.raises(Conflict) as err:
        make_lead(shunyi_officer, serial=7)
    assert err.value.code == "duplicate"
    messages = err.value.messages()
    assert "海淀区" in messages["zh-hans"] and "2026-11-20" in messages["zh-hans"]
    assert f"#{first.pk}" in messages["en"] and "2026-11-20" in messages["en"]
    assert Lead.objects.count() == 1


def test_a_closed_lead_frees_the_company_for_a_new_registration(make_lead, haidian_officer, haidian_leader):
    first = make_lead(haidian_officer, serial=8)
    fire(first, "close", haidian_leader, reason="录入错误")
    assert make_lead(haidian_officer, serial=8).state == State.DRAFT


def test_the_database_itself_refuses_two_open_leads_for_one_company(make_lead, haidian_officer):
    from django.db import IntegrityError, transaction

    lead = make_lead(haidian_officer, serial=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.create(
            **{f.attname: getattr(lead, f.attname) for f in Lead._meta.concrete_fields if f.name != "id"}
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("credit_code", credit_code(1)[:17] + ("0" if credit_code(1)[17] != "0" else "1")),
        ("sector", "tourism"),
        ("total_investment_cny", "-1"),
        ("total_investment_cny", "一亿"),
        ("source", "rumour"),
        ("name", ""),
    ],
)
def test_it_refuses_bad_fields_and_saves_nothing(haidian_officer, field, value):
    with pytest.raises(Invalid) as err:
        services.lead_create(actor=haidian_officer, data=lead_data(10, **{field: value}))
    assert field in err.value.errors
    assert Lead.objects.count() == 0


def test_only_officers_register(haidian_leader, outsider):
    for person in (haidian_leader, outsider):
        with pytest.raises(NotPermitted):
            services.lead_create(actor=person, data=lead_data(11))


def test_a_district_cannot_register_a_city_lead_and_the_city_not_a_district_lead(
    haidian_officer, city_officer
):
    with pytest.raises(Invalid):
        services.lead_create(actor=haidian_officer, data=lead_data(12, source="city"))
    with pytest.raises(Invalid):
        services.lead_create(actor=city_officer, data=lead_data(13, source="district"))


def test_an_officer_of_two_units_must_say_which_one(haidian_officer):
    from workflow.models import OrgUnit
    from workflow.services import member_add

    member_add(user=haidian_officer, unit=OrgUnit.objects.get(code="shunyi"), role="officer")
    with pytest.raises(Invalid):
        services.lead_create(actor=haidian_officer, data=lead_data(14))
    lead = services.lead_create(actor=haidian_officer, data=lead_data(14, discovering_unit="shunyi"))
    assert lead.discovering_unit.code == "shunyi"
