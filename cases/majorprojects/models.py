"""City major projects (市级重大项目, DESIGN §6b, measures §2, §4): a lead the city leaders designate,
with a city steward (服务管家) beside the unit's assignee. The machine is declared on the model, as
every case type's is; the engine's runner fires it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.majorprojects import access
from workflow.engine import Notice, declare

EFFECTS = "cases.majorprojects.effects"
INPUTS = "cases.majorprojects.inputs"
# audiences (cases.majorprojects.machine)
STEWARD, PREVIOUS_STEWARD, LEAD_UNIT = "steward", "previous_steward", "lead_unit"


class MajorProjectState(models.TextChoices):
    ACTIVE = "active", _("Followed by the city")
    ENDED = "ended", _("No longer a major project")


class MajorProject(ConcurrentTransitionMixin, models.Model):
    lead = models.OneToOneField("cases.Lead", on_delete=models.PROTECT, related_name="major_project")
    steward = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("city steward")
    )
    reason = models.TextField(_("reason"))
    state = FSMField(default=MajorProjectState.ACTIVE, choices=MajorProjectState.choices, protected=True)
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    designated_at = models.DateTimeField()
    ended_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-designated_at", "-id"]
        indexes = [models.Index(fields=["steward", "state"], name="majorproject_steward_idx")]

    def __str__(self) -> str:
        return f"major project #{self.pk} (lead #{self.lead_id})"

    # --- the machine (DESIGN §6b): designation is a registration (services.major_project_create) ---

    @transition(
        field=state,
        source=MajorProjectState.ACTIVE,
        target=MajorProjectState.ACTIVE,  # a decision that leaves the state as it is
        permission=access.can_lead_coordination,
        custom=declare(
            _("Change the city steward"),
            input=f"{INPUTS}.ChangeStewardInput",
            effect=f"{EFFECTS}.change_steward",
            notify=Notice("major_project_steward", (STEWARD, PREVIOUS_STEWARD, LEAD_UNIT)),
        ),
    )
    def change_steward(self) -> None: ...

    @transition(
        field=state,
        source=MajorProjectState.ACTIVE,
        target=MajorProjectState.ENDED,
        permission=access.can_lead_coordination,
        custom=declare(
            _("End the major project"),
            input="cases.inputs.ReasonInput",
            effect=f"{EFFECTS}.end",
            notify=Notice("major_project_ended", (STEWARD, LEAD_UNIT)),
        ),
    )
    def end(self) -> None: ...


class MajorProjectUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(MajorProject, on_delete=models.CASCADE)


class MajorProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(MajorProject, on_delete=models.CASCADE)
