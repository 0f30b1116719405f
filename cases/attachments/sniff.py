"""What a file is, decided by its content, never by its name (DESIGN §6a, §11): PDF, OFD, Office
(OOXML and the legacy OLE2 formats) and images. Everything else is refused with the list of what is
accepted, so an .exe renamed .pdf, a text file, an empty file or an arbitrary zip never gets in."""

import zipfile
from typing import IO

import filetype  # type: ignore[import-untyped]  # ships no types
from django.utils.translation import gettext_lazy as _

from cases.errors import Invalid

PDF = "application/pdf"
OFD = "application/ofd"  # GB/T 33190, China's fixed-layout format: a zip with OFD.xml at its root
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
OLE2 = "application/vnd.ms-office"  # an OLE2 compound file whose Office stream was not found
IMAGES = {
    "image/jpeg": "image/jpeg",
    "image/png": "image/png",
    "image/apng": "image/png",  # an animated PNG is a PNG
    "image/gif": "image/gif",
    "image/webp": "image/webp",
    "image/tiff": "image/tiff",
    "image/bmp": "image/bmp",
}
# every content type an attachment may have (the download answers with it; the schema lists them)
ACCEPTED = (PDF, OFD, DOCX, XLSX, PPTX, DOC, XLS, PPT, OLE2, *sorted(set(IMAGES.values())))

ACCEPTED_TEXT = _(
    "Accepted are PDF, OFD, Word, Excel and PowerPoint documents (.docx/.xlsx/.pptx and the older "
    ".doc/.xls/.ppt) and images (JPEG, PNG, GIF, WebP, TIFF, BMP)."
)

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# the stream each legacy Office format keeps its content in, as the compound file's directory names
# it; in this order, since a document's own text may quote another's stream name
OLE2_STREAMS = (
    ("WordDocument".encode("utf-16-le"), DOC),
    ("Workbook".encode("utf-16-le"), XLS),
    ("PowerPoint Document".encode("utf-16-le"), PPT),
)
OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
HEAD = 8192
CHUNK = 64 * 1024


def refused() -> Invalid:
    return Invalid(
        _("This kind of file cannot be attached. %(accepted)s"), {"accepted": ACCEPTED_TEXT}, code="file_type"
    )


def content_type(file: IO[bytes]) -> str:
    """The file's content type from its bytes, or Invalid (400) naming the accepted types. The file
    must be seekable; it is left at its start."""
    file.seek(0)
    head = file.read(HEAD)
    file.seek(0)
    try:
        if not head:
            raise refused()
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(OLE2_SIGNATURE):
            return _ole2(file)
        if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            return _zipped(file)
        guessed = filetype.guess_mime(head)
        if guessed in IMAGES:
            return IMAGES[guessed]
        raise refused()
    finally:
        file.seek(0)


def _zipped(file: IO[bytes]) -> str:
    """OFD or an OOXML document, by the names of the zip's parts (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise refused() from exc  # a damaged or cut-off zip
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        for prefix, kind in OOXML_PARTS:
            if any(n.startswith(prefix) for n in names):
                return kind
    raise refused()


def _ole2(file: IO[bytes]) -> str:
    """A legacy .doc/.xls/.ppt by the stream its directory names; an OLE2 file whose directory does
    not name one is still taken as an Office file (the signature says so)."""
    found: set[str] = set()
    tail = b""
    while chunk := file.read(CHUNK):
        window = tail + chunk
        found.update(kind for name, kind in OLE2_STREAMS if name in window)
        tail = window[-64:]
    return next((kind for _name, kind in OLE2_STREAMS if kind in found), OLE2)
