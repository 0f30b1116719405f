"""Who may see, submit and decide an admission support (DESIGN §6b): the asking unit's people through
guardian grants (cases.admissions.machine.grants), city roles through model-level permissions."""

from typing import Any

from cases.access import _object_perms

VIEW = "view_admissionsupport"
WORK = "work_admissionsupport"
DECIDE = "admissions.decide_admissionsupport"


def can_view_admission(support: Any, user: Any) -> bool:
    return user.has_perm(f"admissions.{VIEW}") or VIEW in _object_perms(support, user)


def can_work_admission(support: Any, user: Any) -> bool:
    """The asking unit's officers (§14: the district asks)."""
    return WORK in _object_perms(support, user)


def can_decide_admission(support: Any, user: Any) -> bool:
    """The city leaders (§14 "一事一议")."""
    return bool(getattr(user, "is_active", False)) and user.has_perm(DECIDE)
