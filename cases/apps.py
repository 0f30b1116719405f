from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from cases import services
        from workflow import registry

        registry.register_clock_handler(
            services.CLOCK_KIND, services.lead_clock_due, services.lead_lock_for_clock
        )
