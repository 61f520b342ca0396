"""`Idempotency-Key` for POSTs that create things: a retry gets the first answer, and acts once.

Decorate an endpoint with `@idempotent` (below the router decorator). When the request carries an
`Idempotency-Key`, the whole request runs in one transaction that also stores the answer under
(user, key); a retry with the same key and the same request gets that stored answer back, with
`Idempotent-Replayed: true`, and changes nothing. The same key with a different request is refused
with 422. Two identical requests at the same moment: the second waits on the first's row (the
unique constraint) and then replays its answer. Server errors (5xx) are rolled back with the action,
so a retry acts again. Answers are kept for IDEMPOTENCY_TTL.
"""

import datetime
import functools
import hashlib
import json
import re

from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from groundbreak.api.auth import caller_token
from groundbreak.api.errors import Problem
from groundbreak.api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = datetime.timedelta(hours=24)
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
_REPLAYED_HEADERS = ("Content-Type", "ETag", "Location")


def _fingerprint(request) -> str:
    """What makes two requests "the same": method, path and body (JSON compared by meaning)."""
    try:
        raw = request.body
    except RawPostDataException:
        # A multipart body was streamed into POST/FILES; compare the fields and the files' names and sizes.
        raw = json.dumps(
            {
                "fields": sorted(request.POST.lists()),
                "files": sorted((name, f.name, f.size) for name, f in request.FILES.items()),
            }
        ).encode()
    else:
        try:
            raw = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
        except (ValueError, UnicodeDecodeError):
            pass
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), raw):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def _key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY_PATTERN.match(key):
        raise Problem(
            422,
            _("An Idempotency-Key is 1 to 255 visible ASCII characters, e.g. a UUID."),
            title=_("Validation failed"),
            type="validation-failed",
            errors={HEADER: [_("Use 1 to 255 visible ASCII characters.")]},
        )
    return key


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(record.body, status=record.status_code)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _reused(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.request_hash != fingerprint:
        raise Problem(
            422,
            _("This Idempotency-Key was already used for a different request. Use a new key for a new request."),
            title=_("Idempotency key reused"),
            type="idempotency-key-reused",
            errors={HEADER: [_("Already used for a different request.")]},
        )
    return _replay(record)


def _begin(request, key: str):
    """Replay a stored answer, or claim the key for this request (returns None to go ahead)."""
    user = request.auth
    fingerprint = _fingerprint(request)
    fresh_after = timezone.now() - IDEMPOTENCY_TTL
    mine = IdempotencyRecord.objects.filter(user=user, key=key)
    existing = mine.filter(created_at__gte=fresh_after).first()
    if existing is not None:
        return _reused(existing, fingerprint)
    # Expired answers free their keys (this one's included): cleaned up as the user makes new ones.
    IdempotencyRecord.objects.filter(user=user, created_at__lt=fresh_after).delete()
    record = IdempotencyRecord(
        user=user,
        token=caller_token(request),
        key=key,
        method=request.method,
        path=request.path[:500],
        request_hash=fingerprint,
        status_code=0,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # The same key committed by a concurrent request while we waited for its row: replay it.
        return _reused(mine.get(), fingerprint)
    request._idempotency_record = record
    return None


def _finish(run):
    """Around ninja's handling of the request: one transaction, and the answer stored in it."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        if request.headers.get(HEADER) is None:
            return run(request, *args, **kwargs)
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            record = getattr(request, "_idempotency_record", None)
            if record is None:
                return response
            if response.status_code >= 500 or connection.needs_rollback:
                # Nothing of a failed request is kept, the key included: a retry acts afresh.
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.body = response.content.decode(response.charset or "utf-8")
            record.headers = {name: response[name] for name in _REPLAYED_HEADERS if response.has_header(name)}
            record.save(update_fields=["status_code", "body", "headers"])
            return response

    return wrapper


def _document(operation) -> None:
    extra = operation.openapi_extra or {}
    extra.setdefault("parameters", []).append(
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "description": "Any unique string (a UUID): a retry with the same key returns the first answer "
            "and does not act again.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e]+$"},
        }
    )
    operation.openapi_extra = extra


def idempotent(func):
    """Make a creating POST endpoint safe to retry with an `Idempotency-Key` header (see the module)."""

    @functools.wraps(func)
    def view(request, *args, **kwargs):
        key = _key(request)
        if key is not None:
            replayed = _begin(request, key)
            if replayed is not None:
                return replayed
        return func(request, *args, **kwargs)

    contribute_operation_callback(view, _document)
    return decorate_view(_finish)(view)
