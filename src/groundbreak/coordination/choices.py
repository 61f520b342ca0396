from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EngagementKind(models.TextChoices):
    SITE_VISIT = "site_visit", _("site visit")
    OFFICE_MEETING = "office_meeting", _("on-site office meeting")
    DISPATCH_MEETING = "dispatch_meeting", _("dispatch meeting")
    INSPECTION = "inspection", _("safety inspection")


class Severity(models.IntegerChoices):
    # Integers so that sorting by severity puts the gravest first without a CASE expression.
    NORMAL = 1, _("normal")
    MAJOR = 2, _("major")
    CRITICAL = 3, _("critical")


class IssueSource(models.TextChoices):
    ENGAGEMENT = "engagement", _("raised at an engagement")
    REPORT = "report", _("monthly report")
    UNIT = "unit", _("reported by a unit or owner")
    INSTRUCTION = "instruction", _("leader's instruction")
    INSPECTION = "inspection", _("failed item of a safety inspection")
    SNAP = "snap", _("snap-and-report from a site")


class IssueStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("issue status", "open")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved, awaiting verification")
    RETURNED = "returned", _("returned for more work")
    CLOSED = "closed", _("closed")


# Statuses in which the work lies with the assigned unit: these can be overdue and escalate.
# A resolved issue waits for the coordinator, so its unit is no longer chased.
OPEN_STATUSES = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS, IssueStatus.RETURNED)
NOT_CLOSED = (*OPEN_STATUSES, IssueStatus.RESOLVED)


class EventKind(models.TextChoices):
    RAISED = "issue.raised", _("raised")
    ASSIGNED = "issue.assigned", _("assigned")
    RESPONDED = "issue.responded", _("response")
    RESOLVED = "issue.resolved", _("marked resolved")
    RETURNED = "issue.returned", _("returned for more work")
    CLOSED = "issue.closed", _("verified and closed")
    ESCALATED = "issue.escalated", _("escalated")
    DEADLINE_CHANGED = "deadline.changed", _("deadline changed")
    INSTRUCTION = "instruction.given", _("leader's instruction")


class EscalationTarget(models.TextChoices):
    UNIT = "unit", _("the responsible unit")
    UNIT_HEAD = "unit_head", _("the head of the responsible unit")
    COORDINATOR = "coordinator", _("the coordinator")
    LEAD_LEADER = "lead_leader", _("the project's lead leader")
    AGENDA = "agenda", _("the agenda of the next on-site office meeting")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("photo")
    DOCUMENT = "document", _("document")
