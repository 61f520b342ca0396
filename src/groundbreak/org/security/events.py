"""The record of sign-ins: every login, failed login, lock-out, logout and second-factor event.

Written from Django's authentication signals and axes' lock-out signal, so the login page, the
admin login and any later sign-in path are all covered without each remembering to log.
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from groundbreak.org.security.choices import AuthEventKind
from groundbreak.org.security.models import AuthEvent
from groundbreak.org.security.throttling import client_ip

# A view that logs a user out for a reason other than their own request sets this on the request.
LOGOUT_KIND_ATTRIBUTE = "groundbreak_logout_kind"


def record_auth_event(kind: str, *, request=None, user=None, username: str = "") -> AuthEvent:
    """Record one sign-in event with the client's address and browser taken from `request`."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and not username:
        username = user.get_username()
    meta = request.META if request is not None else {}
    return AuthEvent.objects.create(
        kind=kind,
        username=(username or "")[:150],
        user=user,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
    )


def _account(username: str):
    """The account a failed attempt was aimed at, if it exists, so its owner can see it."""
    if not username:
        return None
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()


@receiver(user_logged_in, dispatch_uid="groundbreak-auth-event-login")
def _logged_in(sender, request, user, **kwargs):
    record_auth_event(AuthEventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="groundbreak-auth-event-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is None:  # logging out without a session is not an event
        return
    kind = getattr(request, LOGOUT_KIND_ATTRIBUTE, AuthEventKind.LOGOUT)
    record_auth_event(kind, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="groundbreak-auth-event-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`.
    username = str(credentials.get("username") or "")
    record_auth_event(AuthEventKind.LOGIN_FAILED, request=request, user=_account(username), username=username)


@receiver(user_locked_out, dispatch_uid="groundbreak-auth-event-locked-out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    username = str(username or "")
    record_auth_event(AuthEventKind.LOCKED_OUT, request=request, user=_account(username), username=username)
