import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Case, LegalRepresentative, Person, User


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Reference or name"), required=False, max_length=100)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *Case.Stage.choices]
    )
    status = forms.ChoiceField(
        label=_("Victim status"),
        required=False,
        choices=[("", _("All statuses")), *Case.VictimStatus.choices],
    )


class FilterableCheckboxes(forms.CheckboxSelectMultiple):
    """A long list of checkboxes (the countries) in a scrolling box; static/js/app.js adds a box
    that filters it as one types. Without the script it is the plain list: nothing needs Ctrl."""

    filterable = True


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html: in order, a True value by its name alone, a False one left out."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', str(value)))
            for name, value in attrs.items()
            if value is not False
        ),
    )


class LongSelect(forms.Select):
    """A select of many options (the caseworkers of an NGO, a hundred and more), written in Python
    instead of one template inclusion per option and per option's attributes: the same HTML as
    Django's select.html, in a fraction of the time (docs/performance.md, "The case page")."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',
                        str(option["value"]),
                        _attrs(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append(format_html("\n  </optgroup>{}", ""))
        parts.append(format_html("\n</select>{}", ""))
        return format_html_join("", "{}", ((part,) for part in parts))


class CaseworkerChoiceField(forms.ModelChoiceField):
    widget = LongSelect

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class AssignCaseworkerForm(forms.Form):
    caseworker = CaseworkerChoiceField(
        label=_("Caseworker"), queryset=User.objects.none(), empty_label=_("Choose…")
    )

    def __init__(self, *args, caseworkers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if caseworkers is not None:
            self.fields["caseworker"].queryset = caseworkers


class UnassignCaseworkerForm(forms.Form):
    caseworker = forms.ModelChoiceField(queryset=User.objects.all(), widget=forms.HiddenInput)


class CloseCaseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for closing"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class MoveStageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to stage"), choices=())
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("Choose…")), *stages]


class ReopenCaseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    caseworker = CaseworkerChoiceField(
        label=_("Assign a caseworker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
    )

    def __init__(self, *args, caseworkers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if caseworkers is not None:
            self.fields["caseworker"].queryset = caseworkers


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class TransferProposeForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Mandated NGO to hand the case to"), queryset=None, empty_label=_("Choose…")
    )
    reason = forms.CharField(
        label=_("Reason for the transfer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class TransferAcceptForm(forms.Form):
    caseworker = CaseworkerChoiceField(
        label=_("Assign a caseworker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
    )

    def __init__(self, *args, caseworkers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if caseworkers is not None:
            self.fields["caseworker"].queryset = caseworkers


class TransferDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field_name, errs in error.error_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errs)
    else:
        form.add_error(None, error)


AMOUNT_NOT_A_NUMBER = _("Enter the amount in euro as a number, e.g. 120,50 or 1 200,50.")
AMOUNT_AMBIGUOUS = _(
    "“%(value)s” could be read two ways; write it without a thousands separator, e.g. 1200 or 1,20."
)
AMOUNT_UNUSUALLY_LARGE = _(
    "%(amount)s EUR is unusually large (more than %(limit)s EUR). Check it; if it is right, tick "
    "“The amount is right” and save again."
)
# Amounts above this ask for a confirmation (a typed "120,50" read as 12050 is the mistake).
AMOUNT_CONFIRM_ABOVE = Decimal("5000")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_amount(text: str) -> Decimal:
    """Euro as people type them in any language: 120,50 · 120.50 · 1 200,50 · 1.200,50 · 1,200.50.

    A comma or a point followed by one or two digits at the end is the decimal mark; the other
    mark, and spaces, separate thousands. "1,200" alone could be 1200 or 1.2: refused, not guessed.
    """
    raw = _SPACES.sub("", str(text)).removesuffix("EUR").removesuffix("€").removeprefix("€")
    if not raw or not re.fullmatch(r"\d[\d.,]*", raw):
        raise ValidationError(AMOUNT_NOT_A_NUMBER, code="invalid")
    marks = [c for c in raw if c in ".,"]
    if not marks:
        return Decimal(raw)
    last = max(raw.rfind("."), raw.rfind(","))
    tail = raw[last + 1 :]
    if len(tail) == 3 and raw.count(raw[last]) == 1 and len(set(marks)) == 1:
        raise ValidationError(AMOUNT_AMBIGUOUS, code="ambiguous", params={"value": text.strip()})
    if len(tail) in (1, 2) and raw.count(raw[last]) == 1:
        whole, fraction = raw[:last], tail
    else:
        whole, fraction = raw, ""
    thousands = [c for c in whole if c in ".,"]
    if len(set(thousands)) > 1 or not re.fullmatch(r"\d{1,3}([.,]\d{3})*|\d+", whole):
        raise ValidationError(AMOUNT_NOT_A_NUMBER, code="invalid")
    try:
        return Decimal(re.sub(r"[.,]", "", whole) + ("." + fraction if fraction else ""))
    except InvalidOperation:
        raise ValidationError(AMOUNT_NOT_A_NUMBER, code="invalid") from None


def format_amount(value) -> str:
    """1 200,50 in Latvian, 1,200.50 in English: two decimals and the thousands grouped."""
    return number_format(Decimal(value).quantize(Decimal("0.01")), 2, use_l10n=True, force_grouping=True)


class AmountField(forms.DecimalField):
    """Euro with the decimal comma accepted in every language (and the point), as a text box that
    shows the amount in the reader's form."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_amount(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_amount(value)
        return value


