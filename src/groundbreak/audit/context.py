"""Who is acting right now, for the change log.

A context variable rather than thread-locals so the same code serves web requests, commands,
imports and the worker: each sets the actor it acts for around its writes.
"""

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user: object | None
    source: str
    request_id: str


_current: ContextVar[Actor | None] = ContextVar("groundbreak_audit_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or Actor(user=None, source="system", request_id="")


@contextlib.contextmanager
def acting_as(user, *, source: str | None = None, request_id: str | None = None):
    """Attribute every change made inside the block to `user` (None for the system)."""
    outer = _current.get()
    actor = Actor(
        user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        source=source or (outer.source if outer else "system"),
        request_id=request_id or (outer.request_id if outer else uuid.uuid4().hex[:16]),
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
