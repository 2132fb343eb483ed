"""Working days in Latvia: Monday to Friday, without the public holidays of the Law on Public
Holidays, Commemoration Days and Celebration Days (with its rule that 4 May and 18 November,
falling on a weekend, move the day off to the next Monday)."""

from __future__ import annotations

import datetime
from functools import lru_cache

# How long a referral may wait for the intake decision before it is flagged.
INTAKE_WORKING_DAYS = 3


def _easter_sunday(year: int) -> datetime.date:
    # The anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@lru_cache(maxsize=64)
def latvian_public_holidays(year: int) -> frozenset[datetime.date]:
    fixed = [(1, 1), (5, 1), (5, 4), (6, 23), (6, 24), (11, 18), (12, 24), (12, 25), (12, 26), (12, 31)]
    days = {datetime.date(year, m, d) for m, d in fixed}
    easter = _easter_sunday(year)
    days |= {easter - datetime.timedelta(days=2), easter + datetime.timedelta(days=1)}
    for month, day in ((5, 4), (11, 18)):
        holiday = datetime.date(year, month, day)
        if holiday.weekday() >= 5:
            days.add(holiday + datetime.timedelta(days=7 - holiday.weekday()))
    return frozenset(days)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in latvian_public_holidays(day.year)


def working_days_after(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            count += 1
        day += datetime.timedelta(days=1)
    return count


def overdue_cutoff(today: datetime.date, limit: int = INTAKE_WORKING_DAYS) -> datetime.date:
    """The latest day a referral can have been submitted on and be overdue today.

    Submitted on day S, it is overdue once more than `limit` working days have passed since S:
    working_days_after(S, today) > limit.
    """
    day = today
    passed = 0
    while True:
        if is_working_day(day):
            passed += 1
        day -= datetime.timedelta(days=1)
        if passed > limit:
            return day
