"""The measures' numbers and rules, in one pure module (no database, no Django models).

北京市关于促进高精尖产业投资 推进制造业高端智能绿色发展的若干措施 (京政发〔2021〕25号); article numbers
below are its sections. Change a number here and every service, check and message follows.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# §5 "对总投资1亿元以上(含)或具有全局性、战略性的项目,探索实施'首谈制'": inclusive threshold.
FIRST_NEGOTIATION_MIN_INVESTMENT_CNY = Decimal("100000000")

# §5 "洽谈超过3个月仍无实质性进展的项目,由市产业主管部门统筹": the no-progress period.
NO_PROGRESS_PERIOD_MONTHS = 3
# DESIGN §4 defaults (not in the measures): warn the unit 30 and 7 days before the deadline.
NO_PROGRESS_WARNING_DAYS = (30, 7)

# §15 "在京新增实缴资本不低于50亿元或实际利用外资达到5亿美元的 … 给予单个项目不低于1000万元的奖励".
REWARD_MIN_PAID_IN_CAPITAL_CNY = Decimal("5000000000")
REWARD_MIN_ACTUAL_FDI_USD = Decimal("500000000")
REWARD_MIN_AMOUNT_CNY = Decimal("10000000")

# §6 pilot areas of the commitment-based approval reform.
COMMITMENT_PILOT_ZONES = (
    "huairou_science_city",
    "future_science_city",
    "innovation_cluster_demo_zone",
    "daxing_airport_economic_zone",
)

# §5 reasons a district may push a lead to the city: "不符合本区产业定位或不具备承载条件".
PUSH_REASONS = {
    "not_fit_positioning": _("Does not fit the unit's industrial positioning"),
    "lacks_capacity": _("The unit lacks the capacity to host it"),
}

# Substantive progress (实质性进展). The measures do not define it; these are the design's defaults.
# A meeting or a note is activity, not progress, and is deliberately absent.
MILESTONE_KINDS = {
    "agreement_signed": _("Framework or investment agreement signed"),
    "company_registered": _("Company registered in the unit"),
    "site_contract_signed": _("Land or premises contract signed"),
    "project_filed": _("Project filed or approved"),
}

# §8 and §15: which link of the industrial chain a lead is (DESIGN §3 "Segment"). §8 "允许朝阳、海淀、丰台、
# 石景山等区落地先进制造业企业总部和研发设计、小批量试产、调试组装、系统集成等非生产加工环节的先进制造业项目"
# names the non-production links; §15 rewards "先进制造业重大项目" only, so `non_manufacturing` never earns one.
PRODUCTION_SEGMENT = "production"
NON_MANUFACTURING_SEGMENT = "non_manufacturing"
SEGMENTS = {
    PRODUCTION_SEGMENT: _("Production"),
    "headquarters": _("Headquarters"),
    "rnd_design": _("R&D and design"),
    "pilot_production": _("Pilot production"),
    "assembly_testing": _("Assembly and testing"),
    "system_integration": _("System integration"),
    NON_MANUFACTURING_SEGMENT: _("Non-manufacturing"),
}
MANUFACTURING_SEGMENTS = tuple(s for s in SEGMENTS if s != NON_MANUFACTURING_SEGMENT)

# §8 (quoted above): the central urban districts take only the non-production links of advanced
# manufacturing. The measures name 朝阳、海淀、丰台、石景山 "等区"; DESIGN §3 reads it as the six central urban
# districts (城六区), 东城 and 西城 included. A `production` lead is ranked out for them, and the city
# assigns one there only with a recorded override reason.
CENTRAL_URBAN_DISTRICTS = ("dongcheng", "xicheng", "chaoyang", "haidian", "fengtai", "shijingshan")


@dataclass(frozen=True)
class Decision:
    """A rule's answer with the reason, stored on the case and shown to people."""

    applies: bool
    reason: str


