"""Dates that cannot be true are refused wherever a date is typed (docs/decisions.md, "Dates that
cannot be true"): before 1900, or more than PLAUSIBLE_YEARS_AHEAD years from today. Each rule
about a particular date (not in the future, not before the course) stays with its service; this
catches the impossible ones (a year typed as 0202 or 20266) with a clear message on the field,
before any date arithmetic could overflow into a server error.

`install()` (CasesConfig.ready) makes `validate_plausible_date` a default validator of every date
field: Django's form and model DateField and DRF's serializer DateField, whichever app declares it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(1900, 1, 1)
# A permit's validity or a planned end lies a few years ahead; nothing lies decades ahead.
PLAUSIBLE_YEARS_AHEAD = 20

DATE_TOO_EARLY = _("%(date)s cannot be right: dates before 1900 are not accepted. Check the year.")
DATE_TOO_LATE = _(
    "%(date)s cannot be right: dates more than %(years)s years ahead are not accepted. Check the year."
)


def latest() -> datetime.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + PLAUSIBLE_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + PLAUSIBLE_YEARS_AHEAD, day=28)


def validate_plausible_date(value) -> None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        return
    if value < EARLIEST:
        raise ValidationError(DATE_TOO_EARLY, code="date_too_early", params={"date": value.isoformat()})
    if value > latest():
        raise ValidationError(
            DATE_TOO_LATE,
            code="date_too_late",
            params={"date": value.isoformat(), "years": PLAUSIBLE_YEARS_AHEAD},
        )


def _drf_validate(value) -> None:
    from rest_framework.exceptions import ValidationError as DRFValidationError

    try:
        validate_plausible_date(value)
    except ValidationError as error:
        raise DRFValidationError(error.messages) from None


def install() -> None:
    from django import forms
    from django.db import models
    from rest_framework import serializers

    for cls in (forms.DateField, models.DateField):
        if validate_plausible_date not in cls.default_validators:
            cls.default_validators = [*cls.default_validators, validate_plausible_date]

    original = serializers.DateField.__init__

    if getattr(original, "_plausible", False):
        return

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        # A ModelSerializer's field already carries the model field's validator.
        if validate_plausible_date not in self.validators:
            self.validators = [*self.validators, _drf_validate]

    __init__._plausible = True  # type: ignore[attr-defined]
    serializers.DateField.__init__ = __init__
