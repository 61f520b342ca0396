from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundbreak.coordination.choices import EngagementKind
from groundbreak.coordination.models import IssueCategory
from groundbreak.coordination.queries import visible_engagements
from groundbreak.fieldwork.actions import Answer, clean_photo
from groundbreak.fieldwork.choices import Result
from groundbreak.fieldwork.models import Checklist
from groundbreak.org.models import Unit
from groundbreak.org.queries import responsible_unit_choices
from groundbreak.portfolio.forms import DateInput
from groundbreak.portfolio.models import Project
from groundbreak.portfolio.pickers import ProjectPicker

# On a phone the camera opens directly; elsewhere the file picker offers pictures.
CAMERA = {"accept": "image/*", "capture": "environment"}


def _units():
    return Unit.objects.order_by("area__path", "name")


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.display_name}"


class PhotoField(forms.FileField):
    """A photo from the phone's camera, checked by its content (re-encoded later by the action)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.FileInput(attrs=CAMERA))
        super().__init__(*args, **kwargs)


class InspectionStartForm(forms.Form):
    """Which project and checklist; at an inspection already recorded, or at a new one."""

    engagement = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    project = ProjectChoiceField(label=_("project"), queryset=Project.objects.none(), widget=ProjectPicker)
    checklist = forms.ModelChoiceField(label=_("checklist"), queryset=Checklist.objects.filter(is_active=True))
    date = forms.DateField(label=_("date"), widget=DateInput(), required=False)
    place = forms.CharField(label=_("place"), max_length=200, required=False)

    def __init__(self, *args, user=None, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        projects = Project.objects.for_user(user).order_by("code")
        self.fields["engagement"].queryset = visible_engagements(user).filter(kind=EngagementKind.INSPECTION)
        if engagement is not None:
            projects = projects.filter(pk__in=engagement.projects.values("pk"))
            self.fields["engagement"].initial = engagement.pk
            del self.fields["date"]
            del self.fields["place"]
        else:
            self.fields["date"].initial = timezone.localdate()
        self.fields["project"].queryset = projects
        checklists = self.fields["checklist"].queryset
        if len(checklists) == 1:
            self.fields["checklist"].initial = checklists[0].pk


class InspectionAnswersForm(forms.Form):
    """Every item of the checklist answered pass / fail / not applicable, with a note and a photo;
    who rectifies the failures and by when."""

    lead_unit = forms.ModelChoiceField(
        label=_("rectifications led by"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Needed when an item fails: each failed item becomes a rectification of this unit."),
    )
    deadline = forms.DateField(label=_("rectify by"), widget=DateInput(), required=False)

    def __init__(self, *args, items=(), project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        if project is not None:
            # The government units of the project's area chain and its own units (org.queries).
            self.fields["lead_unit"].queryset = responsible_unit_choices(
                areas=(project.area_id, project.zone_id), also=(project.owner_unit_id, project.responsible_unit_id)
            )
            self.fields["lead_unit"].initial = project.responsible_unit_id
        else:
            self.fields["lead_unit"].queryset = _units()
        for item in self.items:
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=item.display_name, choices=Result.choices, widget=forms.RadioSelect
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"photo_{item.pk}"] = PhotoField(label=_("photo"), required=False)

    def rows(self):
        """(item, result, note, photo) bound fields, one row per item, for the template."""
        return [
            (item, self[f"result_{item.pk}"], self[f"note_{item.pk}"], self[f"photo_{item.pk}"]) for item in self.items
        ]

    def clean(self):
        data = super().clean()
        for item in self.items:
            name = f"photo_{item.pk}"
            if data.get(name):
                try:
                    data[name] = clean_photo(data[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return data

    def answers(self) -> list[Answer]:
        data = self.cleaned_data
        return [
            Answer(
                item=item,
                result=data.get(f"result_{item.pk}", ""),
                note=data.get(f"note_{item.pk}", ""),
                photo=data.get(f"photo_{item.pk}"),
            )
            for item in self.items
        ]


class SnapForm(forms.Form):
    """A photo, a line of text, the phone's position (filled in by the page's script) and the project."""

    photo = PhotoField(label=_("photo"))
    text = forms.CharField(
        label=_("what do you see?"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500})
    )
    keep_location = forms.BooleanField(
        label=_("Keep the photo's own location (GPS) in the stored file"),
        required=False,
        help_text=_("Without it the photo is stored without any metadata; the position below is kept either way."),
    )
    latitude = forms.DecimalField(
        min_value=-90, max_value=90, max_digits=12, decimal_places=8, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        min_value=-180, max_value=180, max_digits=12, decimal_places=8, required=False, widget=forms.HiddenInput
    )
    accuracy = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    # A suggested project (radio buttons near the photo) or, failing that, any project in scope.
    project = ProjectChoiceField(label=_("project"), queryset=Project.objects.none(), required=False)
    project_other = ProjectChoiceField(
        label=_("another project"), queryset=Project.objects.none(), required=False, widget=ProjectPicker
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        in_scope = Project.objects.for_user(user).order_by("code")
        self.fields["project"].queryset = in_scope
        self.fields["project_other"].queryset = in_scope

    def clean(self):
        data = super().clean()
        data["project"] = data.get("project") or data.get("project_other")
        if not data["project"] and "project" not in self.errors and "project_other" not in self.errors:
            self.add_error("project", _("Confirm which project the photo is of."))
        if data.get("photo"):
            try:
                data["photo"] = clean_photo(data["photo"], keep_location=data.get("keep_location", False))
            except ValidationError as error:
                self.add_error("photo", error)
        return data

    def position(self) -> tuple[float, float] | None:
        """The position sent (or posted back), for suggesting projects again."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        if data.get("latitude") is not None and data.get("longitude") is not None:
            return float(data["latitude"]), float(data["longitude"])
        return None


class TriageForm(forms.Form):
    category = forms.ModelChoiceField(label=_("category"), queryset=IssueCategory.objects.all())
    lead_unit = forms.ModelChoiceField(label=_("lead unit"), queryset=Unit.objects.all())
    deadline = forms.DateField(label=_("deadline"), widget=DateInput())
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("why it is rejected"), max_length=500)


class NearbyForm(forms.Form):
    lat = forms.FloatField(min_value=-90, max_value=90)
    lon = forms.FloatField(min_value=-180, max_value=180)
