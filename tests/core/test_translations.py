"""Every text of the interface is translated into Chinese, and the compiled catalog matches the source."""

import ast
import gettext
import re
from pathlib import Path

import groundbreak

LOCALE = Path(groundbreak.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def read_po(path: Path) -> dict[str, list[str]]:
    """(msgctxt, msgid) → msgstr forms, for the entries of a .po file (header and obsolete entries left out)."""
    entries, current, key, fuzzy_flags = {}, {}, None, []
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text):
        current, key = {}, None
        flags = [line for line in block.splitlines() if line.startswith("#,")]
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
            if match:
                key = match.group(1)
                current[key] = [match.group(2)]
            elif line.startswith('"') and key:
                current[key].append(line)
        if "msgid" not in current:
            continue
        msgid = _unquote(current["msgid"])
        if not msgid:
            continue
        context = _unquote(current["msgctxt"]) if "msgctxt" in current else None
        forms = [_unquote(v) for k, v in sorted(current.items()) if k.startswith("msgstr")]
        entries[(context, msgid)] = forms
        if any("fuzzy" in f for f in flags):
            fuzzy_flags.append(msgid)
    return entries, fuzzy_flags


def test_every_message_has_a_chinese_translation():
    entries, fuzzy = read_po(LOCALE / "django.po")
    assert len(entries) > 300
    untranslated = [msgid for msgid, forms in entries.items() if not all(forms)]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalog_matches_the_source():
    entries, _fuzzy = read_po(LOCALE / "django.po")
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def compiled_text(context, msgid):
        return compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)

    stale = [key for key, forms in entries.items() if compiled_text(*key) != forms[0]]
    assert stale == [], "run `uv run groundbreak compilemessages --ignore=.venv`"
