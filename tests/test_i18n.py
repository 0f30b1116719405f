"""Every user-visible string has its zh-Hans translation, and the compiled catalogue is current."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (.ci/run installs it)")
def test_every_string_in_the_code_is_translated(tmp_path, settings, monkeypatch):
    # makemessages writes to the `locale/` nearest each scanned file, so scan a copy of the tree.
    base = Path(settings.BASE_DIR)
    for name in ("workflow", "cases", "notifications", "config", "locale"):
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages", locale=["zh_Hans"], ignore_patterns=[".venv/*", "tests/*", "var/*"], verbosity=0
    )
    po = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and (not translated(e) or "fuzzy" in e.flags)]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_po_file():
    # keyed by context and text: one English word may read differently in two places ("Accepted")
    po = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.pofile(str(PO))
        if e.msgid and not e.obsolete
    }
    mo = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.mofile(str(PO.with_suffix(".mo")))
        if e.msgid
    }
    assert mo == po
