from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from cases import commitment_services, imports, services
        from workflow import registry

        registry.register_clock_handler(
            services.CLOCK_KIND, services.lead_clocks_due, services.lead_lock_for_clock
        )
        registry.register_due_job("imports", imports.imports_due)
        for kind in (commitment_services.INSPECTION, commitment_services.RECTIFICATION):
            registry.register_clock_handler(
                kind, commitment_services.commitment_clocks_due, commitment_services.commitment_lock_for_clock
            )
