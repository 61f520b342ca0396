"""A signed JSON webhook for any receiver: the body is JSON; `X-Groundbreak-Signature` is
"sha256=" + the hex HMAC-SHA256 of the raw body with the webhook's secret;
`X-Groundbreak-Delivery` repeats the delivery id so a receiver can drop a repeat."""

import hashlib
import hmac
import json
import time

from groundbreak.notify.channels import Message, PermanentDeliveryError, transport


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(message: Message, timestamp: str) -> dict:
    return {
        "delivery": message.delivery_id,
        "timestamp": timestamp,
        "event": message.kind,
        "notification": {
            "kind": message.kind,
            "title": message.title,
            "body": message.body,
            "url": message.url,
            "created_at": message.created_at.isoformat(),
        },
    }


def send(webhook, message: Message) -> str:
    if not webhook.secret:
        raise PermanentDeliveryError("a signed webhook needs a secret")
    timestamp = str(int(time.time()))
    body = json.dumps(payload(message, timestamp), ensure_ascii=False).encode()
    status, text = transport.post(
        webhook.url,
        body,
        {
            "X-Groundbreak-Signature": signature(webhook.secret, body),
            "X-Groundbreak-Timestamp": timestamp,
            "X-Groundbreak-Delivery": message.delivery_id,
        },
    )
    return f"HTTP {status} {text[:200]}".strip()
