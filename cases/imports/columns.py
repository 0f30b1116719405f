"""The columns of a file of leads as people write them: headed in Chinese or English (or by the field's
code, as files made before the template were), sectors, segments, sources and countries by their names,
money in 万元 / 万美元 where the heading says so. What a row says is turned into a registration's input
here, and what is wrong with it is said in the reader's language, naming the column by its heading.

Money: the template heads its money columns with their unit, "总投资（万元）", "外资（万美元）", and those
amounts are converted exactly (Decimal) to the yuan and dollars a lead stores. A column headed by its code
(`total_investment_cny`) is in yuan, as it always was."""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from cases import policy
from cases.creditcode import check_character
from cases.errors import Invalid
from cases.imports.files import Header
from cases.leads.models import Source
from workflow.models import Sector

LANGUAGES = ("zh-hans", "en")
SEPARATOR = pgettext_lazy("list separator", ", ")  # 、 in Chinese
WAN = 10_000  # 1 万
STORED_PLACES = 2  # a stored amount is kept to the fen (cases.inputs.money)


@dataclass(frozen=True)
class Column:
    code: str  # the registration's field (LeadInput)
    label: Any  # lazy
    unit: Any = None  # lazy: the unit the template's heading names
    scale: int = 1  # one of the heading's unit, in the stored unit
    required: bool = False

    def heading(self) -> str:
        """The column's heading in the active language: "总投资（万元）", "Total investment (10,000 yuan)"."""
        if self.unit is None:
            return str(self.label)
        return str(pgettext_lazy("import column", "%(label)s (%(unit)s)")) % {
            "label": self.label,
            "unit": self.unit,
        }


COLUMNS = [
    Column("name", _("Project name"), required=True),
    Column("company_name", _("Company name"), required=True),
    Column("credit_code", _("Unified social credit code")),
    Column("home_registration_number", pgettext_lazy("import column", "Home registration number")),
    Column("home_country", _("Home country")),
    Column("sector", _("Sector"), required=True),
    Column("segment", pgettext_lazy("import column", "Segment"), required=True),
    Column(
        "total_investment_cny",
        pgettext_lazy("import column", "Total investment"),
        unit=_("10,000 yuan"),
        scale=WAN,
        required=True,
    ),  # fmt: skip
    Column("strategic", _("Strategic")),
    Column("source", _("Source"), required=True),
    Column("referrer", _("Referrer")),
    Column(
        "foreign_investment_usd",
        pgettext_lazy("import column", "Foreign investment"),
        unit=_("10,000 USD"),
        scale=WAN,
    ),  # fmt: skip
    Column("land_need_mu", pgettext_lazy("import column", "Land need"), unit=_("mu")),
    Column("contacts", _("Contacts")),
    Column("notes", _("Notes")),
]
BY_CODE = {c.code: c for c in COLUMNS}
CODES = [c.code for c in COLUMNS]
REQUIRED = [c.code for c in COLUMNS if c.required]


def heading(code: str) -> str:
    """A column's heading in the active language; "" for a problem of the whole row."""
    column = BY_CODE.get(code)
    return column.heading() if column else ("" if not code else code)


def _norm(text: str) -> str:
    """How headings and names are compared: full-width forms folded (（）→ ()), case and spaces ignored,
    and a required column's asterisk dropped."""
    return re.sub(r"[\s*]+", "", unicodedata.normalize("NFKC", text)).casefold()


def _headings() -> dict[str, tuple[str, int]]:
    known: dict[str, tuple[str, int]] = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            for c in COLUMNS:
                known[_norm(c.heading())] = (c.code, c.scale)
                if c.scale == 1:
                    known[_norm(str(c.label))] = (c.code, 1)  # 用地需求 as well as 用地需求（亩）
    for c in COLUMNS:
        known[_norm(c.code)] = (c.code, 1)  # the code: amounts in yuan, as before the template
    return known


def read_header(cells: list[str]) -> Header:
    """The header row's columns, each recognised by its heading (either language) or its code; Invalid
    if a column a registration needs is missing or one is there twice."""
    known = _headings()
    keys: list[str] = []
    scales: dict[str, int] = {}
    twice: list[str] = []
    for cell in cells:
        code, scale = known.get(_norm(cell), (cell, 1))
        if code in BY_CODE:
            if code in scales:
                twice.append(code)
            scales[code] = scale
        keys.append(code)
    if twice:
        raise Invalid(
            _("The header row names a column twice: %(cols)s. Keep one of each."),
            {"cols": _Names(twice)}, code="header",
        )  # fmt: skip
    missing = [c for c in REQUIRED if c not in scales]
    if missing:
        raise Invalid(
            _("The header row lacks the columns: %(cols)s. Download the template to see them all."),
            {"cols": _Names(missing)}, code="header",
        )  # fmt: skip
    return Header(keys, scales)


