from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from groundbreak.core.i18n import localized
from groundbreak.core.models import BilingualNameMixin, TimeStampedModel
from groundbreak.org.models import Area, Person, Unit
from groundbreak.portfolio.choices import Category, FigureKind, KeyListLevel, Light, Stage, Status
from groundbreak.portfolio.managers import ProjectQuerySet

code_validator = RegexValidator(
    r"^(?!new$)[A-Za-z0-9][A-Za-z0-9\-_.]{1,39}$", _("Use 2–40 letters, digits, '-', '_' or '.'.")
)
# 全国投资项目在线审批监管平台 code: year, 6-digit GB/T 2260 area, industry, type, serial:
# 24 characters in all, e.g. 2022-310117-47-01-012345.
investment_code_validator = RegexValidator(
    r"^(19|20)\d{2}-\d{6}-\d{2}-\d{2}-\d{6}$",
    _("A national investment project code has 24 characters like 2022-310117-47-01-012345."),
)


class Project(BilingualNameMixin, TimeStampedModel):
    code = models.CharField(_("project code"), max_length=40, unique=True, validators=[code_validator])
    investment_code = models.CharField(
        _("national investment project code"),
        max_length=24,
        blank=True,
        validators=[investment_code_validator],
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="projects")
    zone = models.ForeignKey(
        Area,
        verbose_name=_("zone / park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="zone_projects",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
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
    owner_unit = models.ForeignKey(
        Unit,
        verbose_name=_("owner unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_projects",
    )
    lead_leader = models.ForeignKey(
        Person,
        verbose_name=_("lead leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_projects",
    )
    responsible_person = models.ForeignKey(
        Person,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_projects",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.RESERVE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    total_investment = models.DecimalField(
        _("total investment (yuan)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned completion"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="phases",
    )
    pause_reason = models.TextField(_("pause reason"), blank=True)
    expected_resume_on = models.DateField(_("expected resume date"), null=True, blank=True)
    is_public = models.BooleanField(_("published as open data"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The light the rules gave on `light_on` (see portfolio/stored_lights.py): counts and rankings
    # read it instead of evaluating the rules for every project.
    stored_light = models.CharField(max_length=10, choices=Light.choices, null=True, blank=True, editable=False)
    light_on = models.DateField(null=True, blank=True, editable=False)
    # Figures other apps store beside the light, for the year of `light_on` and up to that day
    # (reporting: the annual plan, accepted investment to date, share of the year of the latest
    # accepted period), so that dashboards sum them instead of evaluating them per project.
    stored_year_plan = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True, editable=False)
    stored_year_ytd = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True, editable=False)
    stored_year_share = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["stage"]),
            models.Index(fields=["category"]),
            models.Index(fields=["area", "stage"]),
            # The worker's daily step looks for lights not computed for today.
            models.Index(fields=["light_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="project_end_after_start",
                violation_error_message=_("The planned completion cannot be before the planned start."),
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("portfolio:project-detail", kwargs={"code": self.code})


class KeyFigure(models.Model):
    """A typed figure of a project with its unit: "12 buildings", "600,000 m² floor area"."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="figures")
    kind = models.CharField(_("kind"), max_length=20, choices=FigureKind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    label_en = models.CharField(_("English label"), max_length=100, blank=True)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        ordering = ["order", "id"]

    @property
    def display_label(self) -> str:
        return localized(self.label, self.label_en) or self.get_kind_display()

    def __str__(self) -> str:
        return f"{self.display_label}: {self.value.normalize():f} {self.unit}".strip()


class StageChange(models.Model):
    """A move of a project along the pipeline, or a pause, resume or cancellation, with its date."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("stage change")
        CORRECTION = "correction", _("stage correction")
        PAUSE = "pause", _("paused")
        PAUSE_UPDATE = "pause_update", _("pause update")
        RESUME = "resume", _("resumed")
        CANCEL = "cancel", _("cancelled")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STAGE)
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices, blank=True)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stage history entry")
        verbose_name_plural = _("stage history")
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["project", "on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class KeyList(BilingualNameMixin, TimeStampedModel):
    """A named annual list: "2022 municipal key projects", "Binhai Ten Projects"."""

    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=20, choices=KeyListLevel.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="key_lists",
        help_text=_("The area whose list this is."),
    )
    description = models.TextField(_("description"), blank=True)
    projects = models.ManyToManyField(Project, through="KeyListMembership", related_name="key_lists")

    class Meta:
        verbose_name = _("key list")
        verbose_name_plural = _("key lists")
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "year", "area"], name="one_key_list_per_name_year_area")]


class KeyListMembership(models.Model):
    key_list = models.ForeignKey(
        KeyList, verbose_name=_("key list"), on_delete=models.CASCADE, related_name="memberships"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="memberships"
    )
    annual_investment_plan = models.DecimalField(
        _("annual investment plan (yuan)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    target_stage = models.CharField(_("target stage by year end"), max_length=20, choices=Stage.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("key list membership")
        verbose_name_plural = _("key list memberships")
        constraints = [models.UniqueConstraint(fields=["key_list", "project"], name="one_membership_per_list")]

    def __str__(self) -> str:
        return f"{self.key_list} · {self.project}"


class LightOverride(models.Model):
    """A coordinator's hand-set light for a project, shown as such, valid until `expires_on`."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="light_overrides"
    )
    light = models.CharField(_("light"), max_length=10, choices=Light.choices)
    reason = models.TextField(_("reason"))
    expires_on = models.DateField(_("expires on"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)

    class Meta:
        verbose_name = _("light override")
        verbose_name_plural = _("light overrides")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.get_light_display()} → {self.expires_on}"


class LightSettings(models.Model):
    """Thresholds of the warning-light rules; one row, edited by administrators."""

    due_soon_days = models.PositiveSmallIntegerField(_("yellow when a node is due within (days)"), default=14)
    replan_limit = models.PositiveSmallIntegerField(_("yellow when a node was re-planned more than (times)"), default=2)
    pause_update_days = models.PositiveSmallIntegerField(
        _("yellow when a paused project has had no update for (days)"), default=30
    )

    class Meta:
        verbose_name = _("warning-light settings")
        verbose_name_plural = _("warning-light settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "LightSettings":
        return cls.objects.order_by("pk").first() or cls()
