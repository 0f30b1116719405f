"""Personas, one per role (house rule 9): a city officer, Haidian officer and leader, Shunyi officer
and leader, a BDA officer, and an outsider with no role anywhere."""

import pytest

from cases import demo


@pytest.fixture
def city_officer(db):  # type: ignore[no-untyped-def]
    return demo.person("city_officer")


@pytest.fixture
def city_leader(db):  # type: ignore[no-untyped-def]
    return demo.person("city_leader")


@pytest.fixture
def haidian_officer(db):  # type: ignore[no-untyped-def]
    return demo.person("haidian_officer")


@pytest.fixture
def haidian_leader(db):  # type: ignore[no-untyped-def]
    return demo.person("haidian_leader")


@pytest.fixture
def shunyi_officer(db):  # type: ignore[no-untyped-def]
    return demo.person("shunyi_officer")


@pytest.fixture
def shunyi_leader(db):  # type: ignore[no-untyped-def]
    return demo.person("shunyi_leader")


@pytest.fixture
def bda_officer(db):  # type: ignore[no-untyped-def]
    return demo.person("bda_officer")


@pytest.fixture
def outsider(db):  # type: ignore[no-untyped-def]
    return demo.person("outsider")


PINNED_NOW = "2026-11-29 10:00"


@pytest.fixture
def pinned_now():  # type: ignore[no-untyped-def]
    """Tests that act at "now" (through the API, or without `now=`) run at 2026-11-29 10:00 Beijing
    time, the clock ticking from there: the dates they send (a milestone lies between its clock's
    start and today) hold on any day the suite runs."""
    import time_machine

    from tests.helpers import at

    with time_machine.travel(at(PINNED_NOW), tick=True):
        yield
