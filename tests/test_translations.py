"""The French catalogue is complete and its compiled form is current."""

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES"


def po_entries(path):
    """(msgid, msgid_plural, [msgstr...], fuzzy, msgctxt) for each entry of a .po file."""
    entries, current, key, fuzzy, context = [], None, None, False, None

    def finish():
        if current is not None and current["msgid"]:
            entries.append(
                (current["msgid"], current.get("msgid_plural"), current["msgstr"], current["fuzzy"], current["context"])
            )

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgctxt "):
            finish()
            current, context = None, ast.literal_eval(line[8:])
        elif line.startswith("msgid "):
            finish()
            current, key = {"msgid": "", "msgstr": [], "fuzzy": fuzzy, "context": context}, "msgid"
            fuzzy, context = False, None
            current["msgid"] = ast.literal_eval(line[6:])
        elif line.startswith("msgid_plural "):
            key = "msgid_plural"
            current[key] = ast.literal_eval(line[13:])
        elif line.startswith("msgstr"):
            key = "msgstr"
            current["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
        elif line.startswith('"') and current is not None:
            value = ast.literal_eval(line)
            if key == "msgstr":
                current["msgstr"][-1] += value
            else:
                current[key] += value
    finish()
    return entries


def test_every_string_has_a_french_translation():
    entries = po_entries(LOCALE / "django.po")

    assert len(entries) > 50
    # One entry for each msgid but the header's (the empty msgid).
    msgids = [
        line for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines() if line.startswith("msgid ")
    ]
    assert len(entries) == len(msgids) - 1
    missing = [msgid for msgid, _plural, msgstrs, fuzzy, _context in entries if fuzzy or not all(msgstrs)]
    assert missing == []


def test_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)

    translated = [entry for entry in po_entries(LOCALE / "django.po") if all(entry[2]) and not entry[3]]
    assert translated
    for msgid, plural, msgstrs, _fuzzy, context in translated:
        if plural and context:
            assert catalogue.npgettext(context, msgid, plural, 1) == msgstrs[0], (context, msgid)
        elif plural:
            assert catalogue.ngettext(msgid, plural, 1) == msgstrs[0]
        elif context:
            assert catalogue.pgettext(context, msgid) == msgstrs[0], (context, msgid)
        else:
            assert catalogue.gettext(msgid) == msgstrs[0], msgid
