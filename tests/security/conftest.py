"""Fixtures shared by the security tests."""

import pytest


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
