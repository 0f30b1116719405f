from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # each case type registers itself with the engine when its machine module is imported
        from cases.commitments import machine as _commitments  # noqa: F401
        from cases.commitments import services as commitments
        from cases.imports import services as imports
        from cases.leads import machine as _leads  # noqa: F401
        from cases.leads import services as leads
        from cases.outcomes import machine as _rewards  # noqa: F401
        from workflow import registry

        registry.register_clock_handler(leads.CLOCK_KIND, leads.lead_clocks_due, leads.lead_lock_for_clock)
        from cases.parameters.models import PolicyVersion
        from workflow import refcache

        refcache.watch(PolicyVersion)  # parameters_at remembers the versions
        registry.register_due_job("imports", imports.imports_due)
        for kind in (commitments.INSPECTION, commitments.RECTIFICATION):
            registry.register_clock_handler(
                kind, commitments.commitment_clocks_due, commitments.commitment_lock_for_clock
            )
