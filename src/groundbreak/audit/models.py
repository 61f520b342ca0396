from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")


class ObjectChange(models.Model):
    """One change of one editable record: who, when, from where, and the values before and after.

    `parent_*` points at the record whose page should also show this change (a milestone's
    change shows on its project).
    """

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    request_id = models.CharField(_("request"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("record"), max_length=300)
    parent_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent_object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"]),
            models.Index(fields=["parent_content_type", "parent_object_id", "-time"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
