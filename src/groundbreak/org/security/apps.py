from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "groundbreak.org.security"
    label = "security"
    verbose_name = _("Sign-in security")

    def ready(self):
        # Receivers connect on import; commands and the worker need them as much as the web.
        from groundbreak.audit.recording import track
        from groundbreak.org.security import events, sessions, totp  # noqa: F401
        from groundbreak.org.security.models import RoleSecurityPolicy

        # Who made a role require (or stop requiring) a second factor belongs in the change log.
        track(RoleSecurityPolicy)
