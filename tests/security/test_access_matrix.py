"""The authorisation matrix: every URL pattern and API operation × every persona × expected status.

The expectations live in tests/security/access/ (one module per app); how to add one is at the top
of tests/security/access/__init__.py. A pattern or operation without an expectation fails
`test_every_url_pattern_and_api_operation_has_an_expectation`, naming it.
"""

import json
import types

import pytest
from django.http import HttpResponse
from django.urls import include, path, reverse

from tests.security.access import LOGIN, OK, PERSONA_ATTR, PERSONAS, load_operations, load_pages
from tests.security.access import builders as b
from tests.security.access.builtin import ADMIN_LOGIN, RULES, admin_cases
from tests.security.access.coverage import api_operations, uncovered, url_patterns

PAGES = load_pages()
OPERATIONS = load_operations()
PATTERNS = {p.key: p for p in url_patterns()}
OPS = api_operations()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _login_as(client, world, persona):
    attr = PERSONA_ATTR[persona]
    if attr:
        client.force_login(getattr(world, attr))
    return client


def _verdict(response, expected, login_url) -> bool:
    status = response.status_code
    to_login = status == 302 and response["Location"].split("?")[0] == login_url
    if expected == LOGIN:
        return to_login
    if expected == OK:
        return status < 500 and status not in (401, 403, 404, 405) and not to_login
    if isinstance(expected, tuple):
        return status in expected
    if expected == 302:
        return status == 302 and not to_login
    return status == expected


def _explain(response) -> str:
    where = f" → {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


# ---- coverage ---------------------------------------------------------------------------------


def test_every_url_pattern_and_api_operation_has_an_expectation():
    problems = uncovered(PAGES, OPERATIONS, RULES)
    assert not problems, "The authorisation matrix does not cover:\n  " + "\n  ".join(problems)


def _extra_urlconf(extra_pattern):
    module = types.ModuleType("extra_urlconf")
    module.urlpatterns = [path("", include("groundbreak.urls")), extra_pattern]
    return module


def test_a_page_added_without_an_expectation_fails_the_coverage_check():
    urlconf = _extra_urlconf(path("brand-new/<int:pk>/", lambda request, pk: HttpResponse(), name="brand-new"))
    # Compared with the project's own result, which may list pages other helpers are adding right now.
    problems = set(uncovered(PAGES, OPERATIONS, RULES, urlconf=urlconf)) - set(uncovered(PAGES, OPERATIONS, RULES))
    assert problems == {
        "URL pattern 'brand-new' (/brand-new/<int:pk>/) has no expectation: add it to PAGES in "
        "tests/security/access/<app>.py (see tests/security/access/__init__.py)"
    }


def test_an_api_operation_added_without_an_expectation_fails_the_coverage_check():
    from groundbreak.api.v1 import api

    class BiggerAPI:
        """The real API's schema with one operation more."""

        def get_openapi_schema(self):
            schema = api.get_openapi_schema()
            schema["paths"]["/api/v1/inspections"] = {"get": {"operationId": "list_inspections"}}
            return schema

    problems = set(uncovered(PAGES, OPERATIONS, RULES, api=BiggerAPI())) - set(uncovered(PAGES, OPERATIONS, RULES))
    assert problems == {
        "API operation 'list_inspections' (GET /api/v1/inspections) has no expectation: add it to OPERATIONS "
        "in tests/security/access/api.py (see tests/security/access/__init__.py)"
    }


def test_an_expectation_for_a_removed_page_is_reported():
    problems = set(uncovered({**PAGES, "portfolio:gone": PAGES["home"]}, OPERATIONS, RULES)) - set(
        uncovered(PAGES, OPERATIONS, RULES)
    )
    assert problems == {"expectation for 'portfolio:gone' names no URL pattern (renamed or removed?)"}


# ---- pages --------------------------------------------------------------------------------------


def _page_cases():
    for key, page in PAGES.items():
        if key not in PATTERNS:
            continue  # reported by the coverage test
        for method in ("get", "post"):
            expected = getattr(page, method)
            if expected is None:
                continue
            for persona in PERSONAS:
                yield pytest.param(key, method, persona, id=f"{key}-{method.upper()}-{persona}")


@pytest.mark.parametrize(("key", "method", "persona"), list(_page_cases()))
def test_page(key, method, persona, world, client):
    page = PAGES[key]
    if page.url:
        url = page.url(world)
    else:
        url = reverse(key, kwargs=page.kwargs(world) if page.kwargs else None)
    data = page.data(world) if page.data else {}
    _login_as(client, world, persona)
    if method == "get":
        response = client.get(url + (f"?{page.query}" if page.query else ""))
    else:
        response = client.post(url, data)
    expected = getattr(page, method)[persona]
    assert _verdict(response, expected, reverse("login")), (
        f"{method.upper()} {url} as {persona}: expected {expected}, got {_explain(response)}"
    )


