"""A system check: every registered case type's declarations are complete and name real things.

A transition missing its label or naming an effect, serializer, audience or state that does not
exist stops `manage.py check` (and every server start) instead of answering 500 later.
"""

from typing import Any

from django.core import checks
from rest_framework import serializers

from workflow import engine


@checks.register()
def check_case_types(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for case_type in engine.case_types().values():
        errors += check_case_type(case_type)
    return errors


def check_case_type(case_type: engine.CaseType) -> list[checks.CheckMessage]:
    """What is wrong with one case type's declarations (empty: nothing)."""
    problems: list[str] = []
    fsm_field = case_type.model._meta.get_field(case_type.field_name)
    states = {value for value, _label in (fsm_field.choices or [])}  # type: ignore[union-attr] # a concrete field
    all_transitions = list(fsm_field.get_all_transitions(case_type.model))  # type: ignore[union-attr]
    names: dict[str, str] = {}  # API name → method (a transition with several sources comes once per source)
    for t in all_transitions:
        where = f"{case_type.key}.{t.name}"
        if "engine" not in t.custom:
            problems.append(f"{where}: no declare(...) in its custom=")
            continue
        d = engine.declared(t)
        name = d.name or t.name
        if names.setdefault(name, t.name) != t.name:
            problems.append(f"{where}: the name {name!r} is declared twice")
        if not str(d.label or "").strip():
            problems.append(f"{where}: no label")
        if d.input is not None:
            try:
                cls = engine.input_of(d)
                if not (isinstance(cls, type) and issubclass(cls, serializers.Serializer)):
                    problems.append(f"{where}: input {d.input!r} is not a DRF serializer")
            except ImportError:
                problems.append(f"{where}: input {d.input!r} does not exist")
        if d.effect is not None:
            try:
                if not callable(engine.effect_of(d.effect)):
                    problems.append(f"{where}: effect {d.effect!r} is not callable")
            except ImportError:
                problems.append(f"{where}: effect {d.effect!r} does not exist")
        if d.notice is not None:
            problems += [
                f"{where}: notifies {a!r}, an audience {case_type.key} does not declare"
                for a in d.notice.audiences
                if a not in case_type.audiences
            ]
        sources = t.source if isinstance(t.source, list | tuple | set) else [t.source]
        targets = getattr(t.target, "allowed_states", None) or [t.target]
        problems += [
            f"{where}: {s!r} is not a state of {case_type.key}"
            for s in [*sources, *targets]
            if s not in {*states, "*", "+"}
        ]
    for state, wait in case_type.waits.items():
        if state not in states:
            problems.append(f"{case_type.key} waits in {state!r}, which is not one of its states")
        problems += [
            f"{case_type.key} waits in {state!r} on {a!r}, an audience it does not declare"
            for told in (wait.remind, wait.escalate)
            for a in (told if isinstance(told, tuple) else (told,))
            if a not in case_type.audiences
        ]
    return [checks.Error(p, obj=case_type.model, id="workflow.E001") for p in problems]
