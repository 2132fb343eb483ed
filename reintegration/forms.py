"""Input parsing and widgets only; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import AmountConfirmMixin, AmountField
from cases.models import Organisation

from .models import ConsentGiven, EmploymentMeasure, LegalBasis, NeedCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class ReferForm(forms.Form):
    partner = PartnerChoiceField(
        label=_("Partner"), queryset=Organisation.objects.none(), empty_label=_("Choose…")
    )
    needs_note = forms.CharField(
        label=_("The victim's needs"),
        help_text=_("Addressed to the partner: they read this note and nothing else of the case file."),
        widget=TEXT,
        max_length=4000,
    )
    # Optional here: the service says what each basis needs, with its message on the field.
    legal_basis = forms.ChoiceField(
        label=_("Legal basis for sharing"),
        choices=LegalBasis.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    consent_given_on = forms.DateField(label=_("Consent given on"), required=False, widget=DATE)
    consent_how = forms.ChoiceField(
        label=_("How the consent was given"),
        choices=[("", _("Choose…")), *ConsentGiven.choices],
        required=False,
    )
    consent_covers = forms.CharField(
        label=_("What the consent covers"),
        help_text=_("Which data may be shared with this partner, and for what."),
        required=False,
        widget=TEXT,
        max_length=2000,
    )
    other_basis = forms.CharField(
        label=_("Or: the other legal basis"),
        help_text=_("Only a coordinator shares without consent; name the law and its article."),
        required=False,
        widget=TEXT,
        max_length=2000,
    )

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is not None:
            self.fields["partner"].queryset = partners
        self.fields["legal_basis"].needed_to_submit = True


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Consent withdrawn on"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("Note"),
        help_text=_("How the person withdrew it; kept in the case file."),
        required=False,
        widget=TEXT,
        max_length=2000,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing"), widget=TEXT, max_length=2000)


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        help_text=_("Closing your part ends your access to this case."),
        widget=TEXT,
        max_length=2000,
    )


class NeedForm(AmountConfirmMixin, forms.Form):
    category = forms.ChoiceField(label=_("Need"), choices=NeedCategory.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    amount_eur = AmountField(
        label=_("Amount per month (EUR)"),
        help_text=_("What the need costs each month; the page shows the total beside it."),
    )
    period_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    period_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    months = forms.IntegerField(
        label=_("Or: months"), required=False, help_text=_("Give either the dates or the number of months.")
    )


class AssistanceForm(AmountConfirmMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of assistance"), choices=NeedCategory.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    amount_eur = AmountField(label=_("Amount in total (EUR)"))
    granted_from = forms.DateField(label=_("From"), widget=DATE)
    granted_to = forms.DateField(label=_("To"), required=False, widget=DATE)


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=EmploymentMeasure.Kind.choices)
    started_on = forms.DateField(label=_("Date or start date"), widget=DATE)
    ended_on = forms.DateField(label=_("End date"), required=False, widget=DATE)
    course = forms.CharField(
        label=_("Course"), required=False, max_length=200, help_text=_("For occupational training.")
    )
    provider = forms.CharField(
        label=_("Provider"), required=False, max_length=200, help_text=_("For occupational training.")
    )
    employer = forms.CharField(
        label=_("Employer"), required=False, max_length=200, help_text=_("For a job placement.")
    )
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=300)


class ConsultationForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    participants = forms.CharField(label=_("Participants"), max_length=500)
    topic = forms.CharField(label=_("Topic"), max_length=300)
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=TEXT, max_length=4000
    )
