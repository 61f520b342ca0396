"""Which URL patterns and API operations exist, and which of them the matrix does not cover."""

from __future__ import annotations

import dataclasses

from django.urls import URLPattern, URLResolver, get_resolver


@dataclasses.dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the full route of an unnamed pattern
    route: str
    name: str | None
    namespace: str


def url_patterns(urlconf=None) -> list[Pattern]:
    """Every URL pattern of `urlconf` (the project's by default), walked recursively."""
    found: list[Pattern] = []

    def walk(resolver, prefix: str, namespaces: tuple[str, ...]):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespaces + ((entry.namespace,) if entry.namespace else ())
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                namespace = ":".join(namespaces)
                key = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or route
                found.append(Pattern(key, route, entry.name, namespace))

    walk(get_resolver(urlconf), "", ())
    return found


def api_operations(api=None) -> dict[str, tuple[str, str]]:
    """operationId → (method, path) of every operation of the API (groundbreak.api.v1.api by default)."""
    if api is None:
        from groundbreak.api.v1 import api
    schema = api.get_openapi_schema()
    return {
        details["operationId"]: (method.upper(), path)
        for path, methods in schema["paths"].items()
        for method, details in methods.items()
    }


def uncovered(pages: dict, operations: dict, rules, *, urlconf=None, api=None) -> list[str]:
    """One line per URL pattern or API operation without an expectation (empty when all are covered)."""
    ops = api_operations(api)
    problems = []
    for opid, (method, path) in sorted(ops.items()):
        if opid not in operations:
            problems.append(
                f"API operation {opid!r} ({method} {path}) has no expectation: add it to OPERATIONS "
                f"in tests/security/access/api.py (see tests/security/access/__init__.py)"
            )
    seen = set()
    for pattern in url_patterns(urlconf):
        seen.add(pattern.key)
        if pattern.key in pages:
            continue
        if pattern.namespace == "api" and pattern.name in ops:
            continue  # an API operation: covered (or reported) above
        if any(rule.matches(pattern) for rule in rules):
            continue
        problems.append(
            f"URL pattern {pattern.key!r} (/{pattern.route}) has no expectation: add it to PAGES in "
            f"tests/security/access/<app>.py (see tests/security/access/__init__.py)"
        )
    for key in sorted(set(pages) - seen):
        problems.append(f"expectation for {key!r} names no URL pattern (renamed or removed?)")
    for opid in sorted(set(operations) - set(ops)):
        problems.append(f"expectation for API operation {opid!r} names no operation (renamed or removed?)")
    return problems
