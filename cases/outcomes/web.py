"""Web pages for outcomes: the §16 assessment dashboard and §15 reward cases."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.errors import CaseError, NotPermitted
from cases.outcomes import exports, selectors
from cases.outcomes.machine import REWARD
from workflow import engine

KPI_LABELS = {
    "registered": _("Leads registered"),
    "first_negotiations_confirmed": _("First negotiations confirmed"),
    "landed": _("Landed"),
    "landed_investment_cny": _("Landed investment (yuan)"),
    "referral_credits": _("Referral credits"),
    "lost_to_clock": _("Lost to the clock"),
    "median_days_to_progress": _("Median days to substantive progress"),
    "landing_rate": _("Landing rate"),
}
CHARTED = ["registered", "first_negotiations_confirmed", "landed", "referral_credits", "lost_to_clock"]


class KpiView(LoginRequiredMixin, TemplateView):
    template_name = "cases/kpis.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            units = exports.kpi_units(request.user)
        except NotPermitted as exc:
            raise PermissionDenied(exc.text()) from exc
        try:
            self.start, self.end = exports.kpi_period(request.GET)
        except CaseError as exc:
            messages.error(request, exc.text())
            return redirect("cases:kpis:index")
        report = selectors.kpis(start=self.start, end=self.end, units=units)
        fmt = request.GET.get("format")
        if fmt == "csv":
            return exports.kpi_csv(report)
        if fmt == "xlsx":
            return exports.kpi_xlsx(report)
        return self.render_to_response(self.get_context_data(report=report))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        report = kwargs["report"]
        charts = []
        for field in CHARTED:
            top = max([row[field] or 0 for row in report["units"]] + [1])
            bars = [
                (row["name_zh"], row[field] or 0, round(100 * (row[field] or 0) / top))
                for row in report["units"]
            ]
            charts.append((KPI_LABELS[field], bars))
        return super().get_context_data(
            charts=charts,
            labels=KPI_LABELS,
            fields=list(KPI_LABELS),
            start=self.start,
            end=self.end,
            **kwargs,
        )


class RewardListView(LoginRequiredMixin, TemplateView):
    template_name = "cases/rewards.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(rewards=selectors.rewards_visible(user=self.request.user), **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            engine.fire(
                REWARD, pk=request.POST.get("reward", ""), name=request.POST.get("action", ""), actor=request.user,
                params={k: v for k, v in request.POST.items() if k in ("amount_cny", "reason") and v},
            )  # fmt: skip
            messages.success(request, _("Saved."))
        except CaseError as exc:
            messages.error(request, exc.text())
        return redirect("cases:rewards:index")


class KpiViewset(AppMenuMixin, Viewset):
    app_name = "kpis"
    title = _("Assessment")
    icon = "insights"
    index_path = path("", KpiView.as_view(), name="index")


class RewardsViewset(AppMenuMixin, Viewset):
    app_name = "rewards"
    title = _("Agency rewards")
    icon = "emoji_events"
    index_path = path("", RewardListView.as_view(), name="index")
