"""Strict readers for settings that come from the environment.

django-environ parses the values; these wrappers make a malformed value stop
start-up with a message that names the variable, instead of guessing.
"""

import datetime
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator, validate_email

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


def read_email_address(name, *, default):
    """One e-mail address (the office's, shown to people), checked as Django checks a form's."""
    raw = env.str(name, default=None)
    if raw is None or raw.strip() == "":
        return default
    try:
        validate_email(raw.strip())
    except ValidationError:
        raise _bad(name, raw, "an e-mail address such as iset-office@example.org") from None
    return raw.strip()


def read_link(name, *, default):
    """A link people follow: an https:// or http:// address, or a path on this
    site starting with /; empty gives the default."""
    raw = env.str(name, default=None)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    if value.startswith("/") and not value.startswith("//"):
        return value
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise _bad(name, raw, "an address starting with https:// (or a path on this site starting with /)") from None
    return value


def read_hours(name, *, default):
    """Opening hours as HH:MM-HH:MM in 24-hour time ("08:30-16:30"): a pair of
    datetime.time, the opening before the closing; empty gives the default."""
    raw = env.str(name, default=None)
    if raw is None or raw.strip() == "":
        raw = default
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", raw)
    try:
        if match is None:
            raise ValueError
        opens = datetime.time(int(match[1]), int(match[2]))
        closes = datetime.time(int(match[3]), int(match[4]))
        if opens >= closes:
            raise ValueError
    except ValueError:
        raise _bad(name, raw, "opening and closing times as HH:MM-HH:MM in 24-hour time, e.g. 08:30-16:30") from None
    return opens, closes


def url_with_timeouts(url, seconds):
    """A Redis URL whose client gives up after `seconds` to connect and to each
    read or write (redis-py reads socket_timeout and socket_connect_timeout from
    the query string). A timeout the URL sets itself is kept."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for name in ("socket_timeout", "socket_connect_timeout"):
        query.setdefault(name, str(seconds))
    return urlunsplit(parts._replace(query=urlencode(query)))
