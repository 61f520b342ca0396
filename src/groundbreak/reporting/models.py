"""Reporting rounds (期号), project reports with their versions, review levels and indicators.

Figures are typed once: a report holds the investment of its own period; year to date and since
start are sums of accepted reports, computed in the database (see `figures`).
"""

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundbreak.core.models import BilingualNameMixin, TimeStampedModel
from groundbreak.org.models import Area, Unit
from groundbreak.portfolio.models import Project
from groundbreak.reporting.choices import (
    EventKind,
    Frequency,
    IndicatorUnit,
    ReportStatus,
    Reviewer,
    RoundStatus,
    SubmissionStatus,
)

FRACTION_PLACES = Decimal("0.000001")


def year_fraction(day: datetime.date) -> Decimal:
    """The share of its year elapsed at the end of `day` (序时进度): 31 March 2025 → 90/365."""
    days_in_year = 366 if calendar.isleap(day.year) else 365
    elapsed = day.timetuple().tm_yday
    return (Decimal(elapsed) / Decimal(days_in_year)).quantize(FRACTION_PLACES, rounding=ROUND_HALF_UP)


class ReportingPolicy(models.Model):
    """How often an area's projects report and how long they have; areas below inherit it."""

    area = models.OneToOneField(Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="reporting_policy")
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY)
    due_days = models.PositiveSmallIntegerField(_("reports due (days after the period ends)"), default=5)
    remind_days = models.PositiveSmallIntegerField(_("remind owners (days before the due date)"), default=2)

    class Meta:
        verbose_name = _("reporting policy")
        verbose_name_plural = _("reporting policies")

    def __str__(self) -> str:
        return f"{self.area} · {self.get_frequency_display()}"


class ReviewStep(models.Model):
    """One level of review of an area's reports; the last level accepts. Areas below inherit the
    levels of the nearest area that has any; without any, the responsible unit reviews and the
    coordinators accept."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="review_steps")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    reviewer = models.CharField(_("reviewed by"), max_length=20, choices=Reviewer.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only when a named unit reviews."),
    )

    class Meta:
        verbose_name = _("review level")
        verbose_name_plural = _("review levels")
        ordering = ["area", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "order"], name="one_review_step_per_order"),
            models.CheckConstraint(
                condition=~models.Q(reviewer=Reviewer.UNIT) | models.Q(unit__isnull=False),
                name="review_step_unit_named",
                violation_error_message=_("Name the unit that reviews at this level."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit) if self.reviewer == Reviewer.UNIT and self.unit_id else str(self.get_reviewer_display())


class ReportingRound(TimeStampedModel):
    """A reporting period of an area (期号): the projects expected to report, and their reports."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="reporting_rounds")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_on = models.DateField(_("reports due on"))
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    # Both derived from `period_end` on save, so the database can sum a year and compare with
    # the time-proportional target without date arithmetic that differs between databases.
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    year_fraction = models.DecimalField(_("share of the year elapsed"), max_digits=7, decimal_places=6, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-period_end", "area__path"]
        indexes = [
            models.Index(fields=["year", "period_end"]),
            models.Index(fields=["status", "due_on"]),
            # Rounds newest first, walked into their reports by (round, project): the API's report
            # list takes its first page without sorting every report of the province.
            models.Index(fields=["-period_start", "id"], name="round_newest_first"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["area", "period_start", "period_end"], name="one_round_per_area_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="round_end_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("period_end")),
                name="round_due_after_end",
                violation_error_message=_("Reports cannot be due before the period ends."),
            ),
        ]

    def save(self, *args, **kwargs):
        self.derive()
        super().save(*args, **kwargs)

    def derive(self) -> "ReportingRound":
        """Set the fields derived from the period (for `bulk_create`, which skips `save`)."""
        self.year = self.period_end.year
        self.year_fraction = year_fraction(self.period_end)
        return self

    @property
    def label(self) -> str:
        """ "2025-03" for a calendar month, else the two dates."""
        start, end = self.period_start, self.period_end
        if start.day == 1 and end == start.replace(day=calendar.monthrange(start.year, start.month)[1]):
            return f"{start:%Y-%m}"
        return f"{start.isoformat()} – {end.isoformat()}"

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    def __str__(self) -> str:
        return f"{self.area} {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:round-detail", kwargs={"pk": self.pk})


