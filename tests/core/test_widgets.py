"""FastSelect writes the markup Django's Select writes (attribute order aside)."""

import pytest
from django import forms
from django.test.html import parse_html

from groundbreak.core.widgets import ChosenOnlySelect, FastSelect

CHOICES = [("", "All units"), ("1", "A & B"), ("2", "<script>"), ("区", [("3", "松江区"), ("4", "闵行区")])]


@pytest.mark.parametrize("value", [None, "", "2", "3", "missing"])
def test_fast_select_renders_as_django_select(value):
    attrs = {"id": "id_unit", "class": "form-select", "required": True, "disabled": False, "data-x": '"q"'}
    django_html = forms.Select(choices=CHOICES).render("unit", value, dict(attrs))
    fast_html = FastSelect(choices=CHOICES).render("unit", value, dict(attrs))
    assert parse_html(fast_html) == parse_html(django_html)
    assert "<script>" not in fast_html and "&lt;script&gt;" in fast_html


@pytest.mark.django_db
def test_chosen_only_select_offers_the_empty_choice_and_the_chosen_record(django_assert_num_queries):
    from groundbreak.org.models import Area
    from tests.factories import AreaFactory

    chosen, _other = AreaFactory(name="松江区"), AreaFactory(name="闵行区")
    field = forms.ModelChoiceField(Area.objects.all(), empty_label="All areas", widget=ChosenOnlySelect)
    with django_assert_num_queries(0):
        blank = field.widget.render("area", None)
    assert parse_html(blank) == parse_html('<select name="area"><option value="" selected>All areas</option></select>')
    with django_assert_num_queries(1):
        picked = field.widget.render("area", chosen.pk)
    assert parse_html(picked) == parse_html(
        f'<select name="area"><option value="">All areas</option><option value="{chosen.pk}" selected>松江区</option></select>'
    )
    assert "闵行区" not in picked
    not_a_key = field.widget.render("area", "not-a-key")
    assert parse_html(not_a_key) == parse_html('<select name="area"><option value="">All areas</option></select>')
    # The field itself still accepts any record of its queryset.
    assert field.clean(str(_other.pk)) == _other
