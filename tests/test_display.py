"""How dates, sizes and ages are written: one way per language, everywhere
(iset_messaging/formats/, common/display.py)."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.formats import date_format

from common.display import age, file_size

ROOT = Path(__file__).resolve().parent.parent
# 24 November 2026, 19:05 UTC: 2:05 p.m. in Toronto (TIME_ZONE).
MOMENT = datetime(2026, 11, 24, 19, 5, tzinfo=UTC)
WRITTEN = {
    "en": {"date": "24 November 2026", "datetime": "24 November 2026, 2:05 p.m.", "time": "2:05 p.m."},
    "fr": {"date": "24 novembre 2026", "datetime": "24 novembre 2026, 14 h 05", "time": "14 h 05"},
}


def in_template(source, **context):
    return Template(source).render(Context(context))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_template_writes_every_named_format_the_one_way_of_its_language(language):
    expected = WRITTEN[language]
    with translation.override(language):
        for name in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
            assert in_template(f'{{{{ moment|date:"{name}" }}}}', moment=MOMENT) == expected["datetime"]
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
            assert in_template(f'{{{{ moment|date:"{name}" }}}}', moment=MOMENT) == expected["date"]
        assert in_template('{{ moment|date:"TIME_FORMAT" }}', moment=MOMENT) == expected["time"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_python_writes_dates_as_the_templates_do(language):
    expected = WRITTEN[language]
    local = timezone.localtime(MOMENT)
    with translation.override(language):
        assert date_format(local, "DATETIME_FORMAT") == expected["datetime"]
        assert date_format(local, "SHORT_DATETIME_FORMAT") == expected["datetime"]
        assert date_format(local.date(), "DATE_FORMAT") == expected["date"]
        assert date_format(local.date(), "SHORT_DATE_FORMAT") == expected["date"]


def test_the_morning_and_the_hour_are_written_in_full():
    morning = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)  # 9:00 in Toronto
    with translation.override("en"):
        assert in_template('{{ moment|date:"DATETIME_FORMAT" }}', moment=morning) == "4 March 2026, 9:00 a.m."
    with translation.override("fr"):
        assert in_template('{{ moment|date:"DATETIME_FORMAT" }}', moment=morning) == "4 mars 2026, 9 h 00"


def test_templates_name_a_format_rather_than_spell_one():
    """Every |date in the templates names a format (or is the machine-readable
    'c' of a <time datetime>), so that the format modules decide how it reads."""
    allowed = {"c", "DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "TIME_FORMAT"}
    found = {}
    for template in (ROOT / "templates").rglob("*.*"):
        for argument in re.findall(r"""\|date:["']([^"']*)["']""", template.read_text()):
            found.setdefault(argument, []).append(template.name)
    assert found, "no |date found: the pattern no longer matches the templates"
    assert {argument: names for argument, names in found.items() if argument not in allowed} == {}


@pytest.mark.parametrize(
    "size, english, french",
    [
        (0, "0\xa0bytes", "0\xa0octet"),
        (1, "1\xa0byte", "1\xa0octet"),
        (900, "900\xa0bytes", "900\xa0octets"),
        (1024, "1\xa0KB", "1\xa0Ko"),
        (1536, "1.5\xa0KB", "1,5\xa0Ko"),
        (345_678, "338\xa0KB", "338\xa0Ko"),
        (1024 * 1024 - 20, "1\xa0MB", "1\xa0Mo"),
        (int(2.5 * 1024 * 1024), "2.5\xa0MB", "2,5\xa0Mo"),
        (10 * 1024 * 1024, "10\xa0MB", "10\xa0Mo"),
        (25 * 1024 * 1024, "25\xa0MB", "25\xa0Mo"),
        (3 * 1024**3, "3\xa0GB", "3\xa0Go"),
    ],
)
def test_file_size_is_written_as_people_write_it(size, english, french):
    with translation.override("en"):
        assert file_size(size) == english
        assert in_template("{% load display %}{{ size|file_size }}", size=size) == english
    with translation.override("fr"):
        assert file_size(size) == french


@pytest.mark.parametrize(
    "ago, english, french",
    [
        (timedelta(seconds=20), "just now", "à l'instant"),
        (timedelta(minutes=5), "5\xa0minutes ago", "il y a 5\xa0minutes"),
        (timedelta(hours=3, minutes=40), "3\xa0hours ago", "il y a 3\xa0heures"),
        (timedelta(days=3, hours=5), "3\xa0days ago", "il y a 3\xa0jours"),
        (timedelta(days=1), "1\xa0day ago", "il y a 1\xa0jour"),
        (timedelta(days=40), "1\xa0month ago", "il y a 1\xa0mois"),
    ],
)
def test_age_names_the_largest_unit_only(ago, english, french):
    with translation.override("en"):
        assert age(MOMENT - ago, MOMENT) == english
        assert in_template("{% load display %}{{ moment|age }}", moment=timezone.now() - ago) == english
    with translation.override("fr"):
        assert age(MOMENT - ago, MOMENT) == french


def test_a_moment_ahead_of_the_clock_is_just_now():
    with translation.override("en"):
        assert age(MOMENT + timedelta(seconds=30), MOMENT) == "just now"
    assert age(None) == ""
