from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Case, User


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


class CaseworkerChoiceField(forms.ModelChoiceField):
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


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field_name, errs in error.error_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errs)
    else:
        form.add_error(None, error)
