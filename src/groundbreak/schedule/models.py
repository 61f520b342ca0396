from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from groundbreak.core.i18n import localized
from groundbreak.core.models import BilingualNameMixin, TimeStampedModel
from groundbreak.org.models import Unit
from groundbreak.portfolio.choices import Category
from groundbreak.portfolio.models import Project
from groundbreak.schedule.choices import Evidence, ReplanStatus


class MilestoneKind(BilingualNameMixin):
    """A configurable kind of time node: project filing, land-use permit, groundbreaking, ±0 …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    evidence = models.CharField(
        _("evidence required"), max_length=20, choices=Evidence.choices, blank=True, default=Evidence.NONE
    )
    is_approval = models.BooleanField(_("approval with a document number"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("node kind")
        verbose_name_plural = _("node kinds")
        ordering = ["order", "code"]


class MilestoneTemplate(BilingualNameMixin):
    """A project category's standard chain of nodes, created on a project in one action."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)

    class Meta:
        verbose_name = _("node template")
        verbose_name_plural = _("node templates")
        ordering = ["category", "name"]


class MilestoneTemplateItem(models.Model):
    template = models.ForeignKey(MilestoneTemplate, on_delete=models.CASCADE, related_name="items")
    kind = models.ForeignKey(MilestoneKind, verbose_name=_("node kind"), on_delete=models.PROTECT)
    offset_days = models.IntegerField(
        _("days after the planned start"), help_text=_("Negative for nodes before the start.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "offset_days"]


class Milestone(TimeStampedModel):
    """A dated time node: baseline date, current planned date, actual date."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    kind = models.ForeignKey(MilestoneKind, verbose_name=_("node kind"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    baseline_date = models.DateField(_("baseline date"))
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document_number = models.CharField(_("approval / document number"), max_length=100, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="evidence/%Y/%m/", blank=True)
    completion_note = models.TextField(_("completion note"), blank=True)
    replan_count = models.PositiveSmallIntegerField(_("re-plans"), default=0, editable=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["planned_date", "order", "id"]
        indexes = [
            models.Index(fields=["project", "planned_date"]),
            models.Index(fields=["actual_date", "planned_date"]),
        ]

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en) or self.kind.display_name

    @property
    def slip_days(self) -> int:
        """Days the node has moved from its baseline (positive = later)."""
        return ((self.actual_date or self.planned_date) - self.baseline_date).days

    def __str__(self) -> str:
        return f"{self.project.code} · {self.display_name}"


class ReplanReason(BilingualNameMixin):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("re-plan reason")
        verbose_name_plural = _("re-plan reasons")
        ordering = ["order", "code"]


class Replan(models.Model):
    """A change of a node's planned date; every earlier date is kept here with its reason."""

    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="replans"
    )
    old_date = models.DateField(_("old date"))
    new_date = models.DateField(_("new date"))
    reason = models.ForeignKey(ReplanReason, verbose_name=_("reason"), on_delete=models.PROTECT)
    note = models.TextField(_("explanation"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ReplanStatus.choices, default=ReplanStatus.APPLIED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("re-plan")
        verbose_name_plural = _("re-plans")
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.old_date} → {self.new_date}"


class ScheduleSettings(models.Model):
    require_replan_approval = models.BooleanField(
        _("re-plans of key-list projects need a coordinator's approval"), default=False
    )

    class Meta:
        verbose_name = _("schedule settings")
        verbose_name_plural = _("schedule settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "ScheduleSettings":
        return cls.objects.order_by("pk").first() or cls()
