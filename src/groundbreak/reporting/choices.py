from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    REVIEWED = "reviewed", _("reviewed")
    ACCEPTED = "accepted", _("accepted")
    RETURNED = "returned", _("returned")


# The report still lies with its owner: it counts as missing until submitted.
OPEN_FOR_FILLING = (ReportStatus.DRAFT, ReportStatus.RETURNED)
# Submitted and not sent back: somewhere on its way up, or accepted.
SUBMITTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.REVIEWED, ReportStatus.ACCEPTED)
AWAITING_REVIEW = (ReportStatus.SUBMITTED, ReportStatus.REVIEWED)


class RoundStatus(models.TextChoices):
    # A context of their own: "open" alone is already the verb of links ("open the evidence").
    OPEN = "open", pgettext_lazy("reporting round", "open")
    CLOSED = "closed", pgettext_lazy("reporting round", "closed")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")


class Reviewer(models.TextChoices):
    """Who acts at a level of review."""

    RESPONSIBLE_UNIT = "responsible_unit", _("the project's responsible unit")
    UNIT = "unit", _("a named unit")
    COORDINATOR = "coordinator", _("the coordinators of the area (headquarters)")


class EventKind(models.TextChoices):
    SUBMITTED = "report.submitted", _("submitted")
    RESUBMITTED = "report.resubmitted", _("resubmitted")
    REVIEWED = "report.reviewed", _("reviewed")
    ACCEPTED = "report.accepted", _("accepted")
    RETURNED = "report.returned", _("returned")
    CORRECTION = "report.correction_started", _("correction started")


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting acceptance")
    ACCEPTED = "accepted", _("accepted")
    RETURNED = "returned", _("returned")


class IndicatorUnit(models.TextChoices):
    MU = "mu", _("mu")
    HECTARE = "ha", _("ha")
    KILOMETRE = "km", _("km")
    COUNT = "count", _("count")
    SQUARE_METRE = "m2", _("m²")
