"""The numbers of the reflection period; the arithmetic is cases.periods (docs/domain.md, "The
limits")."""

from __future__ import annotations

import datetime

from cases import periods

# "a reflection period of 30 days" for a third-country national (docs/domain.md).
REFLECTION_PERIOD_DAYS = 30
# The job warns this many days before a reflection period's last day.
REFLECTION_WARN_DAYS_BEFORE = 5


def reflection_period_last_day(start: datetime.date) -> datetime.date:
    return periods.last_day(start, REFLECTION_PERIOD_DAYS)
