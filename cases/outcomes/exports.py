"""The §16 figures as files, and the period and units they cover: shared by the API and the pages.

The files are for Chinese Excel: headers in Chinese (the API's files, DESIGN §5; the page's files in the
page's language), a title row naming the period, the period in the file's name (and, in Excel, in the
sheet's name).
"""

import csv
import io
from datetime import date
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.errors import Invalid
from cases.outcomes import selectors
from cases.outcomes.inputs import KpiPeriodQuery
from workflow.engine import error_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LABELS = {
    "rank": _("Rank"),
    "unit": _("Unit code"),
    "name_zh": _("Unit name"),
    "submitted": _("Leads submitted"),
    "first_negotiations_confirmed": _("First negotiations confirmed"),
    "landed": _("Landed"),
    "target_leads_landed": _("Annual target: leads landed"),
    "leads_landed_completion": _("Completion: leads landed"),
    "landed_investment_cny": _("Landed investment (yuan)"),
    "target_investment_landed_cny": _("Annual target: investment landed (yuan)"),
    "investment_landed_completion": _("Completion: investment landed"),
    "referral_credits": _("Referral credits"),
    "lost_to_clock": _("Lost to the clock"),
    "median_days_to_progress": _("Median days to substantive progress"),
    "landing_rate": _("Landing rate"),
}
COLUMNS = list(LABELS)
TREND_LABELS = {
    "month": _("Month"),
    "submitted": _("Leads submitted"),
    "landed": _("Landed"),
    "landed_investment_cny": _("Landed investment (yuan)"),
}
FILE_LANGUAGE = "zh-hans"  # DESIGN §5: "export to CSV/Excel with Chinese headers"


def kpi_period(params: Any, query: type[serializers.Serializer] = KpiPeriodQuery) -> tuple[date, date, dict]:
    """The period asked for (default: this year so far) and the query's other values: real dates within
    1900–2100, from not after to; anything else a 400 (`period` when the dates are wrong)."""
    checked = query(data=params)
    if not checked.is_valid():
        bad_period = {"from", "to"} & set(checked.errors)
        raise Invalid(
            _PERIOD if bad_period else _("Some parameters are missing or wrong."),
            code="period" if bad_period else "invalid",
            errors=error_list(checked.errors),
        )
    values = dict(checked.validated_data)
    today = timezone.localdate()
    start, end = values.pop("from", date(today.year, 1, 1)), values.pop("to", today)
    if start > end:
        raise Invalid(_PERIOD, code="period")
    return start, end, values


_PERIOD = _("Give the period as from=YYYY-MM-DD and to=YYYY-MM-DD between 1900 and 2100, from not after to.")


def _title(report: dict) -> str:
    return str(_("Assessment (§16) %(start)s to %(end)s")) % {"start": report["from"], "end": report["to"]}


def _table(report: dict) -> list[list]:
    """A title row, the header, the units in rank order, the city-wide row."""
    english = not (translation.get_language() or "").startswith("zh")
    rows = [
        [row.get("name_en" if k == "name_zh" and english else k) for k in COLUMNS] for row in report["units"]
    ]
    totals = report["totals"]
    rows.append([None, "total", str(_("City-wide")), *[totals.get(k) for k in COLUMNS[3:]]])
    return [[_title(report)], [str(label) for label in LABELS.values()], *rows]


def _trend_table(report: dict) -> list[list]:
    trend = report["trend"]
    series = [trend["totals"][f] for f in selectors.TREND_FIGURES]
    return [
        [_title(report) + " · " + str(_("City-wide by month"))],
        [str(label) for label in TREND_LABELS.values()],
        *[[month, *[s[i] for s in series]] for i, month in enumerate(trend["months"])],
    ]


def _attachment(response: HttpResponse, report: dict, ext: str) -> HttpResponse:
    """An ASCII name every client takes, and the Chinese one (RFC 6266) for those that read it."""
    period = f"{report['from']}-{report['to']}"
    chinese = quote(f"{_('Assessment')}-{period}.{ext}")
    response["Content-Disposition"] = (
        f"attachment; filename=\"kpis-{period}.{ext}\"; filename*=UTF-8''{chinese}"
    )
    return response


def kpi_csv(report: dict, *, language: str = FILE_LANGUAGE) -> HttpResponse:
    with translation.override(language):
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
        csv.writer(buffer).writerows([csv_row(row) for row in _table(report)])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        return _attachment(response, report, "csv")


def kpi_xlsx(report: dict, *, language: str = FILE_LANGUAGE) -> HttpResponse:
    from openpyxl import Workbook

    with translation.override(language):
        book = Workbook()
        sheet = book.active
        sheet.title = f"{report['from']}~{report['to']}"  # 21 characters: within Excel's 31
        _fill(sheet, _table(report))
        _fill(book.create_sheet(str(_("By month"))), _trend_table(report))
        buffer = io.BytesIO()
        book.save(buffer)
        return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX), report, "xlsx")


# A spreadsheet runs a cell that starts like a formula: text people typed (a lead's name) never does.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_row(row: list[Any]) -> list[Any]:
    """A row as CSV cells: empty for None, and text that would start a formula kept as text (')."""
    return [
        "" if v is None else f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v
        for v in row
    ]


def _fill(sheet: Any, table: list[list]) -> None:
    from openpyxl.cell import WriteOnlyCell

    for row in table:
        cells = []
        for v in row:
            if isinstance(v, str) and v.startswith("="):  # openpyxl would write it as a formula
                cell = WriteOnlyCell(sheet, value=v)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(float(v) if hasattr(v, "as_tuple") else v)
        sheet.append(cells)
