"""Posting JSON to a webhook: short timeouts, no redirects, no private addresses unless allowed."""

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from groundbreak.notify.channels import DeliveryError, PermanentDeliveryError

USER_AGENT = "Groundbreak-Notify/1"
MAX_RESPONSE = 64 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would carry the post to an address nobody checked.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def timeout() -> float:
    return float(getattr(settings, "NOTIFY_WEBHOOK_TIMEOUT", 5))


def check_address(url: str) -> None:
    """Refuse schemes other than http(s) and, unless NOTIFY_WEBHOOK_ALLOW_PRIVATE, hosts that
    resolve to loopback, private or link-local addresses: any user may set a personal webhook, and
    the server must not become their way into the internal network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentDeliveryError("only http and https addresses can receive webhooks")
    if getattr(settings, "NOTIFY_WEBHOOK_ALLOW_PRIVATE", False):
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError as error:
        raise DeliveryError(f"cannot resolve {parts.hostname}: {error}") from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise PermanentDeliveryError(f"{parts.hostname} resolves to a non-public address ({ip})")


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST `body` and return the status and the start of the answer; DeliveryError otherwise."""
    check_address(url)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **headers},
    )
    try:
        with _opener.open(request, timeout=timeout()) as response:
            return response.status, response.read(MAX_RESPONSE).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        detail = error.read(500).decode("utf-8", "replace") if error.fp else ""
        raise DeliveryError(f"HTTP {error.code} {detail}".strip()) from error
    except urllib.error.URLError as error:
        raise DeliveryError(f"{error.reason}") from error
    except (TimeoutError, OSError) as error:
        raise DeliveryError(str(error) or error.__class__.__name__) from error


def post_json(url: str, payload: dict, headers: dict[str, str] | None = None) -> tuple[int, str]:
    return post(url, json.dumps(payload, ensure_ascii=False).encode(), headers or {})


def robot_answer(status: int, text: str, *, code_fields=("errcode",), message_fields=("errmsg",)) -> str:
    """Robots answer HTTP 200 with an error code in the body; anything but code 0 is a failure."""
    try:
        answer = json.loads(text)
    except ValueError:
        raise DeliveryError(f"HTTP {status}, not JSON: {text[:200]}") from None
    if not isinstance(answer, dict):
        raise DeliveryError(f"HTTP {status}: {text[:200]}")
    code = next((answer[f] for f in code_fields if f in answer), None)
    if code not in (0, "0"):
        message = next((answer[f] for f in message_fields if f in answer), "")
        raise DeliveryError(f"error {code}: {message}")
    return f"HTTP {status} {text[:200]}"
