from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .models import SecurityEvent

DATE_OUT_OF_RANGE = _("Give a date between the years %(first)s and %(last)s.")
PERIOD_REVERSED = _("The period cannot end before it starts.")
CURRENT_CODE_WRONG = _("That code is not right. Type the 6 digits your authenticator app shows now.")
PASSWORD_WRONG = _("Your password was entered incorrectly. Please enter it again.")
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


def _needs_code(user) -> bool:
    from django_otp import user_has_device

    return bool(settings.OTP_REQUIRED and user_has_device(user, confirmed=True))


def _check_current_code(user, token: str) -> None:
    """A code the authenticator app shows now (not a recovery code: whoever holds a stolen
    session and a printed code must not get further than the session itself)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = (token or "").strip().replace(" ", "")
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if token.isdigit() and device.verify_token(token):
            return
    raise forms.ValidationError(CURRENT_CODE_WRONG, code="code_wrong")


def _code_field():
    return forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeWithCodeForm(PasswordChangeForm):
    """Django's password change (the current password first), plus a current code when the
    account uses two-factor authentication."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        if _needs_code(user):
            self.fields["token"] = _code_field()

    def clean_token(self):
        _check_current_code(self.user, self.cleaned_data.get("token", ""))
        return ""


class ReauthForm(forms.Form):
    """The current password and a current code, before a change that would let a thief stay."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if _needs_code(user):
            self.fields["token"] = _code_field()

    def clean_password(self):
        password = self.cleaned_data.get("password", "")
        if not self.user.check_password(password):
            raise forms.ValidationError(PASSWORD_WRONG, code="password_incorrect")
        return password

    def clean_token(self):
        _check_current_code(self.user, self.cleaned_data.get("token", ""))
        return ""
