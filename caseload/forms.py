"""Input parsing of the import: the rows the stage apps' forms do not cover, and the upload.

The fields and their messages are Django's form fields, as on the pages: a row is told what is
wrong with it in the same words a caseworker reads on the page.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.collation import sorted_countries
from cases.models import Person

YES = {"yes", "y", "true", "1", "jā", "ja", "x"}
NO = {"no", "n", "false", "0", "nē", "ne", ""}
YES_OR_NO = _("Write yes or no.")


class YesNoField(forms.Field):
    def to_python(self, value):
        text = (value or "").strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise forms.ValidationError(YES_OR_NO, code="invalid")


class ListField(forms.MultipleChoiceField):
    """A cell of several values, separated by commas or semicolons."""

    def to_python(self, value):
        if isinstance(value, str):
            value = [part.strip().upper() for part in value.replace(";", ",").split(",") if part.strip()]
        return super().to_python(value)


class NamesField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class PersonRowForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), required=False, max_length=100)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=100)
    other_names = forms.CharField(label=_("Other names used"), required=False, max_length=200)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False)
    estimated_age = forms.IntegerField(label=_("Estimated age"), required=False, min_value=0, max_value=120)
    estimated_age_on = forms.DateField(label=_("Age estimated on"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=Person.Sex.choices)
    citizenships = ListField(label=_("Citizenships"), required=False, choices=lambda: sorted_countries())
    stateless = YesNoField(label=_("Stateless"), required=False)
    languages = forms.CharField(label=_("Languages"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=2000)
    safe_contact_instructions = forms.CharField(
        label=_("Safe-contact instructions"), required=False, max_length=2000
    )

    def clean_sex(self):
        return self.cleaned_data["sex"] or Person.Sex.UNKNOWN


class CaseRowForm(forms.Form):
    person_id = forms.CharField(label=_("Person id"), max_length=64)
    opened_on = forms.DateField(label=_("Opened on"))
    caseworkers = NamesField(label=_("Caseworkers"), required=False)


class CourseRowForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("active", _("Active")),
            ("completed", _("Completed")),
            ("ended_early", _("Ended early")),
        ],
    )

    def clean_status(self):
        return self.cleaned_data["status"] or "active"


class ConsultationsRowForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("post_course", _("Post-course consultations")), ("family", _("Family consultations"))],
    )
    used = forms.IntegerField(label=_("Used"), min_value=0, max_value=50)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Caseload file"),
        help_text=_("The template filled in: an .xlsx workbook, or a .zip of one CSV file per sheet."),
    )

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 20 MB; split the caseload into several files.")
            )
        return upload
