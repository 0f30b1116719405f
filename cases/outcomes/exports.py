"""The §16 figures as files, and the period and units they cover: shared by the API and the pages."""

import csv
import io
from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from cases.errors import Invalid, NotPermitted
from cases.inputs import EARLIEST, LATEST
from cases.outcomes import selectors
from workflow.models import Level, OrgUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def kpi_period(request_params: Any) -> tuple[date, date]:
    """The period asked for (default: this year so far): real dates within 1900–2100, from not after to."""
    today = timezone.localdate()
    start = _day(request_params.get("from")) if request_params.get("from") else date(today.year, 1, 1)
    end = _day(request_params.get("to")) if request_params.get("to") else today
    if start is None or end is None or start > end:
        raise Invalid(
            _(
                "Give the period as from=YYYY-MM-DD and to=YYYY-MM-DD between 1900 and 2100, from not after to."
            ),
            code="period",
        )
    return start, end


def _day(text: str) -> date | None:
    try:
        day = parse_date(text)
    except ValueError:  # well formed but not a date: 2026-02-30
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


def kpi_units(user: Any) -> Any:
    """City roles see every unit; a unit's people see their own units (and the city-wide totals); a
    person without a role sees no figures at all (DESIGN §11)."""
    if not user.has_perm("cases.view_lead") and not user.memberships.exists():
        raise NotPermitted(_("Only people with a role in a unit see the assessment figures."))
    units = OrgUnit.objects.exclude(level=Level.CITY).order_by("id")
    return units if user.has_perm("cases.view_lead") else units.filter(memberships__user=user).distinct()


def _table(report: dict) -> list[list]:
    header = ["unit", "name_zh", *selectors.KPI_FIELDS]
    rows = [[row.get(k) for k in header] for row in report["units"]]
    rows.append(["total", "全市合计", *[report["totals"].get(k) for k in selectors.KPI_FIELDS]])
    return [header, *rows]


def kpi_csv(report: dict) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
    csv.writer(buffer).writerows([["" if v is None else v for v in row] for row in _table(report)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpis-{report["from"]}-{report["to"]}.csv"'
    return response


def kpi_xlsx(report: dict) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "KPIs"
    for row in _table(report):
        sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kpis-{report["from"]}-{report["to"]}.xlsx"'
    return response
