"""The papers as PDF (reportlab), in Chinese, with the CJK font embedded (subset) so that they print and
extract the same everywhere (docs/documents.md).

The papers are official Chinese documents: their text is written in Chinese here, whatever the reader's
language; the §16 report's column headers are the exports' (cases.outcomes.exports), in Chinese.
"""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from reportlab.graphics.charts.barcharts import VerticalBarChart  # type: ignore[import-untyped]
from reportlab.graphics.charts.linecharts import HorizontalLineChart  # type: ignore[import-untyped]
from reportlab.graphics.shapes import Drawing, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_CENTER, TA_RIGHT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFError, TTFont  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    HRFlowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from cases import policy
from cases.documents.models import Document, Kind
from cases.documents.selectors import Paper
from cases.errors import CaseError
from cases.outcomes import exports

RED = colors.HexColor("#c00000")
TITLES = {
    Kind.FIRST_NEGOTIATION_NOTICE: "首谈区认定通知",
    Kind.PUSH_LETTER: "推送函",
    Kind.REWARD_DECISION: "奖励决定",
    Kind.ASSESSMENT_REPORT: "项目落地考核报告",
}
# §5's two reasons in the measures' own words ("不符合本区产业定位或不具备承载条件"), by the keys of
# policy.PUSH_REASONS.
PUSH_REASONS_ZH = {"not_fit_positioning": "不符合本区产业定位", "lacks_capacity": "不具备承载条件"}
MEASURES = "《北京市关于促进高精尖产业投资 推进制造业高端智能绿色发展的若干措施》"


class FontMissing(CaseError):
    """The CJK font the papers embed is not there: the operator installs it or points PDF_FONT at one."""

    status = 503
    code = "font_missing"


_registered: dict[str, str] = {}  # font file → the name reportlab knows it by (registered once a process)


def font_name() -> str:
    """The registered name of the CJK font of settings.PDF_FONT (a .ttc: its first face), or FontMissing."""
    path = str(settings.PDF_FONT)
    if path in _registered:
        return _registered[path]
    if not Path(path).is_file():
        raise FontMissing(_MISSING, {"path": path})
    name = f"DocumentCJK{len(_registered)}"
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except (TTFError, OSError) as exc:
        raise FontMissing(_MISSING, {"path": path}) from exc
    _registered[path] = name
    return name


_MISSING = _(
    "The documents' Chinese font is missing or unreadable (%(path)s). Install the package fonts-wqy-microhei "
    "or set PDF_FONT to a CJK TrueType font file (.ttf or .ttc), then try again."
)


# --- how officials write dates and amounts -----------------------------------------------------------


def zh_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def zh_deadline(moment: datetime) -> str:
    """A Civil Code deadline: 00:00 Beijing is 24时 of the day before, the period's last day."""
    local = timezone.localtime(moment)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"{zh_date(local.date() - _DAY)}24时"
    return f"{zh_date(local.date())}{local.hour}时{local.minute:02d}分"


