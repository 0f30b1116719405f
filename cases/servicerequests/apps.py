from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicerequestsConfig(AppConfig):
    name = "cases.servicerequests"
    label = "servicerequests"
    verbose_name = _("Service requests")

    def ready(self) -> None:
        # the case type registers itself with the engine when its machine module is imported
        from cases.servicerequests import machine as _machine  # noqa: F401
