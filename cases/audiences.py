"""Who an audience name stands for, for any case with a `unit` (DESIGN §7). Each case type's
declaration picks the audiences it uses; the engine looks the people up, once per batch."""

from collections.abc import Mapping
from typing import Any

from workflow.engine import Audience, Members, city
from workflow.models import Role

UNIT = "unit"  # officers and leaders of the case's unit
UNIT_LEADERS = "unit_leaders"
UNIT_OFFICERS = "unit_officers"
DISCOVERER = "discoverer"  # the unit that registered a lead
CITY_OFFICERS = "city_officers"
CITY_LEADERS = "city_leaders"
PUSHING_UNIT = "pushing_unit"  # the unit whose push the city just confirmed
LOST_UNIT_LEADERS = "lost_unit_leaders"  # the leaders of the unit whose clock ran out
LOST_UNIT_OFFICERS = "lost_unit_officers"  # its officers
LOST_ASSIGNEE = "lost_assignee"  # the person of that unit who held the lead
ASSIGNEE = "assignee"  # the person a lead was just given to (DESIGN §6a)


def _unit(*roles: str) -> Audience:
    def members(case: Any, data: Mapping[str, Any]) -> Members | None:
        unit_id = case.unit_id or data.get("unit_id")
        return Members(unit_id=unit_id, roles=roles) if unit_id else None

    return members


def _named(key: str, *roles: str) -> Audience:
    def members(case: Any, data: Mapping[str, Any]) -> Members | None:
        return Members(unit_code=data[key], roles=roles) if data.get(key) else None

    return members


BOTH = (Role.OFFICER, Role.LEADER)
COMMON: dict[str, Audience] = {
    UNIT: _unit(*BOTH),
    UNIT_LEADERS: _unit(Role.LEADER),
    UNIT_OFFICERS: _unit(Role.OFFICER),
    CITY_OFFICERS: city(Role.OFFICER),
    CITY_LEADERS: city(Role.LEADER),
}
LEAD: dict[str, Audience] = {
    **COMMON,
    DISCOVERER: lambda lead, data: Members(unit_id=lead.discovering_unit_id),
    PUSHING_UNIT: _named("pushing_unit", *BOTH),
    LOST_UNIT_LEADERS: _named("lost_unit", Role.LEADER),
    LOST_UNIT_OFFICERS: _named("lost_unit", Role.OFFICER),
    LOST_ASSIGNEE: lambda lead, data: (
        Members(user_id=data["lost_assignee_id"]) if data.get("lost_assignee_id") else None
    ),
    ASSIGNEE: lambda lead, data: Members(user_id=data["assignee_id"]) if data.get("assignee_id") else None,
}
