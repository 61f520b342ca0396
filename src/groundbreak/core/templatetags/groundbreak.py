"""Template filters for how figures read on our pages."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def money(value):
    """Yuan as a reader expects it: 万元/亿元 in Chinese, million/billion in English."""
    if value in (None, ""):
        return "—"
    amount = Decimal(value)
    if (get_language() or "").startswith("zh"):
        if abs(amount) >= Decimal(100_000_000):
            return _("%(n)s 亿元") % {"n": number_format(amount / Decimal(100_000_000), 2)}
        return _("%(n)s 万元") % {"n": number_format(amount / Decimal(10_000), 1 if abs(amount) < 10**7 else 0)}
    if abs(amount) >= Decimal(1_000_000_000):
        return _("¥%(n)s bn") % {"n": number_format(amount / Decimal(1_000_000_000), 2)}
    return _("¥%(n)s m") % {"n": number_format(amount / Decimal(1_000_000), 1)}


@register.filter
def figure(value):
    """A decimal without trailing zeros, grouped by thousands."""
    if value in (None, ""):
        return "—"
    amount = Decimal(value).normalize()
    places = max(0, -amount.as_tuple().exponent)
    # Both Chinese and English group thousands with a comma.
    return f"{amount:,.{places}f}"


@register.filter
def lookup(mapping, key):
    """`mapping[key]` in a template, or None."""
    return mapping.get(key) if hasattr(mapping, "get") else None
