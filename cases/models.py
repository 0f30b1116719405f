"""The cases app's models, defined by case type (cases/leads, commitments, outcomes, imports) and
gathered here, where Django and the migrations look for them."""

from cases.commitments.models import (
    Breach,
    CommitmentApplication,
    CommitmentGroupObjectPermission,
    CommitmentStandard,
    CommitmentState,
    CommitmentUserObjectPermission,
)
from cases.imports.models import ImportJob
from cases.leads.models import (
    OPEN_STATES,
    TERMINAL,
    Activity,
    Exclusion,
    Lead,
    LeadGroupObjectPermission,
    LeadUserObjectPermission,
    Milestone,
    Referrer,
    SavedFilter,
    Source,
    State,
)
from cases.outcomes.models import Credit, RewardCase, RewardState, Target
from cases.parameters.models import PolicyVersion

__all__ = [
    "Activity", "SavedFilter", "OPEN_STATES", "TERMINAL", "Breach", "CommitmentApplication", "CommitmentGroupObjectPermission",
    "CommitmentStandard", "CommitmentState", "CommitmentUserObjectPermission", "Credit", "Exclusion", "ImportJob",
    "Lead", "LeadGroupObjectPermission", "LeadUserObjectPermission", "Milestone", "Referrer", "RewardCase",
    "PolicyVersion", "RewardState", "Source", "State", "Target",
]  # fmt: skip
