"""Web pages for bulk import of leads: upload, progress, the error report."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.errors import CaseError
from cases.imports import services as imports
from cases.imports.models import ImportJob


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
    job = ImportJob.objects.filter(pk=pk, created_by=request.user.pk).first()
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


class ImportsViewset(AppMenuMixin, Viewset):
    app_name = "imports"
    title = _("Import leads")
    icon = "upload_file"
    index_path = path("", ImportView.as_view(), name="index")
    detail_path = path("<int:pk>/", ImportDetailView.as_view(), name="detail")
    progress_path = path("<int:pk>/progress/", ImportProgressView.as_view(), name="progress")
    errors_path = path("<int:pk>/errors.csv", ImportErrorsView.as_view(), name="errors")
