from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """External channels a delivery goes out on; in-app notifications need no delivery."""

    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu robot")
    GENERIC = "generic", _("signed JSON webhook")


class Kind:
    """The kinds of notification this app raises itself; other apps name their own ("issue.overdue")."""

    MILESTONE_DUE = "milestone.due"
    MILESTONE_OVERDUE = "milestone.overdue"
    DIGEST = "notify.digest"
    TEST = "notify.test"
