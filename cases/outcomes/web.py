"""Web pages for outcomes: the §16 assessment (ranked table, monthly trend, the leads behind each figure,
the annual targets) and §15 reward cases."""

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from cases.errors import CaseError, Invalid, NotPermitted
from cases.leads.web import annotate_deadlines
from cases.outcomes import exports, selectors, services
from cases.outcomes.inputs import KpiLeadsQuery, TargetRowInput, TargetYearQuery
from cases.outcomes.machine import REWARD
from cases.templatetags.cases_tags import money
from cases.templatetags.kpi_tags import days, percent
from cases.webforms import units_to_wan, web_params
from workflow import engine
from workflow.models import in_reader_language

KPI_LABELS = {k: exports.LABELS[k] for k in selectors.FIGURES}
CHART_MONTHS = 36  # a longer period is charted by year: 36 bars stay readable, 2,400 would not
# The ranking chart: one figure at a time (a switch above it), units sorted by it, largest first, so a
# leader sees the whole ranking in one screen instead of a tall bar chart per figure.
RANKED_DEFAULT = selectors.RANKING[0]


def _units_or_403(user: Any) -> Any:
    try:
        return selectors.assessment_units(user=user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.text()) from exc


class KpiView(LoginRequiredMixin, TemplateView):
    """One table, units ranked, each figure beside its target and linked to the leads behind it; the
    month trend as a chart; the same figures as CSV and Excel."""

    template_name = "cases/kpis.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        units = _units_or_403(request.user)
        try:
            self.start, self.end, _rest = exports.kpi_period(request.GET)
        except CaseError as exc:
            messages.error(request, exc.text())
            return redirect("cases:kpis:index")
        report = selectors.kpis(start=self.start, end=self.end, units=units)
        fmt = request.GET.get("format")
        # the page's files speak the page's language (the API's stay Chinese, DESIGN §5)
        if fmt == "csv":
            return exports.kpi_csv(report, language=translation.get_language())
        if fmt == "xlsx":
            return exports.kpi_xlsx(report, language=translation.get_language())
        return self.render_to_response(self.get_context_data(report=report))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        report = kwargs["report"]
        period = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        rows = [_cells(row, row["unit"], period) for row in report["units"]]
        codes = [row["unit"] for row in report["units"]]
        # the trend of one unit, or city-wide; by default a person of one unit sees their unit's
        chart = self.request.GET.get("chart") or (codes[0] if len(codes) == 1 else "")
        shown = chart if chart in codes else ""
        series = report["trend"]["totals"]
        if shown:
            series = next(u for u in report["trend"]["units"] if u["unit"] == shown)
        buckets = _buckets(report["trend"]["months"], series, self.start, self.end)
        metric = self.request.GET.get("metric", "")
        metric = metric if metric in selectors.FIGURES else RANKED_DEFAULT
        return super().get_context_data(
            rows=rows,
            totals=_cells(report["totals"], "", period),
            labels=KPI_LABELS,
            start=self.start,
            end=self.end,
            chart_units=[
                (row["unit"], in_reader_language(row["name_zh"], row["name_en"])) for row in report["units"]
            ],
            chart_unit=shown,
            by_year=len(report["trend"]["months"]) > CHART_MONTHS,
            count_chart=_chart(buckets, ("submitted", "landed"), shown),
            money_chart=_chart(buckets, ("landed_investment_cny",), shown, amounts=True),
            metric=metric,
            metrics=[
                (figure, KPI_LABELS[figure], _switch(figure, period, chart)) for figure in selectors.FIGURES
            ],
            ranking=_ranking(report["units"], metric, period),
            **kwargs,
        )


def _switch(figure: str, period: dict[str, str], chart: str) -> str:
    """The page again, ranking by another figure (the period and the trend's unit kept)."""
    return "?" + urlencode({**period, **({"chart": chart} if chart else {}), "metric": figure})


def _ranking(rows: list[dict[str, Any]], figure: str, period: dict[str, str]) -> list[dict[str, Any]]:
    """The units by one figure, largest first; a unit without a value (no median, no rate) last, shown
    as "—" and no bar, unlike a true 0. Each bar's width is its share of the largest value."""
    known = sorted((r for r in rows if r[figure] is not None), key=lambda r: r[figure], reverse=True)
    top = max([float(r[figure]) for r in known] + [0.0]) or 1.0
    return [
        {
            "name": in_reader_language(row["name_zh"], row["name_en"]),
            "value": shown(figure, row[figure]),
            "width": 0 if row[figure] is None else round(100 * float(row[figure]) / top, 1),
            "href": _drill(figure, row["unit"], period),
        }
        for row in [*known, *(r for r in rows if r[figure] is None)]
    ]


def shown(figure: str, value: Any) -> str:
    """A figure as people read it: rates in %, days with their unit, money in 万元/亿元, "—" for none."""
    if figure == "landed_investment_cny":
        return money(value)
    if figure in ("landing_rate", "leads_landed_completion", "investment_landed_completion"):
        return percent(value)
    if figure == "median_days_to_progress":
        return days(value)
    return "—" if value is None else str(value)


