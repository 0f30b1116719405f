from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework import serializers

from cases import policy
from cases.creditcode import check_character
from cases.demo import credit_code
from cases.inputs import CreditCode


@pytest.mark.parametrize(
    ("amount", "strategic", "applies"),
    [
        ("99999999.99", False, False),
        ("100000000", False, True),
        ("100000000.01", False, True),
        ("1", True, True),
    ],
)
def test_first_negotiation_threshold_is_inclusive(amount, strategic, applies):
    decision = policy.first_negotiation(total_investment_cny=Decimal(amount), strategic=strategic)
    assert decision.applies is applies
    assert decision.reason.startswith("§5")


@pytest.mark.parametrize(
    ("level", "fn", "target"),
    [
        ("district", True, "pending_confirmation"),
        ("district", False, "negotiating"),
        ("zone", True, "pending_confirmation"),
        ("zone", False, "negotiating"),
        ("city", True, "pending_assignment"),
        ("city", False, "pending_assignment"),
    ],
)
def test_submit_routes_by_the_discovering_units_level(level, fn, target):
    assert policy.submit_target(discovering_level=level, first_negotiation_applies=fn) == target


@pytest.mark.parametrize("unit", ["dongcheng", "xicheng", "chaoyang", "haidian", "fengtai", "shijingshan"])
def test_section_8_rules_production_out_of_the_central_districts_only(unit):
    assert policy.central_district_rule(segment="production", unit_code=unit).applies is True
    assert policy.central_district_rule(segment="production", unit_code=unit).reason.startswith("§8")
    for segment in set(policy.SEGMENTS) - {"production"}:
        assert policy.central_district_rule(segment=segment, unit_code=unit).applies is False
    assert policy.central_district_rule(segment="production", unit_code="shunyi").applies is False


@pytest.mark.parametrize(
    ("paid_in", "fdi", "qualifies"),
    [
        ("5000000000", "0", True),
        ("4999999999.99", "0", False),
        ("0", "500000000", True),
        ("0", "499999999.99", False),
    ],
)
def test_reward_thresholds_at_the_edges(paid_in, fdi, qualifies):
    decision = policy.reward_qualification(
        segment="production", first_negotiation_confirmed=True, agency_served=True,
        paid_in_capital_cny=Decimal(paid_in), actual_fdi_usd=Decimal(fdi),
    )  # fmt: skip
    assert decision.applies is qualifies


@pytest.mark.parametrize("segment", ["production", "headquarters", "rnd_design", "pilot_production",
                                     "assembly_testing", "system_integration", "non_manufacturing"])  # fmt: skip
def test_reward_only_for_manufacturing_segments(segment):
    with translation.override("en"):
        decision = policy.reward_qualification(
            segment=segment, first_negotiation_confirmed=True, agency_served=True,
            paid_in_capital_cny=Decimal("5000000000"), actual_fdi_usd=Decimal("500000000"),
        )  # fmt: skip
    assert decision.applies is (segment != "non_manufacturing")
    if not decision.applies:
        assert decision.reason == (
            "§15 reward does not apply: it is not an advanced-manufacturing project (segment: Non-manufacturing)"
        )


def test_reward_needs_confirmation_and_an_agency():
    with translation.override("en"):
        decision = policy.reward_qualification(
            segment="rnd_design", first_negotiation_confirmed=False, agency_served=False,
            paid_in_capital_cny=Decimal("6000000000"), actual_fdi_usd=Decimal(0),
        )  # fmt: skip
    assert not decision.applies
    assert "never confirmed" in decision.reason and "agency" in decision.reason


def test_a_known_real_credit_code_has_the_right_check_character():
    # 91350100M000100Y43 is the code printed in GB 32100-2015's own example.
    assert check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y44", "check"),
        ("91350100M000100I43", "charset"),
        ("91350100m000100y43", None),  # lower case is accepted and upper-cased
    ],
)
def test_credit_code_validation(db, code, error):
    field = CreditCode()
    try:
        field.run_validation(code)
        codes = []
    except serializers.ValidationError as exc:
        codes = [e.code for e in exc.detail]
    assert codes[:1] == ([error] if error else [])


def test_generated_demo_codes_are_valid(db):
    assert CreditCode().run_validation(credit_code(42)) == credit_code(42)
