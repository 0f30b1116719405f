from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "cases.admissions"
    label = "admissions"
    verbose_name = _("Admission support")

    def ready(self) -> None:
        from cases.admissions import machine as _machine  # noqa: F401 - registers the case type
