from django.contrib import admin
from django.http import HttpRequest

from cases.attachments.models import Attachment, AttachmentDownload


class ReadOnly(admin.ModelAdmin):
    """Files and downloads are evidence: written only by the services (uploads, downloads), never here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnly):
    list_display = ["id", "name", "lead", "application", "size", "content_type", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["name", "sha256"]
    raw_id_fields = ["lead", "application", "milestones"]


@admin.register(AttachmentDownload)
class AttachmentDownloadAdmin(ReadOnly):
    list_display = ["id", "attachment", "user", "at"]
    raw_id_fields = ["attachment"]
