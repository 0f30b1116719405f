"""A new case type is one module of declarations and effects (docs/engine.md walks through this one).

A permit request — draft → submitted → granted, or back to draft with a reason — declared here and
fired through the engine's one runner: the order of the checks, input checked before anything is
written, history with validated parameters only, the ladder of its waiting state, the events, the
system check.
"""

from typing import Any

import pytest
from django.db import connection, models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from rest_framework import serializers

from cases.demo import person
from tests.helpers import at
from workflow import checks, engine, registry
from workflow.errors import Conflict, Invalid, NotFound, NotPermitted
from workflow.models import Clock, ClockStatus, Role, TransitionRecord

HERE = "tests.workflow.test_engine"


# --- the case type: a model whose transitions carry their whole declaration -----------------------


def may_apply(permit: Any, user: Any) -> bool:
    return user.memberships.filter(role=Role.OFFICER).exists()


def may_decide(permit: Any, user: Any) -> bool:
    return user.memberships.filter(unit__code="beijing", role=Role.LEADER).exists()


class Permit(ConcurrentTransitionMixin, models.Model):
    title = models.CharField(max_length=100)
    state = FSMField(
        default="draft",
        choices=[("draft", "Draft"), ("submitted", "Submitted"), ("granted", "Granted")],
        protected=True,
    )
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(null=True)

    class Meta:
        app_label = "workflow"  # a table of the test's own (created below); no migration

    def __str__(self) -> str:
        return self.title

    @transition(
        field=state,
        source="draft",
        target="submitted",
        permission=may_apply,
        custom=engine.declare(
            _("Submit"), effect=f"{HERE}.submit", notify=engine.Notice("awaits_city", ("city_leaders",))
        ),
    )
    def submit(self) -> None: ...

    @transition(
        field=state,
        source="submitted",
        target="granted",
        permission=may_decide,
        custom=engine.declare(_("Grant"), input=f"{HERE}.GrantInput", effect=f"{HERE}.grant"),
    )
    def grant(self) -> None: ...

    @transition(
        field=state,
        source="submitted",
        target="draft",
        permission=may_decide,
        custom=engine.declare(_("Return"), input="cases.inputs.ReasonInput", name="return"),
    )
    def return_(self) -> None: ...


class GrantInput(serializers.Serializer):
    valid_until = serializers.DateField()


@engine.each
def submit(step: engine.Step) -> None:
    step.rule = "filed"


@engine.each
def grant(step: engine.Step) -> None:
    step.case.note = f"valid until {step.params['valid_until']}"
    step.record["granted"] = True
    step.rule = "granted on the papers"


PERMIT = engine.CaseType(
    key="permit",
    model=Permit,
    can_view=lambda permit, user: user.memberships.exists(),
    not_found=_("No such lead."),
    noun=_("lead"),
    audiences={"city_leaders": engine.city(Role.LEADER), "city_officers": engine.city(Role.OFFICER)},
    waits={
        "submitted": engine.Wait(
            remind="city_leaders", escalate="city_officers", remind_days=2, escalate_days=4
        )
    },
)


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture
def permits(django_db_blocker):  # type: ignore[no-untyped-def]
    """The permit table exists for the test (SQLite's schema editor cannot run inside the test's
    transaction, so it is made outside it and dropped afterwards); the case type is registered."""
    with django_db_blocker.unblock():
        with connection.schema_editor(atomic=False) as editor:
            editor.create_model(Permit)
    engine.register(PERMIT)
    yield
    engine._case_types.pop(PERMIT.key)
    with django_db_blocker.unblock():
        with connection.schema_editor(atomic=False) as editor:
            editor.delete_model(Permit)


@pytest.fixture
def events():  # type: ignore[no-untyped-def]
    seen: list[registry.Event] = []
    registry.subscribe(seen.extend)
    yield seen
    registry._subscribers.remove(seen.extend)


T0 = at("2026-11-30 09:00")


def state_of(permit: Permit) -> tuple[str, str, int, int]:
    permit.refresh_from_db()
    return permit.state, permit.note, TransitionRecord.objects.count(), Clock.objects.count()


pytestmark = pytest.mark.django_db(transaction=True)


# --- the runner ----------------------------------------------------------------------------------------


def test_it_fires_a_declared_transition_with_history_ladder_and_event(permits, events):
    permit = Permit.objects.create(title="堆场", updated_at=T0)
    officer, city_leader = person("haidian_officer"), person("city_leader")

    engine.fire(PERMIT, pk=permit.pk, name="submit", actor=officer, now=T0)

    permit.refresh_from_db()
    record = TransitionRecord.objects.get()
    assert (permit.state, permit.updated_at) == ("submitted", T0)
    assert (record.transition, record.source, record.target, record.actor, record.rule) == (
        "submit", "draft", "submitted", officer, "filed"
    )  # fmt: skip
    # its waiting state starts the ladder: a reminder after 2 working days, an escalation after 4
    ladder = Clock.objects.filter(status=ClockStatus.RUNNING).order_by("kind")
    assert [(c.kind, c.deadline_at) for c in ladder] == [
        ("permit_wait_escalate", at("2026-12-04 09:00")),
        ("permit_wait_remind", at("2026-12-02 09:00")),
    ]
    (event,) = events
    assert (event.name, event.kind, event.key) == ("permit.submit", "awaits_city", f"history:{record.pk}")
    assert event.recipients == {city_leader.pk}


