"""Reads of the notify app, always from the user's side: nobody reads another's notifications."""

from django.db.models import Count, Q

from groundbreak.notify.choices import DeliveryStatus
from groundbreak.notify.models import Webhook
from groundbreak.org.models import Area, Unit
from groundbreak.org.permissions import has_perm, sees_everything
from groundbreak.org.scoping import scope_q


def notifications_for(user, *, unread_only: bool = False):
    """The user's own notifications, newest first."""
    notifications = user.notifications.order_by("-created_at", "-id")
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def unread_count(user) -> int:
    return user.notifications.filter(read_at__isnull=True).count() if user.is_authenticated else 0


def may_manage_group_webhooks(user) -> bool:
    """Group robots are part of the organisation's set-up: administrators and coordinators."""
    return has_perm(user, "org.change")


def manageable_webhooks(user):
    """Group webhooks of the areas and units in the user's scope, with their recent delivery counts."""
    if not may_manage_group_webhooks(user):
        return Webhook.objects.none()
    return (
        Webhook.objects.filter(user__isnull=True)
        .filter(scope_q(user, area=("area", "unit__area"), units=("unit",)))
        .select_related("area", "unit")
        .annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
            failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        )
        .order_by("name", "id")
    )


def areas_for_webhooks(user):
    """Areas the user may attach a group webhook to: their scope area and everything below it."""
    if not may_manage_group_webhooks(user):
        return Area.objects.none()
    if sees_everything(user):
        return Area.objects.all()
    return Area.objects.subtree(user.scope_area) if user.scope_area_id else Area.objects.none()


def units_for_webhooks(user):
    """Units the user may attach a group webhook to: those in their area subtree, and their own unit."""
    if not may_manage_group_webhooks(user):
        return Unit.objects.none()
    return Unit.objects.filter(scope_q(user, area="area", units=("pk",))).select_related("area")


def recent_deliveries(webhook, limit: int = 20):
    return webhook.deliveries.select_related("notification").order_by("-created_at", "-id")[:limit]
