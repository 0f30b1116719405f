"""Bulk imports of leads (the project library, §2)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """A bulk import of leads from CSV or Excel (§2 project library). Every row is checked first;
    the leads are created only if every row is good, all in one transaction."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Checking rows")
        FAILED = "failed", _("Refused: see the error report")
        DONE = "done", _("Imported")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    discovering_unit = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, help_text="[{row, field, message}]")
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # the import sweep: WHERE status IN ('pending','running')
            models.Index(
                fields=["status"],
                name="import_open_idx",
                condition=models.Q(status__in=["pending", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return f"import #{self.pk} {self.filename} {self.status}"
