from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "groundbreak.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from groundbreak.audit.recording import track
        from groundbreak.org.models import Area, Person, Unit, User

        track(Area, exclude=("path", "depth"))
        track(Unit)
        track(Person)
        track(User, exclude=("password", "last_login"))
