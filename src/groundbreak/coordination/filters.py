"""Filters of the issue and engagement lists, shared by their pages and (later) their API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundbreak.coordination.choices import EngagementKind, EscalationTarget, IssueStatus, Severity
from groundbreak.coordination.models import Engagement, Issue, IssueCategory
from groundbreak.coordination.queries import overdue_q, visible_leaders
from groundbreak.core.widgets import ChosenOnlySelect
from groundbreak.org.models import Area, Person, Unit
from groundbreak.org.permissions import sees_everything
from groundbreak.portfolio.forms import DateInput
from groundbreak.portfolio.models import Project


def _area_q(prefix: str, area: Area) -> Q:
    """A project counts under its district and its zone, and an area covers its subtree."""
    return Q(**{f"{prefix}area__path__startswith": area.path}) | Q(**{f"{prefix}zone__path__startswith": area.path})


def _areas_for(user):
    if sees_everything(user):
        return Area.objects.all()
    if user.scope_area_id:
        return Area.objects.subtree(user.scope_area)
    visible = Project.objects.for_user(user)
    return Area.objects.filter(Q(pk__in=visible.values("area")) | Q(pk__in=visible.values("zone")))


class IssueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    # A column of the issue: no duplicate rows, so no DISTINCT over the page and its count.
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=IssueStatus.choices, distinct=False)
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput)
    category = django_filters.ModelChoiceFilter(
        label=_("Issue category"), queryset=IssueCategory.objects.all(), empty_label=_("All categories")
    )
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices, empty_label=_("Any severity"))
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (lead or co-unit)"), queryset=Unit.objects.all(), method="filter_unit", empty_label=_("All units")
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Area"), queryset=Area.objects.all(), method="filter_area", empty_label=_("All areas")
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"), queryset=Project.objects.all(), empty_label=_("All projects"), widget=ChosenOnlySelect
    )
    leader = django_filters.ModelChoiceFilter(
        label=_("Lead leader"),
        queryset=Person.objects.filter(is_leader=True),
        field_name="project__lead_leader",
        empty_label=_("All leaders"),
    )
    escalated_to = django_filters.ChoiceFilter(
        label=_("Escalated to"),
        choices=EscalationTarget.choices,
        field_name="escalation_step__target",
        empty_label=_("Any step"),
    )

    class Meta:
        model = Issue
        fields = []

    def __init__(self, data=None, queryset=None, *, user=None, today=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.today = today or timezone.localdate()
        if user is not None and sees_everything(user):
            # Units that lead or help on any issue, not every enterprise of the territory.
            co_units = Issue.co_units.through.objects.values("unit")
            self.filters["unit"].queryset = Unit.objects.filter(
                Q(pk__in=Issue.objects.values("lead_unit")) | Q(pk__in=co_units)
            )
        elif user is not None:
            visible = Project.objects.for_user(user)
            self.filters["area"].queryset = _areas_for(user)
            self.filters["project"].queryset = visible.order_by("code")
            self.filters["leader"].queryset = Person.objects.filter(pk__in=visible.values("lead_leader"))
            co_units = Issue.co_units.through.objects.filter(issue__in=self.queryset.values("pk")).values("unit")
            self.filters["unit"].queryset = Unit.objects.filter(
                Q(pk__in=self.queryset.values("lead_unit")) | Q(pk__in=co_units)
            )

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(project__code__icontains=value)
            | Q(project__name__icontains=value)
            | Q(project__name_en__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(self.today)) if value else queryset

    def filter_unit(self, queryset, name, value):
        return queryset.filter(
            Q(lead_unit=value) | Q(pk__in=Issue.co_units.through.objects.filter(unit=value).values("issue"))
        )

    def filter_area(self, queryset, name, value):
        return queryset.filter(_area_q("project__", value))


class EngagementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EngagementKind.choices, empty_label=_("All kinds"))
    leader = django_filters.ModelChoiceFilter(
        label=_("Leader"),
        queryset=Person.objects.filter(is_leader=True),
        method="filter_leader",
        empty_label=_("All leaders"),
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Area"), queryset=Area.objects.all(), method="filter_area", empty_label=_("All areas")
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"),
        queryset=Project.objects.all(),
        method="filter_project",
        empty_label=_("All projects"),
        widget=ChosenOnlySelect,
    )
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte", widget=DateInput())
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte", widget=DateInput())

    class Meta:
        model = Engagement
        fields = []

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if user is not None and not sees_everything(user):
            self.filters["area"].queryset = _areas_for(user)
            self.filters["project"].queryset = Project.objects.for_user(user).order_by("code")
            self.filters["leader"].queryset = visible_leaders(user)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The project drop-down offers only the chosen project: the search finds the others.
        about = Engagement.projects.through.objects.filter(
            Q(project__code__icontains=value) | Q(project__name__icontains=value) | Q(project__name_en__icontains=value)
        ).values("engagement")
        return queryset.filter(
            Q(title__icontains=value) | Q(place__icontains=value) | Q(minutes__icontains=value) | Q(pk__in=about)
        )

    def filter_leader(self, queryset, name, value):
        attended = Engagement.leaders.through.objects.filter(person=value).values("engagement")
        return queryset.filter(Q(chair=value) | Q(pk__in=attended))

    def filter_area(self, queryset, name, value):
        covered = Engagement.projects.through.objects.filter(_area_q("project__", value)).values("engagement")
        return queryset.filter(Q(area__path__startswith=value.path) | Q(pk__in=covered))

    def filter_project(self, queryset, name, value):
        return queryset.filter(pk__in=Engagement.projects.through.objects.filter(project=value).values("engagement"))
