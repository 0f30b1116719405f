"""The permission matrix spec of this case type (see tests/cases/specs/__init__.py): financing needs
(DESIGN §6b, §13). Haidian raises a need for a lead it negotiates; two banks (the demo bank and a
second one) see it once published and offer; Haidian's officer accepts or withdraws."""

from typing import Any

from tests.cases.specs import Spec

NEED = {"consent": True, "amount_cny": "30000000.00", "term_months": 36, "purpose": "购置生产设备"}
OFFER = {"product": "固定资产贷款", "amount_cny": "30000000.00", "rate_percent": "3.4500", "term_months": 36}
OTHER_BANK = ("other_bank", "另一银行北京分行", "Other Bank Beijing Branch")


def banks() -> None:
    """The demo bank's officer and a second bank's, made before anything is published (a bank made
    later would get its grants from the due job, bank_grants_sync)."""
    from cases.demo import person
    from workflow.models import OrgUnit, Role
    from workflow.services import member_add, unit_add

    person("bank_officer")
    unit = OrgUnit.objects.filter(code=OTHER_BANK[0]).first() or unit_add(
        code=OTHER_BANK[0], level="bank", name_zh=OTHER_BANK[1], name_en=OTHER_BANK[2]
    )
    member_add(user=person("other_bank_officer"), unit=unit, role=Role.OFFICER)


def need_in(state: str, make_lead: Any, serial: int) -> Any:
    from cases.demo import person
    from cases.financing import services
    from cases.financing.machine import FINANCING
    from cases.financing.models import FinancingNeed, FinancingOffer
    from tests.helpers import fire
    from workflow import engine

    banks()
    officer = person("haidian_officer")
    # below 1亿元 and not strategic: submitted straight into Haidian's negotiation
    lead = fire(make_lead(officer, serial=serial, total_investment_cny="50000000"), "submit", officer)
    need = services.need_create(actor=officer, data={"lead": lead.pk, **NEED})
    if state in ("published", "financed"):
        engine.fire(FINANCING, pk=need.pk, name="publish", actor=officer)
        engine.fire(FINANCING, pk=need.pk, name="offer", actor=person("bank_officer"), params=OFFER)
        offer = FinancingOffer.objects.filter(need=need).get()
        # `accept` names an offer of THIS need: the matrix reads the params after making its case
        SPEC.params["accept"] = {"offer": offer.pk}
    if state == "financed":
        engine.fire(FINANCING, pk=need.pk, name="accept", actor=officer, params={"offer": offer.pk})
    if state == "withdrawn":
        engine.fire(FINANCING, pk=need.pk, name="withdraw", actor=officer)
    return FinancingNeed.objects.get(pk=need.pk)


BANKS = ("bank_officer", "other_bank_officer")


def expected(name: str, state: str, persona: str) -> int | None:
    """Banks see nothing of a draft (it was never shared)."""
    if persona in BANKS and state == "draft":
        return 404
    return None


SPEC = Spec(
    key="financing",
    prefix="financing-needs",
    people={
        "unit_officer": "haidian_officer",
        "unit_leader": "haidian_leader",
        "other_officer": "shunyi_officer",
        "bank_officer": "bank_officer",
        "other_bank_officer": "other_bank_officer",
    },
    sees={"city_officer", "city_leader", "unit_officer", "unit_leader", *BANKS},
    may={
        "publish": {"unit_officer"},
        "offer": set(BANKS),
        "accept": {"unit_officer"},
        "withdraw": {"unit_officer"},
    },
    params={"offer": OFFER, "accept": {"offer": 1}},
    make=need_in,
    extra_personas=BANKS,
    expected=expected,
)
