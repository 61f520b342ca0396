"""Helpers of the API tests: tokens for the personas, a JSON client over Django's test client, and
one over real HTTP (urllib against pytest-django's live server)."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.test.testcases import LiveServerThread, _MediaFilesHandler

from groundbreak.api.tokens import create_token


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with empty rate-limit counters (user ids repeat between tests)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_for(db):
    """A function giving a new token's secret for a user (`read_only`, `expires_at` as keywords)."""
    import datetime

    from django.utils import timezone

    def make(user, *, read_only=False, expires_at=None, name="tests"):
        expires_at = expires_at or timezone.now() + datetime.timedelta(days=30)
        _token, secret = create_token(user=user, name=name, expires_at=expires_at, read_only=read_only)
        return secret

    return make


@dataclass
class Answer:
    status: int
    headers: dict
    body: object

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


class ApiClient:
    """JSON calls through Django's test client, authenticated with a bearer token."""

    def __init__(self, client, secret=None):
        self.client = client
        self.secret = secret

    def call(self, method, path, data=None, *, headers=None, content_type="application/json", **params):
        extra = {}
        if self.secret:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.secret}"
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        url = "/api/v1" + path
        if method == "GET":
            response = self.client.get(url, params or None, **extra)
        elif content_type == "multipart/form-data":
            response = getattr(self.client, method.lower())(url, data or {}, **extra)
        else:
            # A str or bytes body goes as it is (to send something that is not JSON).
            body = json.dumps(data) if data is not None and not isinstance(data, str | bytes) else data
            response = getattr(self.client, method.lower())(url, body, content_type=content_type, **extra)
        parsed = json.loads(response.content) if response.content and "json" in response["Content-Type"] else None
        return Answer(response.status_code, dict(response.headers), parsed)

    def get(self, path, **params):
        return self.call("GET", path, **params)

    def post(self, path, data=None, **kwargs):
        return self.call("POST", path, data, **kwargs)

    def patch(self, path, data=None, **kwargs):
        return self.call("PATCH", path, data, **kwargs)


@pytest.fixture
def api(client, token_for):
    """`api(user)` → an ApiClient acting with a fresh read-write token of `user`."""

    def as_user(user, **token_options):
        return ApiClient(client, token_for(user, **token_options))

    return as_user


class Http:
    """Real HTTP against the live server (urllib: no extra dependency)."""

    def __init__(self, base_url):
        self.base_url = base_url

    def __call__(self, method, path, data=None, *, token=None, headers=None, raw=None):
        request_headers = {"Accept": "application/json", **(headers or {})}
        if token:
            request_headers["Authorization"] = f"Bearer {token}"
        body = raw
        if data is not None:
            body = json.dumps(data).encode()
            request_headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=request_headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, response_headers, content = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, response_headers, content = error.code, dict(error.headers), error.read()
        parsed = json.loads(content) if content and "json" in response_headers.get("Content-Type", "") else content
        return Answer(status, response_headers, parsed)


@pytest.fixture
def same_connection():
    """Keep the test's database connection open across requests through the WSGI handler.

    Django closes "old" connections when a request starts and finishes, which on PostgreSQL would
    end the test's transaction; Django's own test client disconnects that handler the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class _SameConnectionWSGIServer(ThreadedWSGIServer):
    def _close_connections(self):
        """The test's connection outlives each request (Django closes it after every one)."""


class _SameConnectionServerThread(LiveServerThread):
    """Django's live server thread, answering from the test's own connection and never closing it."""

    server_class = _SameConnectionWSGIServer

    def run(self):
        for alias, conn in self.connections_override.items():
            connections[alias] = conn
        try:
            self.httpd = self._create_server(connections_override=self.connections_override)
            if self.port == 0:
                self.port = self.httpd.server_address[1]
            self.httpd.set_app(self.static_handler(_MediaFilesHandler(WSGIHandler())))
            self.is_ready.set()
            self.httpd.serve_forever()
        except Exception as error:  # reported to the test by the fixture
            self.error = error
            self.is_ready.set()


@pytest.fixture
def http(db, same_connection):
    """`http(method, "/api/v1/…", data, token=…, headers=…)` over a real socket to a live server.

    Unlike pytest-django's `live_server`, the server answers from the test's own connection, inside
    the test's transaction, as Django's live server does for in-memory SQLite. So the data of a test
    is rolled back like any other's, on PostgreSQL too; `live_server` needs committed data and
    flushes the database after each test, taking with it what the migrations installed (node kinds,
    content types) from the transactional tests that follow.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    connection.inc_thread_sharing()
    server = _SameConnectionServerThread(
        # Static files from the apps' folders, as pytest-django's live server serves them.
        "localhost",
        StaticFilesHandler,
        connections_override={DEFAULT_DB_ALIAS: connection},
    )
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    try:
        yield Http(f"http://localhost:{server.port}")
    finally:
        server.terminate()
        connection.dec_thread_sharing()
