"""Who a support plan's audience names stand for (DESIGN §6b, §7), besides the city's."""

from collections.abc import Mapping
from typing import Any

from cases import audiences
from workflow.engine import Audience, Members
from workflow.models import Role

FINANCE_UNIT = "finance"  # 市财政局 (workflow/data/city_departments.json)
GOVERNMENT_UNIT = "government"  # 市人民政府

FINANCE = "finance"  # the finance bureau's officers and leaders
FINANCE_OFFICERS = "finance_officers"
GOVERNMENT_LEADERS = "government_leaders"
LEAD_UNIT = "lead_unit"  # the officers and leaders of the unit that holds the plan's lead


def _lead_unit(plan: Any, data: Mapping[str, Any]) -> Members | None:
    unit_id = plan.lead.unit_id or plan.lead.discovering_unit_id
    return Members(unit_id=unit_id) if unit_id else None


SUPPORT_PLAN: dict[str, Audience] = {
    audiences.CITY_OFFICERS: audiences.COMMON[audiences.CITY_OFFICERS],
    audiences.CITY_LEADERS: audiences.COMMON[audiences.CITY_LEADERS],
    FINANCE: lambda plan, data: Members(unit_code=FINANCE_UNIT),
    FINANCE_OFFICERS: lambda plan, data: Members(unit_code=FINANCE_UNIT, roles=(Role.OFFICER,)),
    GOVERNMENT_LEADERS: lambda plan, data: Members(unit_code=GOVERNMENT_UNIT, roles=(Role.LEADER,)),
    LEAD_UNIT: _lead_unit,
}
