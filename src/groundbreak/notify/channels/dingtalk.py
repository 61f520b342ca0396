"""DingTalk (钉钉) custom robot: markdown messages; with a secret, the address carries `timestamp`
and `sign` = base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")) as DingTalk documents."""

import base64
import hashlib
import hmac
import time
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from groundbreak.notify.channels import Message, transport
from groundbreak.notify.channels.wecom import clip

# DingTalk accepts up to 20000 bytes; leave room for the JSON around the text.
MAX_BYTES = 18000


def signature(secret: str, timestamp_ms: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, timestamp_ms: str | None = None) -> str:
    """The robot's address with `timestamp` (milliseconds) and `sign` added."""
    timestamp_ms = timestamp_ms or str(int(time.time() * 1000))
    query = urlencode({"timestamp": timestamp_ms, "sign": signature(secret, timestamp_ms)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def payload(message: Message) -> dict:
    lines = [f"#### {message.title}"]
    if message.body:
        lines.append(message.body)
    if message.url:
        lines.append(f"[{_('Open')}]({message.url})")
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.title[:100], "text": clip("\n\n".join(lines), MAX_BYTES)},
    }


def send(webhook, message: Message) -> str:
    url = signed_url(webhook.url, webhook.secret) if webhook.secret else webhook.url
    status, text = transport.post_json(url, payload(message), {"X-Groundbreak-Delivery": message.delivery_id})
    return transport.robot_answer(status, text)
