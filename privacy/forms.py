from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LegalHold


class LegalHoldForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of hold"), choices=LegalHold.Kind.choices)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("For example the number of the criminal proceedings or of the claim."),
    )


class LiftHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for lifting"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ErasureProposeForm(forms.Form):
    received_on = forms.DateField(
        label=_("Request received on"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    reason = forms.CharField(
        label=_("What the person asked"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class ErasureDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve: anonymise the case now")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    refusal_reason = forms.CharField(
        label=_("Reason for refusing"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
