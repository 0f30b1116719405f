"""The commitment application case type (DESIGN §6); its transitions are declared on the model."""

from django.utils.translation import gettext_lazy as _

from cases import access, audiences
from cases.commitments.models import CommitmentApplication
from workflow.engine import CaseType, register

COMMITMENT = register(
    CaseType(
        key="commitment",
        weighty=frozenset({"reject", "revoke"}),  # ends, refuses or pays: last, as danger, confirmed
        model=CommitmentApplication,
        can_view=access.can_view_commitment,
        not_found=_("No such application."),
        noun=_("application"),
        audiences=audiences.COMMON,
        notice_refs=lambda app: {"commitment_id": app.pk},
        notice_params=lambda app: {"lead_name": app.project_name, "state": app.state, "case": "commitment"},
        related=("zone", "unit", "clock"),
    )
)
