"""The landing-capacity page: every district's and zone's available industrial land and standard factory
space — what the landing recommendation scores — with who changed it when. The city's officers enter and
correct any unit's figures, a unit's own officers and leaders their unit's; the city's and the units'
other people read them. Thin: the write is cases.outcomes.services.capacity_update (also
`PUT /api/units/{code}/capacity/`)."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.errors import CaseError
from cases.outcomes import selectors, services
from workflow.models import HOSTING_LEVELS, Level, Membership, OrgUnit, UnitCapacity

HISTORY_SHOWN = 30


def may_read(user: Any) -> bool:
    """The city's people and the districts' and zones' people read every unit's figures."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.is_active
        and Membership.objects.filter(user=user, unit__level__in=(Level.CITY, *HOSTING_LEVELS)).exists()
    )


def capacity_rows(user: Any) -> list[dict[str, Any]]:
    units = list(
        OrgUnit.objects.filter(level__in=HOSTING_LEVELS)
        .select_related("capacity", "capacity__updated_by")
        .order_by("id")
    )
    city = user.has_perm("cases.dispatch_lead")
    own = set(
        Membership.objects.filter(user=user, role__in=("officer", "leader")).values_list("unit_id", flat=True)
    )
    return [
        {
            "unit": u,
            "capacity": getattr(u, "capacity", None),
            "editable": user.is_active and (city or u.pk in own),
        }
        for u in units
    ]


def capacity_history(limit: int = HISTORY_SHOWN) -> list[dict[str, Any]]:
    """The newest changes of any unit's figures, with the figures before and after."""
    entries = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(UnitCapacity))
        .select_related("user")
        .order_by("-action_time", "-id")[:limit]
    )
    names = {u.code: u.display_name for u in OrgUnit.objects.only("code", "name_zh", "name_en")}
    out = []
    for entry in entries:
        try:
            facts = next(p["capacity"] for p in json.loads(entry.change_message) if "capacity" in p)
        except (ValueError, TypeError, StopIteration, KeyError):
            continue
        out.append(
            {
                "at": entry.action_time,
                "by": entry.user.get_full_name() or entry.user.username,
                "unit": names.get(facts.get("unit"), facts.get("unit")),
                "land": facts.get("industrial_land_mu", [None, None]),
                "space": facts.get("factory_space_m2", [None, None]),
            }
        )
    return out


class CapacityView(LoginRequiredMixin, TemplateView):
    template_name = "cases/capacity.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not may_read(request.user):
            raise PermissionDenied(_("The capacity page is for the city's and the units' people."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            rows=capacity_rows(self.request.user),
            history=capacity_history(),
            points=selectors.POINTS,
            land_reference=selectors.LAND_REFERENCE_MU,
            space_reference=selectors.SPACE_REFERENCE_M2,
            **kwargs,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        code = request.POST.get("unit", "")
        data = {k: request.POST.get(k, "").replace(",", "").strip() for k in services.CAPACITY_FIGURES}
        try:
            cap = services.capacity_update(actor=request.user, unit_code=code, data=data)
        except CaseError as exc:
            context = self.get_context_data(
                error=exc.text(), error_unit=code, errors=exc.errors, entered=data
            )
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("Capacity of %(unit)s saved.") % {"unit": cap.unit.display_name})
        return redirect("cases:capacity:index")


class CapacityViewset(AppMenuMixin, Viewset):
    app_name = "capacity"
    title = _("Landing capacity")
    icon = "landscape"
    index_path = path("", CapacityView.as_view(), name="index")

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        return may_read(user)
