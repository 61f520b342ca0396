from django.db import models
from django.utils.translation import gettext_lazy as _


class Evidence(models.TextChoices):
    NONE = "", _("no evidence needed")
    DOCUMENT = "document", _("a document")
    PHOTO = "photo", _("a photo")
    APPROVAL_NUMBER = "approval_number", _("an approval number")


class ReplanStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
