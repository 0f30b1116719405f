"""The state chart names states and actions in the page's language, and no label lies over another."""

import pytest
from django.utils import translation

from cases import statechart
from cases.leads.machine import LEAD
from cases.leads.models import State

pytestmark = pytest.mark.django_db


def chart(language: str) -> statechart.Chart:
    with translation.override(language):
        labels = {name: str(label) for name, label in LEAD.labels().items()}
        return statechart.layout([(s.value, str(s.label)) for s in State], LEAD.edges(), labels)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_label_overlaps_another_or_a_state(language):
    drawn = chart(language)
    assert drawn.arrows and statechart.overlaps(drawn) == []


def test_states_and_actions_read_in_the_page_language():
    drawn = chart("zh-hans")
    assert {n.label for n in drawn.nodes} >= {"草稿", "洽谈中", "已落地"}
    text = " ".join([n.label for n in drawn.nodes] + [a.label for a in drawn.arrows] + drawn.notes)
    for code in ("pending_confirmation", "negotiating", "report_progress", "rule_strategic"):
        assert code not in text


def test_an_action_from_every_state_is_drawn_once():
    drawn = chart("en")
    into_closed = [a for a in drawn.arrows if a.target == State.CLOSED]
    assert [(a.source, sorted(a.names)) for a in into_closed] == [(statechart.ANY, ["close", "merge"])]


def test_the_page_draws_the_chart(client, haidian_officer):
    client.force_login(haidian_officer)
    page = client.get("/cases/chart/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<svg" in page and "洽谈中" in page and ">pending_confirmation<" not in page
