from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Workflow engine")

    def ready(self) -> None:
        from workflow import (
            checks,  # noqa: F401 - registers the declarations check
            registry,
            statutory,
        )

        registry.register_due_job("calendar", statutory.calendar_alert_due)
