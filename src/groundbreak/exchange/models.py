from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("checking")
    READY = "ready", _("ready to apply")
    INVALID = "invalid", _("has errors")
    APPLYING = "applying", _("applying")
    DONE = "done", _("applied")
    FAILED = "failed", _("failed, nothing written")


RUNNING_STATUSES = (ImportStatus.CHECKING, ImportStatus.APPLYING)


class ImportJob(models.Model):
    """One uploaded spreadsheet on its way from preview to apply.

    Every import has a job, small or large, so the preview the user confirms and the file it was
    made from stay together; large files are checked and applied by the worker, which reports
    its progress here.
    """

    kind = models.CharField(_("kind"), max_length=20)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    language = models.CharField(_("language"), max_length=10)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    background = models.BooleanField(_("runs in the background"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    plan_digest = models.CharField(max_length=64, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def kind_label(self) -> str:
        from groundbreak.exchange.kinds import KINDS

        return str(KINDS[self.kind].label) if self.kind in KINDS else self.kind

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.total_rows) if self.total_rows else 0
