"""Which external deliveries a new notification gets: the recipient's e-mail and personal webhook
as they chose, and the group robots of their area or unit."""

import hashlib

from django.utils import timezone

from groundbreak.notify.choices import Channel
from groundbreak.notify.models import Delivery, Notification, NotificationPreference, Webhook

DEFAULT_PREFERENCE = NotificationPreference(email_enabled=True, digest_enabled=False)


def _key(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def preferences_for(user_ids) -> dict[int, NotificationPreference]:
    """Each user's preference, the defaults for users who never saved one (one query)."""
    saved = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids)}
    return {pk: saved.get(pk, DEFAULT_PREFERENCE) for pk in user_ids}


def group_webhook_matches(webhook: Webhook, user) -> bool:
    """An area's robot serves the users whose scope lies in its subtree; a unit's, that unit's users."""
    if webhook.area_id is not None:
        return user.scope_area_id is not None and user.scope_area.path.startswith(webhook.area.path)
    if webhook.unit_id is not None:
        person = getattr(user, "person", None)
        return webhook.unit_id in (user.scope_unit_id, person.unit_id if person is not None else None)
    return False


def plan_deliveries(notifications: list[Notification], *, digest: bool = False) -> list[Delivery]:
    """The deliveries for freshly created notifications, in a fixed number of queries.

    The notifications' recipients must come with `scope_area` and `person` loaded. A group robot
    gets an event once, however many of its users are notified of it: its idempotency key names
    the event (kind and dedup key), not the notification. A digest goes only to the user's own
    channels (their e-mail and personal webhook) whatever their per-notification e-mail choice.
    """
    if not notifications:
        return []
    now = timezone.now()
    user_ids = [n.recipient_id for n in notifications]
    preferences = preferences_for(user_ids)
    personal = {w.user_id: w for w in Webhook.objects.filter(user_id__in=user_ids, is_active=True)}
    groups = [] if digest else list(Webhook.objects.filter(user__isnull=True, is_active=True).select_related("area"))
    planned: dict[str, Delivery] = {}

    def add(notification, channel, target, key, webhook=None):
        planned.setdefault(
            key,
            Delivery(
                notification=notification,
                channel=channel,
                target=target[:254],
                webhook=webhook,
                idempotency_key=key,
                next_attempt_at=now,
            ),
        )

    for notification in notifications:
        user = notification.recipient
        preference = preferences[user.pk]
        if user.email and (digest or preference.email_enabled):
            add(notification, Channel.EMAIL, user.email, _key(notification.pk, Channel.EMAIL, user.email))
        webhook = personal.get(user.pk)
        if webhook is not None:
            target = f"#{webhook.pk} {webhook.masked_url}"
            add(notification, Channel.WEBHOOK, target, _key(notification.pk, Channel.WEBHOOK, webhook.pk), webhook)
        for webhook in groups:
            if group_webhook_matches(webhook, user):
                key = _key("event", notification.kind, notification.dedup_key, Channel.WEBHOOK, webhook.pk)
                add(notification, Channel.WEBHOOK, f"#{webhook.pk} {webhook.masked_url}", key, webhook)
    return list(planned.values())