class RoundSnapshot(models.Model):
    """The round's figures as they stood when it closed ("as reported on 31 March"): canonical
    JSON text and its SHA-256, so the figures can be shown and checked later whatever changed since."""

    round = models.OneToOneField(
        ReportingRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="snapshot"
    )
    document = models.TextField(_("document"))
    checksum = models.CharField(_("SHA-256"), max_length=64)
    taken_at = models.DateTimeField(_("frozen at"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("frozen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("round snapshot")
        verbose_name_plural = _("round snapshots")

    def __str__(self) -> str:
        return f"{self.round} {self.checksum[:12]}"


class RoundSubmission(models.Model):
    """A closed round sent up to the next level (district → city) for acceptance."""

    round = models.ForeignKey(
        ReportingRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="submissions"
    )
    to_area = models.ForeignKey(Area, verbose_name=_("submitted to"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.SUBMITTED
    )
    checksum = models.CharField(_("snapshot SHA-256"), max_length=64)
    note = models.TextField(_("note"), blank=True)
    reason = models.TextField(_("reason for return"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("round submission")
        verbose_name_plural = _("round submissions")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.round} → {self.to_area}"


class Report(TimeStampedModel):
    """A project's report for a round, and where it stands in the review.

    `working` is the version being filled in or reviewed; `accepted` the version in force, the
    only one that counts in sums. They are the same row except while a correction is under way.
    """

    round = models.ForeignKey(ReportingRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="reports")
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    step = models.PositiveSmallIntegerField(_("review level"), default=0)
    # Who the report waits for, fixed when it reaches a level, so a queue is one indexed filter.
    awaiting = models.CharField(_("awaiting"), max_length=20, choices=Reviewer.choices, blank=True)
    awaiting_unit = models.ForeignKey(
        Unit, verbose_name=_("awaiting unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_submitted_on = models.DateField(_("first submitted on"), null=True, blank=True)
    submitted_on = models.DateField(_("last submitted on"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    working = models.OneToOneField(
        "ReportVersion",
        verbose_name=_("working version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted = models.OneToOneField(
        "ReportVersion",
        verbose_name=_("version in force"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["round", "project__code"]
        constraints = [models.UniqueConstraint(fields=["round", "project"], name="one_report_per_round_project")]
        indexes = [
            models.Index(fields=["status", "awaiting"]),
            models.Index(fields=["project", "round"]),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.round.label}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:report-detail", kwargs={"pk": self.pk})

    @property
    def is_late(self) -> bool:
        return self.first_submitted_on is not None and self.first_submitted_on > self.round.due_on

    @property
    def is_correction(self) -> bool:
        return self.working_id is not None and self.accepted_id is not None and self.working_id != self.accepted_id


class ReportVersion(models.Model):
    """The figures of one version of a report. An accepted version is never edited again; a
    correction is a new version with its reason."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    investment = models.DecimalField(
        _("investment completed this period (yuan)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    physical_progress = models.DecimalField(
        _("physical progress (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    workers_on_site = models.PositiveIntegerField(_("workers on site"), null=True, blank=True)
    progress = models.TextField(_("progress this period"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_report_version_number")]

    def __str__(self) -> str:
        return f"v{self.number}"


class ReportEvent(models.Model):
    """One named step of a report's workflow (submitted, returned with a reason, accepted …)."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=40, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=ReportStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ReportStatus.choices)
    step = models.PositiveSmallIntegerField(_("review level"), default=0)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report timeline")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class ReportPhoto(models.Model):
    """A site photo of a report, served only to those who may see the project."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="reports/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name.rsplit("/", 1)[-1]


class Indicator(BilingualNameMixin, TimeStampedModel):
    """A quantitative target of a project for a year: "650 mu of new forest", "20 pocket parks"."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="indicators")
    unit = models.CharField(_("unit"), max_length=10, choices=IndicatorUnit.choices)
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    year = models.PositiveSmallIntegerField(_("year"))
    target_date = models.DateField(
        _("target date"), null=True, blank=True, help_text=_("Leave empty for the end of the year.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["project", "-year", "order", "id"]

    def save(self, *args, **kwargs):
        # Stored, not derived when read, so "met ahead of schedule" is one comparison in the database.
        if self.target_date is None:
            self.target_date = datetime.date(self.year, 12, 31)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.display_name} {Decimal(self.target).normalize():f} {self.get_unit_display()}"


class IndicatorValue(models.Model):
    """What a report's version says was achieved on an indicator during its period."""

    version = models.ForeignKey(
        ReportVersion, verbose_name=_("report version"), on_delete=models.CASCADE, related_name="indicator_values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField(
        _("achieved this period"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("indicator progress")
        verbose_name_plural = _("indicator progress")
        constraints = [models.UniqueConstraint(fields=["version", "indicator"], name="one_value_per_indicator")]

    def __str__(self) -> str:
        return f"{self.indicator.display_name}: {Decimal(self.value).normalize():f}"


class ReportingLightSettings(models.Model):
    """Thresholds of the reporting rules of the warning lights; one row, edited by administrators."""

    investment_yellow_points = models.PositiveSmallIntegerField(
        _("yellow when investment is behind the time-proportional target by (points)"), default=10
    )
    investment_red_points = models.PositiveSmallIntegerField(
        _("red when investment is behind the time-proportional target by more than (points)"), default=30
    )
    start_red_months = models.PositiveSmallIntegerField(
        _("red when the planned start passed without construction more than (months) ago"), default=3
    )

    class Meta:
        verbose_name = _("reporting light settings")
        verbose_name_plural = _("reporting light settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "ReportingLightSettings":
        return cls.objects.order_by("pk").first() or cls()
