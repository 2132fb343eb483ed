"""Input parsing only: every field is optional here, because a draft may lack anything; the
services say what a submitted referral needs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.collation import sorted_countries
from cases.forms import CaseworkerChoiceField, FilterableCheckboxes
from cases.models import User

from .models import Exploitation, Indicator, Informed, Referral, UrgentNeed
from .services import CASEWORKER_NOT_AVAILABLE

CONSENT_CHOICES = [
    ("yes", _("Yes, the person consents to being referred")),
    ("no", _("No: send an anonymous notification")),
    ("child", _("A child (under 18): referred without the child's own consent")),
]


def _consent(value):
    return {"yes": True, "no": False, "child": "child"}.get(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ReferralForm(forms.Form):
    consent = forms.TypedChoiceField(
        label=_("Does the person consent to being referred?"),
        choices=CONSENT_CHOICES,
        coerce=_consent,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Without consent, leave out the name, date of birth and contact."),
    )
    given_name = forms.CharField(label=_("Given name"), required=False, max_length=100)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=100)
    other_names = forms.CharField(label=_("Other names used"), required=False, max_length=200)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput)
    estimated_age = forms.IntegerField(
        label=_("Estimated age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("When the date of birth is not known."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=Referral.Sex.choices, initial=Referral.Sex.UNKNOWN
    )
    citizenships = forms.MultipleChoiceField(
        label=_("Citizenships"),
        required=False,
        choices=lambda: sorted_countries(),
        widget=FilterableCheckboxes,
        help_text=_("Tick one or more; type in the box to find a country."),
    )
    languages = forms.CharField(label=_("Languages"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Where the person can be reached"), required=False, max_length=300)
    met_on = forms.DateField(label=_("Met on"), required=False, widget=DateInput)
    met_place = forms.CharField(label=_("Place where the person was met"), required=False, max_length=200)
    indicators = forms.MultipleChoiceField(
        label=_("Indicators observed"),
        required=False,
        choices=Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators_notes = forms.CharField(
        label=_("What was observed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    forms_of_exploitation = forms.MultipleChoiceField(
        label=_("Suspected forms of exploitation"),
        required=False,
        choices=Exploitation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    country_of_exploitation = forms.ChoiceField(
        label=_("Country of exploitation"), required=False, choices=lambda: [("", "—"), *sorted_countries()]
    )
    informed = forms.MultipleChoiceField(
        label=_("Who was informed of the child's referral"),
        required=False,
        choices=Informed.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a child referred without their own consent."),
    )
    informed_details = forms.CharField(
        label=_("Who was informed, and when"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("E.g. the name of the orphan's court and the date it was told."),
    )
    urgent_needs = forms.MultipleChoiceField(
        label=_("Urgent needs"),
        required=False,
        choices=UrgentNeed.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    IDENTITY = (
        "given_name",
        "family_name",
        "other_names",
        "date_of_birth",
        "estimated_age",
        "sex",
        "citizenships",
        "languages",
    )
    CONTACT = ("phone", "email", "address")
    CIRCUMSTANCES = (
        "met_on",
        "met_place",
        "indicators",
        "indicators_notes",
        "forms_of_exploitation",
        "country_of_exploitation",
        "urgent_needs",
    )

    # Optional for a draft, needed to submit: marked as required before the first submit.
    NEEDED_TO_SUBMIT = ("consent", "met_on", "met_place", "indicators", "forms_of_exploitation")

    CHILD = ("informed", "informed_details")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.NEEDED_TO_SUBMIT:
            self.fields[name].needed_to_submit = True

    def clean(self):
        cleaned = super().clean()
        # "A child, without the child's own consent" is no consent of the person, and never an
        # anonymous notification (the services check the age and who was informed).
        child = cleaned.get("consent") == "child"
        if child:
            cleaned["consent"] = False
        cleaned["child_without_consent"] = child
        return cleaned

    @classmethod
    def initial_from(cls, referral: Referral) -> dict:
        initial = {name: getattr(referral, name) for name in cls.base_fields}
        initial["citizenships"] = [c.code for c in referral.citizenships]
        initial["country_of_exploitation"] = referral.country_of_exploitation.code or ""
        initial["consent"] = (
            "child" if referral.child_without_consent else {True: "yes", False: "no"}.get(referral.consent)
        )
        return initial

    @classmethod
    def data_from(cls, referral: Referral) -> dict:
        """The draft as if posted, to bind the form to it."""
        data = {}
        for name, value in cls.initial_from(referral).items():
            if value is None:
                data[name] = ""
            elif isinstance(value, list):
                data[name] = value
            else:
                data[name] = str(value)
        return data

    def answers(self) -> list[tuple[str, list[dict]]]:
        """The answers to check, by section: label, the value as read, and the field's anchor."""
        from django.utils.formats import date_format

        sections = [
            (_("Consent"), ("consent", *self.CHILD)),
            (_("The person"), self.IDENTITY),
            (_("Contact"), self.CONTACT),
            (_("What was observed"), self.CIRCUMSTANCES),
        ]
        result = []
        for title, names in sections:
            rows = []
            for name in names:
                bound, field = self[name], self.fields[name]
                value = bound.value()
                if isinstance(value, (list, tuple)):
                    labels = dict(field.choices)
                    shown = [str(labels.get(v, v)) for v in value]
                elif hasattr(value, "isoformat"):
                    shown = [date_format(value, "SHORT_DATE_FORMAT")]
                elif value in (None, ""):
                    shown = []
                elif getattr(field, "choices", None):
                    shown = [str(dict(field.choices).get(value, value))]
                else:
                    shown = [str(value)]
                anchor = (
                    f"{bound.auto_id}_0"
                    if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
                    else bound.id_for_label
                )
                rows.append({"name": name, "label": field.label, "values": shown, "anchor": anchor})
            result.append((title, rows))
        return result

    def group(self, names):
        return [self[name] for name in names]

    @property
    def child_fields(self):
        return self.group(self.CHILD)

    @property
    def identity_fields(self):
        return self.group(self.IDENTITY)

    @property
    def contact_fields(self):
        return self.group(self.CONTACT)

    @property
    def circumstance_fields(self):
        return self.group(self.CIRCUMSTANCES)


class AcceptForm(forms.Form):
    caseworker = CaseworkerChoiceField(
        label=_("Caseworker"),
        queryset=User.objects.none(),
        empty_label=_("Choose…"),
        required=False,
        error_messages={"invalid_choice": CASEWORKER_NOT_AVAILABLE},
    )
    person = forms.TypedChoiceField(
        label=_("Attach to"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        choices=[("", _("A new person"))],
    )

    def __init__(self, *args, caseworkers=None, people=(), proposed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if caseworkers is not None:
            self.fields["caseworker"].queryset = caseworkers
        choices = [("", _("A new person"))]
        for person in people:
            born = person.date_of_birth.isoformat() if person.date_of_birth else _("date of birth unknown")
            label = f"{person.display_name} ({born})"
            if proposed is not None and person.pk == proposed.pk:
                label = _("%(person)s: proposed, the same name and date of birth") % {"person": label}
            choices.append((person.pk, label))
        self.fields["person"].choices = choices
        # An exact match of name and date of birth is proposed rather than a new person.
        self.fields["person"].initial = proposed.pk if proposed is not None else ""


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The referrer sees this reason."),
    )
