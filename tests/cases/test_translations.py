"""Latvian ships complete, and the compiled catalogue matches the source catalogue."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

LV = Path(settings.BASE_DIR) / "locale" / "lv" / "LC_MESSAGES"


def _po_entries(path: Path) -> list[dict]:
    """A small reader of .po files: msgid, msgid_plural, msgstr[n], flags; obsolete entries skipped."""
    entries, current, key = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current is not None:
                entries.append(current)
            current, key = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            key, current["msgctxt"] = "msgctxt", ast.literal_eval(line[8:])
        elif line.startswith("msgid_plural "):
            key, current["msgid_plural"] = "msgid_plural", ast.literal_eval(line[13:])
        elif line.startswith("msgid "):
            key, current["msgid"] = "msgid", ast.literal_eval(line[6:])
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            key = ("msgstr", index)
            current["msgstr"][index] = ast.literal_eval(line[line.index("]") + 2 :])
        elif line.startswith("msgstr "):
            key = ("msgstr", 0)
            current["msgstr"][0] = ast.literal_eval(line[7:])
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, tuple):
                current["msgstr"][key[1]] += value
            else:
                current[key] += value
    return [e for e in entries if "msgid" in e]


def test_latvian_catalogue_is_complete_and_compiled():
    entries = [e for e in _po_entries(LV / "django.po") if e["msgid"]]
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or not e["msgstr"]]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [] and fuzzy == []
    plurals = [e for e in entries if "msgid_plural" in e]
    assert plurals and all(len(e["msgstr"]) == 3 for e in plurals)
    with (LV / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in entries:
        if "msgid_plural" in entry or "msgctxt" in entry:
            continue
        assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]


def test_pages_render_in_latvian(client, caseworker, case_of_caseworker):
    client.force_login(caseworker)
    client.post("/i18n/setlang/", {"language": "lv", "next": "/"})
    body = client.get(case_of_caseworker.get_absolute_url()).content.decode()
    assert 'lang="lv"' in body
    assert "Hronoloģija" in body
