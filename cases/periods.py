"""The date arithmetic of every period with a legal length (the rehabilitation course, the
reflection period, the years after the course), in one place. The apps hold the numbers
(`services.limits`, `rehabilitation.limits`); none of them computes a period's dates by itself.

All dates are calendar dates in Europe/Riga. "N days" counts the start day as day 1, so the last
permitted day is start + (N - 1) days (docs/domain.md, "The limits").
"""

from __future__ import annotations

import datetime


def last_day(start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of `days` days that begins on `start` (day 1)."""
    if days < 1:
        raise ValueError("a period lasts at least one day")
    return start + datetime.timedelta(days=days - 1)


def day_number(start: datetime.date, on: datetime.date) -> int:
    """Which day of the period `on` is: the start day is day 1 (0 or less: not yet begun)."""
    return (on - start).days + 1


def days_remaining(last: datetime.date, today: datetime.date) -> int:
    """Whole days still to come after today, up to and including the last day (0 on the last day
    and after it)."""
    return max((last - today).days, 0)


def has_ended(last: datetime.date, today: datetime.date) -> bool:
    """True from the day after the last day (day N + 1) on."""
    return today > last


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
