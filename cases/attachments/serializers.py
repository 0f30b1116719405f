"""What the attachment API accepts and answers (DRF serializers, so the OpenAPI schema is exact)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.attachments.models import Attachment
from cases.inputs import text

MAX_LINKED = 50  # files one milestone may point at: more than any agreement's annexes


@extend_schema_field(OpenApiTypes.BINARY)
class UploadedFile(serializers.FileField):
    """A file part of a multipart body (the schema says binary, not a URL)."""


class AttachmentUpload(serializers.Serializer):
    """`POST …/attachments/` (multipart): the file and an optional description. An empty file is let
    through here so that the type check refuses it with the list of accepted types."""

    file = UploadedFile(allow_empty_file=True, use_url=False, label=_("File"))
    description = text(_("Description"), max_length=2000, required=False, allow_blank=True, default="")


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="bytes")
    content_type = serializers.CharField(help_text="sniffed from the file's content")
    description = serializers.CharField()
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment: Attachment) -> str:
        return download_url(attachment.pk)


class AttachmentLinkSerializer(serializers.Serializer):
    """A milestone's evidence in the lead's detail: `{id, name, download_url}`."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    download_url = serializers.CharField()


def download_url(attachment_id: int) -> str:
    return reverse("api-attachment-download", args=[attachment_id])


def attachment_links(attachments: Any) -> list[dict[str, Any]]:
    return [{"id": a.pk, "name": a.name, "download_url": download_url(a.pk)} for a in attachments]


class AttachmentIds(serializers.ListField):
    """A list of attachment ids (`report_progress`'s evidence). From the lead's transition page, where a
    form is posted as a flat dict (one value per name), each ticked box arrives as its own key
    `<field>.<id>` (cases.attachments.forms.EvidenceCheckboxes) and is gathered here."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.IntegerField(min_value=1, max_value=2**31 - 1))
        kwargs.setdefault("max_length", MAX_LINKED)
        super().__init__(**kwargs)

    def get_value(self, dictionary: Any) -> Any:
        value = super().get_value(dictionary)
        if value is serializers.empty and isinstance(dictionary, dict):
            prefix = f"{self.field_name}."
            ticked = [v for k, v in dictionary.items() if isinstance(k, str) and k.startswith(prefix)]
            if ticked:
                return ticked
        return value
