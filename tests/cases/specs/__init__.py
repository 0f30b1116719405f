"""The permission matrix's spec of each case type that keeps its spec in a module of its own (the §6b
coordination case types): who sees a case, who may fire each transition, the parameters that make a
firing valid, and how to make a case in each state. tests/cases/test_permissions.py reads them, and with
it the bad-input battery and the schema tests."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Spec:
    key: str  # the case type's key (workflow.engine.CaseType.key)
    prefix: str  # its API path: /api/<prefix>/{id}/transitions/{name}/
    people: dict[str, str]  # persona → demo username: unit_officer, unit_leader, other_officer, and extras
    sees: set[str]  # the personas that see a case of this type
    may: dict[str, set[str]]  # transition → the personas that may fire it (from every source state)
    params: dict[str, dict[str, Any]]  # transition → a valid body
    make: Callable[[str, Any, int], Any]  # (state, make_lead, serial) → a case in that state
    extra_personas: tuple[str, ...] = ()  # personas besides the common ones (a department's, a bank's)
    # (transition, state, persona) → the status where the rule depends on more than the persona, else None
    expected: Callable[[str, str, str], int | None] | None = None
    own: dict[str, tuple[str, str]] = field(default_factory=dict)  # transition → (method, path tail)


def _load() -> list[Spec]:
    import importlib

    specs = []
    for name in ("majorprojects", "servicerequests", "supportplans", "admissions", "financing"):
        module = importlib.import_module(f"tests.cases.specs.{name}")
        if getattr(module, "SPEC", None) is not None:
            specs.append(module.SPEC)
    return specs


SPECS: list[Spec] = _load()
