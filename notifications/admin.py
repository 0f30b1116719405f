from django.contrib import admin

from notifications.models import Delivery, Notification, Preference, WebhookEndpoint


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Where an operator sees what could not be delivered (filter status = failed) and why."""

    list_display = ["id", "channel", "status", "attempts", "next_attempt_at", "last_error", "notification"]
    list_filter = ["status", "channel"]
    search_fields = ["key", "last_error"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    list_select_related = ["notification"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "lead", "created_at", "read_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["id", "url", "unit", "user", "active"]


admin.site.register(Preference)
