"""Web pages for outcomes: the §16 assessment dashboard, §15 reward cases, bulk import of leads."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases import imports, outcome_selectors, outcome_services
from cases.api.outcomes import kpi_csv, kpi_period, kpi_units, kpi_xlsx
from cases.errors import CaseError
from cases.models import ImportJob

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
            self.start, self.end = kpi_period(request.GET)
        except CaseError as exc:
            messages.error(request, exc.text())
            return redirect("cases:kpis:index")
        report = outcome_selectors.kpis(start=self.start, end=self.end, units=kpi_units(request.user))
        fmt = request.GET.get("format")
        if fmt == "csv":
            return kpi_csv(report)
        if fmt == "xlsx":
            return kpi_xlsx(report)
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
        return super().get_context_data(
            rewards=outcome_selectors.rewards_visible(user=self.request.user), **kwargs
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            outcome_services.reward_transition(
                reward_id=int(request.POST.get("reward", 0)), name=request.POST.get("action", ""), actor=request.user,
                params={k: v for k, v in request.POST.items() if k in ("amount_cny", "reason") and v},
            )  # fmt: skip
            messages.success(request, _("Saved."))
        except CaseError as exc:
            messages.error(request, exc.text())
        return redirect("cases:rewards:index")


class ImportView(LoginRequiredMixin, TemplateView):
    template_name = "cases/import.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(columns=imports.COLUMNS, **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_to_response(self.get_context_data(error=_("Choose a file.")), status=400)
        try:
            job = imports.import_start(actor=request.user, filename=upload.name, content=upload.read())
        except CaseError as exc:
            return self.render_to_response(self.get_context_data(error=exc.text()), status=exc.status)
        return redirect("cases:imports:detail", pk=job.pk)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk, created_by=request.user).first()
    if job is None:
        raise Http404
    return job


class ImportDetailView(LoginRequiredMixin, TemplateView):
    template_name = "cases/import_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(job=_job(self.request, kwargs["pk"]), **kwargs)


class ImportProgressView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        job = _job(request, pk)
        return JsonResponse({"status": job.status, "label": str(job.get_status_display()), "total": job.total,
                             "processed": job.processed, "imported": job.imported, "errors": len(job.errors)})  # fmt: skip


class ImportErrorsView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        response = HttpResponse(
            imports.error_report(_job(request, pk)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="import-{pk}-errors.csv"'
        return response


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


class ImportsViewset(AppMenuMixin, Viewset):
    app_name = "imports"
    title = _("Import leads")
    icon = "upload_file"
    index_path = path("", ImportView.as_view(), name="index")
    detail_path = path("<int:pk>/", ImportDetailView.as_view(), name="detail")
    progress_path = path("<int:pk>/progress/", ImportProgressView.as_view(), name="progress")
    errors_path = path("<int:pk>/errors.csv", ImportErrorsView.as_view(), name="errors")