def _drill(figure: str, unit: str, period: dict[str, str]) -> str:
    query = {"figure": figure, **({"unit": unit} if unit else {}), **period}
    return f"{reverse('cases:kpis:leads')}?{urlencode(query)}"


def _cells(row: dict[str, Any], unit: str, period: dict[str, str]) -> dict[str, Any]:
    """A row of the table: each figure with the link to its leads, each target with its completion."""

    def link(figure: str) -> dict[str, Any]:
        return {"value": row[figure], "href": _drill(figure, unit, period)}

    return {
        **row,
        "links": {figure: link(figure) for figure in selectors.FIGURES},
        "investment": money(row["landed_investment_cny"]),
        "target_investment": money(row["target_investment_landed_cny"]),
    }


def _buckets(months: list[str], series: dict[str, list[Any]], start: date, end: date) -> list[dict[str, Any]]:
    """The chart's bars: one per month, or one per year when the period is long; each with the dates
    it covers (within the period), for the link to its leads."""
    buckets: list[dict[str, Any]] = []
    for i, month in enumerate(months):
        label = month[:4] if len(months) > CHART_MONTHS else month
        if not buckets or buckets[-1]["label"] != label:
            first = date.fromisoformat(f"{label}-01-01" if len(label) == 4 else f"{label}-01")
            buckets.append({"label": label, "from": max(first, start), "to": end, "values": {}})
            if len(buckets) > 1:
                buckets[-2]["to"] = min(end, date.fromordinal(first.toordinal() - 1))
        for figure, values in series.items():
            if figure != "unit":
                buckets[-1]["values"][figure] = buckets[-1]["values"].get(figure, 0) + values[i]
    return buckets


CHART_W, CHART_H, CHART_LEFT, CHART_BOTTOM, CHART_TOP = 760, 220, 96, 28, 10
COLOURS = {"submitted": "#90a4ae", "landed": "#3949ab", "landed_investment_cny": "#43a047"}


def _chart(
    buckets: list[dict[str, Any]], figures: tuple[str, ...], unit: str, *, amounts: bool = False
) -> dict[str, Any]:
    """An SVG bar chart drawn on the server (no script): bars grouped per bucket, each bar a link to
    the leads behind it, three grid lines, and every label readable."""
    # nothing yet: a scale of whole 万元 (0, 1万元, 2万元), never a grid of 0.0001万元
    top = max([b["values"].get(f, 0) for b in buckets for f in figures] + [0]) or (20000 if amounts else 1)
    plot_w, plot_h = CHART_W - CHART_LEFT - 8, CHART_H - CHART_BOTTOM - CHART_TOP
    slot = plot_w / max(len(buckets), 1)
    bar_w = max(1.0, slot * 0.8 / len(figures))
    every = max(1, round(len(buckets) / 12))  # at most about 12 labels under the axis
    bars, labels = [], []
    for i, bucket in enumerate(buckets):
        x0 = CHART_LEFT + i * slot + slot * 0.1
        period = {"from": bucket["from"].isoformat(), "to": bucket["to"].isoformat()}
        for j, figure in enumerate(figures):
            value = bucket["values"].get(figure, 0)
            height = plot_h * float(value) / float(top)
            shown = money(value) if amounts else value
            bars.append({
                "x": round(x0 + j * bar_w, 1), "y": round(CHART_TOP + plot_h - height, 1), "w": round(bar_w, 1),
                "h": round(height, 1), "fill": COLOURS[figure], "title": f"{bucket['label']} {KPI_LABELS[figure]}: {shown}",
                "href": _drill(figure, unit, period),
            })  # fmt: skip
        if i % every == 0:
            labels.append({"x": round(x0 + slot * 0.4, 1), "text": bucket["label"]})
    ticks = [
        {"y": round(CHART_TOP + plot_h * (1 - k / 2), 1), "text": money(Decimal(top) * k / 2) if amounts else _count(top * k / 2)}
        for k in range(3)
    ]  # fmt: skip
    return {
        "width": CHART_W, "height": CHART_H, "left": CHART_LEFT, "right": CHART_W - 8, "base": CHART_TOP + plot_h,
        "label_y": CHART_H - 8, "bars": bars, "labels": labels, "ticks": ticks,
        "legend": [(KPI_LABELS[f], COLOURS[f]) for f in figures],
    }  # fmt: skip


def _count(value: Any) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


