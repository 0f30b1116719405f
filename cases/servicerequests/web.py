"""Pages for service requests (DESIGN §6b): the responsible unit's queue, a request with its actions,
and raising one from the lead page. Thin: each calls one selector or service."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.casepages import CaseTransitionView, machine_context
from cases.errors import CaseError, NotFound
from cases.servicerequests import selectors, services
from cases.servicerequests.inputs import RaiseInput
from cases.servicerequests.machine import SERVICE_REQUEST
from cases.servicerequests.models import ServiceRequest
from cases.webforms import form_for


def _get(request: HttpRequest, pk: int) -> ServiceRequest:
    try:
        return selectors.request_get(user=request.user, request_id=pk)
    except NotFound as exc:
        raise Http404 from exc


def _with_deadlines(requests: list[ServiceRequest]) -> list[ServiceRequest]:
    deadlines = selectors.sla_deadlines(requests=requests)
    for r in requests:
        vars(r)["sla_deadline"] = deadlines.get(r.pk)  # for the template
    return requests


class QueueView(LoginRequiredMixin, TemplateView):
    """What the user's units must answer, then everything the user may see."""

    template_name = "cases/service_request_queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        return super().get_context_data(
            queue=_with_deadlines(list(selectors.request_queue(user=user)[:100])),
            everything=_with_deadlines(list(selectors.request_list(user=user)[:100])),
            **kwargs,
        )


class DetailView(LoginRequiredMixin, TemplateView):
    template_name = "cases/service_request_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        found = _get(self.request, kwargs["pk"])
        return super().get_context_data(
            sr=_with_deadlines([found])[0],
            **machine_context(SERVICE_REQUEST, found, self.request.user, labels={"raise": _("Raise")}),
            **kwargs,
        )


class TransitionView(CaseTransitionView):
    case_type = SERVICE_REQUEST
    detail = "cases:servicerequests:detail"

    def get_case(self, user: Any, pk: Any) -> ServiceRequest:
        return selectors.request_get(user=user, request_id=pk)

    def case_context(self) -> dict[str, Any]:
        title = f"{self.case.lead.name} · {self.case.get_kind_display()}"
        return {**super().case_context(), "application": {"project_name": title}}


class RaiseView(LoginRequiredMixin, TemplateView):
    """The raise form is on the lead page; this takes it, and shows it again with what went wrong."""

    template_name = "cases/service_request_raise.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        data = kwargs.setdefault("data", {"lead": self.request.GET.get("lead", "")})
        lead = str(data.get("lead", ""))
        return super().get_context_data(
            units=selectors.responsible_units(),
            kinds=ServiceRequest.Kind.choices,
            lead_id=int(lead) if lead.isascii() and lead.isdigit() and len(lead) < 18 else None,
            **kwargs,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        data: dict[str, Any] = request.POST.dict()
        data.pop("csrfmiddlewaretoken", None)
        try:
            raised = services.service_request_raise(actor=request.user, data=data)
        except CaseError as exc:
            form = form_for(RaiseInput, request.POST, exc.errors)
            context = self.get_context_data(data=data, form=form, error=exc.text())
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("Service request raised."))
        return redirect("cases:servicerequests:detail", pk=raised.pk)


class ServicerequestsViewset(AppMenuMixin, Viewset):
    app_name = "servicerequests"
    title = _("Service requests")
    icon = "support_agent"
    index_path = path("", QueueView.as_view(), name="index")
    raise_path = path("raise/", RaiseView.as_view(), name="raise")
    detail_path = path("<int:pk>/", DetailView.as_view(), name="detail")
    transition_path = path("<int:pk>/do/<str:name>/", TransitionView.as_view(), name="transition")
