from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from groundbreak.audit.recording import track
from groundbreak.coordination.choices import (
    AttachmentKind,
    EngagementKind,
    EscalationTarget,
    EventKind,
    IssueSource,
    IssueStatus,
    Severity,
)
from groundbreak.coordination.notice_choices import NUMBER_PREFIX, NoticeKind, NoticeStatus
from groundbreak.core.models import BilingualNameMixin, TimeStampedModel
from groundbreak.org.models import Area, Person, Unit
from groundbreak.portfolio.models import Project


class Engagement(TimeStampedModel):
    """A site visit, on-site office meeting, dispatch meeting or inspection, and what it covered."""

    kind = models.CharField(_("kind"), max_length=20, choices=EngagementKind.choices)
    title = models.CharField(_("subject"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engagements",
        help_text=_("The district or zone where it took place."),
    )
    chair = models.ForeignKey(
        Person,
        verbose_name=_("chaired by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_engagements",
    )
    leaders = models.ManyToManyField(
        Person, verbose_name=_("leaders present"), blank=True, related_name="attended_engagements"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units present"), blank=True, related_name="engagements")
    projects = models.ManyToManyField(Project, verbose_name=_("projects covered"), related_name="engagements")
    # Plain text: shown escaped, with its line breaks, so minutes can never carry markup.
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("coordination:engagement-detail", kwargs={"pk": self.pk})


class IssueCategory(BilingualNameMixin):
    """A configurable kind of difficulty: land, approvals, funding, demolition and resettlement …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("issue category")
        verbose_name_plural = _("issue categories")
        ordering = ["order", "code"]


class EscalationStep(models.Model):
    """A rung of the escalation ladder: who is told once an issue is this many days overdue."""

    target = models.CharField(_("escalate to"), max_length=20, choices=EscalationTarget.choices, unique=True)
    days_overdue = models.PositiveSmallIntegerField(_("days overdue to reach this step"), unique=True)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation ladder")
        ordering = ["days_overdue"]

    def __str__(self) -> str:
        return str(self.get_target_display())


class Issue(TimeStampedModel):
    """A difficulty of a project, assigned to a lead unit with a deadline and chased to verified closure."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="issues")
    title = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    category = models.ForeignKey(
        IssueCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="issues"
    )
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, default=Severity.NORMAL)
    source = models.CharField(_("source"), max_length=20, choices=IssueSource.choices, default=IssueSource.UNIT)
    engagement = models.ForeignKey(
        Engagement,
        verbose_name=_("raised at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    source_note = models.CharField(
        _("source reference"), max_length=200, blank=True, help_text=_("Which report it came from, for example.")
    )
    raised_on = models.DateField(_("raised on"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_issues",
    )
    co_units = models.ManyToManyField(Unit, verbose_name=_("co-units"), blank=True, related_name="co_issues")
    responsible_person = models.ForeignKey(
        Person,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    # Rectifications (整改) of a failed safety-inspection item close only once evidence is attached.
    evidence_required = models.BooleanField(
        _("closes only with evidence"),
        default=False,
        help_text=_("A photo or document showing the rectification must be attached before it is resolved."),
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    escalation_step = models.ForeignKey(
        EscalationStep,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["project", "status"]),
            models.Index(fields=["lead_unit", "status"]),
            # Walked (either way) for a first page in the API's and the board's default orders,
            # instead of sorting every issue of a province.
            models.Index(fields=["raised_on", "id"], name="issue_raised_order"),
            models.Index(fields=["deadline", "id"], name="issue_deadline_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__isnull=True) | models.Q(deadline__gte=models.F("raised_on")),
                name="issue_deadline_after_raised",
                violation_error_message=_("The deadline cannot be before the day the issue was raised."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("coordination:issue-detail", kwargs={"pk": self.pk})


class IssueEvent(models.Model):
    """One named entry of an issue's timeline (not the field change log: see practice 7)."""

    issue = models.ForeignKey(Issue, verbose_name=_("issue"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=30, choices=EventKind.choices)
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("from status"), max_length=20, choices=IssueStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=IssueStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    step = models.ForeignKey(
        EscalationStep, verbose_name=_("step"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The deadline in force when the event happened: an escalation belongs to one deadline.
    deadline = models.DateField(_("deadline then"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("issue event")
        verbose_name_plural = _("issue timeline")
        ordering = ["on", "id"]
        constraints = [
            # The database, too, refuses a second escalation to the same step for the same
            # deadline, so two schedulers running at once cannot escalate twice.
            models.UniqueConstraint(
                fields=["issue", "step", "deadline"],
                condition=models.Q(kind=EventKind.ESCALATED),
                name="one_escalation_per_step_and_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on.isoformat()} {self.get_kind_display()}"


class IssueResponse(models.Model):
    """A dated progress note of an assigned unit."""

    issue = models.ForeignKey(Issue, verbose_name=_("issue"), on_delete=models.CASCADE, related_name="responses")
    on = models.DateField(_("date"))
    text = models.TextField(_("what was done"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on.isoformat()} {self.text[:60]}"


class DeadlineChange(models.Model):
    """A move of an issue's deadline; every earlier deadline is kept here with its reason."""

    issue = models.ForeignKey(Issue, verbose_name=_("issue"), on_delete=models.CASCADE, related_name="deadline_changes")
    old_deadline = models.DateField(_("old deadline"), null=True, blank=True)
    new_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline change")
        verbose_name_plural = _("deadline changes")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.old_deadline} → {self.new_deadline}"


class Decision(models.Model):
    """A decision taken at an engagement; it may become an issue or a time node of a covered project."""

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.TextField(_("decision taken"))
    project = models.ForeignKey(
        Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issue = models.ForeignKey(
        Issue, verbose_name=_("became issue"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    milestone = models.ForeignKey(
        "schedule.Milestone",
        verbose_name=_("became time node"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Instruction(models.Model):
    """A leader's instruction (批示) on a project or one of its issues, addressed to a unit."""

    leader = models.ForeignKey(Person, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="instructions")
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="instructions"
    )
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("on issue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    text = models.TextField(_("instruction"))
    given_on = models.DateField(_("date"))
    target_unit = models.ForeignKey(Unit, verbose_name=_("addressed to"), on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    created_issue = models.ForeignKey(
        Issue, verbose_name=_("work created"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.given_on.isoformat()} {self.text[:60]}"


class Attachment(models.Model):
    """A photo or document of an engagement or of a unit's response, served only through a scoped view."""

    engagement = models.ForeignKey(
        Engagement,
        verbose_name=_("engagement"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    response = models.ForeignKey(
        IssueResponse,
        verbose_name=_("response"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="coordination/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
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
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(engagement__isnull=False, response__isnull=True)
                | models.Q(engagement__isnull=True, response__isnull=False),
                name="attachment_belongs_to_one_record",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Notice(TimeStampedModel):
    """A printable notice (提示单、督办单、联系单) sent to a unit about issues, or a unit's written
    report (报告单) answering one. Numbered per kind and year: 督办〔2026〕12号."""

    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    serial = models.PositiveIntegerField(_("serial number"), editable=False)
    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    issued_on = models.DateField(_("date"))
    issuer_unit = models.ForeignKey(
        Unit,
        verbose_name=_("issued by unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_notices",
    )
    addressee = models.ForeignKey(
        Unit, verbose_name=_("addressed to"), on_delete=models.PROTECT, related_name="received_notices"
    )
    issues = models.ManyToManyField(Issue, verbose_name=_("issues concerned"), related_name="notices")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # Plain text, printed as paragraphs; blank prints the standard wording of the kind.
    body = models.TextField(_("text"), blank=True)
    reply_by = models.DateField(_("reply by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.AWAITING)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply_note = models.TextField(_("reply note"), blank=True)
    answers = models.ForeignKey(
        "self",
        verbose_name=_("answers notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["addressee", "status"]),
            models.Index(fields=["issued_on"]),
        ]
        constraints = [
            # The database has the last word on numbering: two issuers at once cannot share a number.
            models.UniqueConstraint(fields=["kind", "year", "serial"], name="one_notice_number_per_kind_and_year"),
            models.CheckConstraint(
                condition=models.Q(reply_by__isnull=True) | models.Q(reply_by__gte=models.F("issued_on")),
                name="notice_reply_after_issue",
                violation_error_message=_("The reply deadline cannot be before the notice's date."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_number

    def get_absolute_url(self) -> str:
        return reverse("coordination:notice-detail", kwargs={"pk": self.pk})

    @staticmethod
    def format_number(kind: str, year: int, serial: int) -> str:
        return f"{NUMBER_PREFIX[kind]}〔{year}〕{serial}号"

    @property
    def display_number(self) -> str:
        """The official number in Chinese; in English, the same number spelt out."""
        if (get_language() or "").startswith("en"):
            return _("%(kind)s [%(year)s] No. %(serial)s") % {
                "kind": NoticeKind(self.kind).label.capitalize(),
                "year": self.year,
                "serial": self.serial,
            }
        return self.number

    @property
    def overdue(self) -> bool:
        return (
            self.status == NoticeStatus.AWAITING and self.reply_by is not None and self.reply_by < timezone.localdate()
        )


# Registered next to the model (the other coordination models register in `apps.ready`).
track(Notice, exclude=("year", "serial"))
