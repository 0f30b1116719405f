"""How a case's history reads to a person: in the language of the page, in words, never in codes.

The rules applied (`TransitionRecord.rule`) are official records: the engine writes them in the product's
language (zh-Hans, `workflow.engine.official_language`), and each row is sealed in its case's hash chain
(workflow.history), so a row is never rewritten. A reader of the English pages gets them translated back at
display time: every rule is built from the message catalogue's sentences, so the zh-Hans catalogue read
backwards (msgstr → msgid, with the `%(name)s` parameters matched and themselves translated) gives the
English sentence. What no sentence matches (a reason a person typed) is data and stays as written.

The parameters a record keeps (a push's reason, a correction's changes) are shown by the transition's own
input serializer: a choice by its label, a field by its label, a sector by its name — never the code.
"""

import functools
import re
import time
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import trans_real
from rest_framework import serializers

from workflow import engine
from workflow.models import OrgUnit, PilotZone, Sector, TransitionRecord

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]|%%")
SEPARATOR = "; "
# history written before the submit rule was a sentence of the catalogue: "…; discovered by haidian
# (district) → pending_confirmation" (and earlier "source=district → pending_confirmation")
LEGACY_SUBMIT = re.compile(r"discovered by (?P<unit>[\w-]+) \((?P<level>\w+)\) → (?P<state>\w+)")
LEGACY_SOURCE = re.compile(r"source=(?P<level>\w+) → (?P<state>\w+)")


def reads_english() -> bool:
    return (translation.get_language() or "").startswith("en")


@functools.cache
def _catalogue() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    """The zh-Hans catalogue read backwards: exact sentences, and sentences with parameters as patterns."""
    catalog = trans_real.translation("zh-hans")._catalog  # type: ignore[attr-defined] # Django's own catalogue
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    for msgid, msgstr in catalog.items():
        if not isinstance(msgid, str) or not msgstr or "\x04" in msgid or msgid == msgstr:
            continue
        if PLACEHOLDER.search(msgstr):
            patterns.append((_pattern(msgstr), msgid))
        else:
            exact.setdefault(msgstr.strip(), msgid)
    # the longest literal text first: "§5：%(x)s" must not win over "§5：城市认定%(x)s"
    patterns.sort(key=lambda p: -len(PLACEHOLDER.sub("", p[0].pattern)))
    return exact, patterns


def _pattern(msgstr: str) -> re.Pattern[str]:
    parts, pos, names = [], 0, set()
    for m in PLACEHOLDER.finditer(msgstr):
        parts.append(re.escape(msgstr[pos : m.start()]))
        if m.group(0) == "%%":
            parts.append("%")
        elif m.group(1) in names:  # the same parameter twice
            parts.append(f"(?P={m.group(1)})")
        else:
            names.add(m.group(1))
            parts.append(f"(?P<{m.group(1)}>.+?)")
        pos = m.end()
    parts.append(re.escape(msgstr[pos:]))
    return re.compile("".join(parts), re.DOTALL)


