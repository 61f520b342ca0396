"""Safety inspections filled in on site, and snap-and-report (随手拍) photos from anyone in the field.

Both feed coordination: a failed checklist item becomes a rectification issue (it closes only with
evidence), a snap becomes an issue waiting for a coordinator to triage it. The difficulty itself
lives in coordination; these models keep what was seen on site.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from groundbreak.coordination.models import Attachment, Engagement, Issue
from groundbreak.core.models import BilingualNameMixin, TimeStampedModel
from groundbreak.fieldwork.choices import Result
from groundbreak.org.models import Unit
from groundbreak.portfolio.models import Project


class Checklist(BilingualNameMixin):
    """A configurable list of what an inspector checks on a site."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["order", "code"]


class ChecklistItem(BilingualNameMixin):
    """One point of a checklist: heat, dust suppression, scaffolding, fire, hazardous chemicals …"""

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.SlugField(_("code"), max_length=40)
    guidance = models.TextField(_("what to look at"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["checklist", "code"], name="checklist_item_code_unique")]


class Inspection(TimeStampedModel):
    """A checklist filled in for one project during an inspection engagement."""

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="inspections"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="inspections"
    )
    checklist = models.ForeignKey(Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+")
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set once the answers are recorded; the failed items' rectifications are raised then.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("rectifications led by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("rectify by"), null=True, blank=True)

    class Meta:
        verbose_name = _("safety inspection")
        verbose_name_plural = _("safety inspections")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "project", "checklist"], name="one_checklist_per_project_and_inspection"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engagement.date.isoformat()} {self.project.code} {self.checklist}"

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:inspection-detail", kwargs={"pk": self.pk})


class InspectionAnswer(models.Model):
    """An item answered pass, fail or not applicable; a failure raises a rectification issue."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=4, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    # The photo is an attachment of the engagement: stored, checked and served by coordination.
    photo = models.ForeignKey(
        Attachment, verbose_name=_("photo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rectification = models.OneToOneField(
        Issue,
        verbose_name=_("rectification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_answer",
    )

    class Meta:
        verbose_name = _("inspection answer")
        verbose_name_plural = _("inspection answers")
        ordering = ["item__order", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="one_answer_per_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_result_display()}"


class SnapReport(models.Model):
    """A photo and a line of text sent from a site (随手拍); its issue waits for triage."""

    issue = models.OneToOneField(Issue, verbose_name=_("issue"), on_delete=models.PROTECT, related_name="snap")
    text = models.TextField(_("what was seen"))
    photo = models.FileField(_("photo"), upload_to="fieldwork/snaps/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    # Where the phone said it was when the photo was sent (the browser's geolocation).
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    accuracy = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    # The photo's own GPS tags survive the re-encoding only with the sender's consent.
    location_kept = models.BooleanField(_("photo location kept"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    rejected_on = models.DateField(_("rejected on"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)

    class Meta:
        verbose_name = _("snap report")
        verbose_name_plural = _("snap reports")
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:snap-detail", kwargs={"pk": self.pk})
