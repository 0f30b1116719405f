"""Read shapes of leads in the API."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.serializers import ClockSerializer, HistorySerializer
from cases.api.serializers import local as _local
from cases.leads import selectors
from cases.leads.machine import LEAD
from cases.leads.models import Lead, State
from cases.outcomes.models import Credit
from workflow import workdays


class ReferrerSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["fund", "agency"])


class RewardSerializer(serializers.Serializer):
    qualifies = serializers.BooleanField()
    reason = serializers.CharField()


class LeadSummarySerializer(serializers.ModelSerializer):
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    discovering_unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    assignee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    sector = serializers.CharField(source="sector_id")
    state_label = serializers.CharField(source="get_state_display")
    deadline_at = serializers.SerializerMethodField()

    class Meta:
        model = Lead
        fields = [
            "id", "name", "company_name", "credit_code", "sector", "segment", "total_investment_cny", "strategic", "source",
            "state", "state_label", "unit", "discovering_unit", "assignee", "first_negotiation", "deadline_at",
            "created_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_deadline_at(self, lead: Lead):  # type: ignore[no-untyped-def]
        summary = selectors.clock_summary(clock=lead.clock, pauses=False)
        return summary["deadline_at"] if summary and summary["status"] in ("running", "paused") else None


_money = serializers.DecimalField(max_digits=18, decimal_places=2)


def lead_summaries(rows: Iterable[dict], now: datetime | None = None) -> list[dict]:
    """LeadSummarySerializer's shape from `selectors.lead_summary_rows`: the lists' fast path (DRF
    field machinery costs milliseconds per page; tests pin the two shapes equal)."""
    now = now or timezone.now()
    calendar = workdays.current(lazy=True)  # one for the page, read only if a paused clock needs it
    out = []
    for r in rows:
        status, deadline = r["clock__status"], None
        if status in ("running", "paused"):
            deadline = _local(
                selectors.clock_deadline(
                    status=status,
                    deadline_at=r["clock__deadline_at"],
                    paused_at=r["clock__paused_at"],
                    now=now,
                    clock={k.removeprefix("clock__"): v for k, v in r.items() if k.startswith("clock__")},
                    calendar=calendar,
                )
            )
        out.append(
            {
                "id": r["id"],
                "name": r["name"],
                "company_name": r["company_name"],
                "credit_code": r["credit_code"],
                "sector": r["sector_id"],
                "segment": r["segment"],
                "total_investment_cny": _money.to_representation(r["total_investment_cny"]),
                "strategic": r["strategic"],
                "source": r["source"],
                "state": r["state"],
                "state_label": str(State(r["state"]).label),
                "unit": r["unit__code"],
                "discovering_unit": r["discovering_unit__code"],
                "assignee": r["assignee__username"],
                "first_negotiation": r["first_negotiation"],
                "deadline_at": deadline,
                "created_at": _local(r["created_at"]),
            }  # fmt: skip
        )
    return out


class CreditSerializer(serializers.ModelSerializer):
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    lead_name = serializers.CharField(source="lead.name")
    referrer_name = serializers.CharField(source="referrer.name", default=None, allow_null=True)

    class Meta:
        model = Credit
        fields = ["id", "lead", "lead_name", "unit", "referrer_name", "kind", "amount_cny", "at", "note"]


class LeadDetailSerializer(LeadSummarySerializer):
    referrer = serializers.SerializerMethodField()
    first_negotiation_unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    clock = serializers.SerializerMethodField()
    excluded_units = serializers.SerializerMethodField()
    exclusions = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    credits = CreditSerializer(many=True, read_only=True)
    reward = serializers.SerializerMethodField()
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta(LeadSummarySerializer.Meta):
        fields = LeadSummarySerializer.Meta.fields + [
            "referrer", "foreign_investment_usd", "land_need_mu", "contacts", "notes", "first_negotiation_reason",
            "first_negotiation_unit", "first_negotiation_confirmed_at", "clock", "excluded_units", "exclusions",
            "available_transitions", "history", "milestones", "credits", "landed_on", "paid_in_capital_cny",
            "actual_fdi_usd", "reward", "closed_reason", "progressed_at", "created_by", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(ReferrerSerializer(allow_null=True))
    def get_referrer(self, lead: Lead):  # type: ignore[no-untyped-def]
        return {"name": lead.referrer.name, "kind": lead.referrer.kind} if lead.referrer else None

    @extend_schema_field(ClockSerializer(allow_null=True))
    def get_clock(self, lead: Lead):  # type: ignore[no-untyped-def]
        summary = selectors.clock_summary(clock=lead.clock)
        if summary is None:
            return None
        summary["pauses"] = [{k: _local(v) for k, v in p.items()} for p in summary["pauses"]]
        return {k: _local(v) for k, v in summary.items()}

    def _exclusions(self, lead: Lead):  # type: ignore[no-untyped-def]
        return lead.exclusions.select_related("unit").order_by("at", "id")

    def get_excluded_units(self, lead: Lead) -> list[str]:
        return [e.unit.code for e in self._exclusions(lead)]

    def get_exclusions(self, lead: Lead) -> list[dict]:
        return [
            {
                "unit": e.unit.code,
                "reason": e.reason,
                "reason_label": e.get_reason_display(),
                "at": _local(e.at),
            }
            for e in self._exclusions(lead)
        ]

    def get_available_transitions(self, lead: Lead) -> list[str]:
        return LEAD.available(lead, self.context["request"].user)

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, lead: Lead):  # type: ignore[no-untyped-def]
        return HistorySerializer(selectors.lead_history(lead=lead), many=True).data

    def get_milestones(self, lead: Lead) -> list[dict]:
        from cases.attachments.serializers import attachment_links  # a capability of its own, after leads

        return [
            {
                "kind": m.kind,
                "date": m.date,
                "evidence": m.evidence,
                "status": m.status,
                "unit": m.unit.code,
                "attachments": attachment_links(m.attachments.all()),
            }
            for m in lead.milestones.select_related("unit").prefetch_related("attachments")
        ]

    @extend_schema_field(RewardSerializer(allow_null=True))
    def get_reward(self, lead: Lead):  # type: ignore[no-untyped-def]
        if lead.state != State.LANDED:
            return None
        return {"qualifies": lead.reward_qualifies, "reason": lead.reward_reason}
