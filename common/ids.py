"""The one rule for ids that arrive from outside: URL paths, query strings,
JSON bodies and command-line arguments.

An id is written in ASCII digits only, without a sign, spaces, underscores or
leading zeros, and lies in 1..2³¹−1 (the range of the schema's INT keys).
Python's int() is too generous for this (`int(" 1")`, `int("1_0")`,
`int("١")` all succeed), so the text is matched first.
"""

import re

from django.urls import register_converter

from common.errors import NotFound

ID_MAX = 2**31 - 1
ID_PATTERN = "[1-9][0-9]{0,9}"
_ID_TEXT = re.compile(ID_PATTERN, re.ASCII)


def id_parse(value: object) -> int | None:
    """The id `value` stands for, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ID_TEXT.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= ID_MAX else None


def id_or_404(value: object) -> int:
    """The id, or NotFound: a malformed id is an outsider like any other."""
    number = id_parse(value)
    if number is None:
        raise NotFound()
    return number


class IdConverter:
    """`<id:name>` in URL patterns: the id rule, so `/cases/01/` is a 404 like `/cases/x/`."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        number = id_parse(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value: object) -> str:
        number = id_parse(value)
        if number is None:
            raise ValueError(value)
        return str(number)


register_converter(IdConverter, "id")
