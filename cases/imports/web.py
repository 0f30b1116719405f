"""Web pages for bulk import of leads: upload, progress, the error report."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.attachments import uploads
from cases.errors import CaseError, NotPermitted
from cases.imports import files, selectors
from cases.imports import services as imports
from cases.imports.models import ImportJob


class CappedUpload(uploads.CappedUpload):
    """The shared streaming cap (cases.attachments.uploads), at the import's 10 MB."""

    limit = files.MAX_BYTES


# CSRF is checked in `post`, once the cap is in place: the middleware's check reads the body first.
@method_decorator(csrf_exempt, name="dispatch")
class ImportView(LoginRequiredMixin, TemplateView):
    template_name = "cases/import.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            columns=imports.COLUMNS, max_mb=files.MAX_BYTES // (1024 * 1024), max_rows=files.MAX_ROWS,
            permitted=selectors.import_permitted(user=self.request.user), **kwargs,
        )  # fmt: skip

    def post(self, request: HttpRequest) -> HttpResponse:
        if not selectors.import_permitted(user=request.user):  # refused before the body is read
            return self.refuse(NotPermitted(imports.NOT_OFFICER))
        capped = CappedUpload(request)
        request.upload_handlers.insert(0, capped)
        return self.accept(request, capped)

    @method_decorator(csrf_protect)
    def accept(self, request: HttpRequest, capped: CappedUpload) -> HttpResponse:
        upload = request.FILES.get("file")
        if capped.too_large:
            return self.refuse(files.too_large())
        if upload is None:
            return self.render_to_response(self.get_context_data(error=_("Choose a file.")), status=400)
        try:
            job = imports.import_start(actor=request.user, filename=upload.name or "", upload=upload)
        except CaseError as exc:
            return self.refuse(exc)
        return redirect("cases:imports:detail", pk=job.pk)

    def refuse(self, exc: CaseError) -> HttpResponse:
        return self.render_to_response(self.get_context_data(error=exc.text()), status=exc.status)


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
