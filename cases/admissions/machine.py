"""The admission support case type (DESIGN §6b, §14); its transitions are declared on the model."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from cases import audiences
from cases.admissions import access
from cases.admissions.models import AdmissionState, AdmissionSupport
from workflow.engine import CaseType, register
from workflow.models import Role


def grants(supports: list[AdmissionSupport]) -> dict[Any, dict[tuple[int, str], set[str]]]:
    """The asking unit's people see their supports; its officers prepare and submit a draft."""
    wanted: dict[Any, dict[tuple[int, str], set[str]]] = {}
    for s in supports:
        officer = {access.VIEW, access.WORK} if s.state == AdmissionState.DRAFT else {access.VIEW}
        wanted[s] = {(s.unit_id, Role.OFFICER): officer, (s.unit_id, Role.LEADER): {access.VIEW}}
    return wanted


ADMISSION = register(
    CaseType(
        key="admission",
        weighty=frozenset({"reject"}),  # ends, refuses or pays: last, as danger, confirmed
        model=AdmissionSupport,
        can_view=access.can_view_admission,
        not_found=_("No such admission support."),
        noun=_("admission support"),
        audiences=audiences.COMMON,
        grants=grants,
        notice_refs=lambda s: {"lead_id": s.lead_id},
        notice_params=lambda s: {
            "lead_name": s.lead.name,
            "state": s.state,
            "case": "admission",
            "case_id": s.pk,
            "unit": s.unit.code,
        },
        related=("lead", "unit"),
    )
)
