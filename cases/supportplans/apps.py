from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportplansConfig(AppConfig):
    name = "cases.supportplans"
    label = "supportplans"
    verbose_name = _("Support plans")
