"""Working days in Latvia: Monday to Friday, without the public holidays, with the days off
transferred by Cabinet order (and the Saturdays worked in exchange) — all from the `holidays`
package's Latvian calendar (docs/domain.md, "Working days"), not a calendar kept here."""

from __future__ import annotations

import datetime

import holidays

# How long a referral may wait for the intake decision before it is flagged.
INTAKE_WORKING_DAYS = 3

# Years fill in as they are asked for (expand=True): one calendar for every year.
_LATVIA = holidays.country_holidays("LV")


def is_working_day(day: datetime.date) -> bool:
    return bool(_LATVIA.is_working_day(day))


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
