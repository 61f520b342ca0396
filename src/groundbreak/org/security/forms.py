import django_otp
from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """A code from the user's authenticator app, checked against the given devices.

    Each device throttles wrong codes itself (django-otp doubles the wait after every failure),
    which stops guessing the six digits.
    """

    token = forms.CharField(
        label=_("code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )

    def __init__(self, user, devices, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.devices = list(devices)
        self.device = None

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the digits shown in your authenticator app."))
        for device in self.devices:
            # Verified in a transaction with the device row locked, so a code cannot be used twice.
            verified = django_otp.verify_token(self.user, device.persistent_id, token)
            if verified is not None:
                self.device = verified
                return token
        if any(not device.verify_is_allowed()[0] for device in self._reloaded()):
            raise forms.ValidationError(_("Too many wrong codes. Wait a minute, then try the newest code."))
        raise forms.ValidationError(_("The code is wrong or has expired. Try the newest code in your app."))

    def _reloaded(self):
        for device in self.devices:
            device.refresh_from_db()
        return self.devices
