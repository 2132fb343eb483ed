"""Input parsing for the safety pages; the rules live in services."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Organisation, RiskLevel

from .models import RiskFactor, SafetyMeasure


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _default_review() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30)


class RiskAssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One checkbox and one note per factor, in the order of RiskFactor.
        for value, label in RiskFactor.choices:
            self.fields[f"{value}_present"] = forms.BooleanField(label=label, required=False)
            self.fields[f"{value}_notes"] = forms.CharField(
                label=_("Notes: %(factor)s") % {"factor": label},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
        self.fields["level"] = forms.ChoiceField(
            label=_("Risk level"), choices=RiskLevel.choices, widget=forms.RadioSelect
        )
        self.fields["next_review_on"] = forms.DateField(
            label=_("Next review"), widget=DateInput, initial=_default_review
        )
        self.fields["notes"] = forms.CharField(
            label=_("Overall notes"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "assessed_on": data["assessed_on"],
            "level": data["level"],
            "next_review_on": data["next_review_on"],
            "notes": data["notes"],
            "factors": {f: (data[f"{f}_present"], data[f"{f}_notes"]) for f in RiskFactor.values},
        }


class SafetyMeasureForm(forms.ModelForm):
    class Meta:
        model = SafetyMeasure
        fields = ["kind", "description", "responsible", "due_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "due_on": DateInput,
        }
        help_texts = {
            "responsible": _(
                "A person or a role, e.g. the caseworker, the police contact, the person herself."
            ),
        }


class SafetyMeasureEditForm(SafetyMeasureForm):
    reason = forms.CharField(label=_("Why it changed"), required=False, max_length=500)

    class Meta(SafetyMeasureForm.Meta):
        fields = ["kind", "description", "responsible", "due_on", "done_on"]
        widgets = {**SafetyMeasureForm.Meta.widgets, "done_on": DateInput}


class InstructionsForm(forms.Form):
    instructions = forms.CharField(
        label=_("Safe-contact instructions"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown at the top of the case page, the partners' view and the PDF summary, e.g. \"never "
            'call before 18:00", "no letters to the registered address".'
        ),
    )


class DisclosureForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Partner"), queryset=Organisation.objects.none())
    reason = forms.CharField(
        label=_("Why the partner needs the contact details"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = partners


class EmergencyAccessForm(forms.Form):
    reason = forms.CharField(
        label=_("The emergency"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept in the read log and the security log; the caseworkers and the national coordinator are told."
        ),
    )
