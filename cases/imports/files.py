"""Reading an uploaded list of leads: how much of it, what it is (by its content, not its name), and
its rows. Every limit is checked while reading, so a mistaken or hostile file costs a bounded amount
of memory and time, and every way a file can be unreadable ends in a 400 that says what to do."""

import csv
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, NamedTuple

from django.utils.translation import gettext_lazy as _

from cases.errors import Invalid

log = logging.getLogger(__name__)

# DESIGN §11 caps imports at 10 MB. 20,000 rows of ordinary leads are about 4 MB as CSV and 1 MB as
# .xlsx, so the cap leaves room for long notes; the file is held in memory and stored in its job's
# row, which is why the cap is checked while the upload is read rather than after.
MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
# Rows per file. A worker checks and registers 2,000 rows in about 30 s on SQLite and 60 s on
# PostgreSQL (measured), so 20,000 take 5 to 10 minutes: longer files are split.
MAX_ROWS = 20000
# Characters kept of a cell: one more than the longest any lead field accepts (notes, 10,000), so an
# over-long cell still fails the field's own length check (a row error) while a 200 KB cell is not
# carried through the checks whole.
MAX_CELL = 10000
# Columns read: the twelve the import knows with room for a sheet's own extra columns. An .xlsx says
# its own width, and a forged one (16,384 columns, or millions) must not size every row.
MAX_COLUMNS = 100
# What the parts of an .xlsx may unpack to, all together. 20,000 rows unpack to about 20 MB; a zip
# bomb unpacks a small upload to gigabytes. Python's zipfile stops every part at its declared size
# (and then fails its checksum), so the declared sizes checked here bound what openpyxl can read.
MAX_UNZIPPED = 100 * 1024 * 1024
EXCEL_ROWS = 1_048_576  # the most rows a sheet has; a forged row number past it is not read up to

WHAT_TO_DO = _(
    "This file is neither a CSV in UTF-8 or GB18030 nor an Excel workbook (.xlsx). In Excel, choose "
    "“Save As” and save it as “CSV UTF-8 (Comma delimited) (*.csv)” or “Excel Workbook (*.xlsx)”, "
    "then upload that file."
)
DAMAGED = _(
    "This Excel workbook is damaged or incomplete (perhaps it was cut off while being copied or "
    "uploaded). Open it in Excel, save it again as “Excel Workbook (*.xlsx)” or “CSV UTF-8 (Comma "
    "delimited) (*.csv)”, and upload it again."
)


class TooLarge(Invalid):
    """The upload is over MAX_BYTES (the page answers 413, Payload Too Large)."""

    status = 413
    code = "too_large"


class Row(NamedTuple):
    number: int  # the row's number in the file, as Excel shows it (the header is row 1)
    values: dict[str, str]  # by the header's keys
    scales: dict[str, int]  # the header's: a column's stored units in one of the file's (10,000 for 万元)


class Header(NamedTuple):
    """What the header row says (cases.imports.columns.read_header makes it)."""

    keys: list[str]  # per cell: the column's code, or the cell as written (a column the import ignores)
    scales: dict[str, int]  # code → the stored units in one of the file's (10,000 for 万元)


