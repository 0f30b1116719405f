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

from cases.errors import CaseError, Invalid, NotFound
from cases.templatetags.cases_tags import end_of_day, money
from cases.webforms import form_for, web_params
from workflow import engine
from workflow import selectors as engine_selectors

CONFIRM = "confirmed"  # the box a weighty transition's form asks to be ticked


def machine_context(case_type: engine.CaseType, case: Any, user: Any, labels: Any = None) -> dict[str, Any]:
    """A case page's actions (those open to `user` now, the weighty ones last and named in `weighty`),
    its timeline and how each row is named."""
    names = case_type.available(case, user)
    return {
        "actions": [(n, case_type.label(n)) for n in names],
        "weighty": [n for n in names if case_type.is_weighty(n)],
        "history": engine_selectors.history(subject=case),
        "labels": {**case_type.labels(), **(labels or {})},
    }


def case_facts(case_type: engine.CaseType, case: Any) -> list[dict[str, Any]]:
    """What a transition page shows of the case before one acts on it: name, company, state, unit,
    amount and clock — each where the case (or the lead it belongs to) has it."""
    from cases.leads.selectors import clock_summary

    lead = case if case_type.key == "lead" else getattr(case, "lead", None)
    facts: list[dict[str, Any]] = []

    def add(key: str, label: Any, value: Any) -> None:
        if value not in (None, ""):
            facts.append({"key": key, "label": label, "value": value})

    add("name", _("Project"), getattr(case, "name", None) or getattr(case, "project_name", None)
        or getattr(lead, "name", None))  # fmt: skip
    add("company", _("Company"), getattr(case, "company_name", None) or getattr(lead, "company_name", None))
    add("state", _("State"), case_type.state_label(getattr(case, case_type.field_name)))
    unit = (getattr(case, "unit", None) or getattr(case, "responsible_unit", None)
            or getattr(lead, "unit", None))  # fmt: skip
    add("unit", _("Unit"), getattr(unit, "display_name", None))
    for field in ("amount_cny", "total_investment_cny"):
        if getattr(case, field, None) is not None:
            add("amount", _("Amount"), money(getattr(case, field)))
            break
    else:
        if lead is not None and lead.total_investment_cny is not None:
            add("amount", _("Total investment"), money(lead.total_investment_cny))
    clock = clock_summary(clock=getattr(case, "clock", None), pauses=False)
    if clock and clock["status"] in ("running", "paused"):
        text = _("due %(deadline)s, %(days)s days left") % {
            "deadline": end_of_day(clock["deadline_at"]), "days": clock["days_left"]}  # fmt: skip
        paused = _(" (paused)") if clock["paused"] else ""  # outside the f-string: xgettext reads no f-string
        add("clock", _("Clock"), f"{text}{paused}")
    return facts


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

    def guarded(self, name: str, form: forms.Form) -> forms.Form:
        """`form` with, for a weighty transition, the box that must be ticked to fire it."""
        if self.case_type.is_weighty(name):
            form.fields[CONFIRM] = forms.BooleanField(
                required=True,
                label=_("I have checked this %(noun)s: %(action)s cannot simply be undone.")
                % {"noun": self.case_type.noun, "action": self.case_type.label(name)},
            )
        return form

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
        kwargs.setdefault("form", self.guarded(kwargs["name"], self.form(kwargs["name"])))
        return super().get_context_data(
            label=self.case_type.label(kwargs["name"]),
            weighty=self.case_type.is_weighty(kwargs["name"]),
            facts=case_facts(self.case_type, self.case),
            state=getattr(self.case, self.case_type.field_name),
            **self.case_context(),
            **kwargs,
        )

    def post(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        input_cls = engine.input_of(engine.declared(self.case_type.transitions[name]))
        try:
            if self.case_type.is_weighty(name) and request.POST.get(CONFIRM) not in ("on", "true", "1"):
                message = _("Tick the box to confirm: %(action)s cannot simply be undone.")
                raise Invalid(message, {"action": self.case_type.label(name)}, code="unconfirmed")
            params = web_params(input_cls, self.params(request))  # amounts typed in 万元 / 万美元
            params.pop(CONFIRM, None)
            params.pop("csrfmiddlewaretoken", None)
            engine.fire(self.case_type, pk=pk, name=name, actor=request.user, params=params)
        except CaseError as exc:
            form = self.guarded(name, self.form(name, request.POST, exc.errors))
            context = self.get_context_data(pk=pk, name=name, form=form, error=exc.text())
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("Done: %(action)s.") % {"action": self.case_type.label(name)})
        return redirect(self.detail, pk=pk)
