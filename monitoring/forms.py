import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import CaseFilterForm

PERIOD_ORDER = _("The end of the period cannot be before its start; change one of the dates.")
PERIOD_TOO_LONG = _("Choose a period of at most ten years.")


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The current calendar year up to today."""
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), today


class PeriodForm(forms.Form):
    """The period of the figures; the fields are named from and to, as in /monitoring/export.csv?from=&to=."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so the fields are added here rather than declared.
        self.fields["from"] = forms.DateField(
            label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end:
            if end < start:
                self.add_error("to", PERIOD_ORDER)
            elif (end - start).days > 3660:
                self.add_error("from", PERIOD_TOO_LONG)
        return data


class ExportRequestForm(CaseFilterForm):
    """The case list's own filter: the ZIP holds the summaries of the cases it selects."""
