"""The external channels, one module each, behind one `send(delivery)`.

A channel returns a short description of the receiver's answer, or raises `DeliveryError` (worth
retrying) or `PermanentDeliveryError` (retrying cannot help).
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.utils import timezone


class DeliveryError(Exception):
    """The receiver did not take the message; a later attempt may succeed."""


class PermanentDeliveryError(DeliveryError):
    """The message can never be delivered as configured (a removed webhook, a forbidden address)."""


@dataclass(frozen=True)
class Message:
    """What every channel renders: the notification's texts and the delivery's id for de-duplication."""

    delivery_id: str
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime.datetime


def absolute_url(path: str) -> str:
    """A link readable outside the site: SITE_URL joined with the notification's path."""
    if not path:
        return ""
    base = getattr(settings, "SITE_URL", "") or ""
    if path.startswith(("http://", "https://")):
        return path
    return urljoin(base.rstrip("/") + "/", path.lstrip("/")) if base else ""


def message_for(delivery) -> Message:
    notification = delivery.notification
    return Message(
        delivery_id=str(delivery.pk),
        kind=notification.kind,
        title=notification.title,
        body=notification.body,
        url=absolute_url(notification.url),
        created_at=notification.created_at,
    )


def send_to_webhook(webhook, message: Message) -> str:
    """Post `message` to `webhook` in its kind's format."""
    from groundbreak.notify.channels import dingtalk, feishu, generic, wecom
    from groundbreak.notify.choices import WebhookKind

    senders = {
        WebhookKind.WECOM: wecom.send,
        WebhookKind.DINGTALK: dingtalk.send,
        WebhookKind.FEISHU: feishu.send,
        WebhookKind.GENERIC: generic.send,
    }
    try:
        sender = senders[webhook.kind]
    except KeyError:
        raise PermanentDeliveryError(f"unknown webhook kind {webhook.kind!r}") from None
    return sender(webhook, message)


def send(delivery) -> str:
    """Send one delivery on its channel."""
    from groundbreak.notify.channels import email
    from groundbreak.notify.choices import Channel

    message = message_for(delivery)
    if delivery.channel == Channel.EMAIL:
        return email.send(delivery.target, message)
    if delivery.channel == Channel.WEBHOOK:
        webhook = delivery.webhook
        if webhook is None:
            raise PermanentDeliveryError("the webhook was removed")
        if not webhook.is_active:
            raise PermanentDeliveryError("the webhook was switched off")
        return send_to_webhook(webhook, message)
    raise PermanentDeliveryError(f"unknown channel {delivery.channel!r}")


def sample_message(title: str, body: str) -> Message:
    """A message for a "send a test" button: not stored, with an id of its own."""
    from django.utils.crypto import get_random_string

    return Message(
        delivery_id=f"test-{get_random_string(12)}",
        kind="notify.test",
        title=title,
        body=body,
        url=absolute_url("/notifications/"),
        created_at=timezone.now(),
    )


def plain_text(message: Message) -> str:
    """Title, text and link as plain lines, for channels without formatting."""
    return "\n".join(part for part in (message.title, message.body, message.url) if part)
