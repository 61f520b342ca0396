from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundbreak.org.models import Area, Person
from groundbreak.org.permissions import sees_everything
from groundbreak.portfolio.actions import EDITABLE_FIELDS
from groundbreak.portfolio.choices import Light, Stage
from groundbreak.portfolio.models import KeyFigure, KeyList, KeyListMembership, Project
from groundbreak.portfolio.pickers import ProjectPicker


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProjectForm(forms.ModelForm):
    """Create and edit a project. `version` carries the version loaded, so a stale save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    stage = forms.ChoiceField(label=_("stage"), choices=Stage.choices, initial=Stage.RESERVE)

    class Meta:
        model = Project
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "planned_start": DateInput(),
            "planned_end": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "parent": ProjectPicker(),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Stage moves only through the stage action, which keeps the history.
            del self.fields["stage"]
            self.fields["version"].initial = self.instance.version
            self.fields["parent"].queryset = Project.objects.for_user(user).exclude(pk=self.instance.pk)
        else:
            del self.fields["version"]
            self.fields["parent"].queryset = Project.objects.for_user(user)
        if user is not None and not sees_everything(user) and user.scope_area_id:
            areas = Area.objects.subtree(user.scope_area)
            self.fields["area"].queryset = areas
            self.fields["zone"].queryset = areas
        self.fields["lead_leader"].queryset = Person.objects.filter(is_leader=True)
        self.fields["responsible_person"].queryset = Person.objects.select_related("unit")

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}


class StageChangeForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("new stage"), choices=Stage.choices)
    on = forms.DateField(label=_("date"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    expected_resume_on = forms.DateField(label=_("expected resume date"), widget=DateInput())


class PauseUpdateForm(forms.Form):
    note = forms.CharField(label=_("update"), widget=forms.Textarea(attrs={"rows": 2}))
    expected_resume_on = forms.DateField(label=_("expected resume date"), widget=DateInput(), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OverrideForm(forms.Form):
    light = forms.ChoiceField(label=_("light"), choices=Light.choices)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    expires_on = forms.DateField(label=_("expires on"), widget=DateInput())


class KeyFigureForm(forms.ModelForm):
    class Meta:
        model = KeyFigure
        fields = ["kind", "label", "label_en", "value", "unit"]


KeyFigureFormSet = forms.inlineformset_factory(
    Project, KeyFigure, form=KeyFigureForm, extra=2, can_delete=True, max_num=30
)


class MembershipForm(forms.ModelForm):
    key_list = forms.ModelChoiceField(label=_("key list"), queryset=KeyList.objects.all())

    class Meta:
        model = KeyListMembership
        fields = ["key_list", "annual_investment_plan", "target_stage", "note"]
