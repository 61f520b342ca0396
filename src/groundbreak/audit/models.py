from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangeAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    # A fact recorded as such (an accepted report's figures, a frozen snapshot), see chain.append_to_chain.
    RECORD = "record", _("recorded")


class ObjectChangeQuerySet(models.QuerySet):
    """The change log is append-only: bulk writes would bypass the hash chain."""

    def update(self, **kwargs):
        raise TypeError("the change log is append-only")

    def bulk_create(self, objs, *args, **kwargs):
        raise TypeError("change-log entries are appended one by one through groundbreak.audit.chain")


class ObjectChange(models.Model):
    """One change of one editable record: who, when, from where, and the values before and after.

    `parent_*` points at the record whose page should also show this change (a milestone's
    change shows on its project). Every entry is a link of one hash chain (`seq`, `prev_hash`,
    `hash`), so editing, deleting or inserting an entry afterwards is detected: see `chain`.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    time = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    # No database constraint and no cascade: deleting a login must not rewrite the history of what
    # it did (the id stays, hashed, next to the name it had).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    request_id = models.CharField(_("request"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    kind = models.CharField(_("kind of record"), max_length=60, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=300, blank=True)
    parent_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent_object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = ObjectChangeQuerySet.as_manager()

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

    def save(self, *args, **kwargs):
        if self._state.adding and not self.hash:
            # Whatever code creates an entry, it becomes the next link of the chain.
            from groundbreak.audit.chain import append

            append(self)
            return
        if not self._state.adding:
            raise TypeError("the change log is append-only")
        super().save(*args, **kwargs)


class ChainHead(models.Model):
    """The last link of the change-log chain: one row, locked by every append.

    Appends read the previous hash here (one row, not a scan of the log) and, on PostgreSQL,
    `SELECT … FOR UPDATE` on it serialises them so two transactions never fork the chain.
    """

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    # Entries get their id under the lock, so the id can be hashed and the row written once.
    last_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("change-log head")
        verbose_name_plural = _("change-log head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:16]}"


class ChainHeadExport(models.Model):
    """A copy of the chain head as it was on a day, kept to prove later that history before it
    was not rewritten (the same digest also goes out on paper or by e-mail)."""

    class Source(models.TextChoices):
        TASK = "task", _("daily task")
        COMMAND = "command", _("command")

    created_at = models.DateTimeField(_("exported at"), default=timezone.now, db_index=True)
    date = models.DateField(_("date"))
    seq = models.BigIntegerField(_("sequence"))
    hash = models.CharField(_("head hash"), max_length=64)
    count = models.BigIntegerField(_("entries"))
    verified = models.BooleanField(_("chain verified"), default=False)
    problem = models.TextField(_("problem found"), blank=True)
    source = models.CharField(_("made by"), max_length=10, choices=Source.choices, default=Source.TASK)

    class Meta:
        verbose_name = _("exported change-log head")
        verbose_name_plural = _("exported change-log heads")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.date} #{self.seq} {self.hash[:16]}"
