from django.db import models
from django.utils.translation import gettext_lazy as _


class AuthEventKind(models.TextChoices):
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("login failed")
    LOCKED_OUT = "locked_out", _("locked out")
    LOGOUT = "logout", _("logged out")
    SESSION_EXPIRED = "session_expired", _("session expired")
    PASSWORD_CHANGED = "password_changed", _("password changed")
    OTHER_SESSIONS_ENDED = "sessions_ended", _("other sessions logged out")
    TOTP_ENROLLED = "totp_enrolled", _("second factor set up")
    TOTP_VERIFIED = "totp_verified", _("second factor verified")
    TOTP_FAILED = "totp_failed", _("second factor code refused")
    TOTP_REMOVED = "totp_removed", _("second factor removed")
