from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from groundbreak.coordination.attachments import check_upload
from groundbreak.coordination.choices import IssueSource, Severity
from groundbreak.coordination.engagement_actions import FIELDS, RELATIONS
from groundbreak.coordination.models import Engagement, IssueCategory
from groundbreak.org.models import Area, Person, Unit
from groundbreak.org.permissions import has_perm, sees_everything
from groundbreak.org.queries import responsible_unit_choices, unit_choices_for_user
from groundbreak.portfolio.forms import DateInput
from groundbreak.portfolio.models import Project
from groundbreak.portfolio.pickers import ProjectPicker, ProjectsPicker
from groundbreak.schedule.models import MilestoneKind

ACCEPT = ".pdf,.docx,.jpg,.jpeg,.png,.webp"


def _checked(upload):
    """Check an upload early, for a field error; the action keeps the name the user gave it."""
    cleaned = check_upload(upload)
    cleaned.original_name = upload.name
    return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or documents in one field; each is checked by its content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        return [_checked(super(MultipleFileField, self).clean(upload, initial)) for upload in uploads if upload]


UNIT_ERRORS = {
    "invalid_choice": _("Choose a government unit, or the project's own owner or responsible unit."),
    "invalid_pk_value": _("“%(pk)s” is not a unit."),
}


def _project_units(project, keep=()):
    """The units offered for work on one project's issue (the rule lives in org.queries): any
    government unit — a difficulty may need a neighbouring district's bureau as a co-unit — and the
    project's own units; never every enterprise."""
    return responsible_unit_choices(also=(project.owner_unit_id, project.responsible_unit_id), keep=keep)


def _units_for(user, *, projects=None, keep=()):
    """The units offered where the project is not fixed: the user's government units, plus the own
    units of `projects` (a small set: an engagement's projects, or the one chosen)."""
    also = () if projects is None else (projects.values("owner_unit"), projects.values("responsible_unit"))
    return unit_choices_for_user(user, also=also, keep=keep)


def _leaders():
    return Person.objects.filter(is_leader=True).order_by("name")


