"""Service requests (服务诉求, DESIGN §6b, measures §4 "服务包"): what an enterprise needs from a city
department or a district (household registration, housing, talent, land, approvals, financing),
raised for a lead and answered by the responsible unit within an SLA in working days. The machine is
declared on the model; the engine's runner fires it (cases.servicerequests.machine)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.servicerequests import access
from workflow.engine import Notice, declare
from workflow.models import OrgUnit

EFFECTS = "cases.servicerequests.effects"
INPUTS = "cases.servicerequests.inputs"
REASON = "cases.inputs.ReasonInput"

# audiences (cases.servicerequests.machine says who each stands for)
RAISER = "raiser"
RESPONSIBLE_OFFICERS = "responsible_officers"


class ServiceRequestState(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", pgettext_lazy("service request", "Accepted")
    RESOLVED = "resolved", _("Resolved")
    DECLINED = "declined", _("Declined")
    CLOSED = "closed", pgettext_lazy("service request", "Closed")


class ServiceRequest(ConcurrentTransitionMixin, models.Model):
    """One need of a lead's enterprise, addressed to the unit that can meet it."""

    class Kind(models.TextChoices):
        HUKOU = "hukou", _("Household registration")
        HOUSING = "housing", _("Housing")
        TALENT = "talent", _("Talent (case by case)")
        LAND = "land", _("Land")
        APPROVAL = "approval", _("Approvals")
        FINANCING = "financing", _("Financing")
        OTHER = "other", _("Other")

    lead = models.ForeignKey(
        "cases.Lead", on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("lead")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("description"))
    responsible_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # the lead's unit when it was raised: it keeps seeing the request if the lead moves on
    raising_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()

    state = FSMField(default=ServiceRequestState.OPEN, choices=ServiceRequestState.choices, protected=True)
    answer = models.TextField(_("answer"), blank=True)
    reason = models.TextField(
        _("reason"), blank=True, help_text="why it was declined or reopened, the latest"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        permissions = [
            ("work_servicerequest", "Accept, answer and decline service requests (responsible unit officer)")
        ]
        indexes = [
            # the responsible unit's queue: WHERE responsible_unit_id = ? AND state IN (…) ORDER BY raised_at
            models.Index(fields=["responsible_unit", "state", "raised_at"], name="sr_unit_state_idx"),
            # a lead's requests on its page: WHERE lead_id = ? ORDER BY raised_at DESC
            models.Index(fields=["lead", "-raised_at"], name="sr_lead_idx"),
            # the newest-first list of everything (city roles)
            models.Index(fields=["-raised_at", "-id"], name="sr_raised_idx"),
        ]

    def __str__(self) -> str:
        return f"service request #{self.pk} (lead #{self.lead_id})"

    # --- the machine (DESIGN §6b) -------------------------------------------------------------------

    @transition(
        field=state,
        source=ServiceRequestState.OPEN,
        target=ServiceRequestState.ACCEPTED,
        permission=access.can_answer,
        custom=declare(
            _("Accept"), effect=f"{EFFECTS}.accept", notify=Notice("service_request_accepted", (RAISER,))
        ),
    )
    def accept(self) -> None: ...

    @transition(
        field=state,
        source=ServiceRequestState.ACCEPTED,
        target=ServiceRequestState.RESOLVED,
        permission=access.can_answer,
        custom=declare(
            _("Resolve"),
            input=f"{INPUTS}.ResolveInput",
            effect=f"{EFFECTS}.resolve",
            notify=Notice("service_request_resolved", (RAISER,)),
        ),
    )
    def resolve(self) -> None: ...

    @transition(
        field=state,
        source=ServiceRequestState.ACCEPTED,
        target=ServiceRequestState.DECLINED,
        permission=access.can_answer,
        custom=declare(
            _("Decline"),
            input=REASON,
            effect=f"{EFFECTS}.decline",
            notify=Notice("service_request_declined", (RAISER,)),
        ),
    )
    def decline(self) -> None: ...

    @transition(
        field=state,
        source=ServiceRequestState.RESOLVED,
        target=ServiceRequestState.CLOSED,
        permission=access.is_raiser,
        custom=declare(
            _("Confirm the answer"),
            effect=f"{EFFECTS}.confirm",
            notify=Notice("service_request_closed", (RESPONSIBLE_OFFICERS,)),
        ),
    )
    def confirm(self) -> None: ...

    @transition(
        field=state,
        source=ServiceRequestState.RESOLVED,
        target=ServiceRequestState.ACCEPTED,
        permission=access.is_raiser,
        custom=declare(
            _("Reopen"),
            input=REASON,
            effect=f"{EFFECTS}.reopen",
            notify=Notice("service_request_reopened", (RESPONSIBLE_OFFICERS,)),
        ),
    )
    def reopen(self) -> None: ...


class ServiceRequestUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE)


class ServiceRequestGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE)