def test_it_records_only_validated_parameters(permits):
    permit = Permit.objects.create(title="堆场", state="submitted")
    leader = person("city_leader")

    engine.fire(
        PERMIT,
        pk=permit.pk,
        name="grant",
        actor=leader,
        now=T0,
        params={"valid_until": "2027-06-30", "x": "<b>"},
    )

    record = TransitionRecord.objects.get()
    assert record.params == {"valid_until": "2027-06-30", "granted": True}
    assert state_of(permit)[:2] == ("granted", "valid until 2027-06-30")
    assert Clock.objects.filter(status=ClockStatus.RUNNING).count() == 0  # the ladder stopped on leaving


def test_the_checks_come_in_the_order_of_the_design(permits):
    permit = Permit.objects.create(title="堆场")
    before = state_of(permit)
    with pytest.raises(NotFound):
        engine.fire(PERMIT, pk=10**9, name="submit", actor=person("haidian_officer"))
    with pytest.raises(NotFound):  # cannot see it: it does not exist for them
        engine.fire(PERMIT, pk=permit.pk, name="submit", actor=person("outsider"))
    with pytest.raises(Conflict) as wrong_state:  # state before permission
        engine.fire(PERMIT, pk=permit.pk, name="grant", actor=person("haidian_officer"))
    assert wrong_state.value.code == "wrong_state"
    with pytest.raises(NotPermitted):
        engine.fire(PERMIT, pk=permit.pk, name="submit", actor=person("city_leader"))
    with pytest.raises(NotFound):
        engine.fire(PERMIT, pk=permit.pk, name="no_such_action", actor=person("haidian_officer"))
    assert state_of(permit) == before


@pytest.mark.parametrize(
    "bad", [{}, {"valid_until": "2027-02-30"}, {"valid_until": ["2027-01-01"]}, [1, 2], "x"]
)
def test_bad_input_is_a_400_and_changes_nothing(permits, bad):
    permit = Permit.objects.create(title="堆场", state="submitted")
    before = state_of(permit)
    with pytest.raises(Invalid) as err:
        engine.fire(PERMIT, pk=permit.pk, name="grant", actor=person("city_leader"), params=bad)
    assert err.value.errors
    assert state_of(permit) == before


def test_an_api_name_can_differ_from_the_method(permits):
    permit = Permit.objects.create(title="堆场", state="submitted")
    engine.fire(PERMIT, pk=permit.pk, name="return", actor=person("city_leader"), params={"reason": "缺材料"})
    assert state_of(permit)[0] == "draft"
    assert PERMIT.available(permit, person("haidian_officer")) == ["submit"]
    with translation.override("en"):
        assert {k: str(v) for k, v in PERMIT.labels().items()} == {
            "submit": "Submit",
            "grant": "Grant",
            "return": "Return",
        }


def test_the_system_check_accepts_the_declarations(permits):
    assert checks.check_case_type(PERMIT) == []


def test_the_system_check_names_what_is_missing_or_wrong(permits, monkeypatch):
    t = PERMIT.transitions["grant"]
    broken = engine.Declared(
        label="", input=f"{HERE}.Nothing", effect=f"{HERE}.nothing", notice=engine.Notice("x", ("mayor",))
    )
    monkeypatch.setitem(t.custom, "engine", broken)
    monkeypatch.setattr(PERMIT, "waits", {"lost": engine.Wait("city_leaders", "nobody", 1, 2)})
    problems = [m.msg for m in checks.check_case_type(PERMIT)]
    assert problems == [
        "permit.grant: no label",
        f"permit.grant: input '{HERE}.Nothing' does not exist",
        f"permit.grant: effect '{HERE}.nothing' does not exist",
        "permit.grant: notifies 'mayor', an audience permit does not declare",
        "permit waits in 'lost', which is not one of its states",
        "permit waits in 'lost' on 'nobody', an audience it does not declare",
    ]


def test_a_transition_without_a_declaration_is_refused_at_start_up(permits, monkeypatch):
    monkeypatch.delitem(PERMIT.transitions["submit"].custom, "engine")
    assert [m.msg for m in checks.check_case_type(PERMIT)] == [
        "permit.submit: no declare(...) in its custom="
    ]


def test_the_ladder_reminds_whoever_must_act(permits):
    from workflow.due import process_due

    permit = Permit.objects.create(title="堆场")
    leader = person("city_leader")
    engine.fire(PERMIT, pk=permit.pk, name="submit", actor=person("haidian_officer"), now=T0)
    seen: list[registry.Event] = []
    registry.subscribe(seen.extend)
    try:
        process_due(now=at("2026-12-02 09:00"))
    finally:
        registry._subscribers.remove(seen.extend)
    assert [(e.name, e.kind, e.recipients, e.params) for e in seen] == [
        ("permit.wait", "wait_reminder", frozenset({leader.pk}), {"state": "submitted", "days": 2})
    ]
