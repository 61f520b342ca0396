"""Who is calling: a personal token (`Authorization: Bearer …`) or the browser's session.

Either way the caller acts as a user, with that user's role and scope; a token adds only limits
(read-only, expiry, revocation), never rights.
"""

from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from groundbreak.api.errors import Problem
from groundbreak.api.tokens import find_token, touch

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """A personal API token sent as a bearer token."""

    def authenticate(self, request, token):
        record = find_token(token.strip())
        if record is None:
            raise AuthenticationError(message=_("The token is not valid."))
        if record.revoked_at is not None:
            raise AuthenticationError(message=_("The token has been revoked."))
        if record.is_expired:
            raise AuthenticationError(message=_("The token has expired."))
        user = record.user
        if not user.is_active:
            raise AuthenticationError(message=_("The token's user is deactivated."))
        if record.read_only and request.method not in SAFE_METHODS:
            raise Problem(
                403,
                _("This token is read-only: it cannot change anything."),
                title=_("Read-only token"),
                type="read-only-token",
            )
        touch(record)
        request.api_token = record
        # Downstream code (scoping, the audit actor, messages) sees the token's user as the request's user.
        request.user = user
        if user.language:
            # Like the pages: the user's saved language first, then Accept-Language.
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user


class SessionAuth(APIKeyCookie):
    """The browser's login session (the interactive docs use it); unsafe methods need the CSRF token."""

    def __init__(self):
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def __call__(self, request):
        # Without a session there is nothing to protect from forgery: answer 401, not a CSRF 403.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        request.api_token = None
        return request.user


def caller_token(request):
    """The token the request authenticated with, or None for a session."""
    return getattr(request, "api_token", None)
