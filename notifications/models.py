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
    commitment = models.ForeignKey(
        "cases.CommitmentApplication", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
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


class Preference(models.Model):
    """How a person wants to be reached (defaults when absent: zh-Hans, email on if they have one)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    email = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


class WebhookEndpoint(models.Model):
    """An integration (e.g. the city's messaging platform) that receives a unit's or a person's notifications.

    Each POST is signed: header `X-Shoutan-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
    with this endpoint's secret, and `X-Shoutan-Timestamp` the Unix time it was signed.
    """

    unit = models.ForeignKey(
        "workflow.OrgUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True, user__isnull=False)
                | models.Q(unit__isnull=False, user__isnull=True),
                name="webhook_for_unit_or_user",
            )
        ]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """One notification on one channel: the outbox row that a sender claims, sends and settles.

    `key` is the idempotency key (unique): the same cause never yields two rows, and webhook
    receivers get it as `Idempotency-Key` to drop a repeat after a crash between send and settle.
    """

    class Channel(models.TextChoices):
        WEBSOCKET = "websocket", "websocket"
        EMAIL = "email", "email"
        WEBHOOK = "webhook", "webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=160, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # the sender's sweep: WHERE status IN ('pending','sending') AND next_attempt_at <= now
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            # the same sweep by a sender that cannot reach websockets (a worker beside the embedded
            # server): AND NOT channel = 'websocket', however many websocket rows wait for the server
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due_offline_idx",
                condition=models.Q(status__in=["pending", "sending"]) & ~models.Q(channel="websocket"),
            ),
            # failures shown to admins: WHERE status = 'failed'
            models.Index(fields=["status"], name="delivery_failed_idx", condition=models.Q(status="failed")),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.notification_id} {self.status}"
