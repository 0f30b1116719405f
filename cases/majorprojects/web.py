"""Pages of city major projects (DESIGN §6b): the city leaders' coordination overview, a project,
designating one (from the lead page) and its transitions. Thin: each calls one selector or service."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.casepages import CaseTransitionView, machine_context
from cases.errors import CaseError, NotFound
from cases.majorprojects import access, selectors, services
from cases.majorprojects.machine import MAJOR_PROJECT
from cases.majorprojects.models import MajorProject
from workflow.models import Level, Role

LABELS = {"designate": _("Designated a city major project")}


def city_officers() -> Any:
    """Whom a steward may be: the active city officers."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__role=Role.OFFICER, memberships__unit__level=Level.CITY)
        .distinct()
        .order_by("username")
    )


def steward_choices() -> list[tuple[str, str]]:
    return [(u.username, u.get_full_name() or u.username) for u in city_officers()]


class OverviewView(LoginRequiredMixin, TemplateView):
    """Every major project, its state, unit, assignee, steward, designation and admission supports."""

    template_name = "cases/major_overview.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not access.is_city_role(request.user):
            raise PermissionDenied(_("The coordination overview is the city's."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        projects = selectors.coordination_overview(user=self.request.user)
        return super().get_context_data(
            projects=projects, figures=selectors.coordination_figures(projects), **kwargs
        )


def _get(request: HttpRequest, pk: int) -> MajorProject:
    try:
        return selectors.project_get(user=request.user, project_id=pk)
    except NotFound as exc:
        raise Http404 from exc


class DetailView(LoginRequiredMixin, TemplateView):
    template_name = "cases/major_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        project = _get(self.request, kwargs["pk"])
        return super().get_context_data(
            project=project,
            **machine_context(MAJOR_PROJECT, project, self.request.user, labels=LABELS),
            **kwargs,
        )


class TransitionView(CaseTransitionView):
    template_name = "cases/major_transition.html"
    case_type = MAJOR_PROJECT
    detail = "cases:majorprojects:detail"

    def get_case(self, user: Any, pk: Any) -> MajorProject:
        return selectors.project_get(user=user, project_id=pk)

    def form(self, name: str, data: Any = None, errors: Any = None) -> forms.Form:
        form = super().form(name, data, errors)
        if "steward" in form.fields:  # a city officer, picked from a list
            form.fields["steward"] = forms.ChoiceField(choices=steward_choices(), label=_("City steward"))
        return form

    def case_context(self) -> dict[str, Any]:
        return {"project": self.case}


class DesignateView(LoginRequiredMixin, TemplateView):
    """City leaders designate a lead (the lead page's form posts here; errors are shown on this page)."""

    template_name = "cases/major_designate.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not access.may_designate(request.user):
            raise PermissionDenied(_("Only the city leaders designate city major projects."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        data = kwargs.pop("data", None) or {"lead": self.request.GET.get("lead", "")}
        return super().get_context_data(data=data, stewards=steward_choices(), **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        data = request.POST.dict()
        try:
            project = services.major_project_create(actor=request.user, data=data)
        except CaseError as exc:
            context = self.get_context_data(data=data, error=exc.text(), errors=exc.errors or {})
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("The lead is now a city major project."))
        return redirect("cases:leads:detail", pk=project.lead_id)


class MajorprojectsViewset(AppMenuMixin, Viewset):
    app_name = "majorprojects"
    title = _("Major projects")
    icon = "star"
    index_path = path("", OverviewView.as_view(), name="index")
    designate_path = path("designate/", DesignateView.as_view(), name="designate")
    detail_path = path("<int:pk>/", DetailView.as_view(), name="detail")
    transition_path = path("<int:pk>/do/<str:name>/", TransitionView.as_view(), name="transition")

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        return access.is_city_role(user)
