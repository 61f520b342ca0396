"""Form widgets that render faster than Django's template-per-option ones."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A `<select>` that writes its options in Python, with the same markup as Django's.

    Django renders every `<option>` through two templates: a list filter with a few hundred
    units and leaders spent a third of its page time there (province bench)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>', option["value"], flatatt(option["attrs"]), option["label"]
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))


class ChosenOnlySelect(FastSelect):
    """A model `<select>` that offers only "all" and the record chosen, for lists far too long
    for a drop-down (a province's 50,000 projects).

    The page's search box finds a record by code or name; links (a project's "its issues") set
    the choice, which shows here and can be cleared. The form field still accepts any record of
    its queryset, with one query for the chosen one instead of one row per record."""

    def optgroups(self, name, value, attrs=None):
        full = self.choices
        self.choices = list(self._offered(full, value))
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = full

    @staticmethod
    def _offered(choices, value):
        if getattr(choices, "field", None) is None:  # plain choices: nothing to save
            return choices
        return chosen_options(choices, value)


def chosen_options(choices, value) -> list:
    """The empty choice (if the field has one) and the chosen records of a model choice field's
    `choices`, as (value, label) pairs: what a `<select>` offers when the whole list is too long.
    One query for the chosen records; a value that is not a key offers nothing (the form says so)."""
    field = choices.field
    options = [("", field.empty_label)] if field.empty_label is not None else []
    chosen = [v for v in value if v not in (None, "")]
    if not chosen:
        return options
    try:
        records = list(choices.queryset.filter(**{f"{field.to_field_name or 'pk'}__in": chosen}))
    except (ValueError, TypeError, ValidationError):
        return options
    return options + [choices.choice(record) for record in records]
