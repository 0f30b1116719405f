from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportplansConfig(AppConfig):
    name = "cases.supportplans"
    label = "supportplans"
    verbose_name = _("Support plans")

    def ready(self) -> None:
        # the case type registers itself with the engine when its machine module is imported
        from cases.supportplans import machine as _machine  # noqa: F401
