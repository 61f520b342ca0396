"""Choosing a project among tens of thousands: the forms' project fields and their search.

A province coordinator sees 50,000 projects; a `<select>` of all of them is a 3 MB page that no
phone can scroll. Up to `ProjectPicker.limit` projects the picker is the usual `<select>`; beyond
it, the `<select>` holds only the chosen projects and a search box above it fills it with the
projects matching what is typed (`project_choices`, through htmx). The form field still accepts
any project of its queryset, so what the search offers never widens what may be chosen.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from groundbreak.core.widgets import chosen_options
from groundbreak.portfolio.models import Project

SUGGESTIONS = 30


class ProjectPicker(forms.Select):
    """A project `<select>` that turns into a search when there are more than `limit` to offer."""

    limit = 200

    def get_context(self, name, value, attrs):
        full = self.choices
        self.searchable = False
        queryset = getattr(full, "queryset", None)
        if queryset is not None:
            rows = list(queryset[: self.limit + 1])
            self.searchable = len(rows) > self.limit
            if self.searchable:
                self.choices = chosen_options(full, self.format_value(value))
            else:
                # The rows already read, rather than a second query through the field's iterator.
                empty = chosen_options(full, ())
                self.choices = empty + [full.choice(row) for row in rows]
        try:
            return super().get_context(name, value, attrs)
        finally:
            self.choices = full

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        if not self.searchable:
            return select
        select_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        url = (
            reverse("portfolio:project-choices")
            + "?"
            + urlencode({"field": name, "multiple": "1" if self.allow_multiple_selected else ""})
        )
        search = format_html(
            '<input type="search" name="{}" placeholder="{}" aria-label="{}" autocomplete="off"'
            ' hx-get="{}" hx-trigger="input changed delay:300ms, search" hx-target="#{}"'
            ' hx-include="#{}" hx-swap="innerHTML" hx-sync="this:replace">',
            f"{name}__search",
            _("Type a project's code or name"),
            _("Find a project"),
            url,
            select_id,
            select_id,
        )
        return mark_safe(f'<span class="project-picker">{search}{select}</span>')


class ProjectsPicker(ProjectPicker, forms.SelectMultiple):
    """The same for a field that takes several projects: the chosen ones stay chosen while
    searching for more."""


@login_required
@require_GET
def project_choices(request):
    """The `<option>`s of a project picker: the projects chosen so far (kept chosen), then up to
    30 of the user's visible projects whose code or name contains the search, by code."""
    field = request.GET.get("field", "")
    multiple = request.GET.get("multiple") == "1"
    search = request.GET.get(f"{field}__search", "") if field else ""
    visible = Project.objects.for_user(request.user).order_by("code")
    chosen_ids = [v for v in request.GET.getlist(field) if v.isdigit()] if field else []
    chosen = list(visible.filter(pk__in=chosen_ids)) if chosen_ids else []
    matches = (
        list(visible.search(search).exclude(pk__in=[p.pk for p in chosen])[:SUGGESTIONS]) if search.strip() else []
    )
    return render(
        request,
        "portfolio/_project_choices.html",
        {"chosen": chosen, "matches": matches, "multiple": multiple, "searched": bool(search.strip())},
    )
