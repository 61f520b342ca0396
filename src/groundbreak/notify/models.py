from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groundbreak.core.models import TimeStampedModel
from groundbreak.notify.choices import Channel, DeliveryStatus, WebhookKind
from groundbreak.org.models import Area, Unit


class Notification(models.Model):
    """One message to one user, shown in the app; external deliveries hang off it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The caller's name for the event ("milestone.due:42:2026-12-01"): a user hears of an event once.
    dedup_key = models.CharField(_("de-duplication key"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedup_key"], name="notify_once_per_recipient_and_key")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notify_recipient_recent"),
            models.Index(fields=["recipient", "read_at"], name="notify_recipient_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's choice of channels. In-app notifications are always on; a user without a row
    gets the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField(_("e-mail me each notification"), default=True)
    digest_enabled = models.BooleanField(_("send me a daily digest"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class Webhook(TimeStampedModel):
    """A robot or endpoint that receives notifications: a group's (for an area or a unit, set up by
    an administrator or coordinator) or one user's own."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=WebhookKind.choices)
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk and Feishu: the robot's signing secret, if signing is on. Signed JSON: required."),
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Receives the notifications of users whose scope is this area or below it."),
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Receives the notifications of this unit's users."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(area__isnull=False, unit__isnull=True, user__isnull=True)
                    | Q(area__isnull=True, unit__isnull=False, user__isnull=True)
                    | Q(area__isnull=True, unit__isnull=True, user__isnull=False)
                ),
                name="webhook_for_one_area_unit_or_user",
                violation_error_message=_("A webhook belongs to exactly one area, unit or user."),
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False), name="one_personal_webhook_per_user"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} · {self.masked_url}"

    @property
    def masked_url(self) -> str:
        """The host only: a robot's address carries its access token."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "…"

    @property
    def is_personal(self) -> bool:
        return self.user_id is not None


class Delivery(TimeStampedModel):
    """One notification sent (or to be sent) on one external channel to one target, with its
    attempts. A row is claimed before sending and marked sent in the same update that records the
    response, so a delivery is neither lost nor, short of a crash mid-send, sent twice."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    target = models.CharField(_("target"), max_length=254)
    webhook = models.ForeignKey(
        Webhook, verbose_name=_("webhook"), null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    response = models.CharField(_("response"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Set when a worker claims the row; only that worker's result is recorded.
    claim_token = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target}"


class DailyRun(models.Model):
    """A daily check that has run for a date: running the tick twice in a day runs nothing twice."""

    name = models.CharField(_("check"), max_length=100)
    date = models.DateField(_("date"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.IntegerField(_("notifications raised"), default=0)

    class Meta:
        verbose_name = _("daily check run")
        verbose_name_plural = _("daily check runs")
        ordering = ["-date", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "date"], name="one_daily_run_per_check_and_date")]

    def __str__(self) -> str:
        return f"{self.name} {self.date}"
