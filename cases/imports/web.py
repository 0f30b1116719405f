"""Web pages for bulk import of leads: upload, progress, the error report."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.attachments import uploads
from cases.errors import CaseError, NotPermitted
from cases.imports import columns, files, selectors, template
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
            columns=columns.COLUMNS, max_mb=files.MAX_BYTES // (1024 * 1024), max_rows=files.MAX_ROWS,
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


SHOWN_PROBLEMS = 200  # on the page; the report has them all


class ImportDetailView(LoginRequiredMixin, TemplateView):
    """A job's progress and outcome: imported (green), refused with its problems (red), or under way."""

    template_name = "cases/import_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        job = _job(self.request, kwargs["pk"])
        problems = imports.problems(job)
        refused = imports.refused_rows(job)
        return super().get_context_data(
            job=job, problems=problems[:SHOWN_PROBLEMS], more=max(0, len(problems) - SHOWN_PROBLEMS),
            refused=refused, good=max(0, job.total - refused), **kwargs,
        )  # fmt: skip


class ImportProgressView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        job = _job(request, pk)
        return JsonResponse({"status": job.status, "label": str(job.get_status_display()), "total": job.total,
                             "processed": job.processed, "imported": job.imported, "errors": len(job.errors),
                             "refused_rows": imports.refused_rows(job)})  # fmt: skip


class ImportTemplateView(LoginRequiredMixin, View):
    """The template to fill in, as an Excel workbook or a CSV, headed in the page's language."""

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind == "xlsx":
            body = template.template_xlsx()
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        elif kind == "csv":
            body, content_type = template.template_csv(), "text/csv; charset=utf-8"
        else:
            raise Http404
        response = HttpResponse(body, content_type=content_type)
        name = _("lead-import-template")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{name}.{kind}"
        )
        return response


class ImportErrorsView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        response = HttpResponse(
            imports.error_report(_job(request, pk)), content_type="text/csv; charset=utf-8"
        )
        name = _("import-%(pk)s-problems") % {"pk": pk}
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{name}.csv"
        )
        return response


class ImportsViewset(AppMenuMixin, Viewset):
    app_name = "imports"
    title = _("Import leads")
    icon = "upload_file"
    index_path = path("", ImportView.as_view(), name="index")
    detail_path = path("<int:pk>/", ImportDetailView.as_view(), name="detail")
    progress_path = path("<int:pk>/progress/", ImportProgressView.as_view(), name="progress")
    errors_path = path("<int:pk>/errors.csv", ImportErrorsView.as_view(), name="errors")
    template_path = path("template.<str:kind>", ImportTemplateView.as_view(), name="template")
