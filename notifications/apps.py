from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications import outbox, rules
        from workflow import registry

        registry.subscribe(rules.on_events)
        registry.register_due_job("deliveries", lambda now: outbox.deliveries_send(now=now))

        from notifications.models import Preference, WebhookEndpoint
        from workflow import refcache

        for model in (Preference, WebhookEndpoint):  # remembered by the outbox (its recipients, webhooks)
            refcache.watch(model)
