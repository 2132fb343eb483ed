"""Input parsing for the course, consultation and court-support pages; the rules live in services."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.forms import AmountConfirmMixin, AmountField, DecimalCommaField

from .models import RehabilitationCourse, SpecialistKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


HOURS_NOT_A_NUMBER = _("Enter the hours as a number in quarter hours, e.g. 1,5 or 1.5.")


def _date(label=_("Date"), **kwargs):
    return forms.DateField(label=label, widget=DateInput, initial=timezone.localdate, **kwargs)


def _hours(label=_("Hours")):
    # A text box, not a number box: "1,5" is accepted in every language (cases.forms).
    return DecimalCommaField(
        label=label,
        max_digits=5,
        decimal_places=2,
        help_text=_("In quarter hours: 0.25, 0.50, 0.75, 1.00 …"),
        error_messages={"invalid": HOURS_NOT_A_NUMBER},
    )


def _notes():
    return forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the caseworker and the NGO's coordinators only."),
    )


def _specialist():
    return forms.ChoiceField(label=_("Specialist"), choices=SpecialistKind.choices)


class Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)


class CourseStartForm(Form):
    start_date = _date(_("Start date"))


class CourseEndForm(Form):
    status = forms.ChoiceField(
        label=_("How the course ended"),
        choices=[
            (RehabilitationCourse.Status.COMPLETED, RehabilitationCourse.Status.COMPLETED.label),
            (RehabilitationCourse.Status.ENDED_EARLY, RehabilitationCourse.Status.ENDED_EARLY.label),
        ],
        widget=forms.RadioSelect,
    )
    ended_on = _date(_("Last day of the course"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the course ended early."),
    )


class PlanForm(Form):
    goals = forms.CharField(label=_("Goals"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    social_worker = forms.IntegerField(
        label=_("Planned consultations: social worker"), min_value=0, max_value=500, initial=0
    )
    psychologist = forms.IntegerField(
        label=_("Planned consultations: psychologist"), min_value=0, max_value=500, initial=0
    )
    lawyer = forms.IntegerField(
        label=_("Planned consultations: lawyer"), min_value=0, max_value=500, initial=0
    )
    medical = forms.IntegerField(
        label=_("Planned consultations: medical practitioner"), min_value=0, max_value=500, initial=0
    )
    other = forms.IntegerField(
        label=_("Planned consultations: other specialist"), min_value=0, max_value=500, initial=0
    )

    KINDS = {
        SpecialistKind.SOCIAL_WORKER: "social_worker",
        SpecialistKind.PSYCHOLOGIST: "psychologist",
        SpecialistKind.LAWYER: "lawyer",
        SpecialistKind.MEDICAL: "medical",
        SpecialistKind.OTHER: "other",
    }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"goals": data["goals"], "planned": {kind: data[name] for kind, name in self.KINDS.items()}}


class CourseServiceForm(Form):
    date = _date()
    specialist = _specialist()
    hours = _hours(_("Duration (hours)"))
    notes = _notes()


class MaterialAssistanceForm(AmountConfirmMixin, Form):
    date = _date()
    description = forms.CharField(label=_("Description"), max_length=300)
    amount_eur = AmountField(label=_("Amount in total (EUR)"))


class PostCourseConsultationForm(Form):
    date = _date()
    specialist = _specialist()
    notes = _notes()


class FamilyMemberForm(Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    relationship = forms.CharField(label=_("Relationship to the victim"), max_length=100)


class FamilyConsultationForm(Form):
    family_member = forms.ModelChoiceField(label=_("Family member"), queryset=None)
    date = _date()
    specialist = _specialist()
    notes = _notes()

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family_member"].queryset = members


class CourtSupportForm(Form):
    date = _date()
    hours = _hours()
    activity = forms.CharField(
        label=_("Activity"), max_length=300, help_text=_("E.g. accompanied the victim to a hearing.")
    )
