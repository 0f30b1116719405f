"""The pages' forms: amounts entered and shown in 万元 / 万美元 (converted exactly at the page, the API
keeping yuan), every value kept after an error, and weighty transitions guarded (issue 16)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from cases.inputs import money
from cases.webforms import form_for, units_to_wan, wan_to_units, web_params
from tests.helpers import snapshot, today


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _field(name: str = "amount_cny", **kwargs):  # type: ignore[no-untyped-def]
    field = money("Amount (yuan)", **kwargs)
    field.bind(name, None)
    return field


@pytest.mark.parametrize(
    ("typed", "units"),
    [
        ("1", "10000.00"),
        ("1,500.25", "15002500.00"),
        ("0.000001", "0.01"),  # one fen
        ("0.123456", "1234.56"),
        ("999999999.999999", "9999999999999.99"),  # the most a stored amount keeps
        ("12e2", "12000000.00"),
        ("0", "0.00"),
        (" 3000 ", "30000000.00"),
        ("1.500000000", "15000.00"),  # trailing zeros are no extra precision
    ],
)
def test_wan_converts_to_units_exactly(typed, units):
    assert wan_to_units(typed, _field()) == units
    assert Decimal(units_to_wan(Decimal(units))) == Decimal(typed.replace(",", "").strip())


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("0.0000001", "最多6位小数"),  # finer than a fen
        ("1000000000", "小数点前最多9位"),  # more than the stored amount keeps
        ("abc", "请以数字填写"),
        ("NaN", "请以数字填写"),
        ("Infinity", "请以数字填写"),
        ("", "请以数字填写"),
    ],
)
def test_wan_refuses_what_the_stored_amount_cannot_keep(typed, words):
    with translation.override("zh-hans"), pytest.raises(ValueError, match=words):
        wan_to_units(typed, _field())


def test_the_least_amount_is_said_in_wan():
    with translation.override("zh-hans"), pytest.raises(ValueError, match="至少为1,000万元|至少为1000万元"):
        wan_to_units("999.99", _field(min_value=Decimal(10_000_000)))


def test_dollars_are_named_by_the_field_and_labelled_in_wan_dollars():
    from cases.leads.inputs import LandInput, LeadInput

    with translation.override("zh-hans"):
        form = form_for(LeadInput)
        assert str(form.fields["total_investment_cny"].label) == "总投资（万元）"
        assert str(form.fields["foreign_investment_usd"].label) == "外资金额（万美元）"
        land = form_for(LandInput)
        assert "万元" in str(land.fields["paid_in_capital_cny"].label)
        assert "万美元" in str(land.fields["actual_fdi_usd"].label)
        assert land.fields["paid_in_capital_cny"].widget.attrs["step"] == "0.000001"


def test_web_params_converts_every_amount_or_none():
    from cases.errors import Invalid
    from cases.leads.inputs import LandInput

    assert web_params(LandInput, {"paid_in_capital_cny": "2", "actual_fdi_usd": "", "landed_on": "x"}) == {
        "paid_in_capital_cny": "20000.00",
        "actual_fdi_usd": "",
        "landed_on": "x",
    }
    with pytest.raises(Invalid) as refused:
        web_params(LandInput, {"paid_in_capital_cny": "2", "actual_fdi_usd": "0.0000001"})
    assert list(refused.value.errors) == ["actual_fdi_usd"]


def test_money_shows_every_amount_in_wan():
    from cases.templatetags.cases_tags import money as shown

    with translation.override("zh-hans"):
        assert shown(Decimal("150000000.00")) == "15,000万元"
        assert shown(Decimal("1234.56")) == "0.123456万元"
        assert shown(Decimal("50000"), "USD") == "5万美元"
        assert shown(None) == "—"
    with translation.override("en"):
        assert shown(Decimal("150000000")) == "15,000 × 10,000 yuan"


def test_every_weighty_transition_is_one_of_its_machine():
    from workflow import engine

    for case_type in engine.case_types().values():
        assert case_type.weighty <= set(case_type.transitions), case_type.key
    assert "close" in engine.case_types()["lead"].weighty
    assert "pay" in engine.case_types()["reward"].weighty


def test_weighty_transitions_come_last(make_negotiating, city_officer):
    from cases.leads.machine import LEAD

    lead = make_negotiating()
    names = LEAD.available(lead, city_officer)
    weighty = [n for n in names if LEAD.is_weighty(n)]
    assert weighty and names[-len(weighty) :] == weighty
    html = client_for(city_officer).get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'class="sc-button secondary danger" data-weighty="true" data-action="close"' in html


def test_a_weighty_transition_is_refused_unconfirmed_and_changes_nothing(make_negotiating, city_officer):
    lead = make_negotiating()
    before = snapshot(lead)
    client = client_for(city_officer)
    response = client.post(f"/cases/leads/{lead.pk}/do/close/", {"reason": "项目已撤回"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'name="confirmed"' in html and "项目已撤回" in html  # the reason typed is still there
    assert snapshot(lead) == before
    response = client.post(f"/cases/leads/{lead.pk}/do/close/", {"reason": "项目已撤回", "confirmed": "on"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.state == "closed"


def test_a_transition_page_shows_the_case(make_negotiating, city_officer):
    lead = make_negotiating()
    html = client_for(city_officer).get(f"/cases/leads/{lead.pk}/do/close/").content.decode()
    assert 'id="case-context"' in html
    for fact in (lead.name, lead.company_name, "洽谈中", "海淀", "万元"):
        assert fact in html, fact


def test_landing_in_wan_stores_yuan_and_a_bad_amount_changes_nothing(
    make_negotiating, haidian_officer, haidian_leader
):
    from tests.cases.test_documents import PROGRESS
    from tests.helpers import fire

    lead = make_negotiating()
    lead = fire(lead, "report_progress", haidian_officer, **{**PROGRESS, "date": today()})
    lead = fire(lead, "approve_progress", haidian_leader)
    client = client_for(haidian_leader)
    before = snapshot(lead)
    bad = {"landed_on": today(), "paid_in_capital_cny": "1500.0000001", "actual_fdi_usd": "12.5"}
    response = client.post(f"/cases/leads/{lead.pk}/do/land/", bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="1500.0000001"' in html and 'value="12.5"' in html and f'value="{today()}"' in html
    assert snapshot(lead) == before
    good = {**bad, "paid_in_capital_cny": "1500.25"}
    assert client.post(f"/cases/leads/{lead.pk}/do/land/", good).status_code == 302
    lead.refresh_from_db()
    assert (lead.paid_in_capital_cny, lead.actual_fdi_usd) == (Decimal("15002500.00"), Decimal("125000.00"))


def test_lead_registration_keeps_every_value_after_an_error(haidian_officer):
    from cases.leads.models import Lead

    typed = {
        "name": "保留测试", "company_name": "保留测试公司", "credit_code": "91110000000000000X",
        "sector": "icv", "segment": "production", "total_investment_cny": "12345.678901",
        "strategic": "on", "source": "district", "referrer": "某基金", "foreign_investment_usd": "88.5",
        "land_need_mu": "12.5", "contacts": "张三 13800000000", "notes": "备注文字",
    }  # fmt: skip
    response = client_for(haidian_officer).post("/cases/leads/new/", typed)
    assert response.status_code == 400
    html = response.content.decode()
    for name in ("name", "company_name", "credit_code", "total_investment_cny", "referrer",
                 "foreign_investment_usd", "land_need_mu"):  # fmt: skip
        assert f'value="{typed[name]}"' in html, name
    assert "张三 13800000000</textarea>" in html and "备注文字</textarea>" in html
    assert 'id="id_strategic" checked' in html
    assert not Lead.objects.filter(name="保留测试").exists()


def test_commitment_registration_keeps_the_choices_made(db):
    from cases.demo import person

    officer = person("huairou_officer")
    typed = {
        "project_name": "承诺测试", "company_name": "承诺测试公司", "credit_code": "91110000000000000X",
        "zone": "huairou_science_city", "unit": "huairou", "project_type": "warehouse",
        "investment_nature": "government", "land_supply": "lease",
    }  # fmt: skip
    response = client_for(officer).post("/cases/commitments/new/", typed)
    assert response.status_code == 400
    html = response.content.decode()
    for value in ("warehouse", "government", "lease"):
        assert f'<option value="{value}" selected>' in html, value
    assert 'id="id_industrial_content" checked' not in html  # not ticked, not ticked again
