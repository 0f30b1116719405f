from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancingConfig(AppConfig):
    name = "cases.financing"
    label = "financing"
    verbose_name = _("Financing")

    def ready(self) -> None:
        # the case type registers itself with the engine when its machine module is imported
        from cases.financing import machine as _machine  # noqa: F401
        from cases.financing import services
        from workflow import registry

        # a bank added since a need was published (manage.py add_unit) is given sight of it
        registry.register_due_job("financing_bank_grants", services.bank_grants_due)
