from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .models import SecurityEvent

DATE_OUT_OF_RANGE = _("Give a date between the years %(first)s and %(last)s.")
PERIOD_REVERSED = _("The period cannot end before it starts.")
# The log holds nothing older than the system, and a day past 9999-12-31 does not exist.
LOG_FIRST_YEAR, LOG_LAST_YEAR = 2000, 2100


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class VerifyForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class SecurityLogFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("All events")), *SecurityEvent.Kind.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def _clean_day(self, name):
        day = self.cleaned_data.get(name)
        if day is not None and not LOG_FIRST_YEAR <= day.year <= LOG_LAST_YEAR:
            raise forms.ValidationError(
                DATE_OUT_OF_RANGE % {"first": LOG_FIRST_YEAR, "last": LOG_LAST_YEAR}, code="out_of_range"
            )
        return day

    def clean_date_from(self):
        return self._clean_day("date_from")

    def clean_date_to(self):
        return self._clean_day("date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", PERIOD_REVERSED)
        return cleaned


class TwoFactorResetForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_(
            "Their authenticator and recovery codes stop working; they set up new ones at their next login."
        ),
    )


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked (Django sets it on the widget only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))
