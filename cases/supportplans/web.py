"""Pages for support plans (DESIGN §6b): the reviewers' and city officers' queue, a plan with its
actions and disbursements, drafting one from a major project's lead page, and each transition's form.
Thin: each calls one selector or service, or the engine."""

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
from cases.leads.selectors import lead_get
from cases.supportplans import selectors, services
from cases.supportplans.inputs import SupportPlanInput
from cases.supportplans.machine import SUPPORT_PLAN_TYPE
from cases.supportplans.models import Method, SupportPlan
from cases.webforms import web_params

QUEUE_ROWS = 50


class SupportPlanQueueView(LoginRequiredMixin, TemplateView):
    template_name = "cases/support_plan_queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        queue = {name: list(qs[:QUEUE_ROWS]) for name, qs in selectors.plan_queue(user=user).items()}
        everything = list(selectors.plan_list(user=user)[:QUEUE_ROWS])
        return super().get_context_data(queue=queue, everything=everything, **kwargs)


def _get(request: HttpRequest, pk: int) -> SupportPlan:
    try:
        return selectors.plan_get(user=request.user, plan_id=pk)
    except NotFound as exc:
        raise Http404 from exc


class SupportPlanDetailView(LoginRequiredMixin, TemplateView):
    template_name = "cases/support_plan_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        plan = _get(self.request, kwargs["pk"])
        methods = dict(Method.choices)
        return super().get_context_data(
            plan=plan,
            methods=[methods.get(m, m) for m in plan.methods],
            disbursements=list(plan.disbursements.all()),
            **machine_context(SUPPORT_PLAN_TYPE, plan, self.request.user),
            **kwargs,
        )


class SupportPlanTransitionView(CaseTransitionView):
    case_type = SUPPORT_PLAN_TYPE
    detail = "cases:supportplans:detail"

    def get_case(self, user: Any, pk: Any) -> SupportPlan:
        return selectors.plan_get(user=user, plan_id=pk)

    def case_context(self) -> dict[str, Any]:
        title = str(_("Support plan for “%(lead)s”") % {"lead": self.case.lead.name})
        return {**super().case_context(), "application": {"project_name": title}}


class SupportPlanCreateView(LoginRequiredMixin, TemplateView):
    """A city officer drafts a plan for the major project whose lead page linked here (`?lead=`)."""

    template_name = "cases/support_plan_create.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        lead_id = kwargs.pop("lead_id", None) or self.request.GET.get("lead")
        try:
            lead = lead_get(user=self.request.user, lead_id=lead_id)
        except (NotFound, OverflowError) as exc:
            raise Http404 from exc
        return super().get_context_data(
            lead=lead, methods=Method.choices, data=kwargs.pop("data", {}), **kwargs
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        data: dict[str, Any] = {
            "lead": request.POST.get("lead", ""),
            "amount_cny": request.POST.get("amount_cny", ""),
            "methods": request.POST.getlist("methods"),
            "terms": request.POST.get("terms", ""),
        }
        try:
            # the amount is typed in 万元; the form keeps what was typed
            plan = services.support_plan_create(actor=request.user, data=web_params(SupportPlanInput, data))
        except CaseError as exc:
            context = self.get_context_data(lead_id=data["lead"], data=data, error=exc.text())
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("Support plan drafted."))
        return redirect("cases:supportplans:detail", pk=plan.pk)


class SupportplansViewset(AppMenuMixin, Viewset):
    app_name = "supportplans"
    title = _("Support plans")
    icon = "payments"
    index_path = path("", SupportPlanQueueView.as_view(), name="index")
    create_path = path("new/", SupportPlanCreateView.as_view(), name="create")
    detail_path = path("<int:pk>/", SupportPlanDetailView.as_view(), name="detail")
    transition_path = path("<int:pk>/do/<str:name>/", SupportPlanTransitionView.as_view(), name="transition")
