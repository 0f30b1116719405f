"""Who may do what to a support plan (DESIGN §6b). City officers hold `work_supportplan` as a model-level
permission of their role group (settings.CITY_ROLE_PERMISSIONS); the reviewers' rights are guardian
object grants that each state gives (cases.supportplans.machine.grants), so "the finance officers while
it waits on them" is one look-up in the memo the engine fills as it locks the plan."""

from typing import Any

from cases.access import _object_perms  # the one memo of a case's object permissions (cases.access)

VIEW = "view_supportplan"
WORK = "work_supportplan"
COSIGN = "cosign_supportplan"
DECIDE = "decide_supportplan"


def can_view(plan: Any, user: Any) -> bool:
    return user.has_perm(f"supportplans.{VIEW}") or VIEW in _object_perms(plan, user)


def can_work(plan: Any, user: Any) -> bool:
    """City officers draft, submit and implement plans."""
    return may_draft(user)


def may_draft(user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and user.has_perm(f"supportplans.{WORK}")


def can_cosign(plan: Any, user: Any) -> bool:
    return COSIGN in _object_perms(plan, user)


def can_decide(plan: Any, user: Any) -> bool:
    return DECIDE in _object_perms(plan, user)


def can_return(plan: Any, user: Any) -> bool:
    """Whoever reviews the plan now (finance in finance_review, the government in government_review)."""
    perms = _object_perms(plan, user)
    return COSIGN in perms or DECIDE in perms
