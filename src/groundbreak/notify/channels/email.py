"""E-mail through Django's mail API; the Message-ID is derived from the delivery, so a mail
system that sees the same delivery twice can tell."""

from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.utils.translation import gettext as _

from groundbreak.notify.channels import DeliveryError, Message


def render(message: Message) -> tuple[str, str]:
    """Subject and plain-text body."""
    parts = [message.body] if message.body else []
    if message.url:
        parts.append(_("Open: %(url)s") % {"url": message.url})
    parts.append("-- \n" + _("You receive this because of your notification settings in Groundbreak."))
    return " ".join(message.title.split()), "\n\n".join(parts)


def send(address: str, message: Message) -> str:
    subject, body = render(message)
    email = EmailMessage(
        subject,
        body,
        None,
        [address],
        headers={
            "Message-ID": f"<delivery-{message.delivery_id}@{DNS_NAME}>",
            "X-Groundbreak-Delivery": message.delivery_id,
        },
    )
    try:
        sent = email.send()
    except Exception as error:  # SMTP and socket errors alike: retried later
        raise DeliveryError(f"{error.__class__.__name__}: {error}") from error
    if not sent:
        raise DeliveryError("the mail backend did not send the message")
    return "accepted by the mail backend"
