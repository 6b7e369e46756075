"""`.env.example` lists every variable the settings read (iset_messaging/settings.py
says so), so an operator finds each one, its default and its meaning there."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r"""\b(?:read_\w+|env(?:\.\w+)?)\(\s*["']([A-Z][A-Z0-9_]+)["']""")
# Read by the settings but set by the test run or the process manager, not by an operator.
NOT_FOR_OPERATORS = {"DJANGO_SETTINGS_MODULE"}


def variables_read():
    names = set()
    for path in (ROOT / "iset_messaging").glob("settings*.py"):
        names |= set(READ.findall(path.read_text(encoding="utf-8")))
    return names - NOT_FOR_OPERATORS


def variables_listed():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.M))


def test_the_settings_read_variables_at_all():
    # The pattern above finds them: a rename of the readers would make the next test pass vacuously.
    assert {"SECRET_KEY", "DATABASE_URL", "RATE_LIMIT_SEND_COUNT", "WITHDRAWAL_DIGEST_KEY"} <= variables_read()


def test_every_variable_read_is_in_env_example():
    assert sorted(variables_read() - variables_listed()) == []
