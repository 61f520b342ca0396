import os

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from groundbreak.exchange.kinds import importable_kinds

ACCEPTED_EXTENSIONS = (".xlsx", ".csv", ".txt")


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx) or CSV in UTF-8 or GB18030; the first row holds the column names."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = importable_kinds(user)
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds]
        if kinds:
            self.fields["kind"].initial = kinds[0].key

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = os.path.splitext(upload.name or "")[1].lower()
        if extension == ".xls":
            raise forms.ValidationError(
                _("Old Excel .xls files cannot be read: save the file as Excel Workbook (.xlsx) or CSV.")
            )
        if extension not in ACCEPTED_EXTENSIONS:
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx) or a CSV file."))
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(size)s: split it into several files.")
                % {"size": filesizeformat(max_upload_bytes())}
            )
        return upload