class _Names:
    """Columns' headings, read in the language of whoever reads the message (kept lazy in an Invalid)."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes

    def __str__(self) -> str:
        return str(SEPARATOR).join(heading(c) for c in self.codes)


# --- the values ----------------------------------------------------------------------------------------


class Problem(NamedTuple):
    field: str
    message: dict[str, str]  # language → text


def both(message: Any, params: dict[str, Any] | None = None) -> dict[str, str]:
    """A lazy message in every language the product speaks."""
    out = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            p = {k: str(v) for k, v in (params or {}).items()}
            out[lang] = str(message) % p if params else str(message)
    return out


@dataclass
class Vocabulary:
    """The names a file may use for the coded columns, each mapped to its code: read once per file."""

    names: dict[str, dict[str, str]]  # column → normalised name → code
    shown: dict[str, Callable[[], list[str]]]  # column → the names to suggest, in the active language

    @classmethod
    def load(cls) -> "Vocabulary":
        sectors = list(Sector.objects.values_list("slug", "name_zh", "name_en"))
        names: dict[str, dict[str, str]] = {
            "sector": {_norm(n): slug for slug, zh, en in sectors for n in (slug, zh, en)},
            "segment": _choices(policy.SEGMENTS.items()),
            "source": _choices(Source.choices),
            "home_country": {},
        }
        for lang in LANGUAGES:
            with translation.override(lang):
                names["home_country"].update({_norm(name): code for code, name in countries})
        names["home_country"].update({_norm(code): code for code, _name in countries})
        return cls(
            names=names,
            shown={
                "sector": lambda: [zh if chinese() else en for _slug, zh, en in sectors],
                "segment": lambda: [str(v) for v in policy.SEGMENTS.values()],
                "source": lambda: [str(v) for _k, v in Source.choices],
            },
        )

    def code(self, column: str, value: str) -> str | None:
        return self.names[column].get(_norm(value))

    def problem(self, column: str, value: str) -> Problem:
        if column == "home_country":
            return Problem(column, both(
                _("“%(value)s” is not a country or region we know: write its name (德国) or its two-letter code (DE)."),
                {"value": value},
            ))  # fmt: skip
        message = {}
        for lang in LANGUAGES:
            with translation.override(lang):
                message[lang] = str(_("“%(value)s” is not one of: %(names)s.")) % {
                    "value": value,
                    "names": str(SEPARATOR).join(self.shown[column]()),
                }
        return Problem(column, message)


def chinese() -> bool:
    """Whether the active language is Chinese (the template's and the messages' choice of names)."""
    return not (translation.get_language() or "").startswith("en")


def _choices(pairs: Iterable[tuple[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            out.update({_norm(str(label)): key for key, label in pairs})
    out.update({_norm(key): key for key, _label in pairs})
    return out


WHOLE_DIGITS = 13  # a stored amount has at most 13 digits before the point (cases.inputs.money)


def amount(value: str, scale: int) -> str | None:
    """An amount written in the heading's unit, in the stored unit, exactly; None if it is no number or
    has more decimal places than the stored amount keeps. Thousands separators are allowed. (Its size
    is checked by the registration's own rules, and by amount_too_large before them.)"""
    text = re.sub(r"[,，\s]", "", unicodedata.normalize("NFKC", value))
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    stored = number * scale
    fen = Decimal(1).scaleb(-STORED_PLACES)
    if stored != stored.quantize(fen):
        return None
    return format(stored.quantize(fen), "f")


def amount_too_large(stored: str) -> bool:
    return abs(Decimal(stored)) >= Decimal(10) ** WHOLE_DIGITS


def amount_problem(column: str, scale: int) -> Problem:
    places = STORED_PLACES + len(str(scale)) - 1
    return Problem(column, both(
        _("Write the amount as a number in %(unit)s, e.g. 1500.5, with at most %(places)s decimal places."),
        {"unit": BY_CODE[column].unit, "places": places},
    ))  # fmt: skip


def too_large_problem(column: str, scale: int) -> Problem:
    most = (Decimal(10) ** WHOLE_DIGITS - Decimal("0.01")) / scale
    return Problem(column, both(
        _("The amount is too large: at most %(most)s %(unit)s."),
        {"most": f"{most:,.{STORED_PLACES + len(str(scale)) - 1}f}", "unit": BY_CODE[column].unit},
    ))  # fmt: skip


def row_data(
    values: dict[str, str], scales: dict[str, int], words: Vocabulary
) -> tuple[dict[str, Any], list[Problem]]:
    """A row's registration input (codes for names, amounts in the stored unit) and what in it could not
    be read; a column with a problem is left out of the input."""
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for code in CODES:
        value = values.get(code, "")
        if value == "" or code == "strategic":
            continue
        if code in words.names:
            found = words.code(code, value)
            if found is None:
                problems.append(words.problem(code, value))
                continue
            value = found
        elif BY_CODE[code].scale != 1 and scales.get(code, 1) != 1:
            converted = amount(value, scales[code])
            if converted is None:
                problems.append(amount_problem(code, scales[code]))
                continue
            if amount_too_large(converted):
                problems.append(too_large_problem(code, scales[code]))
                continue
            value = converted
        data[code] = value
    data["strategic"] = _norm(values.get("strategic", "")) in TRUE
    return data, problems


TRUE = {"1", "true", "yes", "y", "是", "√", "✓"}


# --- the template ----------------------------------------------------------------------------------------

EXAMPLE_CODE = "91110108MA0000000" + check_character("91110108MA0000000")


def example_row() -> dict[str, str]:
    """The template's one example row, in the active language; never imported (EXAMPLE_CODE)."""
    zh = chinese()
    sector = Sector.objects.filter(slug="new_gen_it").values_list("name_zh", "name_en").first()
    return {
        "name": str(pgettext_lazy("import example", "Example: smart sensor R&D centre")),
        "company_name": str(pgettext_lazy("import example", "Beijing Example Technology Co., Ltd.")),
        "credit_code": EXAMPLE_CODE,
        "home_registration_number": "",
        "home_country": "",
        "sector": (sector[0] if zh else sector[1]) if sector else "",
        "segment": str(policy.SEGMENTS["rnd_design"]),
        "total_investment_cny": "5000",
        "strategic": str(pgettext_lazy("import example", "no")),
        "source": str(Source.DISTRICT.label),
        "referrer": "",
        "foreign_investment_usd": "",
        "land_need_mu": "30",
        "contacts": str(pgettext_lazy("import example", "Zhang San, 010-12345678")),
        "notes": str(pgettext_lazy("import example", "The example row: replace it with your leads.")),
    }