NUMBER_NOT_A_NUMBER = _("Enter a number, e.g. 1,5 or 1.5.")
_DECIMAL = re.compile(r"\d+([.,]\d+)?|[.,]\d+")


def parse_decimal(text: str) -> Decimal:
    """A number as people type it in any language: 1,5 and 1.5 are the same, whatever the page's
    language (no thousands separators: hours and other small numbers need none)."""
    raw = _SPACES.sub("", str(text))
    if not _DECIMAL.fullmatch(raw):
        raise ValidationError(NUMBER_NOT_A_NUMBER, code="invalid")
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(NUMBER_NOT_A_NUMBER, code="invalid") from None


class DecimalCommaField(forms.DecimalField):
    """A decimal number with the decimal comma accepted in every language (and the point), as a
    text box that shows the value in the reader's form: a browser's number box drops "1,5" in an
    English page, and Django's localized parsing reads it as 15 there."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    default_error_messages = {"invalid": NUMBER_NOT_A_NUMBER}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(value)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, Decimal) and self.decimal_places is not None:
            return number_format(value, self.decimal_places, use_l10n=True)
        return value


class AmountConfirmMixin:
    """A form with amount fields asks once more for an unusually large amount: the refusal names
    it, and a "The amount is right" box appears to tick."""

    amount_fields: tuple[str, ...] = ("amount_eur",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount_confirmed"] = forms.BooleanField(
            label=_("The amount is right"), required=False, widget=forms.HiddenInput
        )

    def clean(self):
        cleaned = super().clean()
        # The services take cleaned_data as their arguments; the box is the form's own business.
        confirmed = cleaned.pop("amount_confirmed", False)
        for name in self.amount_fields:
            amount = cleaned.get(name)
            if amount is not None and amount > AMOUNT_CONFIRM_ABOVE and not confirmed:
                self.add_error(
                    name,
                    ValidationError(
                        AMOUNT_UNUSUALLY_LARGE
                        % {"amount": format_amount(amount), "limit": format_amount(AMOUNT_CONFIRM_ABOVE)},
                        code="unusually_large",
                    ),
                )
                self.fields["amount_confirmed"].widget = forms.CheckboxInput()
        return cleaned


class LegalRepresentativeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Legal representative"),
        choices=[("", _("Choose…")), *LegalRepresentative.Kind.choices],
        required=False,
    )
    name = forms.CharField(
        label=_("Name"),
        help_text=_("The parent's or guardian's name, or the orphan's court's name."),
        required=False,
        max_length=200,
    )
    contact = forms.CharField(label=_("Contact"), required=False, max_length=300)
    decision_number = forms.CharField(
        label=_("Decision number"),
        help_text=_("For the orphan's court (and a guardian it appointed)."),
        required=False,
        max_length=60,
    )
    decision_date = forms.DateField(
        label=_("Decision date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class EndLegalRepresentativeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("E.g. the orphan's court appointed a guardian, or the person came of age."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonCorrectForm(forms.Form):
    """What is known of the person, corrected with a reason (cases.services.person_correct)."""

    given_name = forms.CharField(label=_("Given name"), required=False, max_length=100)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=100)
    other_names = forms.CharField(label=_("Other names used (alias)"), required=False, max_length=200)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=_date_input(),
        help_text=_("A date of birth replaces the estimated age."),
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("When the date of birth is not known."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices)
    citizenships = forms.MultipleChoiceField(
        label=_("Citizenships"),
        required=False,
        choices=lambda: _countries(),
        widget=FilterableCheckboxes,
        help_text=_("Tick one or more; type in the box to find a country."),
    )
    stateless = forms.BooleanField(label=_("Stateless"), required=False)
    languages = forms.CharField(label=_("Languages"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history and shown on the case timeline."),
    )

    @staticmethod
    def initial_for(person: Person) -> dict:
        return {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "other_names": person.other_names,
            "date_of_birth": person.date_of_birth,
            "estimated_age": person.estimated_age,
            "sex": person.sex,
            "citizenships": [c.code for c in person.citizenships],
            "stateless": person.stateless,
            "languages": person.languages,
            "phone": person.phone,
            "email": person.email,
            "address": person.address,
        }

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("reason")
        if data.get("date_of_birth"):
            data["estimated_age"] = None
        return data


def _countries():
    from .collation import sorted_countries

    return sorted_countries()
