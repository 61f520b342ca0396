from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundbreak.org.choices import Role
from groundbreak.org.security.choices import AuthEventKind


class AuthEvent(models.Model):
    """One sign-in, failed sign-in, lock-out, sign-out or second-factor event.

    The username is kept as typed, so failures for accounts that do not exist are recorded too
    and a deleted user's history still reads.
    """

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=AuthEventKind.choices)
    username = models.CharField(_("username"), max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["username", "-time"]),
            models.Index(fields=["user", "-time"]),
            models.Index(fields=["ip_address", "-time"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username}"


class RoleSecurityPolicy(models.Model):
    """Administrators' choice of which roles must sign in with a second factor."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    require_totp = models.BooleanField(
        _("require an authenticator app"),
        default=False,
        help_text=_(
            "Users of this role must set up an authenticator app and enter its code at every login. "
            "Takes effect at each user's next login."
        ),
    )

    class Meta:
        verbose_name = _("role security policy")
        verbose_name_plural = _("role security policies")
        ordering = ["role"]

    def __str__(self) -> str:
        return self.get_role_display()
