from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentType
from .papers import LANGUAGES as PAPER_LANGUAGES


class DocumentForm(forms.Form):
    record = forms.ChoiceField(label=_("Belongs to"))
    doc_type = forms.ChoiceField(label=_("Type"), choices=[("", _("Choose…")), *DocumentType.choices])
    title = forms.CharField(label=_("Title"), max_length=200)
    document_date = forms.DateField(
        label=_("Date of the document"), widget=forms.DateInput(attrs={"type": "date"})
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG. Photos lose their metadata (camera, time, place) on upload."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, record_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = record_choices


class ReplaceForm(forms.Form):
    file = forms.FileField(
        label=_("New file"),
        help_text=_("PDF, JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Leave empty to keep the title.")
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ShareForm(forms.Form):
    referral = forms.ChoiceField(label=_("Partner"))

    def __init__(self, *args, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.referrals = {str(r.pk): r for r in referrals}
        self.fields["referral"].choices = [(str(r.pk), r.partner.name) for r in referrals]


class PaperLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=PAPER_LANGUAGES)
