"""WeCom (企业微信) group robot: markdown messages, no signing (the key in the address is the secret)."""

from django.utils.translation import gettext as _

from groundbreak.notify.channels import Message, transport

# WeCom refuses markdown content over 4096 bytes.
MAX_BYTES = 4000


def clip(text: str, max_bytes: int) -> str:
    """Cut `text` to `max_bytes` of UTF-8 without splitting a character."""
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", "ignore") + "…"


def payload(message: Message) -> dict:
    lines = [f"**{message.title}**"]
    if message.body:
        lines.append(message.body)
    if message.url:
        lines.append(f"[{_('Open')}]({message.url})")
    return {"msgtype": "markdown", "markdown": {"content": clip("\n".join(lines), MAX_BYTES)}}


def send(webhook, message: Message) -> str:
    status, text = transport.post_json(webhook.url, payload(message), {"X-Groundbreak-Delivery": message.delivery_id})
    return transport.robot_answer(status, text)
