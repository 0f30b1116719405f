"""What a lead's registration and each of its transitions accept (DRF serializers, DESIGN §8)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from rest_framework import serializers

from cases import access, policy
from cases.attachments.serializers import AttachmentIds
from cases.inputs import CreditCode, Date, ReasonInput, SlugRef, money, text
from cases.leads.models import Activity, Referrer, Source, State
from workflow.models import Sector

__all__ = [
    "ActivityInput", "AssignInput", "AssigneeInput", "ConfirmInput", "CorrectionInput", "DeclineInput",
    "LandInput", "LeadInput", "MergeInput", "ProgressInput", "PushInput", "ReasonInput", "StrategicInput",
    "UnitInput",
]  # fmt: skip

IDENTITY_NEEDED = _(
    "Give the unified social credit code or, for a foreign investor without a Chinese entity yet, its home "
    "registration number and country."
)


def company_identity(values: dict[str, Any]) -> dict[str, list[Any]]:
    """What is wrong with how a lead names its company (DESIGN §3): a credit code, or a foreign
    investor's home registration number and country. `{field: [message]}`, empty when it holds."""
    if values.get("credit_code"):
        return {}
    if values.get("home_country") == "CN":
        return {
            "home_country": [_("A company registered in China has a unified social credit code: give it.")]
        }
    missing = [f for f in ("home_registration_number", "home_country") if not values.get(f)]
    return {f: [IDENTITY_NEEDED] for f in missing} if missing else {}