class EngagementForm(forms.ModelForm):
    """Record or edit an engagement. Projects and area are narrowed to the user's scope."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Engagement
        fields = [*FIELDS, *RELATIONS]
        widgets = {
            "date": DateInput(),
            "minutes": forms.Textarea(attrs={"rows": 8}),
            "leaders": forms.SelectMultiple(attrs={"size": 6}),
            "units": forms.SelectMultiple(attrs={"size": 6}),
            "projects": ProjectsPicker(attrs={"size": 6}),
        }
        help_texts = {
            "minutes": _("Plain text; line breaks are kept."),
            "projects": _("Hold Ctrl (or ⌘) to choose several."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        self.fields["projects"].queryset = Project.objects.for_user(user).order_by("code")
        if user is not None and not sees_everything(user):
            self.fields["area"].queryset = (
                Area.objects.subtree(user.scope_area) if user.scope_area_id else Area.objects.none()
            )
        self.fields["chair"].queryset = _leaders()
        self.fields["leaders"].queryset = _leaders()
        # Present: the government units of the user's territory, the covered projects' own units
        # and whoever was recorded before; not every enterprise of the province.
        keep = (self.instance.units.values("pk"),) if self.instance.pk else ()
        self.fields["units"].queryset = _units_for(user, projects=self._covered(user), keep=keep)
        self.fields["units"].error_messages.update(UNIT_ERRORS)

    def _covered(self, user):
        """The projects whose own units may be recorded present: covered before, or chosen now."""
        if self.is_bound and hasattr(self.data, "getlist"):
            chosen = self.data.getlist(self.add_prefix("projects"))
        else:
            chosen = self.initial.get("projects") or ()
        if isinstance(chosen, QuerySet):
            condition = Q(pk__in=chosen.values("pk"))
        else:
            ids = sorted({int(pk) for pk in (getattr(item, "pk", item) for item in chosen) if str(pk).isdigit()})
            condition = (
                Q(pk__in=Project.objects.for_user(user).filter(pk__in=ids).values("pk")) if ids else Q(pk__in=[])
            )
        if self.instance.pk:
            condition |= Q(pk__in=self.instance.projects.values("pk"))
        return Project.objects.filter(condition)

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in (*FIELDS, *RELATIONS) if name in self.cleaned_data}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("photo or document"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def clean_file(self):
        return _checked(self.cleaned_data["file"])


class _AssignFields(forms.Form):
    lead_unit = forms.ModelChoiceField(label=_("lead unit"), queryset=Unit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("co-units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    deadline = forms.DateField(label=_("deadline"), widget=DateInput())

    def set_units(self, units):
        """Offer (and accept) only these units as lead and co-units."""
        for name in ("lead_unit", "co_units"):
            if name in self.fields:
                self.fields[name].queryset = units
                self.fields[name].error_messages.update(UNIT_ERRORS)


class IssueForm(_AssignFields):
    """Raise an issue of a project; users who may assign name the unit and deadline at once."""

    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none(), widget=ProjectPicker)
    title = forms.CharField(label=_("summary"), max_length=200)
    category = forms.ModelChoiceField(label=_("category"), queryset=IssueCategory.objects.all())
    severity = forms.TypedChoiceField(
        label=_("severity"), choices=Severity.choices, coerce=int, initial=Severity.NORMAL
    )
    description = forms.CharField(label=_("details"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    source = forms.ChoiceField(
        label=_("source"),
        choices=[(IssueSource.UNIT, IssueSource.UNIT.label), (IssueSource.REPORT, IssueSource.REPORT.label)],
    )
    source_note = forms.CharField(label=_("source reference"), required=False, max_length=200)
    responsible_person = forms.ModelChoiceField(
        label=_("responsible person"), queryset=Person.objects.none(), required=False
    )

    field_order = ["project", "title", "category", "severity", "description", "source", "source_note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Project.objects.for_user(user)
        self.fields["project"].queryset = visible.order_by("code")
        if has_perm(user, "issue.assign"):
            self.fields["deadline"].required = False
            self.fields["lead_unit"].required = False
            self.fields["responsible_person"].queryset = Person.objects.order_by("name")
            chosen = self.data.get(self.add_prefix("project")) if self.is_bound else self.initial.get("project")
            chosen = getattr(chosen, "pk", chosen)
            project = visible.filter(pk=chosen) if str(chosen).isdigit() else None
            self.set_units(_units_for(user, projects=project))
        else:
            for name in ("lead_unit", "co_units", "deadline", "responsible_person"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if ("lead_unit" in self.fields) and bool(data.get("lead_unit")) != bool(data.get("deadline")):
            raise ValidationError(_("To assign the issue now, give both the lead unit and the deadline."))
        return data


class OutcomeIssueForm(_AssignFields):
    """One issue raised at an engagement, in the engagement page's formset."""

    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none())
    title = forms.CharField(label=_("difficulty"), max_length=200)
    category = forms.ModelChoiceField(label=_("category"), queryset=IssueCategory.objects.all())
    severity = forms.TypedChoiceField(
        label=_("severity"), choices=Severity.choices, coerce=int, initial=Severity.NORMAL
    )
    description = forms.CharField(label=_("details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["project", "title", "category", "severity", "lead_unit", "co_units", "deadline", "description"]

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        projects = projects if projects is not None else Project.objects.none()
        self.fields["project"].queryset = projects
        # Any government unit and the projects' own units (org.queries).
        self.set_units(
            responsible_unit_choices(also=(projects.values("owner_unit"), projects.values("responsible_unit")))
        )


class OutcomeDecisionForm(forms.Form):
    """One decision taken at an engagement; with a node kind and date it becomes a time node."""

    text = forms.CharField(label=_("decision taken"), widget=forms.Textarea(attrs={"rows": 2}))
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none(), required=False)
    milestone_kind = forms.ModelChoiceField(
        label=_("make it a time node of kind"), queryset=MilestoneKind.objects.all(), required=False
    )
    planned_date = forms.DateField(label=_("planned date"), widget=DateInput(), required=False)

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects if projects is not None else Project.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("milestone_kind") or data.get("planned_date"):
            if not (data.get("milestone_kind") and data.get("planned_date") and data.get("project")):
                raise ValidationError(_("A time node needs a project, a node kind and a planned date."))
        return data


class _RowFormSet(forms.BaseFormSet):
    def __init__(self, *args, projects=None, **kwargs):
        self.projects = projects
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "projects": self.projects}

    @cached_property
    def forms(self):
        forms_ = super().forms
        # Each row's drop-downs would query their options again; the rows share one list each.
        for name, field in forms_[0].fields.items() if forms_ else ():
            if isinstance(field, forms.ModelChoiceField):
                choices = list(field.choices)
                for form in forms_:
                    form.fields[name].choices = choices
        return forms_

    @property
    def filled(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


OutcomeIssueFormSet = forms.formset_factory(OutcomeIssueForm, formset=_RowFormSet, extra=3, max_num=30)
OutcomeDecisionFormSet = forms.formset_factory(OutcomeDecisionForm, formset=_RowFormSet, extra=3, max_num=30)


class AssignForm(_AssignFields):
    responsible_person = forms.ModelChoiceField(
        label=_("responsible person"), queryset=Person.objects.order_by("name"), required=False
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, has_deadline=False, issue=None, **kwargs):
        super().__init__(*args, **kwargs)
        if has_deadline:
            del self.fields["deadline"]
        if issue is None:
            self.set_units(responsible_unit_choices())
        else:
            keep = (issue.lead_unit_id, issue.co_units.values("pk")) if issue.pk else ()
            self.set_units(_project_units(issue.project, keep=keep))


class RespondForm(forms.Form):
    text = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("date"), widget=DateInput(), initial=timezone.localdate)
    files = MultipleFileField(label=_("photos or documents"))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("how it was resolved"), widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("date resolved"), widget=DateInput(), initial=timezone.localdate)


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("verification note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("what is still missing"), widget=forms.Textarea(attrs={"rows": 2}))


class DeadlineForm(forms.Form):
    new_deadline = forms.DateField(label=_("new deadline"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class InstructionForm(forms.Form):
    """A leader's instruction; coordinators record it in a leader's name, leaders in their own."""

    leader = forms.ModelChoiceField(label=_("leader"), queryset=Person.objects.none())
    text = forms.CharField(label=_("instruction"), widget=forms.Textarea(attrs={"rows": 3}))
    target_unit = forms.ModelChoiceField(label=_("addressed to"), queryset=Unit.objects.none())
    deadline = forms.DateField(label=_("deadline"), widget=DateInput(), required=False)
    category = forms.ModelChoiceField(
        label=_("category"), queryset=IssueCategory.objects.all(), required=False, empty_label=_("other")
    )
    given_on = forms.DateField(label=_("date"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, user=None, on_project=True, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = _project_units(project) if project is not None else unit_choices_for_user(user)
        self.fields["target_unit"].queryset = units
        self.fields["target_unit"].error_messages.update(UNIT_ERRORS)
        if has_perm(user, "issue.assign"):
            self.fields["leader"].queryset = _leaders()
        else:
            del self.fields["leader"]
        if on_project:
            self.fields["deadline"].required = True
        else:
            del self.fields["category"]
            self.fields["deadline"].help_text = _("Only used when the issue has no unit yet.")


class DecisionIssueForm(OutcomeIssueForm):
    """Turn a recorded decision into an issue."""


class DecisionMilestoneForm(forms.Form):
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none())
    kind = forms.ModelChoiceField(label=_("node kind"), queryset=MilestoneKind.objects.all())
    planned_date = forms.DateField(label=_("planned date"), widget=DateInput())

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects if projects is not None else Project.objects.none()
