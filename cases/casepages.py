"""What every case type's pages share: one transition on a page (a form drawn from its input serializer,
the engine deciding, refusals in plain words) and what a case's page shows of its machine. A case
type's pages give the case type, how the caller's case is read, and what differs."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cases.errors import CaseError, NotFound
from cases.webforms import form_for
from workflow import engine
from workflow import selectors as engine_selectors


def machine_context(case_type: engine.CaseType, case: Any, user: Any, labels: Any = None) -> dict[str, Any]:
    """A case page's actions (those open to `user` now), its timeline and how each row is named."""
    return {
        "actions": [(n, case_type.label(n)) for n in case_type.available(case, user)],
        "history": engine_selectors.history(subject=case),
        "labels": {**case_type.labels(), **(labels or {})},
    }


class CaseTransitionView(LoginRequiredMixin, TemplateView):
    """`<case>/do/<name>/`: the form of one transition, fired through the engine."""

    template_name = "cases/transition.html"
    case_type: engine.CaseType
    detail: str  # the URL name of the case's page, where a done transition returns

    def get_case(self, user: Any, pk: Any) -> Any:
        """The case as the caller may see it (NotFound otherwise)."""
        raise NotImplementedError

    def form(self, name: str, data: Any = None, errors: Any = None) -> forms.Form:
        return form_for(engine.input_of(engine.declared(self.case_type.transitions[name])), data, errors)

    def params(self, request: HttpRequest) -> dict[str, Any]:
        return request.POST.dict()

    def case_context(self) -> dict[str, Any]:
        """What the template names the case by (transition.html: an application-like title and a way back)."""
        return {"lead": None, "application": self.case, "back": reverse(self.detail, args=[self.case.pk])}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        t = self.case_type.transitions.get(kwargs["name"])
        if t is None or engine.declared(t).system or engine.declared(t).own_endpoint:
            raise Http404
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.case = self.get_case(request.user, kwargs["pk"])
        except NotFound as exc:
            raise Http404(exc.text()) from exc
        if request.method == "GET" and kwargs["name"] not in self.case_type.available(
            self.case, request.user
        ):
            raise PermissionDenied(
                _("This action is not open to you on this %(noun)s now.") % {"noun": self.case_type.noun}
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", self.form(kwargs["name"]))
        return super().get_context_data(
            label=self.case_type.label(kwargs["name"]), **self.case_context(), **kwargs
        )

    def post(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        try:
            engine.fire(self.case_type, pk=pk, name=name, actor=request.user, params=self.params(request))
        except CaseError as exc:
            form = self.form(name, request.POST, exc.errors)
            context = self.get_context_data(pk=pk, name=name, form=form, error=exc.text())
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("Done: %(action)s.") % {"action": self.case_type.label(name)})
        return redirect(self.detail, pk=pk)
