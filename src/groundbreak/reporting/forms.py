from django import forms
from django.utils.translation import gettext_lazy as _

from groundbreak.org.models import Area
from groundbreak.org.permissions import sees_everything
from groundbreak.portfolio.forms import DateInput
from groundbreak.reporting import adapters
from groundbreak.reporting.actions import VERSION_FIELDS
from groundbreak.reporting.models import Indicator, ReportVersion


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input; each is checked by content (see `adapters.clean_photo`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReportForm(forms.ModelForm):
    """The figures and texts of a report, one field per indicator of the year, and photos.

    Built for a phone: one column, numeric keyboards for figures."""

    keep_location = forms.BooleanField(label=_("Keep the photos' location"), required=False)
    photos = PhotosField(label=_("site photos"), required=False)

    class Meta:
        model = ReportVersion
        fields = list(VERSION_FIELDS)
        widgets = {
            "investment": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
            "physical_progress": forms.NumberInput(
                attrs={"inputmode": "decimal", "step": "0.1", "min": "0", "max": "100"}
            ),
            "workers_on_site": forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
            "progress": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "difficulties": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "investment": _("In yuan. Year to date and since start are added up from the accepted reports."),
            "difficulties": _("What the government should help with: land, approvals, funding, utilities …"),
        }

    def __init__(self, *args, indicators=(), values=None, **kwargs):
        super().__init__(*args, **kwargs)
        values = values or {}
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[self.indicator_field(indicator)] = forms.DecimalField(
                label=_("%(name)s achieved this period (%(unit)s, target %(target)s)")
                % {
                    "name": indicator.display_name,
                    "unit": indicator.get_unit_display(),
                    "target": f"{indicator.target.normalize():f}",
                },
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                initial=values.get(indicator.pk),
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
            )

    @staticmethod
    def indicator_field(indicator) -> str:
        return f"indicator_{indicator.pk}"

    def clean_photos(self):
        keep = self.cleaned_data.get("keep_location", False)
        return [adapters.clean_photo(photo, keep_location=keep) for photo in self.cleaned_data.get("photos") or []]

    def figures(self) -> dict:
        return {name: self.cleaned_data[name] for name in VERSION_FIELDS}

    def indicator_values(self) -> dict:
        return {i: self.cleaned_data.get(self.indicator_field(i)) for i in self.indicators}

    # Groups of fields, for a form in sections on a phone.
    def indicator_bound_fields(self):
        return [self[self.indicator_field(i)] for i in self.indicators]

    def figure_fields(self):
        return [self[name] for name in ("investment", "physical_progress", "workers_on_site")]

    def text_fields(self):
        return [self[name] for name in ("progress", "next_steps", "difficulties")]

    def photo_fields(self):
        return [self["photos"], self["keep_location"]]


class RoundForm(forms.Form):
    area = forms.ModelChoiceField(label=_("area"), queryset=Area.objects.all())
    period_start = forms.DateField(label=_("period start"), widget=DateInput())
    period_end = forms.DateField(label=_("period end"), widget=DateInput())
    due_on = forms.DateField(
        label=_("reports due on"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for the area's usual number of days after the period."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not sees_everything(user):
            self.fields["area"].queryset = (
                Area.objects.subtree(user.scope_area) if user.scope_area_id else Area.objects.none()
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data


class ConfirmForm(forms.Form):
    """Nothing to fill in: posting it is the confirmation."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class DecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("decision"), choices=[("1", _("accept")), ("0", _("return"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "name_en", "unit", "target", "year", "target_date"]
        widgets = {"target_date": DateInput()}