def first_negotiation(*, total_investment_cny: Decimal, strategic: bool) -> Decision:
    """§5: first negotiation applies at ≥ 1亿元 total investment (inclusive) or to a strategic lead."""
    big = total_investment_cny >= FIRST_NEGOTIATION_MIN_INVESTMENT_CNY
    if big and strategic:
        return Decision(True, str(_("§5: total investment of at least 100 million yuan, and strategic")))
    if big:
        return Decision(True, str(_("§5: total investment of at least 100 million yuan")))
    if strategic:
        return Decision(True, str(_("§5: of overall, strategic significance")))
    return Decision(False, str(_("§5 does not apply: under 100 million yuan and not strategic")))


def submit_target(*, discovering_level: str, first_negotiation_applies: bool) -> str:
    """Where a submitted lead goes (DESIGN §3 `submit`), by the level of the unit that discovered it,
    whatever its source: a fund's or agency's tip a district took up is that district's discovery.

    §5 "市级发现招商线索的项目,根据各区主导产业定位和资源禀赋确定项目优先落地区": the city's own discoveries
    wait for the city to pick the landing unit. §5 "各区发现招商线索的项目,经市产业主管部门认定项目首谈区后,
    由该区负责洽谈": a district's (or zone's) first-negotiation lead waits for the city to confirm its
    claim; its other leads stay with it, without a clock.
    """
    if discovering_level == "city":
        return "pending_assignment"
    return "pending_confirmation" if first_negotiation_applies else "negotiating"


def central_district_rule(*, segment: str, unit_code: str) -> Decision:
    """§8: does the rule rank this unit out for this lead (a production lead in a central urban district)?"""
    if segment == PRODUCTION_SEGMENT and unit_code in CENTRAL_URBAN_DISTRICTS:
        return Decision(
            True,
            str(
                _(
                    "§8: the central urban districts take only the non-production links of advanced manufacturing"
                )
            ),
        )
    return Decision(False, "")


def reward_qualification(
    *,
    segment: str,
    first_negotiation_confirmed: bool,
    agency_served: bool,
    paid_in_capital_cny: Decimal,
    actual_fdi_usd: Decimal,
) -> Decision:
    """§15: a confirmed first-negotiation advanced-manufacturing lead that lands big, served by a
    third-party agency."""
    big = paid_in_capital_cny >= REWARD_MIN_PAID_IN_CAPITAL_CNY or actual_fdi_usd >= REWARD_MIN_ACTUAL_FDI_USD
    missing = []
    if segment not in MANUFACTURING_SEGMENTS:
        missing.append(
            str(_("it is not an advanced-manufacturing project (segment: %(segment)s)"))
            % {"segment": SEGMENTS.get(segment, segment)}
        )
    if not first_negotiation_confirmed:
        missing.append(str(_("its first-negotiation unit was never confirmed by the city")))
    if not big:
        missing.append(
            str(
                _(
                    "new paid-in capital under 5 billion yuan and actual foreign investment under 500 million USD"
                )
            )
        )
    if not agency_served:
        missing.append(str(_("no third-party agency served it")))
    if missing:
        return Decision(False, str(_("§15 reward does not apply: ")) + "; ".join(missing))
    return Decision(
        True,
        str(
            _("§15: a reward of at least 10 million yuan for the agency, to be approved by the landing unit")
        ),
    )


# DESIGN §7 escalation ladder for leads waiting on someone (confirmation, push, review, reassignment):
# remind the one who must act after 5 working days, escalate to the next level after 10. Working
# days follow the mainland statutory calendar (workflow.workdays).
WAIT_REMIND_WORKING_DAYS = 5
WAIT_ESCALATE_WORKING_DAYS = 10

