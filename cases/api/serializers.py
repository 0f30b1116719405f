"""Read shapes every case type's API shares (units, clocks, history). Writes are checked by the
input serializers of each case type; nothing here decides anything."""

from datetime import datetime
from typing import Any, cast

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workflow import selectors as engine_selectors
from workflow.models import OrgUnit, TransitionRecord

# one field for every call: it reads the current time zone when it renders, not when it is made
_DATETIME = serializers.DateTimeField()


def local(value: Any) -> Any:
    """Datetimes in Asia/Shanghai, the same rendering as every model field of the API."""
    return _DATETIME.to_representation(value) if isinstance(value, datetime) else value


class UnitSerializer(serializers.ModelSerializer):
    # the metaclass takes declared fields out of the class: this does not shadow Field.parent
    parent: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True
    )
    leading_industries: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    hosts_leads = serializers.BooleanField(read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["code", "name_zh", "name_en", "level", "parent", "hosts_leads", "leading_industries"]


class PauseSerializer(serializers.Serializer):
    paused_at = serializers.DateTimeField()
    resumed_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


class ClockSerializer(serializers.Serializer):
    """The shape of `clock` on a lead (documentation for the schema; built by selectors.clock_summary)."""

    status = serializers.ChoiceField(choices=["running", "paused", "stopped", "fired"])
    started_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField()
    paused = serializers.BooleanField()
    paused_at = serializers.DateTimeField(allow_null=True)
    paused_seconds = serializers.IntegerField()
    days_left = serializers.IntegerField(allow_null=True)
    warnings_sent = serializers.ListField(child=serializers.IntegerField())
    fired_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(
        help_text="how the deadline was computed, if unusual: e.g. Monday–Friday assumed for a year whose "
        "statutory calendar is not loaded yet (empty otherwise)"
    )
    period = serializers.IntegerField(
        allow_null=True,
        help_text="the period the deadline counts: months for the no-progress clock (null: days)",
    )
    policy_version = serializers.IntegerField(
        allow_null=True,
        help_text="the policy parameters' version the clock started with (null: the defaults)",
    )
    pauses = PauseSerializer(many=True)


class HistorySerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    from_state = serializers.CharField(source="source")
    to_state = serializers.CharField(source="target")
    case = serializers.IntegerField(
        source="subject_id", help_text="the case the row belongs to: another id for a merged duplicate's rows"
    )

    class Meta:
        model = TransitionRecord
        fields = ["id", "case", "transition", "from_state", "to_state", "actor", "at", "params", "rule"]


class CasePage(serializers.ListSerializer):
    """A page of cases of one type: what each row shows beyond its columns (the caller's rights, the
    histories …) is read once for the page by `read`, into the context every row reads — not per row."""

    def read(self, cases: list[Any], user: Any) -> dict[str, Any]:
        return {}

    def to_representation(self, data: Any) -> list[Any]:
        cases = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        context = cast(dict[str, Any], self.context)  # the root's own dict, which every row reads
        context.update(self.read(cases, context["request"].user))
        return super().to_representation(cases)


class CaseFields:
    """`available_transitions` and `history` of a case of `case_type` (a serializer mixin: declare the
    two SerializerMethodFields and set `case_type`); a page's histories come from CasePage.read."""

    case_type: Any
    context: Any

    def get_available_transitions(self, case: Any) -> list[str]:
        return self.case_type.available(case, self.context["request"].user)

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, case: Any):  # type: ignore[no-untyped-def]
        page = self.context.get("histories")  # a list's page: read for every row at once
        rows = (
            page[case.pk] if page is not None and case.pk in page else engine_selectors.history(subject=case)
        )
        return HistorySerializer(rows, many=True).data
