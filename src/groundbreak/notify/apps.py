from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "groundbreak.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        from groundbreak.audit.recording import track
        from groundbreak.notify import models
        from groundbreak.notify.checks import register_checks

        # The secret signs messages; the change log must not become a place to read it.
        track(models.Webhook, exclude=("secret",))
        register_checks()
