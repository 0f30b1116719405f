"""Who sees what: guardian grants decide, in SQL, for lists, queues and single leads."""

import pytest

from cases.errors import NotFound, NotPermitted
from cases.leads import selectors
from cases.leads.machine import LEAD
from cases.models import Lead
from tests.helpers import at, fire
from workflow.due import process_due


@pytest.fixture
def haidian_lead(make_negotiating):  # type: ignore[no-untyped-def]
    return make_negotiating(now=at("2026-11-30 09:00"))


def visible(user):  # type: ignore[no-untyped-def]
    return set(selectors.lead_list(user=user).values_list("pk", flat=True))


def test_a_shunyi_officer_can_neither_see_nor_act_on_a_haidian_lead(
    haidian_lead, shunyi_officer, shunyi_leader
):
    assert visible(shunyi_officer) == visible(shunyi_leader) == set()
    with pytest.raises(NotFound):
        selectors.lead_get(user=shunyi_officer, lead_id=haidian_lead.pk)
    with pytest.raises(NotFound):
        fire(
            haidian_lead,
            "report_progress",
            shunyi_officer,
            milestone="project_filed",
            date="2026-11-01",
            evidence="x",
        )
    assert LEAD.available(haidian_lead, shunyi_officer) == []


def test_the_unit_and_the_city_see_the_lead(
    haidian_lead, haidian_officer, haidian_leader, city_officer, city_leader
):
    for person in (haidian_officer, haidian_leader, city_officer, city_leader):
        assert visible(person) == {haidian_lead.pk}


def test_an_outsider_sees_nothing(haidian_lead, outsider):
    assert visible(outsider) == set()
    assert list(selectors.lead_queue(user=outsider)) == []


def test_available_transitions_follow_role_and_state(
    haidian_lead, haidian_officer, haidian_leader, city_officer
):
    assert LEAD.available(haidian_lead, haidian_officer) == ["report_progress"]
    assert sorted(LEAD.available(haidian_lead, haidian_leader)) == [
        "close", "report_progress", "request_push"
    ]  # fmt: skip
    assert sorted(LEAD.available(haidian_lead, city_officer)) == ["close", "rule_strategic"]


def test_a_unit_that_lost_the_lead_keeps_read_access_only(
    haidian_lead, haidian_officer, haidian_leader, city_officer
):
    process_due(now=at("2027-03-02 09:00"))
    lead = Lead.objects.get(pk=haidian_lead.pk)
    assert lead.state == "escalated"
    assert visible(haidian_officer) == {lead.pk}
    assert LEAD.available(lead, haidian_leader) == []
    fire(lead, "reassign", city_officer, unit="bda")
    assert visible(haidian_leader) == {lead.pk}
    with pytest.raises(NotPermitted):
        fire(lead, "close", haidian_leader, reason="x")


def test_a_unit_that_pushed_the_lead_keeps_read_access(
    haidian_lead, haidian_leader, city_officer, bda_officer
):
    fire(haidian_lead, "request_push", haidian_leader, reason="not_fit_positioning", note="不符合定位")
    fire(haidian_lead, "confirm_push", city_officer)
    fire(haidian_lead, "assign", city_officer, unit="bda")
    assert visible(haidian_leader) == {haidian_lead.pk}
    assert visible(bda_officer) == {haidian_lead.pk}
    assert [c.unit.code for c in selectors.credits_visible(user=haidian_leader)] == ["haidian"]


def test_queues_hold_what_awaits_each_person(
    haidian_lead, haidian_officer, haidian_leader, city_officer, make_lead
):
    draft = make_lead(haidian_officer)
    assert set(selectors.lead_queue(user=haidian_officer).values_list("pk", flat=True)) == {
        haidian_lead.pk,
        draft.pk,
    }
    assert list(selectors.lead_queue(user=city_officer)) == []
    fire(
        haidian_lead,
        "report_progress",
        haidian_officer,
        now=at("2026-12-01 09:00"),
        milestone="project_filed",
        date="2026-12-01",  # between the clock's start (2026-11-30) and the day of the report
        evidence="x",
    )
    assert set(selectors.lead_queue(user=haidian_leader).values_list("pk", flat=True)) == {
        haidian_lead.pk,
        draft.pk,
    }
    fire(draft, "submit", haidian_officer)
    assert list(selectors.lead_queue(user=city_officer).values_list("pk", flat=True)) == [draft.pk]


def test_the_list_filters_by_state_unit_and_search(haidian_lead, make_lead, haidian_officer, city_officer):
    other = make_lead(haidian_officer, name="顺义新能源电池项目", company_name="电池公司")
    assert [x.pk for x in selectors.lead_list(user=city_officer, state="negotiating")] == [haidian_lead.pk]
    assert [x.pk for x in selectors.lead_list(user=city_officer, unit="haidian")] == [haidian_lead.pk]
    assert [x.pk for x in selectors.lead_list(user=city_officer, q="电池")] == [other.pk]
    assert [x.pk for x in selectors.lead_list(user=city_officer, q=other.credit_code)] == [other.pk]
    assert [x.pk for x in selectors.lead_list(user=city_officer)] == [
        other.pk,
        haidian_lead.pk,
    ]  # newest first
