"""Filters of the round and report lists, shared by their pages and (later) their API endpoints."""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from groundbreak.org.models import Unit
from groundbreak.reporting.choices import OPEN_FOR_FILLING, ReportStatus, RoundStatus
from groundbreak.reporting.models import Report, ReportingRound


class RoundFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RoundStatus.choices, empty_label=_("Any status"))
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = ReportingRound
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(area__name__icontains=value) | Q(area__name_en__icontains=value))


class ReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReportStatus.choices, empty_label=_("Any status"))
    unit = django_filters.ModelChoiceFilter(
        label=_("Responsible unit"),
        queryset=Unit.objects.all(),
        field_name="project__responsible_unit",
        empty_label=_("All units"),
    )
    late = django_filters.ChoiceFilter(
        label=_("Submitted"),
        choices=[("late", _("late")), ("on_time", _("on time"))],
        empty_label=_("late or on time"),
        method="filter_late",
    )

    # Reports still with their owners: never submitted, or returned (the dashboard links here).
    missing = django_filters.BooleanFilter(label=_("Missing only"), method="filter_missing", widget=forms.CheckboxInput)

    class Meta:
        model = Report
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if queryset is not None:
            # Only the units of the reports listed (practice 3: no names from outside the scope).
            self.filters["unit"].queryset = Unit.objects.filter(pk__in=queryset.values("project__responsible_unit"))

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(project__code__icontains=value) | Q(project__name__icontains=value) | Q(project__name_en__icontains=value)
        )

    def filter_late(self, queryset, name, value):
        if value == "late":
            return queryset.filter(first_submitted_on__gt=F("round__due_on"))
        return queryset.filter(first_submitted_on__lte=F("round__due_on"))

    def filter_missing(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_FOR_FILLING, accepted__isnull=True) if value else queryset
