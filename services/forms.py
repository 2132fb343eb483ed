"""Input parsing for the stage-2 pages; the rules live in the models and services."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.collation import sorted_countries
from cases.forms import AmountConfirmMixin, AmountField

from .models import AssistanceRecord, CriminalProceeding, Ground, Identification, ResidencePermit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label, required=True, **kwargs):
    return forms.DateField(label=label, required=required, widget=DateInput, **kwargs)


def _text(label, required=False, rows=2, max_length=2000, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=max_length,
        **kwargs,
    )


class Form(forms.Form):
    """Labels share the models' lower-case verbose names and start with a capital on the page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)


def parse_members(text: str) -> list[dict]:
    """One member a line, "name, profession" (a dash or a semicolon also separates them)."""
    members = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        for sep in (",", ";", " – ", " - "):
            if sep in line:
                name, profession = line.split(sep, 1)
                break
        else:
            name, profession = line, ""
        members.append({"name": name.strip(), "profession": profession.strip()})
    return members


def members_text(members) -> str:
    return "\n".join(f"{m.get('name', '')}, {m.get('profession', '')}" for m in members or [])


class IdentificationProposeForm(Form):
    ground = forms.ChoiceField(
        label=_("Ground of identification"),
        choices=[(v, capfirst(label)) for v, label in Ground.choices],
        widget=forms.RadioSelect,
    )
    cp_case_number = forms.CharField(label=_("criminal case number"), required=False, max_length=100)
    cp_date = _date(_("date of the decision"), required=False)
    cp_body = forms.CharField(label=_("body that took the decision"), required=False, max_length=200)
    le_institution = forms.CharField(label=_("law-enforcement institution"), required=False, max_length=200)
    le_country = forms.ChoiceField(
        label=_("country of the institution"),
        required=False,
        choices=lambda: [("", _("Choose…")), *sorted_countries()],
    )
    le_number = forms.CharField(label=_("statement number"), required=False, max_length=100)
    le_date = _date(_("date of the statement"), required=False)
    commission_date = _date(_("date of the report"), required=False)
    commission_members = _text(
        _("members of the Commission"), rows=4, help_text=_("One member a line: name, profession.")
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Identification.Outcome.choices,
        initial=Identification.Outcome.IDENTIFIED,
        widget=forms.RadioSelect,
        help_text=_("What the document concludes; for the Commission of experts, its conclusion."),
    )
    outcome_reason = _text(
        _("reason (not identified)"), help_text=_("Needed when the person is not identified.")
    )

    GROUPS = {
        Ground.CRIMINAL_PROCEDURE_DECISION: ("cp_case_number", "cp_date", "cp_body"),
        Ground.LAW_ENFORCEMENT_STATEMENT: ("le_institution", "le_country", "le_number", "le_date"),
        Ground.EXPERT_COMMISSION_REPORT: ("commission_date", "commission_members"),
    }

    def ground_groups(self):
        return [(g, Ground(g).label, [self[name] for name in names]) for g, names in self.GROUPS.items()]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        # Only the chosen ground's fields show (static/css/app.css); what was typed under another
        # ground before the choice changed is hidden, so it is dropped rather than refused.
        for ground, names in self.GROUPS.items():
            if ground != data.get("ground"):
                for name in names:
                    data[name] = None if isinstance(self.fields[name], forms.DateField) else ""
        data["commission_members"] = parse_members(data.get("commission_members", ""))
        return data


class IdentificationReturnForm(Form):
    reason = _text(_("Reason for returning"), required=True, rows=3)


class AssistanceForm(AmountConfirmMixin, Form):
    kind = forms.ChoiceField(
        label=_("kind of assistance"), choices=[("", _("Choose…")), *AssistanceRecord.Kind.choices]
    )
    started_on = _date(_("from"), initial=timezone.localdate)
    ended_on = _date(_("until"), required=False, help_text=_("Empty while it continues."))
    arranged_by = forms.CharField(
        label=_("arranged by"), max_length=200, help_text=_("The institution or person who arranged it.")
    )
    outcome = _text(_("outcome"))
    claim = forms.CharField(
        label=_("compensation claim"),
        required=False,
        max_length=200,
        help_text=_("Compensation only: against whom, and on what basis."),
    )
    amount_eur = AmountField(label=_("amount claimed in total (EUR)"), required=False, max_digits=12)
    compensation_status = forms.ChoiceField(
        label=_("status of the claim"),
        required=False,
        choices=[("", "–"), *AssistanceRecord.CompensationStatus.choices],
    )


class ProceedingForm(Form):
    case_number = forms.CharField(label=_("criminal case number"), max_length=100)
    procedural_status = forms.ChoiceField(
        label=_("procedural status of the person"),
        choices=CriminalProceeding.ProceduralStatus.choices,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(label=_("court or investigating body"), max_length=200)
    note = _text(_("note"))


class HearingForm(Form):
    date = _date(_("date of the hearing"))
    place = forms.CharField(label=_("place"), required=False, max_length=200)
    note = _text(_("note"))


class ReflectionPeriodForm(Form):
    start_date = _date(_("start date"), initial=timezone.localdate)


class ReflectionEndForm(Form):
    ended_on = _date(_("last day of the reflection period"), initial=timezone.localdate)
    reason = _text(_("reason for ending early"), required=True, rows=3)


class ResidencePermitForm(Form):
    travel_document_presented_on = _date(_("travel document presented on"))
    travel_document_type = forms.CharField(label=_("type of travel document"), max_length=100)
    travel_document_number = forms.CharField(label=_("travel document number"), max_length=50)
    application_submitted_on = _date(
        _("application submitted on"),
        required=False,
        help_text=_(
            "With the recognition decision and the statement on the necessity of a residence permit."
        ),
    )
    decision = forms.ChoiceField(
        label=_("decision"), required=False, choices=ResidencePermit.Decision.choices
    )
    decision_on = _date(_("decision date"), required=False)
    permit_number = forms.CharField(label=_("permit number"), required=False, max_length=50)
    valid_from = _date(_("valid from"), required=False)
    valid_until = _date(_("valid until"), required=False)
