"""Response targets in business days (intake/business_days.py): how long an
applicant has waited, when an answer is due, and the instant the queue's
database query compares `awaiting_reply_since` with.

Dates in 2025: 31 October is a Friday; Toronto leaves daylight time on
Sunday 2 November and enters it on Sunday 9 March; 25 and 26 December are a
Thursday and a Friday.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.business_days import (
    business_days_between,
    day_start,
    due_by,
    is_business_day,
    overdue_threshold,
    received_on,
)

TORONTO = ZoneInfo("America/Toronto")
UTC = datetime.UTC
CHRISTMAS = [datetime.date(2025, 12, 25), datetime.date(2025, 12, 26)]
NO_HOLIDAYS: list[datetime.date] = []


@pytest.fixture(autouse=True)
def office_in_toronto(settings):
    # The product's default zone, set here so a developer's .env cannot move the dates.
    settings.TIME_ZONE = "America/Toronto"
    settings.RESPONSE_TARGET_BUSINESS_DAYS = 2
    settings.RESPONSE_TARGET_HOLIDAYS = []


def toronto(year, month, day, hour=12, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TORONTO)


def day(month, number, year=2025):
    return datetime.date(year, month, number)


# Waiting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "waited"),
    [
        (toronto(2025, 11, 3, 16), 0),  # Monday, the same day
        (toronto(2025, 11, 4, 8), 1),  # Tuesday
        (toronto(2025, 11, 5, 23, 59), 2),  # Wednesday, last minute
        (toronto(2025, 11, 6, 0, 0), 3),  # Thursday, first minute
        (toronto(2025, 11, 10, 9), 5),  # the next Monday: the weekend does not count
    ],
)
def test_waiting_counts_the_business_days_after_the_day_received(now, waited):
    assert business_days_between(toronto(2025, 11, 3, 10), now) == waited


def test_a_weekend_in_between_does_not_count():
    thursday = toronto(2025, 11, 6, 10)

    assert business_days_between(thursday, toronto(2025, 11, 8)) == 1  # Saturday: only Friday so far
    assert business_days_between(thursday, toronto(2025, 11, 9)) == 1  # Sunday
    assert business_days_between(thursday, toronto(2025, 11, 10)) == 2  # Monday
    assert business_days_between(thursday, toronto(2025, 11, 11)) == 3  # Tuesday


def test_a_holiday_in_between_does_not_count():
    christmas_eve = toronto(2025, 12, 24, 10)

    assert business_days_between(christmas_eve, toronto(2025, 12, 29), holidays=CHRISTMAS) == 1
    assert business_days_between(christmas_eve, toronto(2025, 12, 31), holidays=CHRISTMAS) == 3
    assert business_days_between(christmas_eve, toronto(2025, 12, 29), holidays=NO_HOLIDAYS) == 3


def test_holidays_come_from_the_setting_by_default(settings):
    settings.RESPONSE_TARGET_HOLIDAYS = CHRISTMAS

    assert business_days_between(toronto(2025, 12, 24, 10), toronto(2025, 12, 29)) == 1
    assert not is_business_day(day(12, 25))
    assert is_business_day(day(12, 25), holidays=NO_HOLIDAYS)


def test_a_message_written_on_saturday_is_received_on_monday():
    saturday = toronto(2025, 11, 8, 11)

    assert received_on(saturday) == day(11, 10)
    assert business_days_between(saturday, toronto(2025, 11, 8, 18)) == 0
    assert business_days_between(saturday, toronto(2025, 11, 10, 17)) == 0  # Monday
    assert business_days_between(saturday, toronto(2025, 11, 11, 9)) == 1  # Tuesday


def test_a_message_written_on_a_holiday_is_received_on_the_next_business_day():
    christmas = toronto(2025, 12, 25, 9)

    assert received_on(christmas, holidays=CHRISTMAS) == day(12, 29)
    assert business_days_between(christmas, toronto(2025, 12, 29, 16), holidays=CHRISTMAS) == 0
    assert business_days_between(christmas, toronto(2025, 12, 30, 9), holidays=CHRISTMAS) == 1


def test_late_friday_in_toronto_is_friday_even_when_utc_says_saturday():
    late_friday = toronto(2025, 11, 7, 23, 30)  # 04:30 on Saturday in UTC
    saturday = toronto(2025, 11, 8, 0, 30)
    monday = toronto(2025, 11, 10, 9)

    assert late_friday.astimezone(UTC).date() == day(11, 8)
    assert received_on(late_friday) == day(11, 7)
    assert business_days_between(late_friday, monday) == 1
    assert business_days_between(saturday, monday) == 0


def test_the_office_zone_counts_not_the_request_zone():
    start, now = toronto(2025, 11, 7, 23, 30), toronto(2025, 11, 10, 9)

    with timezone.override(ZoneInfo("Asia/Tokyo")):
        assert business_days_between(start, now) == 1
        assert received_on(start) == day(11, 7)


def test_now_before_the_day_received_has_waited_nothing():
    assert business_days_between(toronto(2025, 11, 5), toronto(2025, 11, 3)) == 0


def test_a_long_wait_is_counted_without_walking_every_day():
    start = toronto(2024, 1, 2, 10)  # a Tuesday

    # To Tuesday 30 December 2025: 104 weeks; then Wednesday to Friday 2
    # January 2026; minus Christmas 2025 (Christmas 2024 is not in the list).
    assert business_days_between(start, toronto(2026, 1, 2), holidays=CHRISTMAS) == 104 * 5 + 3 - 2


# Due by -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "start", "expected"),
    [
        (0, toronto(2025, 11, 3, 10), day(11, 3)),  # Monday: the same day
        (1, toronto(2025, 11, 3, 10), day(11, 4)),
        (2, toronto(2025, 11, 3, 10), day(11, 5)),
        (2, toronto(2025, 11, 6, 10), day(11, 10)),  # Thursday: over the weekend
        (0, toronto(2025, 11, 8, 10), day(11, 10)),  # Saturday: Monday
        (1, toronto(2025, 11, 8, 10), day(11, 11)),
        (2, toronto(2025, 11, 7, 23, 30), day(11, 11)),  # late Friday
    ],
)
def test_due_by(target, start, expected):
    assert due_by(start, target_days=target) == expected


def test_due_by_skips_holidays():
    assert due_by(toronto(2025, 12, 24, 10), target_days=2, holidays=CHRISTMAS) == day(12, 30)
    assert due_by(toronto(2025, 12, 24, 10), target_days=2, holidays=NO_HOLIDAYS) == day(12, 26)


def test_due_by_reads_the_target_setting(settings):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = 1

    assert due_by(toronto(2025, 11, 3, 10)) == day(11, 4)


# Overdue threshold --------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "threshold"),
    [
        (0, toronto(2025, 11, 5, 0, 0)),  # anything received before today
        (1, toronto(2025, 11, 4, 0, 0)),
        (2, toronto(2025, 11, 1, 0, 0)),  # Saturday: received Friday or earlier; Friday was daylight time
    ],
)
def test_overdue_threshold_on_a_wednesday(target, threshold):
    found = overdue_threshold(toronto(2025, 11, 5, 12), target_days=target)

    assert found == threshold
    assert found.utcoffset() is not None


def test_overdue_threshold_across_the_autumn_clock_change():
    # Wednesday 5 November is standard time (UTC-5); the threshold, the first
    # instant of Saturday 1 November, is still daylight time (UTC-4).
    found = overdue_threshold(toronto(2025, 11, 5, 12), target_days=2)

    assert found.astimezone(UTC) == datetime.datetime(2025, 11, 1, 4, 0, tzinfo=UTC)
    friday_evening = toronto(2025, 10, 31, 20)  # Saturday 00:00 in UTC
    assert friday_evening < found
    assert business_days_between(friday_evening, toronto(2025, 11, 5, 12)) == 3
    assert business_days_between(friday_evening, toronto(2025, 11, 4, 12)) == 2


def test_overdue_threshold_across_the_spring_clock_change():
    tuesday = toronto(2025, 3, 11, 9)

    assert overdue_threshold(tuesday, target_days=0).astimezone(UTC) == datetime.datetime(2025, 3, 11, 4, tzinfo=UTC)
    assert overdue_threshold(tuesday, target_days=1).astimezone(UTC) == datetime.datetime(2025, 3, 8, 5, tzinfo=UTC)


def test_overdue_threshold_skips_holidays_and_reads_the_settings(settings):
    settings.RESPONSE_TARGET_HOLIDAYS = CHRISTMAS
    settings.RESPONSE_TARGET_BUSINESS_DAYS = 1
    monday = toronto(2025, 12, 29, 9)

    # Business days back from Monday 29 December: the 29th, the 24th, the 23rd.
    assert overdue_threshold(monday) == toronto(2025, 12, 24, 0, 0)
    assert business_days_between(toronto(2025, 12, 23, 17), monday) == 2
    assert business_days_between(toronto(2025, 12, 24, 9), monday) == 1


def test_at_the_weekend_nothing_new_becomes_overdue():
    friday, saturday, sunday = toronto(2025, 11, 7, 17), toronto(2025, 11, 8, 12), toronto(2025, 11, 9, 12)

    assert overdue_threshold(friday, target_days=2) == overdue_threshold(saturday, target_days=2)
    assert overdue_threshold(saturday, target_days=2) == overdue_threshold(sunday, target_days=2)


@override_settings(TIME_ZONE="Africa/Cairo")
def test_a_day_starts_when_the_clocks_skip_midnight():
    # Cairo's clocks jump from 00:00 to 01:00 on Friday 25 April 2025.
    friday = day_start(day(4, 25))
    just_before = friday.astimezone(UTC) - datetime.timedelta(microseconds=1)
    cairo = ZoneInfo("Africa/Cairo")

    assert friday.astimezone(UTC) == datetime.datetime(2025, 4, 24, 22, 0, tzinfo=UTC)
    assert friday.astimezone(UTC).astimezone(cairo).date() == day(4, 25)
    assert just_before.astimezone(cairo).date() == day(4, 24)
    assert overdue_threshold(datetime.datetime(2025, 4, 25, 12, tzinfo=cairo), target_days=0) == friday


# The rule the database query relies on ----------------------------------------


def waited_day_by_day(start, now, holidays, zone):
    """The definition, walked one day at a time: business days after the day
    received, up to and including now's date."""
    first = start.astimezone(zone).date()
    while first.weekday() >= 5 or first in holidays:
        first += datetime.timedelta(days=1)
    last, count, current = now.astimezone(zone).date(), 0, first + datetime.timedelta(days=1)
    while current <= last:
        count += current.weekday() < 5 and current not in holidays
        current += datetime.timedelta(days=1)
    return count


