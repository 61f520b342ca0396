"""Rate limiting per token (or per user, for the browser session), through ninja's throttle hook."""

import threading
import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

DEFAULT_RATE = "600/min"
_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """("600/min") → (600 requests, 60 seconds)."""
    count, period = rate.split("/", 1)
    return int(count), _PERIODS[period.strip()]


class CallerRateThrottle(BaseThrottle):
    """At most `GROUNDBREAK_API_RATE` requests per token, or per user for sessions (a sliding window).

    Each token counts separately, so one runaway script does not lock its owner out of the browser.
    The rate is read on every request, so tests and operators can change it without a restart.
    Counts live in Django's default cache: several web processes need a shared cache (`CACHES`)
    to share one limit; with the default per-process cache each process counts on its own.
    """

    def __init__(self):
        # ninja keeps one throttle instance for all requests; the wait belongs to one request.
        self._local = threading.local()

    def allow_request(self, request) -> bool:
        rate = getattr(settings, "GROUNDBREAK_API_RATE", DEFAULT_RATE)
        self._local.wait = None
        if not rate:
            return True
        limit, duration = parse_rate(rate)
        key = f"api-throttle:{self._ident(request)}"
        now = time.time()
        history = [t for t in cache.get(key, []) if t > now - duration]
        if len(history) >= limit:
            self._local.wait = duration - (now - min(history))
            return False
        history.append(now)
        cache.set(key, history, duration)
        return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)

    def _ident(self, request) -> str:
        token = getattr(request, "api_token", None)
        if token is not None:
            return f"token-{token.pk}"
        user = getattr(request, "auth", None)
        if user is not None:
            return f"user-{user.pk}"
        return f"ip-{self.get_ident(request)}"