def _plain(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def amount(value: Any, unit: str = "元") -> str:
    """1.5亿元, 3000万元, 5000元 — as Chinese papers write amounts."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if abs(value) >= 100_000_000:
        return f"{_plain(value / 100_000_000)}亿{unit}"
    if abs(value) >= 10_000:
        return f"{_plain(value / 10_000)}万{unit}"
    return f"{_plain(value)}{unit}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# --- page furniture -------------------------------------------------------------------------------


class Styles:
    def __init__(self, font: str) -> None:
        def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(
                name, **{"fontName": font, "fontSize": size, "leading": size * 1.6, "wordWrap": "CJK", **kw}
            )

        self.font = font
        self.masthead = style("masthead", 24, alignment=TA_CENTER, textColor=RED, spaceAfter=4)
        self.number = style("number", 12, alignment=TA_CENTER)
        self.title = style("title", 17, alignment=TA_CENTER, spaceBefore=10, spaceAfter=10)
        self.body = style("body", 12, firstLineIndent=24, spaceAfter=4)
        self.plain = style("plain", 12)
        self.cell = style("cell", 10)
        self.small = style("small", 7.5, leading=10)
        self.sign = style("sign", 12, alignment=TA_RIGHT)


def _head(s: Styles, unit_name: str, document: Document, title: str) -> list:
    return [
        Paragraph(f"{unit_name}文件", s.masthead),
        Paragraph(document.number, s.number),
        HRFlowable(width="100%", thickness=1.5, color=RED, spaceBefore=4, spaceAfter=8),
        Paragraph(title, s.title),
    ]


def _facts_table(s: Styles, rows: list[tuple[str, str]]) -> Table:
    table = Table(
        [[Paragraph(k, s.cell), Paragraph(_esc(v), s.cell)] for k, v in rows], colWidths=[40 * mm, 120 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _sign(s: Styles, unit_name: str, document: Document) -> list:
    return [Spacer(1, 14 * mm), Paragraph(unit_name, s.sign), Paragraph(zh_date(document.issued_at), s.sign)]


def _esc(text: Any) -> str:
    """Text from the records in a Paragraph: its markup characters escaped, its line breaks kept."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace("\n", "<br/>")


def _company_rows(f: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("项目名称", f["name"]), ("企业名称", f["company_name"])]
    if f["credit_code"]:
        rows.append(("统一社会信用代码", f["credit_code"]))
    else:  # a foreign investor without a Chinese entity yet (§3)
        rows += [("境外注册号", f["home_registration_number"]), ("注册国家（地区）", f["home_country"])]
    rows += [("所属行业", f["sector"]), ("总投资", amount(f["total_investment_cny"]))]
    return rows


def _build(flowables: list, document: Document, font: str, *, pagesize: Any = A4) -> bytes:
    buffer = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        text = f"{document.number}　第{doc.page}页　本文书依据系统中的案件记录生成"
        canvas.drawCentredString(pagesize[0] / 2, 10 * mm, text)
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{document.number} {TITLES[Kind(document.kind)]}",
        author=document.unit.name_zh,
        initialFontName=font,
    )
    pdf.build(flowables, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- the papers -------------------------------------------------------------------------------------


def render_paper(*, paper: Paper, document: Document, font: str) -> bytes:
    s = Styles(font)
    build = {
        Kind.FIRST_NEGOTIATION_NOTICE: _notice,
        Kind.PUSH_LETTER: _push_letter,
        Kind.REWARD_DECISION: _reward_decision,
    }[Kind(paper.kind)]
    return _build(build(s, paper, document), document, font)


def _notice(s: Styles, paper: Paper, document: Document) -> list:
    f = paper.facts
    unit = f["first_negotiation_unit"]
    threshold = amount(policy.FIRST_NEGOTIATION_MIN_INVESTMENT_CNY)
    months = f["months"]
    deadline = zh_deadline(f["deadline_at"])
    basis = (
        f"{MEASURES}第五条：“对总投资{threshold}以上(含)或具有全局性、战略性的项目,探索实施‘首谈制’。"
        f"……各区发现招商线索的项目,经市产业主管部门认定项目首谈区后,由该区负责洽谈;洽谈超过{months}个月"
        "仍无实质性进展的项目,由市产业主管部门统筹,另行择优选择落地区。”"
    )
    rows = [
        *_company_rows(f),
        ("首谈区", unit),
        ("认定日期", zh_date(f["confirmed_at"])),
        ("无实质性进展期限", deadline + ("（已停止计时）" if f["clock_stopped"] else "")),
        ("政策依据", f"{MEASURES}第五条"),
    ]
    return [
        *_head(s, paper.unit.name_zh, document, f"关于认定“{_esc(f['name'])}”项目首谈区的通知"),
        Paragraph(f"{_esc(unit)}：", s.plain),
        Spacer(1, 3 * mm),
        Paragraph(
            f"根据{basis}经审核，现认定{_esc(unit)}为下列项目的首谈区，自{zh_date(f['confirmed_at'])}起由你单位负责洽谈。",
            s.body,
        ),
        Spacer(1, 2 * mm),
        _facts_table(s, rows),
        Spacer(1, 3 * mm),
        Paragraph(
            f"请于{deadline}前推动项目取得实质性进展（签订框架或投资协议、完成企业注册、签订土地或厂房合同、"
            "项目备案或核准等）。逾期仍无实质性进展的，由市产业主管部门统筹，另行择优选择落地区。",
            s.body,
        ),
        Paragraph("特此通知。", s.body),
        *_sign(s, paper.unit.name_zh, document),
    ]


def _push_letter(s: Styles, paper: Paper, document: Document) -> list:
    f = paper.facts
    reason = PUSH_REASONS_ZH.get(f["reason_key"], f["reason_key"])
    rows = [
        *_company_rows(f),
        ("推送单位", f["pushing_unit"]),
        ("推送理由", reason),
        ("情况说明", f["note"] or "—"),
        ("推送日期", zh_date(f["pushed_at"])),
        ("政策依据", f"{MEASURES}第五条"),
    ]
    return [
        *_head(s, paper.unit.name_zh, document, f"关于推送“{_esc(f['name'])}”项目的函"),
        Paragraph("北京市产业主管部门：", s.plain),
        Spacer(1, 3 * mm),
        Paragraph(
            f"我单位在招商过程中发现下列项目{reason}。根据{MEASURES}第五条“各区在招商过程中如发现不符合本区产业定位"
            "或不具备承载条件的项目,应积极向市产业主管部门推送,经认定后视同该区项目谋划引进成果”，"
            "现将该项目推送至你单位，请予认定并统筹安排落地。",
            s.body,
        ),
        Spacer(1, 2 * mm),
        _facts_table(s, rows),
        Spacer(1, 3 * mm),
        Paragraph("特此函告。", s.body),
        *_sign(s, f["pushing_unit"], document),
    ]


def _reward_decision(s: Styles, paper: Paper, document: Document) -> list:
    f = paper.facts
    unit, agency = f["landing_unit"], _esc(f["agency"])
    rule = (
        f"{MEASURES}第十五条：“经过首谈认定且成功引进的符合首都城市战略定位的先进制造业重大项目，项目建设主体在京新增"
        f"实缴资本不低于{amount(policy.REWARD_MIN_PAID_IN_CAPITAL_CNY)}或实际利用外资达到"
        f"{amount(policy.REWARD_MIN_ACTUAL_FDI_USD, '美元')}的，由所在区对提供项目引进全程服务的第三方机构给予单个项目"
        f"不低于{amount(policy.REWARD_MIN_AMOUNT_CNY)}的奖励。”"
    )
    if f["approved"]:
        title, decision = (
            f"关于给予{agency}项目引进奖励的决定",
            f"经研究，决定给予{agency}奖励{amount(f['amount_cny'])}。",
        )
    else:
        title = f"关于不予{agency}项目引进奖励的决定"
        decision = f"经研究，决定不予奖励。理由：{_esc(f['decision_reason'])}。"
    rows = [
        *_company_rows(f),
        ("落地单位", unit),
        ("第三方机构", f["agency"]),
        ("落地日期", zh_date(f["landed_on"])),
        ("在京新增实缴资本", amount(f["paid_in_capital_cny"])),
        ("实际利用外资", amount(f["actual_fdi_usd"], "美元")),
        ("奖励金额", amount(f["amount_cny"]) if f["approved"] else "不予奖励"),
        ("决定日期", zh_date(f["decided_at"])),
        ("政策依据", f"{MEASURES}第十五条"),
    ]
    return [
        *_head(s, paper.unit.name_zh, document, title),
        Paragraph(f"{agency}：", s.plain),
        Spacer(1, 3 * mm),
        Paragraph(
            f"根据{rule}你机构为“{_esc(f['name'])}”项目（{_esc(f['company_name'])}）提供项目引进全程服务。该项目经首谈认定，"
            f"于{zh_date(f['landed_on'])}在{_esc(unit)}落地，在京新增实缴资本{amount(f['paid_in_capital_cny'])}，"
            f"实际利用外资{amount(f['actual_fdi_usd'], '美元')}。{decision}",
            s.body,
        ),
        Spacer(1, 2 * mm),
        _facts_table(s, rows),
        Spacer(1, 3 * mm),
        Paragraph("特此决定。", s.body),
        *_sign(s, unit, document),
    ]


# --- the §16 report -----------------------------------------------------------------------------------


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key in ("landed_investment_cny", "target_investment_landed_cny"):
        return amount(value)
    if key in ("leads_landed_completion", "investment_landed_completion", "landing_rate"):
        return percent(value)
    if key == "median_days_to_progress":
        return f"{value:.1f}"
    return str(value)


def _report_table(s: Styles, report: dict) -> Table:
    with translation.override(exports.FILE_LANGUAGE):
        header = [Paragraph(str(exports.LABELS[k]), s.small) for k in exports.COLUMNS if k != "unit"]
        city_wide = str(_("City-wide"))
    keys = [k for k in exports.COLUMNS if k != "unit"]
    rows = [[Paragraph(_esc(_cell(k, row.get(k))), s.small) for k in keys] for row in report["units"]]
    totals = report["totals"]
    rows.append(
        [Paragraph("", s.small), Paragraph(city_wide, s.small)]
        + [Paragraph(_cell(k, totals.get(k)), s.small) for k in keys[2:]]
    )
    widths = [10 * mm, 30 * mm] + [(257 - 40) / (len(keys) - 2) * mm] * (len(keys) - 2)
    table = Table([header, *rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
                ("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _bar_chart(font: str, report: dict) -> Drawing:
    """Leads landed per unit (the units of the table, in rank order)."""
    units = report["units"]
    drawing = Drawing(250 * mm, 75 * mm)
    drawing.add(String(0, 70 * mm, "各单位落地项目数", fontName=font, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 18 * mm, 230 * mm, 48 * mm
    chart.data = [[row["landed"] for row in units] or [0]]
    chart.categoryAxis.categoryNames = [row["name_zh"] for row in units] or ["—"]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = max(1, _step(max(chart.data[0])))
    chart.bars[0].fillColor = colors.HexColor("#2f6fb3")
    drawing.add(chart)
    return drawing


def _line_chart(font: str, report: dict) -> Drawing:
    """City-wide by month: leads submitted and leads landed."""
    trend = report["trend"]
    months = trend["months"] or ["—"]
    submitted = trend["totals"]["submitted"] or [0]
    landed = trend["totals"]["landed"] or [0]
    drawing = Drawing(250 * mm, 70 * mm)
    drawing.add(
        String(0, 65 * mm, "全市按月趋势：提交线索数（蓝）、落地项目数（红）", fontName=font, fontSize=10)
    )
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 12 * mm, 230 * mm, 48 * mm
    chart.data = [submitted, landed]
    chart.categoryAxis.categoryNames = months
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = max(1, _step(max(max(submitted), max(landed))))
    chart.lines[0].strokeColor = colors.HexColor("#2f6fb3")
    chart.lines[1].strokeColor = RED
    chart.lines[0].strokeWidth = chart.lines[1].strokeWidth = 1.5
    drawing.add(chart)
    return drawing


def _step(top: int) -> int:
    """An axis step giving about five gridlines."""
    return max(1, -(-int(top) // 5))


def render_report(*, report: dict, document: Document, font: str) -> bytes:
    """The §16 assessment report: the figures of each unit shown (rank, targets and completion), the
    city-wide row, and charts of leads landed per unit and of the month trend."""
    s = Styles(font)
    start, end = date.fromisoformat(report["from"]), date.fromisoformat(report["to"])
    year = report.get("target_year")
    targets = (
        f"年度目标为{year}年目标，完成率为考核期间数值除以年度目标。"
        if year
        else "考核期间跨年度，不与年度目标比较。"
    )
    flowables = [
        *_head(s, document.unit.name_zh, document, "北京市高精尖产业项目落地考核报告"),
        Paragraph(f"考核期间：{zh_date(start)}至{zh_date(end)}", s.plain),
        Paragraph(
            f"依据{MEASURES}第十六条“建立项目落地考核激励机制”。各单位按落地投资额、落地项目数排名，"
            f"两项相同者并列。{targets}参与排名单位共{report['ranked_units']}个。",
            s.plain,
        ),
        Spacer(1, 3 * mm),
        _report_table(s, report),
        Spacer(1, 6 * mm),
        _bar_chart(s.font, report),
        _line_chart(s.font, report),
        *_sign(s, document.unit.name_zh, document),
    ]
    return _build(flowables, document, font, pagesize=landscape(A4))


def file_name(*, paper: Paper, document: Document) -> str:
    """The Chinese file name: the paper's title and number."""
    return f"{TITLES[Kind(paper.kind)]}-{document.number}.pdf"


def content_disposition(*, chinese: str, ascii_name: str) -> str:
    """An ASCII name every client takes and the Chinese one (RFC 5987/6266) for those that read it."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(chinese)}"


_DAY = timedelta(days=1)
