"""The people and roles pages of the people administrator: everyone with their roles and a form to add a
person; one person's page to give and take roles, deactivate or reactivate them, reset their password,
and read who changed what. Thin: each request calls one service or selector."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.errors import CaseError, NotFound
from cases.people import selectors, services
from cases.people.inputs import ADMINISTRATOR, ROLE_CHOICES

PAGE_SIZE = 50


class AdministratorOnly(LoginRequiredMixin):
    """Everyone but the people administrator gets a 403, for every method."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not services.may_administer(request.user):
            raise PermissionDenied(_("The people and roles page is for the people administrator."))
        return super().dispatch(request, *args, **kwargs)


class PeopleView(AdministratorOnly, TemplateView):
    template_name = "cases/people_admin.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        q = self.request.GET.get("q", "").strip()[:150]
        unit = self.request.GET.get("unit", "").strip()[:40]
        page = Paginator(selectors.people(q=q, unit=unit), PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = [{"person": p, "roles": selectors.roles_of(p)} for p in page.object_list]
        return super().get_context_data(
            rows=rows, page=page, q=q, unit=unit, units=selectors.units(),
            unit_roles=ROLE_CHOICES[:2], data=kwargs.pop("data", {}), **kwargs,
        )  # fmt: skip

    def post(self, request: HttpRequest) -> HttpResponse:
        data: dict[str, Any] = {
            key: request.POST.get(key, "") for key in ("username", "full_name", "email", "unit")
        }
        data["roles"] = request.POST.getlist("roles")
        data["administrator"] = "administrator" in request.POST
        try:
            person, password = services.person_add(actor=request.user, data=data)
        except CaseError as exc:
            context = self.get_context_data(data=data, error=exc.text(), errors=exc.errors)
            return self.render_to_response(context, status=exc.status)
        return _person_page(request, person, password=password, done=_("Person added."))


class PersonView(AdministratorOnly, TemplateView):
    template_name = "cases/people_admin_person.html"
    actions = ("give", "take", "deactivate", "reactivate", "reset_password")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _person_page(request, _get(kwargs["username"]))

    def post(self, request: HttpRequest, username: str) -> HttpResponse:
        person = _get(username)
        action = request.POST.get("action", "")
        role = {"role": request.POST.get("role", ""), "unit": request.POST.get("unit", "")}
        password = None
        try:
            if action == "give":
                services.role_give(actor=request.user, username=username, data=role)
                done = _("Role given.")
            elif action == "take":
                services.role_take(actor=request.user, username=username, data=role)
                done = _("Role taken.")
            elif action == "deactivate":
                services.person_deactivate(actor=request.user, username=username)
                done = _("Deactivated: they can no longer sign in, and their API tokens are revoked.")
            elif action == "reactivate":
                _p, password = services.person_reactivate(actor=request.user, username=username)
                done = _("Reactivated.")
            elif action == "reset_password":
                _p, password = services.password_reset(actor=request.user, username=username)
                done = _("Password reset.")
            else:
                return _person_page(request, person, error=_("Choose what to do."), status=400)
        except NotFound as exc:
            raise Http404(exc.text()) from exc
        except CaseError as exc:
            return _person_page(
                request, person, error=exc.text(), errors=exc.errors, data=role, status=exc.status
            )
        if password is None:
            messages.success(request, done)
            return redirect("cases:people:person", username=username)
        person.refresh_from_db()
        return _person_page(request, person, password=password, done=done)


def _get(username: str) -> Any:
    person = get_user_model().objects.filter(username=username).first()
    if person is None:
        raise Http404(_("No such person."))
    return person


def _person_page(request: HttpRequest, person: Any, *, status: int = 200, **context: Any) -> HttpResponse:
    """The person's page; a temporary password is drawn in this answer only (never stored, never sent)."""
    person = selectors.people().get(pk=person.pk)
    return PersonPage.as_view()(
        request, person=person, roles=selectors.roles_of(person), history=selectors.person_history(person=person),
        units=selectors.units(), role_choices=ROLE_CHOICES, administrator=ADMINISTRATOR,
        is_self=person.pk == request.user.pk, status=status, **context,
    )  # fmt: skip


class PersonPage(TemplateView):
    """Draws the person's page with the context it is given (PersonView and PeopleView answer with it)."""

    template_name = "cases/people_admin_person.html"
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        status = kwargs.pop("status", 200)
        response = self.render_to_response(self.get_context_data(**kwargs), status=status)
        response["Cache-Control"] = "no-store"  # a temporary password is never kept by the browser
        return response

    post = get


class PeopleViewset(AppMenuMixin, Viewset):
    app_name = "people"
    title = _("People and roles")
    icon = "manage_accounts"
    index_path = path("", PeopleView.as_view(), name="index")
    person_path = path("<str:username>/", PersonView.as_view(), name="person")

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        return services.may_administer(user)
