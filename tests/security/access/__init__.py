"""The authorisation matrix: every URL pattern and every API operation, requested by every persona.

HOW TO ADD EXPECTATIONS FOR A NEW PAGE, APP OR API OPERATION
===========================================================

`tests/security/test_access_matrix.py::test_every_url_pattern_has_an_expectation` walks the URL
configuration (`get_resolver()`, recursively) and the API's OpenAPI schema, and fails naming every
pattern (by its namespaced name, e.g. ``fieldwork:inspection-detail``) or operation (by its
operationId, e.g. ``list_inspections``) that no module here declares. To cover it:

1. Open (or create) the module of its app: ``tests/security/access/<app>.py``. A new module must
   define ``PAGES`` (and/or ``OPERATIONS`` for API operations) and be listed in ``MODULES`` below.
2. Add one entry per URL name::

       "fieldwork:inspection-detail": Page(
           kwargs=lambda w: {"pk": b.inspection(w).pk},   # objects built from the `world` fixture
           get=who(200, mh_coordinator=404),               # expected status per persona
           post=who(403, admin=OK, coordinator=OK, mh_coordinator=404),  # only if the page takes POSTs
           data=lambda w: {...},                           # a VALID form, so the permission check is reached
       ),

   Build the object **in Songjiang** (see `builders.py`): the Minhang coordinator (``mh_coordinator``)
   is then the curious insider of another district and must get 404. ``who(default, **overrides)``
   fills in every persona; anonymous defaults to ``LOGIN`` (a redirect to the login page) for
   pages and must be given as 401 for API operations.
3. Statuses: an int (200, 302, 403, 404, 405, 401 …), ``LOGIN`` (302 to the login page) or ``OK``
   (allowed: anything below 500 that is not a refusal — for POSTs that really write, which is
   harmless because every case runs in its own rolled-back transaction).

Rules of thumb: out-of-scope object → 404; in scope but the role may not → 403; anonymous → LOGIN
(pages) or 401 (API). A POST by a persona that may not must be refused (403/404/LOGIN) — with a
valid form, not merely an invalid one.

Django's admin (``admin:*``) and built-ins (i18n, jsi18n) are covered by the explicit rules in
`builtin.py`; every pattern must be matched by an expectation or a rule, none is skipped silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

PERSONAS = ("admin", "coordinator", "mh_coordinator", "leader", "unit_member", "owner", "viewer", "anonymous")
# The `world` fixture's attribute for each persona (tests/conftest.py).
PERSONA_ATTR = {
    "admin": "admin",
    "coordinator": "coordinator",
    "mh_coordinator": "mh_coordinator",
    "leader": "leader_user",
    "unit_member": "unit_member",
    "owner": "owner",
    "viewer": "viewer",
    "anonymous": None,
}

LOGIN = "LOGIN"  # a redirect to the login page
OK = "OK"  # allowed: no refusal (not 401/403/404/405, not to the login page) and no server error

Status = int | str


def who(default: Status, *, anonymous: Status = LOGIN, **overrides: Status) -> dict[str, Status]:
    """The expected status of every persona: `default` unless overridden by name."""
    unknown = set(overrides) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas: {sorted(unknown)}")
    return {p: overrides.get(p, default) for p in PERSONAS if p != "anonymous"} | {"anonymous": anonymous}


def scoped(ok: Status = OK, *, allowed=("admin", "coordinator"), refused: Status = 403, **overrides):
    """A write on a Songjiang object: `allowed` personas may, the Minhang coordinator gets 404, the
    others `refused`."""
    base = {p: (ok if p in allowed else refused) for p in PERSONAS if p != "anonymous"}
    base["mh_coordinator"] = 404
    return who(refused, **(base | overrides))


@dataclasses.dataclass(frozen=True)
class Page:
    """What each persona gets from one URL pattern."""

    get: Mapping[str, Status] | None
    post: Mapping[str, Status] | None = None
    kwargs: Callable[[Any], dict] | None = None
    data: Callable[[Any], dict] | None = None
    # Query string for the GET (e.g. a search term).
    query: str = ""
    # For an unnamed pattern (which `reverse` cannot build): the URL itself.
    url: Callable[[Any], str] | None = None

    def __post_init__(self):
        for method, expected in (("get", self.get), ("post", self.post)):
            if expected is not None and set(expected) != set(PERSONAS):
                raise ValueError(f"{method}: every persona needs an expectation, got {sorted(expected)}")


@dataclasses.dataclass(frozen=True)
class Operation:
    """What each persona gets from one API operation (method and path come from the schema)."""

    expect: Mapping[str, Status]
    kwargs: Callable[[Any], dict] | None = None
    body: Callable[[Any], dict] | None = None
    # How the body is sent: "json", or "form" (multipart) for operations that take files.
    encoding: str = "json"

    def __post_init__(self):
        if set(self.expect) != set(PERSONAS):
            raise ValueError(f"every persona needs an expectation, got {sorted(self.expect)}")


MODULES = (
    "accounts",
    "core",
    "portfolio",
    "schedule",
    "coordination",
    "notices",
    "reporting",
    "exchange",
    "notify",
    "insight",
    "fieldwork",
    "api",
    "builtin",
)


def load_pages() -> dict[str, Page]:
    import importlib

    pages: dict[str, Page] = {}
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        for key, page in getattr(module, "PAGES", {}).items():
            if key in pages:
                raise ValueError(f"{key} is declared twice")
            pages[key] = page
    return pages


def load_operations() -> dict[str, Operation]:
    import importlib

    operations: dict[str, Operation] = {}
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        for key, operation in getattr(module, "OPERATIONS", {}).items():
            if key in operations:
                raise ValueError(f"{key} is declared twice")
            operations[key] = operation
    return operations
