"""Sizes and ages written the way people read them, in the page's language.

Dates themselves need no helper: the format modules (iset_messaging/formats/)
give each language one way to write them, used by every `|date` filter and
`date_format` call.
"""

import datetime

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.timesince import timesince
from django.utils.translation import gettext, npgettext, pgettext

KIB = 1024
# A number and its unit stay together on one line.
NO_BREAK_SPACE = "\xa0"


def file_size(num_bytes: int | None) -> str:
    """'10 MB' in English, '10 Mo' in French: a file size as people write it.

    Django's filesizeformat writes '10.0 MB' and, in French, '10,0 Mio'. Here
    whole numbers have no decimals and a size below 10 units keeps one
    ('2.5 MB', '2,5 Mo'); units are powers of 1,024 with their usual names
    (the attachment limit of 10 × 1,024 × 1,024 bytes is '10 MB')."""
    size = max(int(num_bytes or 0), 0)
    if size < KIB:
        return number_format(size) + NO_BREAK_SPACE + npgettext("file size unit", "byte", "bytes", size)
    units = (
        pgettext("file size unit", "KB"),
        pgettext("file size unit", "MB"),
        pgettext("file size unit", "GB"),
        pgettext("file size unit", "TB"),
    )
    value = size / KIB
    unit = 0
    # Rounded first, so that 1,023.96 KB becomes '1 MB', not '1024 KB'.
    while round(value, 1 if value < 10 else 0) >= KIB and unit < len(units) - 1:
        value /= KIB
        unit += 1
    decimals = 1 if round(value, 1) < 10 and round(value, 1) != int(round(value, 1)) else 0
    return number_format(round(value, decimals), decimal_pos=decimals) + NO_BREAK_SPACE + units[unit]


def age(moment: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """How long ago, in its largest unit: '3 days ago', 'il y a 3 jours', for
    lists that people scan. The exact date goes beside it, never instead."""
    if moment is None:
        return ""
    now = now or timezone.now()
    if (now - moment).total_seconds() < 60:
        # Under a minute, or a clock slightly ahead of ours.
        return gettext("just now")
    return gettext("%(age)s ago") % {"age": timesince(moment, now, depth=1)}
