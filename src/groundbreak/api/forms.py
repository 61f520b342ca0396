from django import forms
from django.utils.translation import gettext_lazy as _

EXPIRY_CHOICES = [
    ("30", _("in 30 days")),
    ("90", _("in 90 days")),
    ("180", _("in 180 days")),
    ("365", _("in a year")),
]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100, help_text=_("What the token is for, e.g. “weekly export”."))
    expires_in = forms.TypedChoiceField(
        label=_("expires"), choices=EXPIRY_CHOICES, initial="90", coerce=int, widget=forms.Select
    )
    read_only = forms.BooleanField(
        label=_("read only"),
        required=False,
        initial=True,
        help_text=_("A read-only token can read but never change anything."),
    )
