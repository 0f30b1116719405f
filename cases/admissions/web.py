"""Pages of admission supports (DESIGN §6b, §14): the list, one support, asking for one (from the lead
page) and its transitions. Thin: each calls one selector or service."""

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

from cases.admissions import selectors, services
from cases.admissions.inputs import AdmissionInput
from cases.admissions.machine import ADMISSION
from cases.admissions.models import AdmissionSupport
from cases.casepages import CaseTransitionView, machine_context
from cases.errors import CaseError, NotFound
from cases.webforms import form_for


class ListView(LoginRequiredMixin, TemplateView):
    template_name = "cases/admission_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        state = self.request.GET.get("state") or None
        supports = list(selectors.support_list(user=self.request.user, state=state)[:200])
        return super().get_context_data(supports=supports, state=state, **kwargs)


def _get(request: HttpRequest, pk: int) -> AdmissionSupport:
    try:
        return selectors.support_get(user=request.user, support_id=pk)
    except NotFound as exc:
        raise Http404 from exc


class DetailView(LoginRequiredMixin, TemplateView):
    template_name = "cases/admission_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        support = _get(self.request, kwargs["pk"])
        return super().get_context_data(
            support=support,
            **machine_context(ADMISSION, support, self.request.user),
            **kwargs,
        )


class TransitionView(CaseTransitionView):
    template_name = "cases/admission_transition.html"
    case_type = ADMISSION
    detail = "cases:admissions:detail"

    def get_case(self, user: Any, pk: Any) -> AdmissionSupport:
        return selectors.support_get(user=user, support_id=pk)

    def case_context(self) -> dict[str, Any]:
        return {"support": self.case}


class CreateView(LoginRequiredMixin, TemplateView):
    """The lead's district or zone asks for admission support (the lead page links here)."""

    template_name = "cases/admission_create.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        data = kwargs.pop("data", None) or {"lead": self.request.GET.get("lead", "")}
        form = kwargs.pop("form", None) or form_for(AdmissionInput, initial=data)
        form.fields["lead"].widget = forms.HiddenInput()
        return super().get_context_data(form=form, data=data, **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        data = request.POST.dict()
        try:
            support = services.admission_create(actor=request.user, data=data)
        except CaseError as exc:
            form = form_for(AdmissionInput, request.POST, exc.errors)
            context = self.get_context_data(data=data, form=form, error=exc.text())
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("Admission support drafted: submit it to the city when it is complete."))
        return redirect("cases:admissions:detail", pk=support.pk)


class AdmissionsViewset(AppMenuMixin, Viewset):
    app_name = "admissions"
    title = _("Admission support")
    icon = "approval"
    index_path = path("", ListView.as_view(), name="index")
    create_path = path("new/", CreateView.as_view(), name="create")
    detail_path = path("<int:pk>/", DetailView.as_view(), name="detail")
    transition_path = path("<int:pk>/do/<str:name>/", TransitionView.as_view(), name="transition")
