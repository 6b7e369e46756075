"""Strict readers for settings that come from the environment.

django-environ parses the values; these wrappers make a malformed value stop
start-up with a message that names the variable, instead of guessing.
"""

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}

env = environ.Env()


def _bad(name, value, expected):
    return ImproperlyConfigured(f"{name}={value!r} is not valid: expected {expected}.")


def read_bool(name, *, default):
    raw = env.str(name, default=None)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _bad(name, raw, "one of " + ", ".join(sorted(TRUE_WORDS | FALSE_WORDS)))


def read_int(name, *, default, minimum=0):
    raw = env.str(name, default=None)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(name, raw, "a whole number") from None
    if value < minimum:
        raise _bad(name, raw, f"a whole number of at least {minimum}")
    return value


def read_choice(name, *, default, choices):
    raw = env.str(name, default=default)
    if raw not in choices:
        raise _bad(name, raw, "one of " + ", ".join(choices))
    return raw


def read_list(name, *, default):
    raw = env.str(name, default=None)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def read_database(name, *, default):
    raw = env.str(name, default=default)
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # django-environ raises several kinds for bad URLs
        raise _bad(name, raw, f"a database URL such as mysql://user:pass@host:3306/iset_intake ({exc})") from None
    if config.get("ENGINE") not in ("django.db.backends.mysql", "django.db.backends.sqlite3"):
        raise _bad(name, raw, "a mysql:// or sqlite:/// URL")
    return config


def read_email(name, *, default):
    raw = env.str(name, default=default)
    try:
        config = environ.Env.email_url_config(raw)
    except Exception as exc:
        raise _bad(name, raw, f"an e-mail URL such as smtp://user:pass@host:587 ({exc})") from None
    if not config.get("EMAIL_BACKEND"):
        raise _bad(name, raw, "an e-mail URL with a known scheme (smtp, smtp+tls, consolemail, ...)")
    return config
