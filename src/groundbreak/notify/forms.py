from django import forms
from django.utils.translation import gettext_lazy as _

from groundbreak.notify.channels import PermanentDeliveryError
from groundbreak.notify.channels.transport import check_address
from groundbreak.notify.choices import WebhookKind
from groundbreak.notify.models import Webhook
from groundbreak.notify.queries import areas_for_webhooks, units_for_webhooks


def _check_reachable(url: str) -> None:
    """Refuse at once an address the sender would refuse later; a DNS hiccup is not the user's fault."""
    try:
        check_address(url)
    except PermanentDeliveryError as error:
        raise forms.ValidationError(
            _("This address cannot receive notifications: %(reason)s"), params={"reason": error}
        ) from None
    except Exception:  # noqa: BLE001
        pass


def _check_secret(cleaned, kind: str, has_saved_secret: bool, errors_to) -> None:
    if kind == WebhookKind.GENERIC and not (
        cleaned.get("secret") or (has_saved_secret and not cleaned.get("clear_secret"))
    ):
        errors_to.add_error("secret", _("A signed JSON webhook needs a secret."))


class PreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("E-mail me each notification"), required=False)
    digest_enabled = forms.BooleanField(
        label=_("Send me a daily digest"),
        required=False,
        help_text=_(
            "Each morning: your unread notifications and the red lights in your scope, by e-mail and to your webhook."
        ),
    )
    webhook_kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("none"))] + list(WebhookKind.choices)
    )
    webhook_url = forms.URLField(
        label=_("Webhook address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("The robot's address as WeCom, DingTalk or Feishu shows it, or your endpoint's."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the saved secret."),
    )
    clear_secret = forms.BooleanField(label=_("Remove the saved secret"), required=False)

    def __init__(self, *args, has_saved_secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_saved_secret = has_saved_secret

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("webhook_kind")
        if kind:
            url = cleaned.get("webhook_url")
            if not url:
                if "webhook_url" not in self.errors:
                    self.add_error("webhook_url", _("Enter the webhook's address."))
            else:
                try:
                    _check_reachable(url)
                except forms.ValidationError as error:
                    self.add_error("webhook_url", error)
            _check_secret(cleaned, kind, self.has_saved_secret, self)
        return cleaned


class WebhookForm(forms.ModelForm):
    """An area's or a unit's group webhook; the drop-downs offer only what is in the user's scope."""

    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "DingTalk and Feishu: the robot's signing secret, if signing is on. Signed JSON: required. Leave empty to keep the saved secret."
        ),
    )
    clear_secret = forms.BooleanField(label=_("Remove the saved secret"), required=False)
    url = forms.URLField(label=_("address"), max_length=500, assume_scheme="https")

    class Meta:
        model = Webhook
        fields = ["name", "kind", "url", "area", "unit", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["area"].queryset = areas_for_webhooks(user)
        self.fields["unit"].queryset = units_for_webhooks(user)
        self.saved_secret = self.instance.secret if self.instance.pk else ""

    def clean_url(self):
        url = self.cleaned_data["url"]
        _check_reachable(url)
        return url

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("area")) == bool(cleaned.get("unit")):
            raise forms.ValidationError(_("Choose either an area or a unit for the webhook."))
        if cleaned.get("kind"):
            _check_secret(cleaned, cleaned["kind"], bool(self.saved_secret), self)
        return cleaned

    def _post_clean(self):
        # The secret is not a model field of the form: apply "keep / replace / remove" before the
        # model's own validation runs.
        if self.cleaned_data.get("secret"):
            self.instance.secret = self.cleaned_data["secret"]
        elif self.cleaned_data.get("clear_secret"):
            self.instance.secret = ""
        super()._post_clean()