def too_large() -> TooLarge:
    return TooLarge(
        _("The file is larger than %(mb)s MB. Split it into several files and upload them one by one."),
        {"mb": MAX_BYTES // (1024 * 1024)},
    )


def read_upload(upload: IO[bytes]) -> bytes:
    """The upload's bytes, read a chunk at a time and refused as soon as they pass MAX_BYTES."""
    parts: list[bytes] = []
    size = 0
    while chunk := upload.read(CHUNK):
        size += len(chunk)
        if size > MAX_BYTES:
            raise too_large()
        parts.append(chunk)
    return b"".join(parts)


def read_rows(content: bytes, *, header: Callable[[list[str]], Header]) -> Iterator[Row]:
    """The file's non-empty rows after the header, keyed by what `header` makes of the header row (which
    raises Invalid for a header that will not do) before the first row is given; reading stops with
    Invalid at row MAX_ROWS + 1."""
    cells = _xlsx_cells(content) if _is_zip(content) else _csv_cells(_decode(content))
    return _rows(cells, header)


def _rows(cells: Iterable[list[str]], read_header: Callable[[list[str]], Header]) -> Iterator[Row]:
    numbered = enumerate(cells, start=1)
    first = next((row for _number, row in numbered if any(row)), None)  # blank lines above it are skipped
    if first is None:
        raise Invalid(_("The file is empty."), code="empty")
    header = read_header(first[:MAX_COLUMNS])
    keys, scales = header.keys, header.scales
    count = 0
    for number, row in numbered:
        if not any(row):
            continue  # blank lines are no rows, and do not count towards the limit
        count += 1
        if count > MAX_ROWS:
            raise Invalid(_("At most %(n)s rows per file."), {"n": MAX_ROWS}, code="too_many")
        yield Row(number, dict(zip(keys, row, strict=False)), scales)


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return text.strip()[: MAX_CELL + 1]


# --- CSV ---------------------------------------------------------------------------------------------

# Characters that are not ASCII, which decide whether a text that is not UTF-8 is GB18030.
_WIDE = re.compile(r"[^\x00-\x7f]+")


def _decode(content: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), or else GB18030 (what Chinese Excel's plain "CSV" writes)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = _gb18030(content)
    if "\x00" in text:  # UTF-16 ("Unicode text"), an old .xls, a picture: no CSV has NUL characters
        raise Invalid(WHAT_TO_DO, code="file_type")
    return text.removeprefix("\ufeff")  # the BOM, which both encodings may carry


def _gb18030(content: bytes) -> str:
    """GB18030 decodes almost any bytes, so a text is taken as GB18030 only if it reads as Chinese: at
    least half of its non-ASCII characters are GB2312 characters, the common ones Chinese text is
    made of. Latin-1 or Windows-1252 text (é followed by a letter, say) decodes to rare ideographs
    outside GB2312 and is refused with what to do rather than imported as gibberish."""
    try:
        text = content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise Invalid(WHAT_TO_DO, code="file_type") from exc
    wide = "".join(_WIDE.findall(text))
    common = len(wide.encode("gb2312", errors="ignore")) // 2  # two bytes each
    if common * 2 < len(wide):
        raise Invalid(WHAT_TO_DO, code="file_type")
    return text


def _csv_cells(text: str) -> Iterator[list[str]]:
    # csv's own cap on a field (128 KB) is process-wide and ends the read with an exception. The file
    # is capped at MAX_BYTES, so no field can be longer than that; an over-long cell is cut to
    # MAX_CELL + 1 characters and becomes a row error in the report.
    if csv.field_size_limit() < MAX_BYTES:
        csv.field_size_limit(MAX_BYTES)
    try:
        for row in csv.reader(io.StringIO(text, newline="")):  # newline="": \r, \n and \r\n all end rows
            yield [_cell(v) for v in row[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise Invalid(WHAT_TO_DO, code="file_type") from exc


# --- .xlsx -------------------------------------------------------------------------------------------


def _is_zip(content: bytes) -> bool:
    return content[:4] in (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first part, or an empty zip


def _check_workbook(content: bytes) -> None:
    """An .xlsx is a zip holding a content-type list and a workbook; its parts, unpacked, are small
    enough to read. Checked before openpyxl opens it."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise Invalid(DAMAGED, code="damaged") from exc  # a truncated upload loses the zip's directory
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= {p.filename for p in parts}:
        raise Invalid(WHAT_TO_DO, code="file_type")  # another zip: an .ods, a .docx, an archive
    if sum(p.file_size for p in parts) > MAX_UNZIPPED:
        raise Invalid(
            _(
                "This workbook unpacks to more than %(mb)s MB. Upload only the list of leads: delete other "
                "sheets and pictures, or save it as “CSV UTF-8 (Comma delimited) (*.csv)”."
            ),
            {"mb": MAX_UNZIPPED // (1024 * 1024)},
            code="unpacks_too_large",
        )


def _xlsx_cells(content: bytes) -> Iterator[list[str]]:
    _check_workbook(content)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
        try:
            rows = book.active.iter_rows(max_row=EXCEL_ROWS, max_col=MAX_COLUMNS, values_only=True)
            for row in rows:
                # a blank row quickly: a sheet may pad to a million of them (a row numbered far down)
                yield [] if row.count(None) == len(row) else [_cell(v) for v in row]
        finally:
            book.close()
    except Exception as exc:
        # openpyxl raises whatever its parsers meet in a damaged part (KeyError, ValueError,
        # zlib.error, BadZipFile on a bad checksum, ParseError, AttributeError for a chart sheet …)
        log.info("an uploaded workbook could not be read", exc_info=True)
        raise Invalid(DAMAGED, code="damaged") from exc
