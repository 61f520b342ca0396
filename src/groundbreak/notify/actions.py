"""Business actions of the notify app: reading notifications, choosing channels, group webhooks."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from groundbreak.notify import channels
from groundbreak.notify.api import notify
from groundbreak.notify.choices import Kind
from groundbreak.notify.models import Notification, NotificationPreference, Webhook
from groundbreak.notify.queries import areas_for_webhooks, may_manage_group_webhooks, units_for_webhooks


def mark_read(*, user, notification: Notification) -> None:
    """Mark one of the user's notifications read (again is harmless)."""
    if notification.recipient_id != user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


def mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


def save_preferences(
    *,
    user,
    email_enabled: bool,
    digest_enabled: bool,
    webhook_kind: str = "",
    webhook_url: str = "",
    webhook_secret: str = "",
    clear_secret: bool = False,
) -> NotificationPreference:
    """Save the user's channel choices and their personal webhook (none when `webhook_kind` is empty).

    An empty `webhook_secret` keeps the secret already saved, so the form never has to show it.
    """
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        preference.email_enabled = email_enabled
        preference.digest_enabled = digest_enabled
        preference.save()
        webhook = Webhook.objects.filter(user=user).first()
        if not webhook_kind:
            if webhook is not None:
                webhook.delete()
            return preference
        webhook = webhook or Webhook(user=user, created_by=user)
        webhook.kind = webhook_kind
        webhook.url = webhook_url
        if webhook_secret:
            webhook.secret = webhook_secret
        elif clear_secret:
            webhook.secret = ""
        webhook.is_active = True
        webhook.full_clean()
        webhook.save()
    return preference


def send_test_notification(*, user) -> list[Notification]:
    """A notification to the user alone, through every channel they chose, to try their settings."""
    return notify(
        recipients=[user],
        kind=Kind.TEST,
        title=_("Test notification from Groundbreak"),
        body=_("If you read this, notifications reach you here."),
        url="/notifications/",
        dedup_key=f"{Kind.TEST}:{get_random_string(16)}",
    )


def _check_group_scope(webhook: Webhook, by) -> None:
    if not may_manage_group_webhooks(by):
        raise PermissionDenied
    if webhook.area_id is not None and not areas_for_webhooks(by).filter(pk=webhook.area_id).exists():
        raise ValidationError({"area": _("Choose an area in your scope.")})
    if webhook.unit_id is not None and not units_for_webhooks(by).filter(pk=webhook.unit_id).exists():
        raise ValidationError({"unit": _("Choose a unit in your scope.")})


def save_group_webhook(*, webhook: Webhook, by) -> Webhook:
    """Create or change an area's or unit's webhook, within the scope of the user saving it."""
    if webhook.user_id is not None:
        raise PermissionDenied
    with transaction.atomic():
        if webhook.pk is not None:
            # Re-check the stored row too: nobody edits a webhook out of their scope into it.
            stored = Webhook.objects.select_for_update().get(pk=webhook.pk)
            _check_group_scope(stored, by)
        _check_group_scope(webhook, by)
        if webhook.pk is None:
            webhook.created_by = by
        webhook.full_clean()
        webhook.save()
    return webhook


def delete_group_webhook(*, webhook: Webhook, by) -> None:
    """Remove an area's or unit's webhook; its pending deliveries fail as "removed"."""
    with transaction.atomic():
        _check_group_scope(webhook, by)
        webhook.delete()


def try_webhook(*, webhook: Webhook) -> str:
    """Send a sample message to `webhook` now and return the receiver's answer; raises
    channels.DeliveryError with the reason when it is refused."""
    message = channels.sample_message(
        _("Test message from Groundbreak"),
        _("This robot is set up to receive Groundbreak notifications."),
    )
    return channels.send_to_webhook(webhook, message)
