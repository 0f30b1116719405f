"""Web pages for commitment applications (§6): the unit's queue, an application, registering one,
and the standards editor for city roles. Thin: each calls one selector or service."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.casepages import CaseTransitionView, machine_context
from cases.commitments import selectors, services
from cases.commitments.machine import COMMITMENT
from cases.commitments.models import CommitmentApplication
from cases.errors import CaseError, NotFound
from cases.leads.selectors import clock_summary
from cases.leads.web import paged  # one pager for every queue: nothing is cut off, counts are true
from cases.webforms import lines
from workflow import workdays
from workflow.models import OrgUnit, PilotZone


class CommitmentQueueView(LoginRequiredMixin, TemplateView):
    template_name = "cases/commitment_queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        request = self.request
        queue = {
            name: paged(request, f"{name}_page", qs, qs.count())
            for name, qs in selectors.commitment_queue(user=user).items()
        }
        calendar = workdays.current(lazy=True)  # one for the page, read only if a paused clock needs it
        for part in queue.values():
            for app in part["rows"]:
                # for the template
                vars(app)["clock_view"] = clock_summary(clock=app.clock, pauses=False, calendar=calendar)
        listed = selectors.commitment_list(user=user)
        everything = paged(request, "page", listed, listed.count())
        return super().get_context_data(queue=queue, everything=everything, **kwargs)


def _get(request: HttpRequest, pk: int) -> CommitmentApplication:
    try:
        return selectors.commitment_get(user=request.user, application_id=pk)
    except NotFound as exc:
        raise Http404 from exc


class CommitmentDetailView(LoginRequiredMixin, TemplateView):
    template_name = "cases/commitment_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        app = _get(self.request, kwargs["pk"])
        return super().get_context_data(
            application=app,
            clock=clock_summary(clock=app.clock, pauses=False),
            **machine_context(COMMITMENT, app, self.request.user),
            **kwargs,
        )


class CommitmentTransitionView(CaseTransitionView):
    case_type = COMMITMENT
    detail = "cases:commitments:detail"

    def get_case(self, user: Any, pk: Any) -> CommitmentApplication:
        return selectors.commitment_get(user=user, application_id=pk)

    def params(self, request: HttpRequest) -> dict[str, Any]:
        params: dict[str, Any] = request.POST.dict()
        if "commitments" in params:  # a textarea, one commitment per line
            params["commitments"] = lines(params["commitments"])
        return params


class CommitmentCreateView(LoginRequiredMixin, TemplateView):
    template_name = "cases/commitment_create.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        units = OrgUnit.objects.filter(
            memberships__user=self.request.user.pk, memberships__role="officer", pilot_zones__isnull=False
        ).distinct()
        zones = PilotZone.objects.filter(units__in=units).distinct()
        return super().get_context_data(units=units, zones=zones, data=kwargs.pop("data", {}), **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        data: dict[str, Any] = request.POST.dict()
        data["industrial_content"] = "industrial_content" in request.POST
        try:
            app = services.commitment_create(actor=request.user, data=data)
        except CaseError as exc:
            return self.render_to_response(
                self.get_context_data(data=data, error=exc.text()), status=exc.status
            )
        messages.success(request, _("Application registered."))
        return redirect("cases:commitments:detail", pk=app.pk)


class StandardForm(forms.Form):
    zone = forms.ModelChoiceField(
        queryset=PilotZone.objects.all(), to_field_name="slug", label=_("Pilot zone")
    )
    items = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label=_("Standards, one per line"))


class StandardsView(LoginRequiredMixin, TemplateView):
    """City roles publish a new version of a zone's standards; everyone may read every version."""

    template_name = "cases/standards.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            standards=selectors.standards(),
            form=kwargs.pop("form", None) or StandardForm(),
            can_publish=self.request.user.has_perm("cases.add_commitmentstandard"),
            **kwargs,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StandardForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            standard = services.standard_publish(
                actor=request.user,
                data={"zone": form.cleaned_data["zone"].slug, "items": lines(form.cleaned_data["items"])},
            )
        except CaseError as exc:
            return self.render_to_response(
                self.get_context_data(form=form, error=exc.text()), status=exc.status
            )
        messages.success(request, _("Published version %(v)s.") % {"v": standard.version})
        return redirect("cases:commitments:standards")


class CommitmentsViewset(AppMenuMixin, Viewset):
    app_name = "commitments"
    title = _("Commitment approvals")
    icon = "verified"
    index_path = path("", CommitmentQueueView.as_view(), name="index")
    create_path = path("new/", CommitmentCreateView.as_view(), name="create")
    standards_path = path("standards/", StandardsView.as_view(), name="standards")
    detail_path = path("<int:pk>/", CommitmentDetailView.as_view(), name="detail")
    transition_path = path("<int:pk>/do/<str:name>/", CommitmentTransitionView.as_view(), name="transition")
