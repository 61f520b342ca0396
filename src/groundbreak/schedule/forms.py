from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundbreak.org.models import Unit
from groundbreak.portfolio.forms import DateInput
from groundbreak.schedule.actions import clean_evidence
from groundbreak.schedule.models import MilestoneKind, MilestoneTemplate, ReplanReason
from groundbreak.schedule.queries import node_unit_choices


class CompleteForm(forms.Form):
    actual_date = forms.DateField(label=_("date met"), widget=DateInput(), initial=timezone.localdate)
    document_number = forms.CharField(label=_("approval / document number"), required=False, max_length=100)
    # Before `evidence`: cleaning the photo needs the answer.
    keep_location = forms.BooleanField(label=_("Keep the photo's location"), required=False)
    evidence = forms.FileField(label=_("evidence (photo or document)"), required=False)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_evidence(self):
        """Checked by content and cleaned here for a field error; the action accepts the result as is."""
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return upload
        return clean_evidence(upload, keep_location=self.cleaned_data.get("keep_location", False))


class ReplanForm(forms.Form):
    new_date = forms.DateField(label=_("new planned date"), widget=DateInput())
    reason = forms.ModelChoiceField(label=_("reason"), queryset=ReplanReason.objects.all())
    note = forms.CharField(label=_("explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("why the completion is withdrawn"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("decision"), choices=[("1", _("approve")), ("0", _("reject"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


NODE_UNIT_ERROR = _("Choose a government unit of the project's area or the project's own owner or responsible unit.")


class MilestoneForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("node kind"), queryset=MilestoneKind.objects.all())
    name = forms.CharField(label=_("name (if not the kind's)"), required=False, max_length=200)
    planned_date = forms.DateField(label=_("planned date"), widget=DateInput())
    responsible_unit = forms.ModelChoiceField(
        label=_("responsible unit"),
        queryset=Unit.objects.none(),
        required=False,
        error_messages={"invalid_choice": NODE_UNIT_ERROR},
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = node_unit_choices(project)


class TemplateForm(forms.Form):
    template = forms.ModelChoiceField(label=_("template"), queryset=MilestoneTemplate.objects.all())
