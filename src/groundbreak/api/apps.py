from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "groundbreak.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from groundbreak.api.models import ApiToken
        from groundbreak.audit.recording import track

        # Creating and revoking a token are security events; the hash and mere use are not history.
        track(ApiToken, exclude=("key_hash", "last_used_at"))
