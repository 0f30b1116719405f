"""Pages for attachments: the upload forms of the lead and commitment pages post here. Thin: one
service call; success goes back to the case, a refusal shows the case page again with the reason in
plain words and the error's status (400, 403, 409, 413)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from viewflow.urls import Viewset

from cases.attachments import selectors, services
from cases.attachments.uploads import CappedUpload, cap, too_large
from cases.errors import CaseError, NotFound


# CSRF is checked in `accept`, once the cap is in place: the middleware's check reads the body first.
@method_decorator(csrf_exempt, name="dispatch")
class UploadView(LoginRequiredMixin, View):
    kind = ""  # "lead" or "commitment"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:  # an unseen case is a 404 before its body is read
            selectors.attachment_owner_get(user=request.user, kind=self.kind, owner_id=pk)
        except NotFound as exc:
            raise Http404(exc.text()) from exc
        return self.accept(request, pk, cap(request, settings.ATTACHMENT_MAX_BYTES))

    @method_decorator(csrf_protect)
    def accept(self, request: HttpRequest, pk: int, capped: CappedUpload) -> HttpResponse:
        try:
            data = {**request.POST.dict(), **request.FILES.dict()}  # the body is read here, capped
            if capped.too_large:
                raise too_large(settings.ATTACHMENT_MAX_BYTES)
            attachment = services.attachment_add(actor=request.user, kind=self.kind, owner_id=pk, data=data)
        except CaseError as exc:
            return self.refuse(request, pk, exc)
        messages.success(request, _("Attached: %(name)s.") % {"name": attachment.name})
        return redirect(f"{reverse(f'cases:{self.detail}', args=[pk])}#attachments")

    @property
    def detail(self) -> str:
        return "leads:detail" if self.kind == "lead" else "commitments:detail"

    def refuse(self, request: HttpRequest, pk: int, exc: CaseError) -> HttpResponse:
        """The case's page again, the reason shown in its attachments section."""
        from cases.commitments.web import CommitmentDetailView
        from cases.leads.web import LeadDetailView

        page: Any = LeadDetailView() if self.kind == "lead" else CommitmentDetailView()
        page.setup(request, pk=pk)
        context = page.get_context_data(pk=pk, attachment_error=exc.text())
        return TemplateResponse(request, page.template_name, context, status=exc.status)


class LeadUploadView(UploadView):
    kind = "lead"


class CommitmentUploadView(UploadView):
    kind = "commitment"


class AttachmentsViewset(Viewset):
    app_name = "attachments"
    lead_upload_path = path("leads/<int:pk>/", LeadUploadView.as_view(), name="lead_upload")
    commitment_upload_path = path(
        "commitments/<int:pk>/", CommitmentUploadView.as_view(), name="commitment_upload"
    )