YEAR_START = datetime.datetime(2025, 1, 1, tzinfo=UTC)
ZONES = ["America/Toronto", "America/St_Johns", "America/Vancouver", "Africa/Cairo", "Pacific/Auckland"]


@settings(max_examples=600, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    target=st.integers(min_value=0, max_value=6),
    start_seconds=st.integers(min_value=0, max_value=365 * 86400),
    wait_seconds=st.integers(min_value=-2 * 86400, max_value=30 * 86400),
    holiday_offsets=st.sets(st.integers(min_value=-10, max_value=40), max_size=8),
)
def test_start_before_the_threshold_exactly_when_waited_past_the_target(
    zone_name, target, start_seconds, wait_seconds, holiday_offsets
):
    start = YEAR_START + datetime.timedelta(seconds=start_seconds)
    now = start + datetime.timedelta(seconds=wait_seconds)
    zone = ZoneInfo(zone_name)
    holidays = {start.astimezone(zone).date() + datetime.timedelta(days=offset) for offset in holiday_offsets}

    with override_settings(TIME_ZONE=zone_name):
        waited = business_days_between(start, now, holidays=holidays)
        threshold = overdue_threshold(now, target_days=target, holidays=holidays)
        due = due_by(start, target_days=target, holidays=holidays)

    assert waited == waited_day_by_day(start, now, holidays, zone)
    assert (start < threshold) == (waited > target)
    # Past the target exactly when a business day after the due date has begun.
    business_days_after_due = waited_day_by_day(noon_on(due, zone), now, holidays, zone)
    assert (waited > target) == (business_days_after_due > 0)


def noon_on(day_, zone):
    return datetime.datetime.combine(day_, datetime.time(12), tzinfo=zone)
