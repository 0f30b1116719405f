"""Every field a person fills in is named in the page's language: each input serializer field of every
case type carries a label marked for translation, never the English name DRF makes from the field's
name ("Paid in capital cny"), and the label reads Chinese in zh-Hans."""

import importlib
import pkgutil
import re

import pytest
from django.utils import translation
from django.utils.functional import Promise
from rest_framework import serializers

import cases
from workflow import engine

HAN = re.compile(r"[\u4e00-\u9fff]")


def transition_inputs() -> set[type[serializers.Serializer]]:
    found = set()
    for case_type in engine.case_types().values():
        for t in case_type.transitions.values():
            cls = engine.input_of(engine.declared(t))
            if cls is not None:
                found.add(cls)
    return found


def module_inputs() -> set[type[serializers.Serializer]]:
    """Every serializer of every `inputs` module: registration, correction, the pages' own forms."""
    found = set()
    for info in pkgutil.walk_packages(cases.__path__, "cases."):
        if info.name == "cases.inputs" or info.name.endswith(".inputs"):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, serializers.Serializer)
                    and value.__module__ == module.__name__
                ):
                    found.add(value)
    return found


def unlabelled(cls: type[serializers.Serializer]) -> list[str]:
    wrong = []
    for name, field in cls().fields.items():
        label = field._kwargs.get("label")  # what the declaration gave; DRF fills `.label` itself otherwise
        if not isinstance(label, Promise):
            wrong.append(
                f"{cls.__module__}.{cls.__name__}.{name}: {field.label!r} is not a translatable label"
            )
            continue
        with translation.override("zh-hans"):
            if not HAN.search(str(label)):
                wrong.append(
                    f"{cls.__module__}.{cls.__name__}.{name}: {str(label)!r} has no zh-Hans translation"
                )
    return wrong


def test_it_finds_the_inputs_of_every_case_type():
    assert {"lead", "commitment", "reward", "service_request", "support_plan", "financing"} <= set(
        engine.case_types()
    )
    names = {cls.__name__ for cls in transition_inputs() | module_inputs()}
    assert {"LandInput", "InspectionInput", "ApproveInput", "LeadInput", "CommitmentInput"} <= names


@pytest.mark.parametrize(
    "cls", sorted(transition_inputs(), key=lambda c: f"{c.__module__}.{c.__name__}"), ids=str
)
def test_every_transition_field_has_a_translated_label(cls):
    assert unlabelled(cls) == []


@pytest.mark.parametrize(
    "cls", sorted(module_inputs(), key=lambda c: f"{c.__module__}.{c.__name__}"), ids=str
)
def test_every_input_field_has_a_translated_label(cls):
    assert unlabelled(cls) == []


def test_it_refuses_a_field_without_a_label():
    class Bare(serializers.Serializer):
        paid_in_capital_cny = serializers.DecimalField(max_digits=15, decimal_places=2)

    assert unlabelled(Bare) == [
        "tests.cases.test_labels.Bare.paid_in_capital_cny: 'Paid in capital cny' is not a translatable label"
    ]
