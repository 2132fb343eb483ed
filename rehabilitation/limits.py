"""The numbers and the date arithmetic of the state-paid course (../shared/DOMAIN.md, "The limits,
exactly"), in one place: the models, the services, the pages, the API and the periodic job call
these and compute no limit date by themselves.

All dates are calendar dates in Europe/Riga. "N days" counts the start day as day 1, so the last
permitted day is start + (N - 1) days.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal

# [seed] social rehabilitation "not exceeding 180 days".
COURSE_DAYS = 180
# The job warns this many days before the course's last day.
COURSE_WARN_DAYS_BEFORE = 14
# [seed] support during criminal proceedings "not exceeding 150 hours" per case.
COURT_SUPPORT_LIMIT = Decimal("150.00")
# The job warns at these shares of the court-support hours.
COURT_SUPPORT_WARN_AT = Decimal("0.80")
# [seed] and Cabinet Regulation No 344 (2019): five one-hour consultations within two years after
# the course.
POST_COURSE_LIMIT = 5
POST_COURSE_YEARS = 2
POST_COURSE_HOURS = Decimal("1.00")
# [seed] five consultations for the family members of a minor victim, in total.
FAMILY_CONSULTATION_LIMIT = 5
ADULT_AGE = 18
# Durations are logged in quarter hours.
QUARTER = Decimal("0.25")


def last_day(start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of `days` days that begins on `start` (day 1)."""
    if days < 1:
        raise ValueError("a period lasts at least one day")
    return start + datetime.timedelta(days=days - 1)


def day_number(start: datetime.date, on: datetime.date) -> int:
    """Which day of the period `on` is: the start day is day 1 (0 or less: not yet begun)."""
    return (on - start).days + 1


def course_last_day(start: datetime.date) -> datetime.date:
    return last_day(start, COURSE_DAYS)


def course_warn_on(start: datetime.date) -> datetime.date:
    return course_last_day(start) - datetime.timedelta(days=COURSE_WARN_DAYS_BEFORE)


def days_remaining(last: datetime.date, today: datetime.date) -> int:
    """Days still to come after today up to and including the last day (0 on the last day)."""
    return max((last - today).days, 0)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def post_course_last_day(course_end: datetime.date) -> datetime.date:
    """The last day on which a post-course consultation may be dated: two years after the end."""
    return add_years(course_end, POST_COURSE_YEARS)


def court_support_warn_threshold() -> Decimal:
    return (COURT_SUPPORT_LIMIT * COURT_SUPPORT_WARN_AT).quantize(Decimal("0.01"))


def is_quarter_hours(hours: Decimal) -> bool:
    return hours > 0 and (hours / QUARTER) == (hours / QUARTER).to_integral_value(rounding=ROUND_DOWN)


def hours_text(hours: Decimal) -> str:
    """Hours with two decimals, as the messages and the API show them ("2.25")."""
    return f"{Decimal(hours).quantize(Decimal('0.01')):.2f}"