# §6 commitment-based approval (承诺制). Eligible: "对以出让方式供地的社会投资类仓库和厂房项目（包含生产线、
# 生产设备投资等产业化内容）" in the four pilot areas above.
COMMITMENT_PROJECT_TYPES = ("warehouse", "factory")
COMMITMENT_INVESTMENT_NATURE = "social"
COMMITMENT_LAND_SUPPLY = "transfer"
# DESIGN §6 defaults (not in the measures): post-approval inspection within 90 days, rectification
# within 30 days of a finding, and the bar on an enterprise with a breach on record.
COMMITMENT_INSPECTION_DAYS = 90
COMMITMENT_INSPECTION_WARNING_DAYS = (14, 3)
COMMITMENT_RECTIFICATION_DAYS = 30
COMMITMENT_RECTIFICATION_WARNING_DAYS = (7, 1)
COMMITMENT_BREACH_BAR_DAYS = 3 * 365


def commitment_eligibility(
    *,
    zone: str,
    unit_in_zone: bool,
    project_type: str,
    industrial_content: bool,
    investment_nature: str,
    land_supply: str,
) -> Decision:
    """§6: who may use the commitment route. The reason names every condition that is not met."""
    missing = []
    if zone not in COMMITMENT_PILOT_ZONES:
        missing.append(str(_("the project is not in one of the four pilot zones")))
    elif not unit_in_zone:
        missing.append(str(_("the handling unit does not contain this pilot zone")))
    if project_type not in COMMITMENT_PROJECT_TYPES:
        missing.append(str(_("only warehouse and factory projects qualify")))
    elif not industrial_content:
        missing.append(str(_("the project has no production-line or equipment investment")))
    if investment_nature != COMMITMENT_INVESTMENT_NATURE:
        missing.append(str(_("only social (non-government) investment qualifies")))
    if land_supply != COMMITMENT_LAND_SUPPLY:
        missing.append(str(_("the land must be supplied by transfer (出让)")))
    if missing:
        return Decision(False, str(_("§6 commitment route not available: ")) + "; ".join(missing))
    return Decision(True, str(_("§6: eligible for approval on commitment (告知承诺)")))


# DESIGN §6b: a service request's SLA in working days (reminder at half time, escalation at the end).
SERVICE_REQUEST_WORKING_DAYS = 10


@dataclass(frozen=True)
class Parameters:
    """The policy parameters a clock starts with (DESIGN §4 "policy parameters, versioned"). These
    defaults are the measures' and the design's numbers; city leaders publish new versions
    (cases.parameters), and each clock keeps the version it started with. `version` None: these
    defaults, before any version was published."""

    no_progress_months: int = NO_PROGRESS_PERIOD_MONTHS
    warning_days: tuple[int, ...] = NO_PROGRESS_WARNING_DAYS
    remind_working_days: int = WAIT_REMIND_WORKING_DAYS
    escalate_working_days: int = WAIT_ESCALATE_WORKING_DAYS
    inspection_days: int = COMMITMENT_INSPECTION_DAYS
    rectification_days: int = COMMITMENT_RECTIFICATION_DAYS
    service_request_working_days: int = SERVICE_REQUEST_WORKING_DAYS
    version: int | None = None


DEFAULT_PARAMETERS = Parameters()
PARAMETER_NAMES = (
    "no_progress_months", "warning_days", "remind_working_days", "escalate_working_days", "inspection_days",
    "rectification_days", "service_request_working_days",
)  # fmt: skip

# The bounds a published version must keep (a version outside them is refused, 400): wide enough for
# any policy decision, narrow enough that a typo cannot make a deadline absurd.
PARAMETER_BOUNDS = {
    "no_progress_months": (1, 24),
    "warning_days": (1, 365),  # each offset; at most five of them, each inside the period
    "remind_working_days": (1, 60),
    "escalate_working_days": (1, 120),
    "inspection_days": (1, 730),
    "rectification_days": (1, 365),
    "service_request_working_days": (1, 120),
}
MAX_WARNINGS = 5


def service_request_reminder_days(sla_working_days: int) -> int:
    """DESIGN §6b: a service request's responsible unit is reminded at half its SLA (rounded up, at least
    one working day); the escalation comes at the full SLA."""
    return max(1, -(-sla_working_days // 2))
