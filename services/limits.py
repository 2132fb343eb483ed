"""The date arithmetic of the limits, in one place (../shared/DOMAIN.md, "The limits, exactly").

All dates are calendar dates in Europe/Riga. "N days" counts the start day as day 1, so the last
permitted day is start + (N - 1) days. The pages, the API and the periodic jobs (the limits issue)
all call these functions; none of them computes a limit's dates by itself.
"""

from __future__ import annotations

import datetime

# [seed] "a reflection period of 30 days" for a third-country national.
REFLECTION_PERIOD_DAYS = 30
# The job warns this many days before a reflection period's last day (DOMAIN.md).
REFLECTION_WARN_DAYS_BEFORE = 5


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


def reflection_period_last_day(start: datetime.date) -> datetime.date:
    return last_day(start, REFLECTION_PERIOD_DAYS)


def reflection_period_warn_on(start: datetime.date) -> datetime.date:
    """The day the job warns that a reflection period is about to end."""
    return reflection_period_last_day(start) - datetime.timedelta(days=REFLECTION_WARN_DAYS_BEFORE)