class LeadInput(serializers.Serializer):
    """`POST /api/leads/`: a lead in draft (DESIGN §3)."""

    name = text(_("Project name"), max_length=200)
    company_name = text(_("Company name"), max_length=200)
    credit_code = CreditCode(
        label=_("Unified social credit code"), required=False, allow_blank=True, default=""
    )
    home_registration_number = text(
        _("Home registration number (a foreign investor without a Chinese entity)"),
        max_length=64, required=False, allow_blank=True, default="",
    )  # fmt: skip
    home_country = serializers.ChoiceField(
        choices=list(countries), required=False, allow_blank=True, default="", label=_("Home country")
    )
    sector = SlugRef(slug_field="slug", queryset=Sector.objects.all(), label=_("Sector"))
    segment = serializers.ChoiceField(choices=list(policy.SEGMENTS.items()), label=_("Segment (§8)"))
    total_investment_cny = money(_("Total investment (yuan)"))
    strategic = serializers.BooleanField(default=False, label=_("Strategic"))
    # the metaclass takes declared fields out of the class, so this does not shadow Field.source
    source = serializers.ChoiceField(choices=Source.choices, label=_("Source"))  # type: ignore[assignment]
    referrer = text(_("Referrer"), max_length=200, required=False, allow_blank=True, default="")
    referrer_kind = serializers.ChoiceField(
        choices=Referrer.Kind.choices, required=False, allow_blank=True, default="", label=_("Referrer kind")
    )
    discovering_unit = serializers.SlugField(
        max_length=40, required=False, allow_blank=True, default="", label=_("Discovering unit")
    )
    foreign_investment_usd = money(
        _("Foreign investment (USD)"), required=False, allow_null=True, default=None
    )
    land_need_mu = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True, default=None,
        label=_("Land need (mu)"),
    )  # fmt: skip
    contacts = text(_("Contacts"), required=False, allow_blank=True, default="")
    notes = text(_("Notes"), max_length=10000, required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the countries' names in the language of the moment (the class is built once, at import)
        self.fields["home_country"].choices = list(countries)  # type: ignore[attr-defined] # a ChoiceField

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        wrong = company_identity(data)
        if wrong:
            raise serializers.ValidationError(wrong, code="required")
        if data.get("referrer") and not data.get("referrer_kind"):
            # A fund or agency source names its own kind; otherwise a named referrer that served
            # the lead is a third-party agency (§15), the only other kind the measures know.
            source = data.get("source")
            data["referrer_kind"] = source if source in Referrer.Kind.values else Referrer.Kind.AGENCY
        return data


def _reason(label: Any, **kwargs: Any) -> serializers.CharField:
    return text(label, max_length=2000, **kwargs)


class UnitInput(serializers.Serializer):
    """`reassign` (and `assign`): the landing unit's code, and the city's reason where §8 ranks the
    unit out for the lead (a production lead in a central urban district)."""

    unit = serializers.SlugField(
        max_length=40, label=_("Unit"), error_messages={"required": _("Choose the unit.")}
    )
    override_reason = _reason(
        _("Override reason (only where §8 rules the unit out)"), required=False, allow_blank=True
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data.get("override_reason", "").strip():
            data.pop("override_reason", None)  # nothing overridden: nothing to record
        return super().validate(data)


class StrategicRuling(serializers.Serializer):
    """The city's optional ruling on the strategic flag while it confirms, declines or assigns (§5):
    `strategic` true or false with a reason; absent (or null), the registering officer's proposal stands."""

    strategic = serializers.BooleanField(
        required=False, allow_null=True, label=_("Strategic (the city's ruling; empty: no ruling)")
    )
    strategic_reason = _reason(_("Reason for the ruling"), required=False, allow_blank=True)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        data = super().validate(data)
        if data.get("strategic") is None:
            if data.get("strategic_reason", "").strip():
                raise serializers.ValidationError(
                    {
                        "strategic": _(
                            "Say how the city rules on the strategic flag, or leave the reason empty."
                        )
                    },
                    code="required",
                )
            data.pop("strategic", None)
            data.pop("strategic_reason", None)
        elif not data.get("strategic_reason", "").strip():
            raise serializers.ValidationError(
                {"strategic_reason": _("A ruling on the strategic flag needs a reason.")}, code="required"
            )
        return data


class ConfirmInput(StrategicRuling):
    """`confirm`: optionally, the city's ruling on the strategic flag."""


class DeclineInput(ReasonInput, StrategicRuling):
    """`decline`: the reason, and optionally the city's ruling on the strategic flag."""


class AssignInput(UnitInput, StrategicRuling):
    """`assign`: the landing unit (with the §8 override reason where needed), and optionally the
    city's ruling on the strategic flag."""


class StrategicInput(serializers.Serializer):
    """`rule_strategic`: the city rules on the strategic flag later, with a reason (§5)."""

    strategic = serializers.BooleanField(label=_("Strategic"))
    reason = _reason(
        _("Reason"),
        error_messages={"required": _("A reason is required."), "blank": _("A reason is required.")},
    )


class ProgressInput(serializers.Serializer):
    """`report_progress`: the substantive milestone (DESIGN §3). Its date lies between the day the
    no-progress clock started (a lead without a clock: the day it was registered) and today."""

    milestone = serializers.ChoiceField(choices=list(policy.MILESTONE_KINDS.items()), label=_("Milestone"))
    date = Date(not_future=True, label=_("Date"))
    evidence = text(_("Evidence"), error_messages={"required": _("Describe the evidence.")})
    # files of this lead that prove the milestone (a signed agreement …), by id: the leader sees them
    attachments = AttachmentIds(required=False, label=_("Attachments (evidence)"))

    def validate_attachments(self, value: list[int]) -> list[int]:
        lead = self.context.get("case")
        if lead is None or not value:  # drawing the form
            return value
        from cases.attachments.selectors import attachment_ids_foreign  # reads leads: loaded after them

        foreign = attachment_ids_foreign(lead=lead, ids=value)
        if foreign:
            raise serializers.ValidationError(
                _("These are not attachments of this lead: %(ids)s.") % {"ids": ", ".join(map(str, foreign))},
                code="foreign_attachment",
            )
        return sorted(set(value))

    def validate_date(self, value: dt.date) -> dt.date:
        lead = self.context.get("case")
        if lead is None:  # drawing the form: no lead to read the start from
            return value
        start = timezone.localdate(lead.clock.started_at if lead.clock is not None else lead.created_at)
        if value < start:
            raise serializers.ValidationError(
                _("The milestone date must lie between %(start)s, when this negotiation started, and today.")
                % {"start": start.isoformat()},
                code="before_start",
            )
        return value


class PushInput(serializers.Serializer):
    """`request_push`: why the unit hands the lead back (§5)."""

    reason = serializers.ChoiceField(choices=list(policy.PUSH_REASONS.items()), label=_("Reason"))
    note = text(_("Note"), error_messages={"required": _("Explain why in a note.")})


class LandInput(serializers.Serializer):
    """`land`: the landing facts (§15 reads them)."""

    landed_on = Date(not_future=True, label=_("Landed on"))
    paid_in_capital_cny = money(_("New paid-in capital (yuan)"))
    actual_fdi_usd = money(
        _("Actual foreign investment (USD)"), required=False, allow_null=True, default=None
    )


class CorrectionInput(LeadInput):
    """`PATCH /api/leads/{id}/`: the facts to correct, each optional, and the reason — required once
    the lead left `draft` (DESIGN §3 "Correcting a lead"). Where the lead came from (source, referrer,
    discovering unit) decided its routing and is not corrected: close it and register it again."""

    source = None  # type: ignore[assignment]
    referrer = None  # type: ignore[assignment]
    referrer_kind = None  # type: ignore[assignment]
    discovering_unit = None  # type: ignore[assignment]
    reason = _reason(_("Reason for the correction"), required=False, allow_blank=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True  # only what is given changes; nothing takes a default
        super().__init__(*args, **kwargs)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        lead, actor = self.context.get("case"), self.context.get("actor")
        if lead is None:  # drawing a form: nothing to compare with
            return data
        errors: dict[str, Any] = {}
        if lead.state != State.DRAFT and not data.get("reason", "").strip():
            errors["reason"] = [_("Say why: after submission every correction needs a reason.")]
        if lead.state != State.DRAFT and not access.can_dispatch(lead, actor):
            # after submission what decides first negotiation (§5), the ranking (§8) and the reward (§15)
            # is the city's to change: a unit cannot restart or stop its own clock, nor move its lead
            if "strategic" in data:
                errors["strategic"] = [
                    _("After submission the city rules on the strategic flag (§5); ask a city officer.")
                ]
            if "segment" in data and data["segment"] != lead.segment:
                errors["segment"] = [
                    _(
                        "After submission the city corrects the segment (it decides §8 and §15); ask a city officer."
                    )
                ]
            amount = data.get("total_investment_cny")
            if amount is not None and (
                policy.first_negotiation(total_investment_cny=amount, strategic=lead.strategic).applies
                != lead.first_negotiation
            ):
                errors["total_investment_cny"] = [
                    _(
                        "This amount changes whether first negotiation applies (§5); after submission the "
                        "city makes that correction: ask a city officer."
                    )
                ]
        identity = {f: data.get(f, getattr(lead, f)) for f in ("credit_code", "home_registration_number")}
        identity["home_country"] = data.get("home_country", lead.home_country.code or "")
        errors.update(company_identity(identity))
        if errors:
            raise serializers.ValidationError(errors, code="invalid")
        return data


class AssigneeInput(serializers.Serializer):
    """`PUT /api/leads/{id}/assignee/`: who holds the lead now (a username of the unit), or null."""

    username = serializers.CharField(
        max_length=150, allow_null=True, label=_("Assignee"),
        error_messages={"required": _("Name the colleague, or null for nobody.")},
    )  # fmt: skip

    def validate_username(self, value: str | None) -> Any:
        if value is None:
            return None
        person = get_user_model().objects.filter(username=value, is_active=True).first()
        if person is None:
            raise serializers.ValidationError(
                _("There is no active person called %(name)s.") % {"name": value}
            )
        return person


class MergeInput(serializers.Serializer):
    """`POST /api/leads/{id}/merge/`: the lead that stays (this one is closed as its duplicate)."""

    into = serializers.IntegerField(min_value=1, max_value=2**31 - 1, label=_("Merge into lead #"))
    reason = _reason(
        _("Reason"),
        error_messages={"required": _("A reason is required."), "blank": _("A reason is required.")},
    )


class ActivityInput(serializers.Serializer):
    """`POST /api/leads/{id}/activities/`: a meeting, visit, call or note (DESIGN §6a)."""

    kind = serializers.ChoiceField(choices=Activity.Kind.choices, label=_("Kind"))
    at = serializers.DateTimeField(label=_("When"))
    summary = text(_("Summary"), max_length=4000)

    def validate_at(self, value: dt.datetime) -> dt.datetime:
        now = self.context.get("now") or timezone.now()
        if not dt.date(1900, 1, 1) <= timezone.localdate(value) <= dt.date(2100, 12, 31):
            raise serializers.ValidationError(_("Give a date between 1900-01-01 and 2100-12-31."))
        if value > now + dt.timedelta(minutes=5):
            raise serializers.ValidationError(
                _("An activity is recorded once it happened: not in the future.")
            )
        return value


# the facts a correction may change, in the form's order (CorrectionInput's fields but the reason)
CORRECTABLE = tuple(name for name in CorrectionInput._declared_fields if name != "reason")
