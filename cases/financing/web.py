"""Pages of the financing platform (§13): the needs a unit raised, the banks' marketplace of published
needs with the offer form, a need, the §13 report with its chart, and the people page where city
leaders add financial institutions and their people. Thin: each calls one selector or service."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.casepages import CONFIRM
from cases.errors import CaseError, Invalid, NotFound
from cases.financing import selectors, services
from cases.financing.inputs import NeedInput
from cases.financing.machine import FINANCING
from cases.financing.models import FinancingNeed
from cases.outcomes.exports import kpi_period
from cases.webforms import form_for, web_params
from workflow import engine
from workflow import selectors as engine_selectors
from workflow.models import Role, in_reader_language


def _get(request: HttpRequest, pk: int) -> FinancingNeed:
    try:
        return selectors.need_get(user=request.user, need_id=pk)
    except NotFound as exc:
        raise Http404 from exc


class NeedListView(LoginRequiredMixin, TemplateView):
    """The unit's (and the city's) needs; for a bank's people, the marketplace of published needs."""

    template_name = "cases/financing_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        is_bank = bool(selectors.bank_ids(user=user))
        needs = list((selectors.market(user=user) if is_bank else selectors.need_list(user=user))[:100])
        return super().get_context_data(needs=needs, is_bank=is_bank, **kwargs)


class NeedDetailView(LoginRequiredMixin, TemplateView):
    template_name = "cases/financing_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        need = kwargs.pop("need", None) or _get(self.request, kwargs["pk"])
        user: Any = self.request.user
        full = selectors.sees_everything(need=need, user=user)
        names = FINANCING.available(need, user)
        offer_form = kwargs.pop("offer_form", None) or (_form("offer") if "offer" in names else None)
        return super().get_context_data(
            need=need,
            full=full,
            offers=selectors.offers_for(need=need, user=user),
            actions=[(n, FINANCING.label(n)) for n in names if n not in ("offer", "accept")],
            may_accept="accept" in names,
            offer_form=offer_form,
            history=engine_selectors.history(subject=need) if full else [],
            labels=FINANCING.labels(),
            **kwargs,
        )


def _form(name: str, data: Any = None, errors: Any = None) -> Any:
    return form_for(engine.input_of(engine.declared(FINANCING.transitions[name])), data, errors)


