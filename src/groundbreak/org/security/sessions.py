"""Session lifetime: a session ends after GROUNDBREAK_SESSION_IDLE_MINUTES without a request and,
however busy, GROUNDBREAK_SESSION_MAX_HOURS after its login (ASVS 3.3.2).

A password change ends the user's other sessions through Django's session auth hash; the
password change view keeps only the session that made the change. A user can also end their
other sessions without changing the password (a phone left signed in somewhere).
"""

import time
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext as _

from groundbreak.org.security.choices import AuthEventKind
from groundbreak.org.security.events import LOGOUT_KIND_ATTRIBUTE

LAST_SEEN_KEY = "groundbreak_last_seen"
LOGGED_IN_AT_KEY = "groundbreak_logged_in_at"
# Writing the session on every request would cost a query each time; a minute's precision is
# plenty for a timeout counted in tens of minutes.
_TOUCH_EVERY_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="groundbreak-session-clock")
def _start_clock(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[LOGGED_IN_AT_KEY] = now
        session[LAST_SEEN_KEY] = now


def session_expired(session, now: float) -> bool:
    """Whether an authenticated session has been idle too long or lived too long."""
    last_seen = session.get(LAST_SEEN_KEY)
    logged_in_at = session.get(LOGGED_IN_AT_KEY)
    if last_seen is None or logged_in_at is None:
        return False
    idle = settings.GROUNDBREAK_SESSION_IDLE_MINUTES * 60
    lifetime = settings.GROUNDBREAK_SESSION_MAX_HOURS * 3600
    return now - last_seen > idle or now - logged_in_at > lifetime


class SessionExpiryMiddleware:
    """Logs out a session that has expired and lets the request go on anonymously, so pages that
    need a login send the user to the login page with a message saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            if session_expired(session, now):
                setattr(request, LOGOUT_KIND_ATTRIBUTE, AuthEventKind.SESSION_EXPIRED)
                logout(request)
                messages.info(request, _("Your session has expired. Please log in again."))
            else:
                if LOGGED_IN_AT_KEY not in session:
                    # A session from before this middleware: its clock starts now.
                    session[LOGGED_IN_AT_KEY] = int(now)
                # A page's own polling (the notification bell) is not the user being active:
                # it must not keep an abandoned tab's session alive.
                polling = request.headers.get("X-Groundbreak-Poll")
                if not polling and now - session.get(LAST_SEEN_KEY, 0) >= _TOUCH_EVERY_SECONDS:
                    session[LAST_SEEN_KEY] = int(now)
        return self.get_response(request)


def end_other_sessions(user, *, keep: str | None) -> int:
    """Delete every stored session of `user` except the one keyed `keep`; returns how many.

    Reads the database session table, so it needs a database-backed SESSION_ENGINE (the
    default). Only sessions that have not expired are read, and none lives longer than
    GROUNDBREAK_SESSION_MAX_HOURS, so the scan stays small.
    """
    from django.utils import timezone

    model = import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()
    ended = 0
    for session in model.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=keep).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended
