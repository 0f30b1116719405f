"""Input parsing for lead registration and for each transition's parameters.

Forms only parse and check the shape of input; the services decide what it means. The same forms
serve the HTTP API and the web pages, so both give the same translated messages.
"""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import policy
from cases.creditcode import validate_credit_code
from cases.models import Referrer, Source
from workflow.models import Sector

MONEY = {"max_digits": 18, "decimal_places": 2, "min_value": 0}


class ScalarForm(forms.Form):
    """A form fed from JSON: a list or an object where one value belongs is refused, not stringified.

    JSON numbers become their text before any field sees them: date fields would crash on an int,
    and a decimal field should read 0.1 as written, not as the float nearest to it.
    """

    def __init__(self, data: Mapping[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        if data is not None:
            data = {
                k: str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                for k, v in data.items()
            }
        super().__init__(data, *args, **kwargs)

    list_fields: tuple[str, ...] = ()  # fields that take a JSON list on purpose

    def clean(self) -> dict:
        data = super().clean()
        for name in self.fields:
            if name not in self.list_fields and isinstance(self.data.get(name), list | dict):
                self.add_error(name, forms.ValidationError(_("Give a single value."), code="not_scalar"))
        return data


class CreditCodeField(forms.CharField):
    """Upper-cased and trimmed before the GB 32100-2015 check, so a code typed in lower case passes."""

    default_validators = [validate_credit_code]

    def to_python(self, value):  # type: ignore[no-untyped-def]
        return super().to_python(value).strip().upper()


class LeadForm(ScalarForm):
    name = forms.CharField(max_length=200)
    company_name = forms.CharField(max_length=200)
    credit_code = CreditCodeField()
    sector = forms.ModelChoiceField(queryset=Sector.objects.all(), to_field_name="slug")
    total_investment_cny = forms.DecimalField(**MONEY)
    strategic = forms.BooleanField(required=False)
    source = forms.ChoiceField(choices=Source.choices)
    referrer = forms.CharField(max_length=200, required=False)
    referrer_kind = forms.ChoiceField(choices=Referrer.Kind.choices, required=False)
    discovering_unit = forms.CharField(max_length=40, required=False)
    foreign_investment_usd = forms.DecimalField(required=False, **MONEY)
    land_need_mu = forms.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0)
    contacts = forms.CharField(required=False)
    notes = forms.CharField(required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("referrer") and not data.get("referrer_kind"):
            # A fund or agency source names its own kind; otherwise a named referrer that served
            # the lead is a third-party agency (§15), the only other kind the measures know.
            source = data.get("source")
            data["referrer_kind"] = source if source in Referrer.Kind.values else Referrer.Kind.AGENCY
        return data


class ParamsForm(ScalarForm):
    """A transition's parameters, checked against the moment the transition happens."""

    def __init__(self, data, *, now) -> None:  # type: ignore[no-untyped-def]
        super().__init__(data)
        self.today = timezone.localdate(now)

    def not_future(self, field: str):  # type: ignore[no-untyped-def]
        value = self.cleaned_data[field]
        if value > self.today:
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class NoParams(ParamsForm):
    pass


class ReasonForm(ParamsForm):
    reason = forms.CharField(max_length=2000, error_messages={"required": _("A reason is required.")})

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A reason is required."))
        return reason


class UnitForm(ParamsForm):
    unit = forms.CharField(max_length=40, error_messages={"required": _("Choose the unit.")})


class ReportProgressForm(ParamsForm):
    milestone = forms.ChoiceField(choices=list(policy.MILESTONE_KINDS.items()))
    date = forms.DateField()
    evidence = forms.CharField(max_length=4000, error_messages={"required": _("Describe the evidence.")})

    def clean_date(self):  # type: ignore[no-untyped-def]
        return self.not_future("date")


class RequestPushForm(ParamsForm):
    reason = forms.ChoiceField(choices=list(policy.PUSH_REASONS.items()))
    note = forms.CharField(max_length=4000, error_messages={"required": _("Explain why in a note.")})


class LandForm(ParamsForm):
    landed_on = forms.DateField()
    paid_in_capital_cny = forms.DecimalField(**MONEY)
    actual_fdi_usd = forms.DecimalField(required=False, **MONEY)

    def clean_landed_on(self):  # type: ignore[no-untyped-def]
        return self.not_future("landed_on")


TRANSITION_FORMS: dict[str, type[ParamsForm]] = {
    "submit": NoParams,
    "confirm": NoParams,
    "decline": ReasonForm,
    "assign": UnitForm,
    "report_progress": ReportProgressForm,
    "approve_progress": NoParams,
    "reject_progress": ReasonForm,
    "request_push": RequestPushForm,
    "confirm_push": NoParams,
    "reject_push": ReasonForm,
    "escalate": NoParams,
    "reassign": UnitForm,
    "land": LandForm,
    "close": ReasonForm,
}


# --- commitment applications (§6) ------------------------------------------------------------------


class CommitmentForm(ScalarForm):
    project_name = forms.CharField(max_length=200)
    company_name = forms.CharField(max_length=200)
    credit_code = CreditCodeField()
    zone = forms.SlugField(max_length=60)
    unit = forms.SlugField(max_length=40)
    project_type = forms.ChoiceField(
        choices=[("warehouse", "warehouse"), ("factory", "factory"), ("other", "other")]
    )
    investment_nature = forms.ChoiceField(choices=[("social", "social"), ("government", "government")])
    land_supply = forms.ChoiceField(
        choices=[("transfer", "transfer"), ("allocation", "allocation"), ("lease", "lease")]
    )
    industrial_content = forms.BooleanField(required=False)
    lead = forms.IntegerField(required=False, min_value=1)


class ApproveForm(ParamsForm):
    """`commitments`: the enterprise's written commitments, a JSON list of texts (or one per line)."""

    list_fields = ("commitments",)
    commitments = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def clean_commitments(self) -> list[str]:
        raw = self.data.get("commitments")
        items = raw if isinstance(raw, list) else str(raw or "").splitlines()
        items = [str(item).strip() for item in items if isinstance(item, str | int) and str(item).strip()]
        if not items or (isinstance(raw, list) and len(items) != len(raw)):
            raise forms.ValidationError(_("List the enterprise's written commitments, one text each."))
        return items


class InspectionForm(ParamsForm):
    result = forms.ChoiceField(
        choices=[("compliant", _("Every commitment met")), ("rectify", _("Rectification needed"))]
    )
    findings = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("result") == "rectify" and not (data.get("findings") or "").strip():
            self.add_error("findings", _("Describe what must be rectified."))
        return data


COMMITMENT_FORMS: dict[str, type[ParamsForm]] = {
    "submit": NoParams,
    "approve": ApproveForm,
    "reject": ReasonForm,
    "return": ReasonForm,
    "record_inspection": InspectionForm,
    "confirm_rectified": NoParams,
    "revoke": ReasonForm,
}
