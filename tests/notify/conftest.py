"""A real HTTP receiver on 127.0.0.1 for the webhook tests, and settings every notify test shares."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

OK_ROBOT = (200, b'{"errcode": 0, "errmsg": "ok"}', 0.0)


class Receiver(ThreadingHTTPServer):
    """Records every request; answers from `answers` in turn (status, body, delay), then OK."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []
        self.answers: list[tuple[int, bytes, float]] = []
        self.lock = threading.Lock()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def answer(self, *answers):
        self.answers.extend(answers)

    def handle_error(self, request, client_address):
        # A client that gave up (the timeout test) leaves a broken pipe behind: expected, not news.
        pass


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        with self.server.lock:
            self.server.requests.append(
                {
                    "path": parts.path,
                    "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "raw": raw,
                    "json": json.loads(raw) if raw else None,
                }
            )
            status, body, delay = self.server.answers.pop(0) if self.server.answers else OK_ROBOT
        if delay:
            time.sleep(delay)
        if status in (301, 302, 307):
            self.send_response(status)
            self.send_header("Location", body.decode())
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _notify_settings(settings):
    settings.SITE_URL = "https://gb.example.gov.cn"
    # The receiver listens on loopback; production refuses private addresses by default.
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = True
    settings.NOTIFY_WEBHOOK_TIMEOUT = 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run as they are enqueued, so a committed notify() sends at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
