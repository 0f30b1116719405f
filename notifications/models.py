from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One message in one user's inbox, written in the same transaction as its cause.

    The text is rendered when read, in the reader's language, from `kind` and `params`.
    `key` names the cause; (user, key) is unique, so a cause can never notify a person twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    lead = models.ForeignKey("cases.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(default=dict)
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_cause")]
        indexes = [
            # the inbox: WHERE user_id = ? ORDER BY created_at DESC, id DESC
            models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox_idx"),
            # the unread count and the unread filter: WHERE user_id = ? AND read_at IS NULL
            models.Index(
                fields=["user"], name="notification_unread_idx", condition=models.Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"
