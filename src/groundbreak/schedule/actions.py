"""Business actions on time nodes: add, apply a template, complete, reopen, re-plan, decide.

Same contract as `portfolio.actions`: keyword-only, permission and scope checked, one
transaction, audit written by the signals in it; `by=None` is the system.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.core import uploads
from groundbreak.org.permissions import has_perm, require_perm
from groundbreak.portfolio.models import Project
from groundbreak.schedule.choices import Evidence, ReplanStatus
from groundbreak.schedule.models import (
    Milestone,
    MilestoneKind,
    MilestoneTemplate,
    Replan,
    ReplanReason,
    ScheduleSettings,
)


def _check(by, perm: str, project: Project) -> None:
    if by is None:
        return
    require_perm(by, perm)
    if not Project.objects.for_user(by).filter(pk=project.pk).exists():
        raise ObjectDoesNotExist("project outside the user's scope")


def _today() -> datetime.date:
    return timezone.localdate()


def add_milestone(
    *,
    project: Project,
    kind: MilestoneKind,
    planned_date: datetime.date,
    by,
    name: str = "",
    name_en: str = "",
    responsible_unit=None,
    order: int = 0,
) -> Milestone:
    """Add a time node; its baseline is the first planned date."""
    _check(by, "milestone.create", project)
    with transaction.atomic():
        milestone = Milestone(
            project=project,
            kind=kind,
            name=name,
            name_en=name_en,
            baseline_date=planned_date,
            planned_date=planned_date,
            responsible_unit=responsible_unit,
            order=order,
        )
        milestone.full_clean()
        milestone.save()
    return milestone


def apply_template(*, project: Project, template: MilestoneTemplate, by) -> list[Milestone]:
    """Create the template's chain of nodes on the project, dated from its planned start.

    Kinds the project already has are skipped, so applying twice adds nothing.
    """
    _check(by, "milestone.create", project)
    if project.planned_start is None:
        raise ValidationError(_("Set the project's planned start first: the template's nodes are dated from it."))
    existing = set(project.milestones.values_list("kind_id", flat=True))
    created = []
    with transaction.atomic():
        for item in template.items.select_related("kind"):
            if item.kind_id in existing:
                continue
            date = project.planned_start + datetime.timedelta(days=item.offset_days)
            milestone = Milestone(
                project=project,
                kind=item.kind,
                baseline_date=date,
                planned_date=date,
                responsible_unit=project.responsible_unit,
                order=item.order,
            )
            milestone.save()
            created.append(milestone)
    return created


def clean_evidence(upload, *, keep_location: bool = False) -> uploads.CleanedUpload:
    """Evidence checked by its content (PDF, Word, JPEG, PNG, WebP) and size, photos stripped of
    their metadata (the GPS position kept only with the uploader's consent), under a random name."""
    return uploads.clean_upload(
        upload,
        allowed=uploads.DOCUMENTS_AND_PHOTOS,
        max_bytes=settings.EVIDENCE_MAX_BYTES,
        keep_location=keep_location,
        refused_message=_("Upload a PDF, a Word document or a JPEG, PNG or WebP photo."),
    )


def complete_milestone(
    *,
    milestone: Milestone,
    actual_date: datetime.date,
    by,
    document_number: str = "",
    evidence=None,
    keep_location: bool = False,
    note: str = "",
) -> Milestone:
    """Record that a node was met on `actual_date`, with the evidence its kind requires.

    `evidence` is checked and cleaned here whoever calls (see `clean_evidence`); `keep_location`
    is the uploader's consent to keep a photo's GPS position.
    """
    _check(by, "milestone.complete", milestone.project)
    errors = {}
    if evidence:
        try:
            evidence = clean_evidence(evidence, keep_location=keep_location)
        except ValidationError as error:
            errors["evidence"] = error.messages
    if actual_date is None:
        errors["actual_date"] = _("Give the date the node was met.")
    elif actual_date > _today():
        errors["actual_date"] = _("A node cannot be met in the future.")
    kind = milestone.kind
    number = (document_number or milestone.document_number).strip()
    has_file = bool(evidence) or bool(milestone.evidence)
    if kind.evidence == Evidence.APPROVAL_NUMBER and not number:
        errors["document_number"] = _("This node counts as met only with its approval number.")
    if kind.evidence in (Evidence.DOCUMENT, Evidence.PHOTO) and not has_file:
        errors["evidence"] = _("This node counts as met only with a document or photo as evidence.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if current.actual_date is not None:
            raise ValidationError(_("This node is already met."))
        current.actual_date = actual_date
        current.document_number = number
        current.completion_note = note
        if evidence:
            current.evidence = evidence
        current.version += 1
        current.save()
    return current


def reopen_milestone(*, milestone: Milestone, reason: str, by) -> Milestone:
    """Undo a completion recorded by mistake; the change log keeps the date that was given."""
    _check(by, "milestone.complete", milestone.project)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the completion is withdrawn.")})
    with transaction.atomic():
        current = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if current.actual_date is None:
            raise ValidationError(_("This node is not met yet."))
        current.actual_date = None
        current.completion_note = reason
        current.version += 1
        current.save()
    return current


def _needs_approval(milestone: Milestone, by) -> bool:
    if by is None or has_perm(by, "milestone.decide_replan"):
        return False
    # Only this year's (or later) lists bind: last year's list no longer sets targets.
    current_lists = milestone.project.memberships.filter(key_list__year__gte=_today().year)
    return ScheduleSettings.current().require_replan_approval and current_lists.exists()


def replan_milestone(
    *, milestone: Milestone, new_date: datetime.date, reason: ReplanReason, by, note: str = ""
) -> Replan:
    """Move a node's planned date, keeping the old date with a reason.

    Where the coordinator requires approval for key-list projects, the re-plan waits as a
    request and the date moves only when approved.
    """
    _check(by, "milestone.replan", milestone.project)
    errors = {}
    if new_date is None:
        errors["new_date"] = _("Give the new planned date.")
    if reason is None:
        errors["reason"] = _("Choose a reason.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
        if current.actual_date is not None:
            raise ValidationError(_("A node that is met cannot be re-planned."))
        if new_date == current.planned_date:
            raise ValidationError({"new_date": _("The new date is the same as the planned date.")})
        if current.replans.filter(status=ReplanStatus.PENDING).exists():
            raise ValidationError(_("A re-plan of this node is already awaiting approval."))
        pending = _needs_approval(current, by)
        replan = Replan.objects.create(
            milestone=current,
            old_date=current.planned_date,
            new_date=new_date,
            reason=reason,
            note=note,
            status=ReplanStatus.PENDING if pending else ReplanStatus.APPLIED,
            requested_by=by,
        )
        if not pending:
            _move(current, new_date)
    return replan


def _move(milestone: Milestone, new_date: datetime.date) -> None:
    # The row is locked by the caller, so plain increments cannot lose a concurrent re-plan.
    milestone.planned_date = new_date
    milestone.replan_count += 1
    milestone.version += 1
    milestone.save()


def decide_replan(*, replan: Replan, approve: bool, by, note: str = "") -> Replan:
    """Approve (the date moves) or reject (it stays) a re-plan that awaits approval."""
    _check(by, "milestone.decide_replan", replan.milestone.project)
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why the re-plan is rejected.")})
    with transaction.atomic():
        current = Replan.objects.select_for_update().select_related("milestone").get(pk=replan.pk)
        if current.status != ReplanStatus.PENDING:
            raise ValidationError(_("This re-plan has already been decided."))
        current.status = ReplanStatus.APPROVED if approve else ReplanStatus.REJECTED
        current.decided_by = by
        current.decided_at = timezone.now()
        current.decision_note = note
        current.save()
        milestone = Milestone.objects.select_for_update().get(pk=current.milestone_id)
        if approve and milestone.actual_date is not None:
            raise ValidationError(_("The node has been met since the request: it can no longer be re-planned."))
        if approve:
            current.old_date = milestone.planned_date
            current.save()
            _move(milestone, current.new_date)
    return current
