"""A case's history reads in the page's language, in words: the rules written in zh-Hans are translated
back for an English reader, and codes (a push's reason, a corrected field, a state) never show."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from cases.leads.models import Lead
from cases.wording import rule_text, worded
from workflow.models import OrgUnit, TransitionRecord

pytestmark = pytest.mark.django_db


def record(transition: str, params: dict, rule: str = "") -> TransitionRecord:
    return TransitionRecord(
        subject_type=ContentType.objects.get_for_model(Lead), subject_id=1, transition=transition,
        params=params, rule=rule,
    )  # fmt: skip


def zh(rule_msgid: str, **params: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(rule_msgid) % params if params else translation.gettext(rule_msgid)


def test_it_keeps_a_rule_as_written_for_a_chinese_reader():
    rule = zh("§5: the city confirmed the discovering unit as the first-negotiation unit")
    with translation.override("zh-hans"):
        assert rule_text(rule) == rule


def test_it_translates_a_rule_back_for_an_english_reader():
    rule = zh("§5: the city confirmed the discovering unit as the first-negotiation unit")
    with translation.override("en"):
        assert rule_text(rule) == "§5: the city confirmed the discovering unit as the first-negotiation unit"


def test_it_translates_each_rule_of_a_line_and_their_parameters():
    haidian = OrgUnit.objects.get(code="haidian")
    rule = "; ".join(
        [
            zh("§5: total investment of at least 100 million yuan"),
            zh(
                "discovered by %(unit)s (%(level)s), goes to: %(state)s",
                unit=haidian.name_zh, level=zh("District"), state=zh("Awaiting first-negotiation confirmation"),
            ),
        ]
    )  # fmt: skip
    with translation.override("en"):
        assert rule_text(rule) == (
            "§5: total investment of at least 100 million yuan; discovered by Haidian District (District), "
            "goes to: Awaiting first-negotiation confirmation"
        )


def test_it_leaves_what_a_person_typed_as_written():
    rule = zh("§5: total investment of at least 100 million yuan") + "; 企业自述理由"
    with translation.override("en"):
        assert rule_text(rule) == "§5: total investment of at least 100 million yuan; 企业自述理由"


def test_it_words_a_legacy_submit_rule_without_codes():
    rule = (
        zh("§5: total investment of at least 100 million yuan")
        + "; discovered by haidian (district) → pending_confirmation"
    )
    with translation.override("zh-hans"):
        shown = rule_text(rule)
    assert "pending_confirmation" not in shown and "haidian" not in shown and "district" not in shown
    assert "海淀区" in shown


def test_a_push_reason_reads_as_its_label_not_its_code():
    with translation.override("zh-hans"):
        w = worded(record("request_push", {"reason": "lacks_capacity", "note": "缺少用地"}))
    assert w["notes"] == [zh("The unit lacks the capacity to host it"), "缺少用地"]


def test_a_correction_names_the_field_and_the_choices():
    changes = [
        {"field": "segment", "old": "production", "new": "headquarters"},
        {"field": "strategic", "old": False, "new": True},
    ]
    with translation.override("zh-hans"):
        w = worded(record("correct", {"changes": changes, "reason": "登记有误"}))
    assert [(c["label"], c["old"], c["new"]) for c in w["changes"]] == [
        (zh("Segment (§8)"), zh("Production"), zh("Headquarters")),
        (zh("Strategic"), zh("No"), zh("Yes")),
    ]
    with translation.override("en"):
        w = worded(record("correct", {"changes": changes}))
    assert [(c["label"], c["old"], c["new"]) for c in w["changes"]] == [
        ("Segment (§8)", "Production", "Headquarters"),
        ("Strategic", "No", "Yes"),
    ]


def test_typed_text_full_of_separators_costs_a_bounded_number_of_matches(monkeypatch):
    # an override reason of 4000 characters may hold a thousand "; ": each run of parts must not be tried
    from cases import wording

    calls = []
    real = wording._english
    monkeypatch.setattr(wording, "_english", lambda text: calls.append(text) or real(text))
    wording._english_parts.cache_clear()
    confirmed = zh("§5: the city confirmed the discovering unit as the first-negotiation unit")
    rule = "; ".join([confirmed, *(["x"] * 1000)])
    with translation.override("en"):
        shown = rule_text(rule)
    assert shown.startswith("§5: the city confirmed") and shown.endswith("x")
    assert len(calls) < 200  # was ~500,000 before the runs were bounded
