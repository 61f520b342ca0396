"""Filters of the project list, shared by its page and (later) its API endpoint."""

from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groundbreak.core.widgets import FastSelect
from groundbreak.org.models import Area, Person, Unit
from groundbreak.org.scoping import NOTHING
from groundbreak.portfolio.choices import Category, Light, Stage, Status
from groundbreak.portfolio.models import KeyList, KeyListMembership, Project


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    area = django_filters.ModelChoiceFilter(
        label=_("Area"),
        queryset=Area.objects.all(),
        method="filter_area",
        empty_label=_("All areas"),
        widget=FastSelect,
    )
    key_list = django_filters.ModelChoiceFilter(
        label=_("Key list"),
        queryset=KeyList.objects.all(),
        field_name="key_lists",
        empty_label=_("All key lists"),
        widget=FastSelect,
    )
    # A column of the project: no duplicate rows to remove. (The filter's default DISTINCT made
    # PostgreSQL compare whole rows, light expression included, for the page, its count and the
    # light and stage counts.)
    stage = django_filters.MultipleChoiceFilter(label=_("Stage"), choices=Stage.choices, distinct=False)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("Any status"), widget=FastSelect
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All categories"), widget=FastSelect
    )
    industry = django_filters.CharFilter(label=_("Industry"), lookup_expr="icontains")
    lead_leader = django_filters.ModelChoiceFilter(
        label=_("Lead leader"),
        queryset=Person.objects.filter(is_leader=True),
        empty_label=_("All leaders"),
        widget=FastSelect,
    )
    responsible_unit = django_filters.ModelChoiceFilter(
        label=_("Responsible unit"), queryset=Unit.objects.all(), empty_label=_("All units"), widget=FastSelect
    )
    light = django_filters.ChoiceFilter(
        label=_("Light"), choices=Light.choices, method="filter_light", empty_label=_("All lights"), widget=FastSelect
    )

    class Meta:
        model = Project
        fields = []

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if user is not None:
            self._narrow_choices(user)

    def _narrow_choices(self, user):
        """Offer only the areas, units, leaders and key lists of projects the user can see
        (practice 3).

        Each list is a semi-join on the visible projects (`pk IN (SELECT …)`), never a DISTINCT
        over a join, and the visible projects inside are the plain scoped query, without the
        list's light annotation or joins. One who sees everything gets the units responsible for
        any project (the same answer from a cheaper source), not every enterprise."""
        from groundbreak.org.permissions import sees_everything

        if sees_everything(user):
            self.filters["responsible_unit"].queryset = Unit.objects.filter(
                pk__in=Project.objects.values("responsible_unit")
            )
            return
        # Units and leaders: one semi-join per way of seeing a project (district, zone, unit, led),
        # each served by its index, where the scope's OR checked every project of the province
        # (a district's lists 35 ms → 3 ms each).
        parts = Project.objects.for_user_in_parts(user)

        def of_projects(*fields: str) -> Q:
            return reduce(or_, (Q(pk__in=part.values(field)) for part in parts for field in fields), NOTHING)

        if user.scope_area_id:
            self.filters["area"].queryset = Area.objects.subtree(user.scope_area)
        else:
            self.filters["area"].queryset = Area.objects.filter(of_projects("area", "zone"))
        self.filters["responsible_unit"].queryset = Unit.objects.filter(of_projects("responsible_unit"))
        self.filters["lead_leader"].queryset = Person.objects.filter(of_projects("lead_leader"))
        # Key lists stay one semi-join on the whole scope: a list is found at its first visible
        # member, which the parts' OR would not let the planner do (province 2 ms → 50 ms).
        memberships = KeyListMembership.objects.filter(project__in=Project.objects.for_user(user).values("pk"))
        self.filters["key_list"].queryset = KeyList.objects.filter(pk__in=memberships.values("key_list"))

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_area(self, queryset, name, value):
        """An area covers its subtree, and zones: a project counts under its district and its zone."""
        return queryset.filter(Q(area__path__startswith=value.path) | Q(zone__path__startswith=value.path))

    def filter_light(self, queryset, name, value):
        return queryset.filter(light=value)
