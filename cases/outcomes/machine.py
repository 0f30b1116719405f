"""The §15 reward case type; its transitions are declared on RewardCase."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from cases import access, audiences
from cases.outcomes.models import RewardCase
from workflow.engine import CaseType, register
from workflow.models import Role


def can_view_reward(reward: RewardCase, user: Any) -> bool:
    """City roles and the landing unit's people (as the rewards list shows them)."""
    return user.has_perm("cases.view_lead") or access.holds_role(reward.unit, user, Role.OFFICER, Role.LEADER)


REWARD = register(
    CaseType(
        key="reward",
        weighty=frozenset({"reject", "pay"}),  # ends, refuses or pays: last, as danger, confirmed
        model=RewardCase,
        can_view=can_view_reward,
        not_found=_("No such reward case."),
        noun=_("reward case"),
        audiences=audiences.COMMON,
        notice_refs=lambda reward: {"lead_id": reward.lead_id},
        notice_params=lambda reward: {"lead_name": reward.lead.name, "state": reward.state, "case": "reward"},
        related=("unit", "lead"),
    )
)
