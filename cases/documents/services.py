"""Every write of the formal papers: issuing a paper's document number, once (docs/documents.md).

Numbers run per issuing unit and calendar year (Beijing time), 1, 2, 3 …, across the kinds the unit
issues; the text reads as official papers write it, e.g. 京首谈〔2026〕3号: the unit's abbreviation,
the kind's word, the year in 〔〕, the serial and 号.
"""

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.documents import render, selectors
from cases.documents.models import Document, Kind
from cases.documents.selectors import Paper
from cases.errors import Conflict
from workflow.models import Level, Membership, OrgUnit

# The kind's word in the number (机关代字 + 文种).
KIND_WORDS = {
    Kind.FIRST_NEGOTIATION_NOTICE: "首谈",
    Kind.PUSH_LETTER: "推",
    Kind.REWARD_DECISION: "奖",
    Kind.ASSESSMENT_REPORT: "考",
}
# Units whose abbreviation is not the first character of their name (京 for Beijing, as its papers write).
ABBREVIATIONS = {"beijing": "京", "bda": "京开"}
ATTEMPTS = 5  # a lost race for a serial retries; five losses in a row is a real conflict


def unit_abbreviation(unit: OrgUnit) -> str:
    """The unit's 代字: 京 for the city, 京开 for the BDA, else the first character of its name without
    北京/北京市 (海淀区 → 海, 顺义区 → 顺)."""
    if unit.code in ABBREVIATIONS:
        return ABBREVIATIONS[unit.code]
    if unit.level == Level.CITY:
        return "京"
    name = unit.name_zh.removeprefix("北京市").removeprefix("北京")
    return (name or unit.name_zh)[:1]


def number_text(*, unit: OrgUnit, kind: str, year: int, serial: int) -> str:
    return f"{unit_abbreviation(unit)}{KIND_WORDS[Kind(kind)]}〔{year}〕{serial}号"


def _issued(paper: Paper, period: tuple[date, date] | None) -> Document | None:
    if paper.lead is not None:
        return Document.objects.filter(lead=paper.lead, kind=paper.kind).first()
    assert period is not None
    return Document.objects.filter(
        lead__isnull=True, kind=paper.kind, period_from=period[0], period_to=period[1]
    ).first()


def document_issue(
    *, paper: Paper, actor: Any, period: tuple[date, date] | None = None, now: datetime | None = None
) -> Document:
    """The paper's Document: the one already issued, or a new one with the next serial of its issuing
    unit's year. Two first downloads at once: the unique constraints let one insert win; the other
    rolls back to its savepoint and reads the winner's row (same paper) or takes the next serial."""
    now = now or timezone.now()
    year = timezone.localtime(now).year
    for _attempt in range(ATTEMPTS):
        found = _issued(paper, period)
        if found is not None:
            return found
        try:
            with transaction.atomic():
                last = Document.objects.filter(unit=paper.unit, year=year).aggregate(m=Max("serial"))["m"]
                serial = (last or 0) + 1
                return Document.objects.create(
                    kind=paper.kind,
                    lead=paper.lead,
                    period_from=period[0] if period else None,
                    period_to=period[1] if period else None,
                    unit=paper.unit,
                    year=year,
                    serial=serial,
                    number=number_text(unit=paper.unit, kind=paper.kind, year=year, serial=serial),
                    issued_at=now,
                    issued_by=actor,
                )
        except IntegrityError:
            continue
    raise Conflict(_("Another document was numbered at the same moment; try again."), code="busy")


def lead_document_pdf(*, user: Any, lead_id: Any, kind: str) -> tuple[bytes, str]:
    """The PDF of a lead's paper and its file name, its number issued on the first download.

    Checked before anything is written: the kind, the lead (404 if the caller may not see it), the
    paper reached (404), the font (503). Number and PDF in one transaction: nothing stays if the
    rendering fails."""
    paper = selectors.lead_paper(user=user, lead_id=lead_id, kind=kind)
    font = render.font_name()
    with transaction.atomic():
        document = document_issue(paper=paper, actor=user)
        pdf = render.render_paper(paper=paper, document=document, font=font)
    return pdf, render.file_name(paper=paper, document=document)


def report_pdf(*, user: Any, report: dict, start: date, end: date) -> tuple[bytes, str]:
    """The §16 report of a period as PDF (the figures `report` of the units the caller sees), numbered
    once per period by the city."""
    paper = selectors.report_paper(start=start, end=end)
    font = render.font_name()
    if not Membership.objects.filter(user=user, unit__level=Level.CITY).exists():
        # the city issues the report; a unit's copy shows the figures it may see, and no number (one
        # number stands for one paper: the city's, of every unit)
        now = timezone.now()
        copy = Document(
            kind=paper.kind, unit=paper.unit, year=timezone.localtime(now).year, serial=0,
            number=str(_("Copy for reference, not numbered")), issued_at=now, issued_by=user,
        )  # fmt: skip
        return render.render_report(report=report, document=copy, font=font), render.file_name(
            paper=paper, document=copy
        )
    with transaction.atomic():
        document = document_issue(paper=paper, actor=user, period=(start, end))
        pdf = render.render_report(report=report, document=document, font=font)
    return pdf, render.file_name(paper=paper, document=document)
