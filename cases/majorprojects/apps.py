from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorprojectsConfig(AppConfig):
    name = "cases.majorprojects"
    label = "majorprojects"
    verbose_name = _("Major projects")

    def ready(self) -> None:
        from cases.majorprojects import machine as _machine  # noqa: F401 - registers the case type
