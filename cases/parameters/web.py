"""The policy parameters page (DESIGN §4, §8): city leaders see every version, edit a draft of the
next one, preview what it would move on running cases, and publish it. Thin: a selector and a service."""

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases import policy
from cases.errors import CaseError
from cases.parameters import selectors, services
from workflow import statutory

SHOWN = 100  # moved leads listed on the page (the counts cover all of them)


class DraftForm(forms.Form):
    """What the leader types; the service checks it with PublishInput / PreviewInput (the same rules
    as the API), so this form only draws the fields and carries the service's errors back."""

    no_progress_months = forms.IntegerField(label=_("No-progress period (months)"))
    warning_days = forms.CharField(label=_("Warnings (days before the deadline)"), required=False)
    remind_working_days = forms.IntegerField(label=_("Reminder after (working days)"))
    escalate_working_days = forms.IntegerField(label=_("Escalation after (working days)"))
    inspection_days = forms.IntegerField(label=_("Commitment inspection within (days)"))
    rectification_days = forms.IntegerField(label=_("Rectification within (days)"))
    service_request_working_days = forms.IntegerField(label=_("Service request SLA (working days)"))
    effective_from = forms.DateField(
        label=_("Effective from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    basis = forms.CharField(
        label=_("Basis (the decision or document)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _initial(current: policy.Parameters) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(current, name) for name in policy.PARAMETER_NAMES}
    values["warning_days"] = ", ".join(map(str, current.warning_days))
    return values | {"effective_from": timezone.localdate()}


def _data(post: Any) -> dict[str, Any]:
    """The form's text as the service's input: "30, 7" → ["30", "7"]; blanks left out."""
    data: dict[str, Any] = {k: v for k, v in post.items() if k in DraftForm.base_fields and v.strip()}
    data["warning_days"] = [w for w in re.split(r"[\s,，、]+", post.get("warning_days", "")) if w]
    return data


class ParametersView(LoginRequiredMixin, TemplateView):
    template_name = "cases/policy_parameters.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not services.may_publish(request.user):
            raise PermissionDenied(_("Only the city's leaders change the policy parameters."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        current = selectors.parameters_at(when=timezone.now())
        last_year, ends = statutory.calendar_runs_out(now=timezone.now())
        kwargs.setdefault("form", DraftForm(initial=_initial(current)))
        return super().get_context_data(
            versions=selectors.versions(),
            current=current,
            calendar_ends=ends,
            calendar_last_year=last_year,
            **kwargs,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        data, form = _data(request.POST), DraftForm(request.POST)
        try:
            if "publish" in request.POST:
                version = services.parameters_publish(actor=request.user, data=data)
                messages.success(request, _("Published version %(v)s.") % {"v": version.version})
                return redirect("cases:parameters:index")
            preview = selectors.parameters_preview(user=request.user, data=data)
        except CaseError as exc:
            for name, items in exc.errors.items():
                for item in items:
                    form.add_error(name if name in form.fields else None, item["message"])
            return self.render_to_response(
                self.get_context_data(form=form, error=exc.text()), status=exc.status
            )
        return self.render_to_response(
            self.get_context_data(form=form, preview=preview, shown=preview["results"][:SHOWN])
        )


class ParametersViewset(AppMenuMixin, Viewset):
    app_name = "parameters"
    title = _("Policy parameters")
    icon = "tune"
    index_path = path("", ParametersView.as_view(), name="index")

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        return services.may_publish(user)
