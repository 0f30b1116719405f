"""`/api/leads/{id}/attachments/`, `/api/commitments/{id}/attachments/` and
`/api/attachments/{id}/download/` (DESIGN §6a, §8): thin views over the attachment services."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.schema import ErrorSerializer
from cases.attachments import selectors, services, sniff
from cases.attachments.models import Attachment
from cases.attachments.serializers import AttachmentSerializer, AttachmentUpload
from cases.attachments.uploads import CappedUpload, cap, too_large

ERRORS = {code: ErrorSerializer for code in (400, 404, 409, 413)}


class AttachmentList(generics.ListAPIView):
    """A case's files (GET, paginated, newest first) and a new one (POST, multipart)."""

    serializer_class = AttachmentSerializer
    kind = ""  # "lead" or "commitment"
    capped: CappedUpload | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # before authentication: a session's CSRF check reads the body, and must read it capped
        if request.method == "POST":
            self.capped = cap(request._request, settings.ATTACHMENT_MAX_BYTES)
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Attachment]:
        return selectors.attachment_list(user=self.request.user, kind=self.kind, owner_id=self.kwargs["pk"])

    def post(self, request: Request, pk: int) -> Response:
        selectors.attachment_owner_get(user=request.user, kind=self.kind, owner_id=pk)  # 404 before 413
        data = request.data
        if self.capped is not None and self.capped.too_large:
            raise too_large(settings.ATTACHMENT_MAX_BYTES)
        attachment = services.attachment_add(actor=request.user, kind=self.kind, owner_id=pk, data=data)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


UPLOAD_SCHEMA = extend_schema(
    request={"multipart/form-data": AttachmentUpload},
    responses={201: AttachmentSerializer, **ERRORS},
    description="Attach a file (at most 20 MB; PDF, OFD, Word/Excel/PowerPoint, JPEG/PNG/GIF/WebP/TIFF/BMP, "
    "decided by the content). 409 once the case is closed; 413 over the size limit.",
)


@extend_schema(tags=["attachments"])
class LeadAttachments(AttachmentList):
    kind = "lead"

    @UPLOAD_SCHEMA
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


@extend_schema(tags=["attachments"])
class CommitmentAttachments(AttachmentList):
    kind = "commitment"

    @UPLOAD_SCHEMA
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class Download(APIView):
    """The file itself, as an attachment, its download recorded."""

    renderer_classes = [JSONRenderer]  # errors; the file goes out as it is

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)  # any Accept gets the file

    @extend_schema(
        tags=["attachments"],
        responses={
            **{
                (200, ct): OpenApiResponse(OpenApiTypes.BINARY)
                for ct in ("application/octet-stream", *sniff.ACCEPTED)
            },
            404: ErrorSerializer,
        },
        description="The file (Content-Disposition: attachment); every download is recorded.",
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        attachment, handle = services.attachment_download(actor=request.user, attachment_id=pk)
        response = FileResponse(
            handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns: list[URLPattern] = [
    path("leads/<int:pk>/attachments/", LeadAttachments.as_view(), name="api-lead-attachments"),
    path(
        "commitments/<int:pk>/attachments/",
        CommitmentAttachments.as_view(),
        name="api-commitment-attachments",
    ),
    path("attachments/<int:pk>/download/", Download.as_view(), name="api-attachment-download"),
]
