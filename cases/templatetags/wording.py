"""Template filters that show names and history in the page's language (cases.wording)."""

from typing import Any

from django import template

from cases import wording
from workflow.models import TransitionRecord, in_reader_language

register = template.Library()


@register.filter
def worded(record: TransitionRecord) -> dict[str, Any]:
    """`{% with w=h|worded %}`: the row's rule, notes and changes in words (cases.wording.worded)."""
    return wording.worded(record)


@register.filter
def rule_text(rule: str) -> str:
    return wording.rule_text(rule)


@register.filter
def in_language(row: Any) -> str:
    """A unit, sector or zone — a row of the database or a dict with `name_zh` / `name_en` — by its name
    in the page's language."""
    if isinstance(row, dict):
        return in_reader_language(row.get("name_zh") or "", row.get("name_en") or "")
    return str(getattr(row, "display_name", row))
