"""Response targets in business days: how long an applicant has waited, and
when an answer is late. Pure functions over dates and times (no database).

A business day is a Monday to Friday that is not one of the configured
holidays (settings.RESPONSE_TARGET_HOLIDAYS). Days are the office's days:
every instant is read as a date in settings.TIME_ZONE, whatever time zone the
request runs in.

The clock of a message starts on the day it is *received*: its own date when
that is a business day, otherwise the next business day (a message written on
Saturday is received on Monday, so a weekend does not count against the
office). Then:

- ``business_days_between(start, now)`` is the number of business days after
  the received day, up to and including ``now``'s date. A message received on
  Monday has waited 0 business days on Monday, 1 on Tuesday, 3 on Thursday;
  a message written on Friday evening has waited 1 business day on Monday.
- With a target of N business days (settings.RESPONSE_TARGET_BUSINESS_DAYS),
  a conversation is past the target when it has waited more than N business
  days: an answer is due by the end of the Nth business day after the
  received day (``due_by``; with N = 0, the received day itself), and is late
  from the next business day on. A weekend or holiday after the due date does
  not make it late before the office reopens.
- ``overdue_threshold(now)`` turns that rule into one instant T for a
  database query: ``awaiting_reply_since < T`` exactly when
  ``business_days_between(awaiting_reply_since, now) > N``.
"""

import datetime
from collections.abc import Collection
from zoneinfo import ZoneInfo

from django.conf import settings

ONE_DAY = datetime.timedelta(days=1)


def _holidays(holidays: Collection[datetime.date] | None) -> frozenset[datetime.date]:
    return frozenset(settings.RESPONSE_TARGET_HOLIDAYS if holidays is None else holidays)


def _target(target_days: int | None) -> int:
    return settings.RESPONSE_TARGET_BUSINESS_DAYS if target_days is None else target_days


def _office_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime.datetime) -> datetime.date:
    """The office's date of an aware instant (settings.TIME_ZONE)."""
    return moment.astimezone(_office_zone()).date()


def day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of an office day, as an aware datetime.

    Midnight, or, where a daylight-saving change skips midnight, the moment the
    clocks jump (fold=0 reads a skipped or repeated wall time with the offset
    in force before the change, which is the day's first instant both times)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=_office_zone())


def is_business_day(day: datetime.date, *, holidays: Collection[datetime.date] | None = None) -> bool:
    return day.weekday() < 5 and day not in _holidays(holidays)


def _next_business_day(day: datetime.date, holidays: frozenset[datetime.date]) -> datetime.date:
    """The first business day strictly after `day`."""
    day += ONE_DAY
    while not is_business_day(day, holidays=holidays):
        day += ONE_DAY
    return day


def _previous_business_day(day: datetime.date, holidays: frozenset[datetime.date]) -> datetime.date:
    """The last business day strictly before `day`."""
    day -= ONE_DAY
    while not is_business_day(day, holidays=holidays):
        day -= ONE_DAY
    return day


def received_on(start: datetime.datetime, *, holidays: Collection[datetime.date] | None = None) -> datetime.date:
    """The business day a message written at `start` counts as received: its
    office date if that is a business day, otherwise the next business day."""
    chosen = _holidays(holidays)
    day = local_date(start)
    return day if is_business_day(day, holidays=chosen) else _next_business_day(day, chosen)


def _weekdays_through(day: datetime.date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) to `day`, inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def business_days_between(
    start: datetime.datetime, now: datetime.datetime, *, holidays: Collection[datetime.date] | None = None
) -> int:
    """Whole business days an applicant who wrote at `start` has waited at
    `now`: the business days after the received day, up to and including
    now's office date (0 when now is on or before the received day)."""
    chosen = _holidays(holidays)
    first = received_on(start, holidays=chosen)
    last = local_date(now)
    if last <= first:
        return 0
    weekday_holidays = sum(1 for day in chosen if first < day <= last and day.weekday() < 5)
    return _weekdays_through(last) - _weekdays_through(first) - weekday_holidays


def due_by(
    start: datetime.datetime,
    *,
    target_days: int | None = None,
    holidays: Collection[datetime.date] | None = None,
) -> datetime.date:
    """The last business day on which an answer to a message written at
    `start` is within the target: the Nth business day after the received day."""
    chosen = _holidays(holidays)
    day = received_on(start, holidays=chosen)
    for _ in range(_target(target_days)):
        day = _next_business_day(day, chosen)
    return day


def overdue_threshold(
    now: datetime.datetime,
    *,
    target_days: int | None = None,
    holidays: Collection[datetime.date] | None = None,
) -> datetime.datetime:
    """The aware instant T such that a wait that started before T is past the
    target at `now`: ``start < T`` exactly when
    ``business_days_between(start, now) > target``.

    Why: let b1 be the last business day on or before now's date, b2 the one
    before it, and so on. A wait received on day r is past the target when
    more than N business days lie after r up to today, that is when r is
    before b(N+1). r is the first business day on or after the start's date,
    so that holds exactly when the start's date is on or before b(N+2). T is
    therefore the first instant of the day after b(N+2)."""
    chosen = _holidays(holidays)
    day = local_date(now) + ONE_DAY
    for _ in range(_target(target_days) + 2):
        day = _previous_business_day(day, chosen)
    return day_start(day + ONE_DAY)
