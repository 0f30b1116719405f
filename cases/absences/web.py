"""The page where a person names a deputy for an absence, and sees whom they stand in for (DESIGN §7)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.absences import services
from cases.absences.services import AbsenceInput
from cases.errors import CaseError, NotFound
from cases.webforms import form_for
from workflow.models import Membership


def colleagues(user: Any) -> Any:
    """The people of the units the person belongs to (who can be their deputy)."""
    units = Membership.objects.filter(user=user).values("unit")
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__unit__in=units)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("username")
    )


class AbsencesView(LoginRequiredMixin, TemplateView):
    template_name = "cases/absences.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        kwargs.setdefault("form", form_for(AbsenceInput))
        return super().get_context_data(
            absences=services.absences_of(user=user),
            standing_in=services.standing_in(user=user),
            colleagues=colleagues(user),
            **kwargs,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            services.absence_create(actor=request.user, data=request.POST.dict())
        except CaseError as exc:
            form = form_for(AbsenceInput, request.POST, exc.errors)
            return self.render_to_response(
                self.get_context_data(form=form, error=exc.text()), status=exc.status
            )
        messages.success(request, _("Absence recorded: your deputy gets copies of your notifications."))
        return redirect("cases:absences:index")


class AbsenceDeleteView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            services.absence_delete(actor=request.user, absence_id=pk)
        except NotFound as exc:
            raise Http404(exc.text()) from exc
        messages.success(request, _("Absence withdrawn."))
        return redirect("cases:absences:index")


class AbsencesViewset(AppMenuMixin, Viewset):
    app_name = "absences"
    title = _("Absence and deputy")
    icon = "event_busy"
    index_path = path("", AbsencesView.as_view(), name="index")
    delete_path = path("<int:pk>/delete/", AbsenceDeleteView.as_view(), name="delete")
