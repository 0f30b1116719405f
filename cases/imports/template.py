"""The import template: the columns headed in the reader's language (money with its unit), one example
row, and, in the workbook, a sheet of the names the coded columns accept."""

import csv
import io

from django.utils.translation import gettext as _

from cases import policy
from cases.imports import columns
from cases.leads.models import Source
from workflow.models import Sector


def template_csv() -> bytes:
    """UTF-8 with a BOM, which Excel needs to read Chinese from a CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.heading() for c in columns.COLUMNS])
    example = columns.example_row()
    writer.writerow([example[c.code] for c in columns.COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = _("Leads")[:31]
    sheet.append([c.heading() for c in columns.COLUMNS])
    example = columns.example_row()
    sheet.append([example[c.code] for c in columns.COLUMNS])
    required = PatternFill("solid", fgColor="FFF3E0")
    for index, column in enumerate(columns.COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = required
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(cell.value) * 2 + 2)
    sheet.freeze_panes = "A2"

    names = book.create_sheet(_("Accepted values")[:31])
    lists = {
        "sector": [zh for zh, in Sector.objects.order_by("slug").values_list("name_zh")]
        if columns.chinese() else [en for en, in Sector.objects.order_by("slug").values_list("name_en")],
        "segment": [str(v) for v in policy.SEGMENTS.values()],
        "source": [str(label) for _key, label in Source.choices],
        "strategic": [_("yes"), _("no")],
    }  # fmt: skip
    for col, (code, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        names.cell(row=1, column=col, value=columns.heading(code)).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            names.cell(row=row, column=col, value=value)
        names.column_dimensions[letter].width = 28
        check = DataValidation(
            type="list", formula1=f"'{names.title}'!${letter}$2:${letter}${len(values) + 1}", allow_blank=True
        )
        check.error = _("Choose one of the listed values.")
        sheet.add_data_validation(check)
        target = get_column_letter(columns.CODES.index(code) + 1)
        check.add(f"{target}2:{target}20001")
    note = len(lists) + 2
    names.cell(row=1, column=note, value=_("Notes")).font = Font(bold=True)
    for row, text in enumerate(
        [
            _("Amounts are in the unit their heading names: 万元 (10,000 yuan) or 万美元 (10,000 USD)."),
            _("A sector, segment or source may also be written by its English name."),
            _(
                "Give the unified social credit code, or for a foreign investor without a Chinese entity its home registration number and country."
            ),
            _("Delete the example row before uploading."),
        ],
        start=2,
    ):
        names.cell(row=row, column=note, value=text)
    names.column_dimensions[get_column_letter(note)].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
