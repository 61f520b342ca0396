"""Optimistic concurrency: ETags from a record's `version`, and `If-Match` on writes.

A client reads a project (ETag `W/"7"`), changes it and sends `If-Match: W/"7"`; if somebody saved
the project in between, its version is 8 and the write is refused with 412, nothing overwritten.

The ETags are weak because the representation also holds derived values (the light) that change
without the version; we still compare them in If-Match, which RFC 9110 reserves for strong tags,
because the version is exactly what a lost update is about. docs/api.md says so.
"""

import contextlib

from django.db import transaction
from ninja.utils import contribute_operation_callback

from groundbreak.api.errors import PreconditionFailed

ANY = "*"


def etag(version: int) -> str:
    return f'W/"{version}"'


def _if_match(request) -> set[str] | None:
    """The entity tags of the If-Match header (without W/ and quotes), or None when it is absent."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tags = set()
    for part in header.split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        tags.add(part.strip('"'))
    return tags


def check_if_match(request, version: int) -> None:
    """Raise PreconditionFailed (412) unless If-Match is absent, `*`, or names `version`."""
    tags = _if_match(request)
    if tags is None or ANY in tags:
        return
    if str(version) not in tags:
        raise PreconditionFailed()


def expected_version(request, version: int) -> int | None:
    """The version to hand to an action that checks it under its own lock (e.g. update_project).

    Checks If-Match against the `version` just read; the action then refuses the write if the
    record moved on in the meantime, so the check and the write cannot race.
    """
    tags = _if_match(request)
    if tags is None or ANY in tags:
        return None
    check_if_match(request, version)
    return version


@contextlib.contextmanager
def guarded(request, model, pk):
    """Lock the row, check If-Match against its version, and keep the lock while the action runs.

    For actions without an `expected_version` of their own: the lock (a write transaction on
    SQLite) stops anybody saving between our check and the action's write.
    """
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=pk)
        check_if_match(request, current.version)
        yield current


def _document_if_match(operation) -> None:
    # Through openapi_extra: ninja copies it when it binds an operation to the API (not custom attributes).
    extra = operation.openapi_extra or {}
    extra.setdefault("parameters", []).append(
        {
            "in": "header",
            "name": "If-Match",
            "required": False,
            "description": 'The ETag you read (e.g. W/"7"): the write is refused with 412 if the record changed since.',
            "schema": {"type": "string"},
        }
    )
    extra.setdefault("responses", {})[412] = {
        "description": "If-Match does not match the record's current ETag: nothing was changed."
    }
    operation.openapi_extra = extra


def accepts_if_match(func):
    """Document the If-Match header (and its 412 answer) on an endpoint that checks it."""
    contribute_operation_callback(func, _document_if_match)
    return func


def _document_etag(operation) -> None:
    extra = operation.openapi_extra or {}
    responses = extra.setdefault("responses", {})
    for status in operation.response_models:
        if isinstance(status, int) and 200 <= status < 300:
            responses.setdefault(status, {})["headers"] = {
                "ETag": {
                    "description": "The record's version, for If-Match on a later write.",
                    "schema": {"type": "string"},
                }
            }
    operation.openapi_extra = extra


def sends_etag(func):
    """Document the ETag header on an endpoint's success answer."""
    contribute_operation_callback(func, _document_etag)
    return func
