"""Files on leads, milestones and commitment applications (DESIGN §6a)."""

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _


def attachment_storage() -> Storage:
    """The `attachments` storage of settings.STORAGES (a directory under VAR_DIR, or an object store)."""
    return storages["attachments"]


class Attachment(models.Model):
    """One uploaded file, owned by exactly one lead or one commitment application. A milestone of the
    lead may point at it as its evidence (report_progress)."""

    lead = models.ForeignKey(
        "cases.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    application = models.ForeignKey(
        "cases.CommitmentApplication", null=True, blank=True, on_delete=models.PROTECT,
        related_name="attachments",
    )  # fmt: skip
    milestones = models.ManyToManyField("cases.Milestone", blank=True, related_name="attachments")
    # stored under a generated name (attachments/YYYY/MM/<uuid>); the person's own name is `name`
    file = models.FileField(storage=attachment_storage, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)  # sniffed from the content
    sha256 = models.CharField(max_length=64)
    description = models.TextField(_("description"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(lead__isnull=False) & models.Q(application__isnull=True))
                | (models.Q(lead__isnull=True) & models.Q(application__isnull=False)),
                name="attachment_one_owner",
            )
        ]
        indexes = [
            # a lead's files, newest first: WHERE lead_id = ? ORDER BY uploaded_at DESC
            models.Index(fields=["lead", "-uploaded_at"], name="attachment_lead_idx"),
            # an application's files, newest first
            models.Index(fields=["application", "-uploaded_at"], name="attachment_application_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class AttachmentDownload(models.Model):
    """Every download of an attachment: who, when (DESIGN §6a "every download recorded")."""

    attachment = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        # an attachment's downloads, newest first (the admin's list of one file)
        indexes = [models.Index(fields=["attachment", "-at"], name="attachment_download_idx")]

    def __str__(self) -> str:
        return f"{self.attachment_id} {self.user_id} {self.at:%Y-%m-%d %H:%M}"
