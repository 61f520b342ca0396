"""Field work's pages × every persona × expected status (the rows in `access.py`), judged as the
project's authorisation matrix judges them."""

import pytest
from django.urls import reverse

from tests.fieldwork.access import PAGES
from tests.security.access import PERSONAS
from tests.security.test_access_matrix import _explain, _login_as, _verdict


def _cases():
    for key, page in PAGES.items():
        for method in ("get", "post"):
            if getattr(page, method) is None:
                continue
            for persona in PERSONAS:
                yield pytest.param(key, method, persona, id=f"{key}-{method.upper()}-{persona}")


def test_every_fieldwork_page_has_a_row():
    from tests.security.access.coverage import url_patterns

    names = {p.key for p in url_patterns() if p.namespace == "fieldwork"}
    assert names == set(PAGES)


@pytest.mark.parametrize(("key", "method", "persona"), list(_cases()))
def test_page(key, method, persona, world, client, media):
    page = PAGES[key]
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