def _names() -> dict[str, str]:
    return _names_read(int(time.monotonic() // 300))  # read again every five minutes: banks are added


@functools.lru_cache(maxsize=1)
def _names_read(period: int) -> dict[str, str]:
    """Units', sectors' and pilot zones' Chinese names → English (data the rules name)."""
    found: dict[str, str] = {}
    for model in (OrgUnit, Sector, PilotZone):
        for zh, en in model.objects.values_list("name_zh", "name_en"):
            if en:
                found.setdefault(zh, en)
    return found


def _english(text: str) -> str | None:
    """`text` (one sentence of the zh-Hans catalogue, or a name) in English; None if nothing matches."""
    text = text.strip()
    if not text:
        return text
    exact, patterns = _catalogue()
    if text in exact:
        return exact[text]
    if text in _names():
        return _names()[text]
    for pattern, msgid in patterns:
        m = pattern.fullmatch(text)
        if m:
            params = {k: _english(v) or v for k, v in m.groupdict().items()}
            try:
                return msgid % params
            except (KeyError, TypeError, ValueError):
                continue
    return None


def _legacy(text: str) -> str | None:
    for pattern in (LEGACY_SUBMIT, LEGACY_SOURCE):
        m = pattern.fullmatch(text.strip())
        if m:
            from cases.leads.models import State
            from workflow.models import Level

            unit = OrgUnit.objects.filter(code=m.group("unit")).first() if "unit" in m.groupdict() else None
            states, levels = dict(State.choices), dict(Level.choices)
            return _("discovered by %(unit)s (%(level)s), goes to: %(state)s") % {
                "unit": unit.display_name if unit else m.groupdict().get("unit", "—"),
                "level": levels.get(m.group("level"), m.group("level")),
                "state": states.get(m.group("state"), m.group("state")),
            }
    return None


def rule_text(rule: str) -> str:
    """A history row's rule in the reader's language: as written for a zh-Hans reader, translated back
    for an English one; a part no sentence matches (text a person typed) stays as written."""
    if not rule:
        return ""
    if not reads_english():
        return SEPARATOR.join(_legacy(p) or p for p in rule.split(SEPARATOR))
    return _english_parts(rule)


MAX_SPAN = 4  # the most parts one of the system's sentences spans ("; " inside a sentence)
MAX_PARTS = 24  # the system's rules join a handful of parts; the rest is typed text, shown as written


@functools.lru_cache(maxsize=4096)
def _english_parts(rule: str) -> str:
    whole = _english(rule)
    if whole is not None:
        return whole
    # the rules joined with "; " (cases.leads.effects._rules): the longest run of parts that reads
    # Bounded: a rule may carry text a person typed (an override reason of up to 4000 characters), and
    # trying every run of every part would cost O(n²) regular-expression matches per page view.
    parts, out, i = rule.split(SEPARATOR), [], 0
    if len(parts) > MAX_PARTS:
        parts = [*parts[: MAX_PARTS - 1], SEPARATOR.join(parts[MAX_PARTS - 1 :])]
    while i < len(parts):
        for j in range(min(len(parts), i + MAX_SPAN), i, -1):
            chunk = SEPARATOR.join(parts[i:j])
            done = _english(chunk) or _prefixed(chunk) or _legacy(chunk)
            if done is not None:
                out.append(done)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return SEPARATOR.join(out)


def _prefixed(text: str) -> str | None:
    """ "§15 …不适用：" + what is missing: a sentence that ends in a colon, then more sentences."""
    exact, _patterns = _catalogue()
    for sep in ("：", ": "):
        head, found, rest = text.partition(sep)
        if found and (head + sep).strip() in exact:
            return exact[(head + sep).strip()].rstrip() + " " + _english_parts(rest) if rest else None
    return None


# --- a history row as the timeline shows it ------------------------------------------------------

NOTE_PARAMS = ("reason", "note", "opinion")


def _input_fields(record: TransitionRecord) -> dict[str, serializers.Field]:
    model = ContentType.objects.get_for_id(record.subject_type_id).model_class()  # cached by Django
    case_type = next((ct for ct in engine.case_types().values() if ct.model is model), None)
    if case_type is None or record.transition not in case_type.transitions:
        return {}
    cls = engine.input_of(engine.declared(case_type.transitions[record.transition]))
    return dict(cls().fields) if cls else {}


def _shown(field: serializers.Field | None) -> Callable[[Any], str]:
    """How a value of `field` reads: a choice by its label, a sector by its name, yes/no, else as given."""

    def show(value: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(field, serializers.BooleanField) or isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(field, serializers.ChoiceField):
            return str(field.choices.get(value, value))
        if isinstance(field, serializers.SlugRelatedField):
            queryset = field.get_queryset()
            found = queryset.filter(**{field.slug_field: value}).first() if queryset is not None else None
            return str(found) if found is not None else str(value)
        return str(value)

    return show


def worded(record: TransitionRecord) -> dict[str, Any]:
    """The row's rule, its notes (a reason, a note, an opinion — a choice by its label) and its changes
    (`{label, old, new}` by the correction's fields), all in the reader's language."""
    fields = _input_fields(record)
    params = record.params or {}
    rule = rule_text(record.rule)
    notes = []
    for key in NOTE_PARAMS:
        value = params.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        shown = _shown(fields.get(key))(value)
        if value in record.rule or shown in rule:  # the rule says it already
            continue
        notes.append(shown)
    changes = []
    for c in params.get("changes") or []:
        field = fields.get(c.get("field"))
        show = _shown(field)
        changes.append(
            {
                "field": c.get("field"),
                "label": str(field.label) if field is not None else c.get("field"),
                "old": show(c.get("old")),
                "new": show(c.get("new")),
            }
        )
    return {"rule": rule, "notes": notes, "changes": changes}