class KpiLeadsView(LoginRequiredMixin, ListView):
    """The leads behind one figure: exactly those counted, less what the reader may not see."""

    template_name = "cases/kpi_leads.html"
    paginate_by = 50
    context_object_name = "leads"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _units_or_403(request.user)
        try:
            self.start, self.end, self.query = exports.kpi_period(request.GET, KpiLeadsQuery)
            self.unit = selectors.hosting_unit(code=self.query["unit"]) if self.query.get("unit") else None
        except CaseError as exc:
            messages.error(request, exc.text())
            return redirect("cases:kpis:index")
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.kpi_leads(
            user=self.request.user,
            figure=self.query["figure"],
            start=self.start,
            end=self.end,
            unit=self.unit.code if self.unit else None,
        ).select_related("unit", "clock")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        annotate_deadlines(context["leads"])
        params = self.request.GET.copy()
        params.pop("page", None)
        back = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        return {
            **context,
            "figure": KPI_LABELS[self.query["figure"]],
            "unit": self.unit,
            "start": self.start,
            "end": self.end,
            "query": params.urlencode(),
            "back": f"{reverse('cases:kpis:index')}?{urlencode(back)}",
        }


class TargetsView(LoginRequiredMixin, TemplateView):
    """§16 annual targets: everyone with a role reads them; the city's leaders set them here."""

    template_name = "cases/targets.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _units_or_403(request.user)
        try:
            year = engine.validate(TargetYearQuery, request.GET).get("year", timezone.localdate().year)
        except CaseError as exc:
            messages.error(request, exc.text())
            return redirect("cases:kpis:targets")
        return self.render_to_response(self.get_context_data(year=year))

    def post(self, request: HttpRequest) -> HttpResponse:
        _units_or_403(request.user)
        codes = list(selectors.assessment_units(user=request.user).values_list("code", flat=True))
        rows = [
            {"unit": code, "leads_landed": request.POST.get(f"leads-{code}", "").strip(),
             "investment_landed_cny": request.POST.get(f"investment-{code}", "").strip()}
            for code in codes
        ]  # fmt: skip
        entered = [r for r in rows if r["leads_landed"] or r["investment_landed_cny"]]
        data: dict[str, Any] = {"year": request.POST.get("year", ""), "targets": entered}
        try:
            # the page takes 万元, like every amount on the pages; the services keep yuan
            data["targets"] = [web_params(TargetRowInput, r) for r in entered]
            year = services.targets_set(actor=request.user, data=data)
        except CaseError as exc:
            details = [e["message"] for errors in exc.errors.values() for e in errors]
            messages.error(request, " ".join([exc.text(), *details]))
            return self.render_to_response(self.get_context_data(year=data["year"], posted=request.POST))
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('cases:kpis:targets')}?year={year}")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        year, posted = kwargs.get("year"), kwargs.get("posted")
        saved = {t.unit.code: t for t in (selectors.targets_of(year=year) if isinstance(year, int) else [])}
        rows = [
            {
                "code": unit.code,
                "name": unit.display_name,
                "leads": posted.get(f"leads-{unit.code}", "") if posted else getattr(saved.get(unit.code), "leads_landed", ""),
                "investment": posted.get(f"investment-{unit.code}", "") if posted
                else units_to_wan(getattr(saved.get(unit.code), "investment_landed_cny", None)),
                "target": saved.get(unit.code),
            }
            for unit in selectors.assessment_units(user=self.request.user)
        ]  # fmt: skip
        return super().get_context_data(
            rows=rows,
            may_set=services.may_set_targets(self.request.user),
            year_value=year,
            **{k: v for k, v in kwargs.items() if k not in ("posted",)},
        )


class RewardListView(LoginRequiredMixin, TemplateView):
    template_name = "cases/rewards.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(rewards=selectors.rewards_visible(user=self.request.user), **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        name = request.POST.get("action", "")
        params = {k: v for k, v in request.POST.items() if k in ("amount_cny", "reason") and v}
        try:
            if REWARD.is_weighty(name) and request.POST.get("confirmed") != "on":  # reject, mark paid
                raise Invalid(_("Tick the box to confirm: %(action)s cannot simply be undone."),
                              {"action": REWARD.label(name)}, code="unconfirmed")  # fmt: skip
            if name == "approve":  # the amount is typed in 万元
                params = web_params(engine.input_of(engine.declared(REWARD.transitions[name])), params)
            else:
                params.pop("amount_cny", None)
            engine.fire(
                REWARD, pk=request.POST.get("reward", ""), name=name, actor=request.user, params=params
            )
        except CaseError as exc:  # the row keeps what was typed, the error beside it
            context = self.get_context_data(posted=request.POST, error=exc.text(), errors=exc.errors)
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("Saved."))
        return redirect("cases:rewards:index")


class KpiViewset(AppMenuMixin, Viewset):
    app_name = "kpis"
    title = _("Assessment")
    icon = "insights"
    index_path = path("", KpiView.as_view(), name="index")
    leads_path = path("leads/", KpiLeadsView.as_view(), name="leads")
    targets_path = path("targets/", TargetsView.as_view(), name="targets")


class RewardsViewset(AppMenuMixin, Viewset):
    app_name = "rewards"
    title = _("Agency rewards")
    icon = "emoji_events"
    index_path = path("", RewardListView.as_view(), name="index")
