"""Personal API tokens: creating one (the secret is shown once), revoking one, finding one by its secret."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.api.models import ApiToken

# A recognisable prefix lets secret scanners (and people) spot a leaked Groundbreak token.
SECRET_PREFIX = "gbt_"
PREFIX_LENGTH = 12
# Only revisit `last_used_at` this often: a write on every request would serialise SQLite readers.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
MAX_LIFETIME_DAYS = 366


def hash_secret(secret: str) -> str:
    """The stored form of a secret (SHA-256; secrets are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(*, user, name: str, expires_at: datetime.datetime | None, read_only: bool = False):
    """Create a token for `user` and return (token, secret); the secret is never stored or shown again."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the token a name that says what it is for.")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = _("The expiry must be in the future.")
    elif expires_at is not None and expires_at > now + datetime.timedelta(days=MAX_LIFETIME_DAYS):
        errors["expires_at"] = _("A token lives at most a year.")
    if errors:
        raise ValidationError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(
            user=user,
            name=name,
            key_hash=hash_secret(secret),
            prefix=secret[:PREFIX_LENGTH],
            expires_at=expires_at,
            read_only=read_only,
        )
        token.full_clean()
        token.save()
    return token, secret


def revoke_token(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token for good; only its owner may (a revoked token answers 401 from now on)."""
    if by is None or token.user_id != by.pk:
        raise PermissionDenied("not the token's owner")
    with transaction.atomic():
        current = ApiToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is None:
            current.revoked_at = timezone.now()
            current.save()
    return current


def find_token(secret: str) -> ApiToken | None:
    """The token with this secret, revoked and expired ones included (they get their own message)."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=hash_secret(secret)).first()


def touch(token: ApiToken) -> None:
    """Record that the token was used, at most once per LAST_USED_RESOLUTION."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A queryset update: no change-log entry for mere use, and no race with a concurrent revoke.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
