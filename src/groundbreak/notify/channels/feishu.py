"""Feishu (飞书) custom bot: text messages; with a secret, the body carries `timestamp` (seconds)
and `sign` = base64(HMAC-SHA256 keyed with "<timestamp>\\n<secret>" over an empty message), as
Feishu documents."""

import base64
import hashlib
import hmac
import time

from groundbreak.notify.channels import Message, plain_text, transport
from groundbreak.notify.channels.wecom import clip

# Feishu refuses request bodies over 20 KB.
MAX_BYTES = 18000


def signature(secret: str, timestamp: str) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def payload(message: Message, secret: str = "", timestamp: str | None = None) -> dict:
    body = {"msg_type": "text", "content": {"text": clip(plain_text(message), MAX_BYTES)}}
    if secret:
        timestamp = timestamp or str(int(time.time()))
        body = {"timestamp": timestamp, "sign": signature(secret, timestamp), **body}
    return body


def send(webhook, message: Message) -> str:
    status, text = transport.post_json(
        webhook.url, payload(message, webhook.secret), {"X-Groundbreak-Delivery": message.delivery_id}
    )
    # Feishu answers {"code": 0, "msg": "success"}; older bots {"StatusCode": 0, ...}.
    return transport.robot_answer(
        status, text, code_fields=("code", "StatusCode"), message_fields=("msg", "StatusMessage")
    )
