"""The numbers of the state-paid course and its entitlements (docs/domain.md, "The limits"); the
date arithmetic is cases.periods. The models, the services, the pages, the API and the periodic
job call these and compute no limit date by themselves.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal

from cases import periods

# Social rehabilitation "not exceeding 180 days".
COURSE_DAYS = 180
# The job warns this many days before the course's last day.
COURSE_WARN_DAYS_BEFORE = 14
# Support during criminal proceedings "not exceeding 150 hours" per case.
COURT_SUPPORT_LIMIT = Decimal("150.00")
# The job warns at these shares of the court-support hours.
COURT_SUPPORT_WARN_AT = Decimal("0.80")
# Cabinet Regulation No 344 (2019): five one-hour consultations within two years after
# the course.
POST_COURSE_LIMIT = 5
POST_COURSE_YEARS = 2
POST_COURSE_HOURS = Decimal("1.00")
# Five consultations for the family members of a minor victim, in total.
FAMILY_CONSULTATION_LIMIT = 5
ADULT_AGE = 18
# Durations are logged in quarter hours.
QUARTER = Decimal("0.25")


def course_last_day(start: datetime.date) -> datetime.date:
    return periods.last_day(start, COURSE_DAYS)


def post_course_last_day(course_end: datetime.date) -> datetime.date:
    """The last day on which a post-course consultation may be dated: two years after the end."""
    return periods.add_years(course_end, POST_COURSE_YEARS)


def court_support_warn_threshold() -> Decimal:
    return (COURT_SUPPORT_LIMIT * COURT_SUPPORT_WARN_AT).quantize(Decimal("0.01"))


def is_quarter_hours(hours: Decimal) -> bool:
    return hours > 0 and (hours / QUARTER) == (hours / QUARTER).to_integral_value(rounding=ROUND_DOWN)


def hours_text(hours: Decimal) -> str:
    """Hours with two decimals, as the API shows them ("2.25"), whatever the language."""
    return f"{Decimal(hours).quantize(Decimal('0.01')):.2f}"


def hours_display(hours: Decimal) -> str:
    """Hours with two decimals in the reader's language ("2.25" in English, "2,25" in Latvian),
    as the pages and the messages show them."""
    from django.utils.formats import number_format

    return number_format(Decimal(hours).quantize(Decimal("0.01")), 2, use_l10n=True)
