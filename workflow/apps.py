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

        from django.db.models.signals import post_delete, post_migrate, post_save

        from workflow.models import RoleGroup
        from workflow.services import forget_reference_rows

        # memories of rows, not business logic: emptied when the rows they remember change
        post_migrate.connect(forget_reference_rows, dispatch_uid="workflow.forget_reference_rows")
        for signal in (post_save, post_delete):
            signal.connect(forget_reference_rows, sender=RoleGroup, dispatch_uid=f"workflow.forget.{signal}")
        from django.contrib.auth import get_user_model

        from workflow import refcache
        from workflow.models import Absence, HolidayDate, HolidayYear, Membership, OrgUnit

        post_migrate.connect(refcache.forget, dispatch_uid="workflow.refcache.forget")
        for model in (Membership, OrgUnit, HolidayYear, HolidayDate, Absence):
            refcache.watch(model)
        refcache.watch(get_user_model(), unless_only={"last_login"})  # a login changes nothing remembered