class NeedTransitionView(LoginRequiredMixin, TemplateView):
    """Fire a transition from the need's page (publish, withdraw, accept one offer, make an offer)."""

    template_name = "cases/financing_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect("cases:financing:detail", pk=kwargs["pk"])

    def post(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        if name not in FINANCING.transitions:
            raise Http404
        params: dict[str, Any] = request.POST.dict()
        params.pop("csrfmiddlewaretoken", None)
        confirmed = params.pop(CONFIRM, None) in ("on", "true", "1")
        try:
            if FINANCING.is_weighty(name) and not confirmed:
                message = _("Tick the box to confirm: %(action)s cannot simply be undone.")
                raise Invalid(message, {"action": FINANCING.label(name)}, code="unconfirmed")
            params = web_params(engine.input_of(engine.declared(FINANCING.transitions[name])), params)
            engine.fire(FINANCING, pk=pk, name=name, actor=request.user, params=params)
        except CaseError as exc:
            if exc.status == 404:
                raise Http404 from exc
            need = _get(request, pk)
            form = _form("offer", request.POST, exc.errors) if name == "offer" else None
            context = self.get_context_data(pk=pk, need=need, offer_form=form, error=exc.text())
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("Done: %(action)s.") % {"action": FINANCING.label(name)})
        return redirect("cases:financing:detail", pk=pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return NeedDetailView(request=self.request).get_context_data(**kwargs)


class NeedCreateView(LoginRequiredMixin, TemplateView):
    """Raise a need for a lead (the form on the lead page posts here), with the enterprise's consent."""

    template_name = "cases/financing_create.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        data = kwargs.pop("data", None) or {"lead": self.request.GET.get("lead", "")}
        return super().get_context_data(data=data, **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        data: dict[str, Any] = request.POST.dict()
        data["consent"] = "consent" in request.POST
        try:
            need = services.need_create(actor=request.user, data=web_params(NeedInput, data))
        except CaseError as exc:
            context = self.get_context_data(data=data, error=exc.text(), errors=exc.errors)
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("Financing need registered as a draft."))
        return redirect("cases:financing:detail", pk=need.pk)


CHART_W, CHART_H, CHART_LEFT, CHART_BOTTOM, CHART_TOP = 760, 220, 50, 28, 10
COLOURS = {"offers": "#90a4ae", "accepted": "#3949ab"}


def _chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Offers made and accepted per institution, as an SVG bar chart drawn on the server."""
    top = max([r[f] for r in rows for f in COLOURS] + [0]) or 1
    plot_h = CHART_H - CHART_BOTTOM - CHART_TOP
    slot = (CHART_W - CHART_LEFT - 8) / max(len(rows), 1)
    bar_w = max(1.0, slot * 0.8 / len(COLOURS))
    bars, labels = [], []
    for i, row in enumerate(rows):
        x0 = CHART_LEFT + i * slot + slot * 0.1
        name = in_reader_language(row["name_zh"], row["name_en"])
        for j, (figure, colour) in enumerate(COLOURS.items()):
            height = plot_h * row[figure] / top
            bars.append({
                "x": round(x0 + j * bar_w, 1), "y": round(CHART_TOP + plot_h - height, 1), "w": round(bar_w, 1),
                "h": round(height, 1), "fill": colour, "title": f"{name} {LEGEND[figure]}: {row[figure]}",
            })  # fmt: skip
        labels.append({"x": round(x0 + slot * 0.4, 1), "text": name})
    ticks = [{"y": round(CHART_TOP + plot_h * (1 - k / 2), 1), "text": f"{top * k / 2:g}"} for k in range(3)]
    return {
        "width": CHART_W, "height": CHART_H, "left": CHART_LEFT, "right": CHART_W - 8, "base": CHART_TOP + plot_h,
        "label_y": CHART_H - 8, "bars": bars, "labels": labels, "ticks": ticks,
        "legend": [(LEGEND[f], c) for f, c in COLOURS.items()],
    }  # fmt: skip


LEGEND = {"offers": _("Offers made"), "accepted": _("Offers accepted")}


class ReportView(LoginRequiredMixin, TemplateView):
    """The §13 report: per institution, offers made and accepted and the amount financed."""

    template_name = "cases/financing_report.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            selectors.report_scope(user=request.user)
            start, end, _rest = kpi_period(request.GET)
        except CaseError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.text()) from exc
            return self.render_to_response(self.get_context_data(error=exc.text()), status=exc.status)
        report = selectors.report(user=request.user, start=start, end=end)
        return self.render_to_response(
            self.get_context_data(report=report, chart=_chart(report["institutions"]))
        )


class PeopleView(LoginRequiredMixin, TemplateView):
    """City leaders (and superusers) list the financial institutions, add one, and add a person with a
    role to one (DESIGN §6b "the people page")."""

    template_name = "cases/people.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not services.may_manage_people(request.user):
            raise PermissionDenied(_("The people page is for city leaders."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            institutions=selectors.institutions(), roles=Role.choices, data=kwargs.pop("data", {}), **kwargs
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        data: dict[str, Any] = request.POST.dict()
        action = data.pop("action", "")
        data.pop("csrfmiddlewaretoken", None)
        try:
            if action == "institution":
                unit = services.institution_add(actor=request.user, data=data)
                messages.success(request, _("Added %(name)s.") % {"name": unit.name_zh})
            elif action == "member":
                m = services.institution_member_add(actor=request.user, data=data)
                messages.success(request, _("%(user)s is now %(role)s of %(unit)s.") % {
                    "user": m.user.username, "role": m.get_role_display(), "unit": m.unit.name_zh})  # fmt: skip
            else:
                return self.render_to_response(
                    self.get_context_data(error=_("Choose what to add.")), status=400
                )
        except CaseError as exc:
            context = self.get_context_data(data=data, action=action, error=exc.text(), errors=exc.errors)
            return self.render_to_response(context, status=exc.status)
        return redirect("cases:financing:people")


class FinancingViewset(AppMenuMixin, Viewset):
    app_name = "financing"
    title = _("Financing")
    icon = "account_balance"
    index_path = path("", NeedListView.as_view(), name="index")
    create_path = path("new/", NeedCreateView.as_view(), name="create")
    report_path = path("report/", ReportView.as_view(), name="report")
    people_path = path("people/", PeopleView.as_view(), name="people")
    detail_path = path("<int:pk>/", NeedDetailView.as_view(), name="detail")
    transition_path = path("<int:pk>/do/<str:name>/", NeedTransitionView.as_view(), name="transition")
