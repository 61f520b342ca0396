"""FastSelect writes the markup Django's Select writes (attribute order aside)."""

import pytest
from django import forms
from django.test.html import parse_html

from groundbreak.core.widgets import FastSelect

CHOICES = [("", "All units"), ("1", "A & B"), ("2", "<script>"), ("区", [("3", "松江区"), ("4", "闵行区")])]


@pytest.mark.parametrize("value", [None, "", "2", "3", "missing"])
def test_fast_select_renders_as_django_select(value):
    attrs = {"id": "id_unit", "class": "form-select", "required": True, "disabled": False, "data-x": '"q"'}
    django_html = forms.Select(choices=CHOICES).render("unit", value, dict(attrs))
    fast_html = FastSelect(choices=CHOICES).render("unit", value, dict(attrs))
    assert parse_html(fast_html) == parse_html(django_html)
    assert "<script>" not in fast_html and "&lt;script&gt;" in fast_html