# ---- the same records in another district, for the personas bound to Songjiang's project ----------

# The leader, the unit member and the owner see Songjiang's project through their link to it (lead
# leader, responsible unit, owner unit), not through an area: they are out of scope in Minhang.
BOUND = ("leader", "unit_member", "owner")


def _elsewhere(expected):
    """What a persona gets for a record of another district: what was allowed is not found, what
    was forbidden may stay forbidden (a role refused before any lookup reveals nothing)."""
    if expected in (200, 302, OK):
        return 404
    if expected == 403:
        return (403, 404)
    return expected


def _elsewhere_cases():
    for key, page in PAGES.items():
        if key not in PATTERNS or (page.kwargs is None and page.url is None):
            continue
        for method in ("get", "post"):
            expected = getattr(page, method)
            if expected is None or expected["mh_coordinator"] != 404:
                continue  # not a record of a district
            for persona in BOUND:
                yield pytest.param(key, method, persona, id=f"{key}-{method.upper()}-{persona}-elsewhere")


@pytest.mark.parametrize(("key", "method", "persona"), list(_elsewhere_cases()))
def test_page_of_another_district(key, method, persona, world, client):
    page = PAGES[key]
    b.mirror(world)
    url = page.url(world) if page.url else reverse(key, kwargs=page.kwargs(world))
    data = page.data(world) if page.data else {}
    _login_as(client, world, persona)
    response = client.get(url) if method == "get" else client.post(url, data)
    expected = _elsewhere(getattr(page, method)[persona])
    assert _verdict(response, expected, reverse("login")), (
        f"{method.upper()} {url} (Minhang's) as {persona}: expected {expected}, got {_explain(response)}"
    )


def _operation_elsewhere_cases():
    for opid, operation in OPERATIONS.items():
        if opid in OPS and operation.kwargs is not None and operation.expect["mh_coordinator"] == 404:
            for persona in BOUND:
                yield pytest.param(opid, persona, id=f"api:{opid}-{persona}-elsewhere")


@pytest.mark.parametrize(("opid", "persona"), list(_operation_elsewhere_cases()))
def test_api_operation_of_another_district(opid, persona, world, client):
    operation = OPERATIONS[opid]
    method, route = OPS[opid]
    b.mirror(world)
    url = route.format(**operation.kwargs(world))
    body = operation.body(world) if operation.body else None
    _login_as(client, world, persona)
    if body is not None and operation.encoding == "form":
        response = client.post(url, body)
    else:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        response = client.generic(method, url, **kwargs)
    expected = _elsewhere(operation.expect[persona])
    assert _verdict(response, expected, reverse("login")), (
        f"{method} {url} (Minhang's) as {persona}: expected {expected}, got {_explain(response)}"
    )


# ---- API ----------------------------------------------------------------------------------------


def _operation_cases():
    for opid in OPERATIONS:
        if opid not in OPS:
            continue
        for persona in PERSONAS:
            yield pytest.param(opid, persona, id=f"api:{opid}-{persona}")


@pytest.mark.parametrize(("opid", "persona"), list(_operation_cases()))
def test_api_operation(opid, persona, world, client):
    operation = OPERATIONS[opid]
    method, route = OPS[opid]
    url = route.format(**(operation.kwargs(world) if operation.kwargs else {}))
    body = operation.body(world) if operation.body else None
    _login_as(client, world, persona)
    if body is not None and operation.encoding == "form":
        response = client.post(url, body)
    else:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        response = client.generic(method, url, **kwargs)
    expected = operation.expect[persona]
    assert _verdict(response, expected, reverse("login")), (
        f"{method} {url} as {persona}: expected {expected}, got {_explain(response)}"
    )
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]


# ---- the admin site, by rule ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_site(persona, world, client):
    """Every admin URL: the administrator gets the pages without an object in them; every other
    persona (staff flag or not) is sent to the admin's login."""
    _login_as(client, world, persona)
    failures = []
    for url, expected in admin_cases(PATTERNS.values(), persona):
        response = client.get(url)
        if not _verdict(response, expected, reverse(ADMIN_LOGIN)):
            failures.append(f"GET {url}: expected {expected}, got {_explain(response)}")
    assert not failures, "\n".join(failures)


def test_a_staff_flag_does_not_open_the_admin_to_another_role(world, client):
    """The admin is for administrators: a coordinator someone ticked "staff" for is still sent away."""
    world.coordinator.is_staff = True
    world.coordinator.save()
    client.force_login(world.coordinator)
    failures = []
    for url, expected in admin_cases(PATTERNS.values(), "coordinator"):
        response = client.get(url)
        if not _verdict(response, expected, reverse(ADMIN_LOGIN)):
            failures.append(f"GET {url}: expected {expected}, got {_explain(response)}")
    assert not failures, "\n".join(failures)
