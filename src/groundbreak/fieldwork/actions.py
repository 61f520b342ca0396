"""Business actions of field work: start and submit a safety inspection, send a snap, triage or
reject it. One function per action, with coordination's contract: keyword-only, the acting user's
role and scope checked, one transaction. `by=None` is the system (demo loading) and skips the
checks. Out of scope is ObjectDoesNotExist (a 404), a role that may not is PermissionDenied (403).

The difficulties themselves are coordination's: failures and snaps become issues through
`coordination.actions.raise_issue`, triage assigns them through `assign_issue`.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.coordination import engagement_actions
from groundbreak.coordination.actions import assign_issue, raise_issue
from groundbreak.coordination.choices import EngagementKind, IssueSource, IssueStatus, Severity
from groundbreak.coordination.models import Engagement, Issue, IssueCategory
from groundbreak.coordination.queries import visible_engagements
from groundbreak.coordination.workflow import transition
from groundbreak.core.uploads import PHOTOS, clean_upload
from groundbreak.fieldwork.choices import Result
from groundbreak.fieldwork.models import Checklist, ChecklistItem, Inspection, InspectionAnswer, SnapReport
from groundbreak.fieldwork.queries import visible_inspections
from groundbreak.org.permissions import require_perm
from groundbreak.portfolio.models import Project

# A rectification is filed under safety where the installation has that category.
RECTIFICATION_CATEGORY = "safety"
FALLBACK_CATEGORY = "other"


@dataclass(frozen=True)
class Answer:
    """One checklist item as answered on site; `photo` is an upload or None."""

    item: ChecklistItem
    result: str
    note: str = ""
    photo: object = None


def _today() -> datetime.date:
    return timezone.localdate()


def _in_scope(by, project: Project) -> None:
    if by is not None and not Project.objects.for_user(by).filter(pk=project.pk).exists():
        raise ObjectDoesNotExist("project outside the user's scope")


def _category(code: str) -> IssueCategory:
    return IssueCategory.objects.filter(code=code).first() or IssueCategory.objects.get(code=FALLBACK_CATEGORY)


def clean_photo(upload, *, keep_location: bool = False):
    """A photo checked by its content and re-encoded without metadata (GPS only with consent)."""
    return clean_upload(
        upload,
        allowed=PHOTOS,
        max_bytes=settings.EVIDENCE_MAX_BYTES,
        keep_location=keep_location,
        refused_message=_("Take or choose a photo (JPEG, PNG or WebP)."),
    )


# --- safety inspections --------------------------------------------------------------------------


def start_inspection(
    *,
    by,
    project: Project,
    checklist: Checklist,
    engagement: Engagement | None = None,
    date: datetime.date | None = None,
    place: str = "",
) -> Inspection:
    """Open a checklist for a project, at an existing inspection engagement or at a new one
    recorded for it (today unless a past date is given)."""
    if by is not None:
        require_perm(by, "inspection.record")
        _in_scope(by, project)
        if engagement is not None and not visible_engagements(by).filter(pk=engagement.pk).exists():
            raise ObjectDoesNotExist("engagement outside the user's scope")
    if checklist is None or not checklist.is_active:
        raise ValidationError({"checklist": _("Choose a checklist that is in use.")})
    if engagement is not None:
        if engagement.kind != EngagementKind.INSPECTION:
            raise ValidationError({"engagement": _("Checklists are filled in at a safety inspection.")})
        if not engagement.projects.filter(pk=project.pk).exists():
            raise ValidationError({"project": _("The inspection did not cover this project.")})
        if engagement.date > _today():
            raise ValidationError({"engagement": _("This inspection has not taken place yet.")})
    elif date is not None and date > _today():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    with transaction.atomic():
        if engagement is None:
            engagement = engagement_actions.create_engagement(
                by=by,
                kind=EngagementKind.INSPECTION,
                title=_("Safety inspection: %(project)s") % {"project": project.display_name},
                date=date or _today(),
                place=place or project.address,
                projects=[project],
            )
        if Inspection.objects.filter(engagement=engagement, project=project, checklist=checklist).exists():
            raise ValidationError(_("This checklist is already being filled in for the project at this inspection."))
        return Inspection.objects.create(engagement=engagement, project=project, checklist=checklist, inspected_by=by)


def submit_inspection(
    *,
    inspection: Inspection,
    by,
    answers: list[Answer],
    lead_unit=None,
    deadline: datetime.date | None = None,
) -> list[Issue]:
    """Record every item's answer; each failed item becomes a rectification issue of the project,
    led by `lead_unit` by `deadline`, that closes only with evidence. Returns the rectifications."""
    if by is not None:
        require_perm(by, "inspection.record")
        if not visible_inspections(by).filter(pk=inspection.pk).exists():
            raise ObjectDoesNotExist("inspection outside the user's scope")
    items = list(inspection.checklist.items.filter(is_active=True))
    given = {answer.item.pk: answer for answer in answers}
    errors = {}
    for item in items:
        answer = given.get(item.pk)
        if answer is None or answer.result not in Result.values:
            errors[f"result_{item.pk}"] = _("Answer pass, fail or not applicable.")
        elif answer.result == Result.FAIL and not answer.note.strip():
            errors[f"note_{item.pk}"] = _("Say what is wrong: it becomes the rectification's details.")
    failed = [given[item.pk] for item in items if item.pk in given and given[item.pk].result == Result.FAIL]
    if failed and lead_unit is None:
        errors["lead_unit"] = _("Choose the unit that leads the rectifications.")
    if failed and deadline is None:
        errors["deadline"] = _("Give the date by which the failed items are rectified.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Inspection.objects.select_for_update().select_related("engagement", "project").get(pk=inspection.pk)
        if current.submitted_at is not None:
            raise ValidationError(_("This checklist has already been submitted."))
        category = _category(RECTIFICATION_CATEGORY)
        rectifications = []
        for item in items:
            answer = given[item.pk]
            photo = None
            if answer.photo:
                photo = engagement_actions.add_engagement_attachment(
                    engagement=current.engagement, upload=clean_photo(answer.photo), by=by
                )
            rectification = None
            if answer.result == Result.FAIL:
                rectification = raise_issue(
                    project=current.project,
                    by=by,
                    title=_("Rectify: %(item)s") % {"item": item.display_name},
                    category=category,
                    description=answer.note,
                    severity=Severity.MAJOR,
                    source=IssueSource.INSPECTION,
                    engagement=current.engagement,
                    source_note=str(inspection.checklist),
                    lead_unit=lead_unit,
                    deadline=deadline,
                    evidence_required=True,
                )
                rectifications.append(rectification)
            InspectionAnswer.objects.create(
                inspection=current,
                item=item,
                result=answer.result,
                note=answer.note,
                photo=photo,
                rectification=rectification,
            )
        current.submitted_at = timezone.now()
        current.inspected_by = by
        current.lead_unit = lead_unit if failed else None
        current.deadline = deadline if failed else None
        current.save()
    return rectifications


# --- snap-and-report ------------------------------------------------------------------------------


def _first_line(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0].strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _position(latitude, longitude) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("A position needs both latitude and longitude."))
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError(_("The position is not on Earth."))


def report_snap(
    *,
    by,
    project: Project,
    text: str,
    photo,
    latitude=None,
    longitude=None,
    accuracy: int | None = None,
    keep_location: bool = False,
) -> SnapReport:
    """A photo and a line of text from a site: a new issue of the project (source "snap", no unit
    yet) waiting in the coordinators' triage queue, and the snap holding the photo and position.
    The photo is re-encoded; its own GPS tags stay only with `keep_location` (the sender's consent)."""
    if by is not None:
        require_perm(by, "snap.create")
        _in_scope(by, project)
    errors = {}
    if not text.strip():
        errors["text"] = _("Say in a line what you see.")
    if not photo:
        errors["photo"] = _("Take or choose a photo.")
    if errors:
        raise ValidationError(errors)
    _position(latitude, longitude)
    cleaned = clean_photo(photo, keep_location=keep_location)
    with transaction.atomic():
        issue = raise_issue(
            project=project,
            by=by,
            title=_first_line(text),
            category=_category(FALLBACK_CATEGORY),
            description=text.strip(),
            source=IssueSource.SNAP,
            source_note=f"{latitude:.6f}, {longitude:.6f}" if latitude is not None else "",
        )
        snap = SnapReport(
            issue=issue,
            text=text.strip(),
            content_type=cleaned.kind.mime,
            size=cleaned.size,
            latitude=round(latitude, 6) if latitude is not None else None,
            longitude=round(longitude, 6) if longitude is not None else None,
            accuracy=accuracy,
            location_kept=keep_location,
            reported_by=by,
        )
        # Written before the row: should the transaction roll back, the file stays behind under
        # its random name, never linked and so never served.
        snap.photo.save(cleaned.name, cleaned, save=False)
        snap.save()
    return snap


def _check_triage(by, snap: SnapReport) -> None:
    if by is None:
        return
    require_perm(by, "snap.triage")
    in_scope = Project.objects.for_user(by).values("pk")
    if not SnapReport.objects.filter(pk=snap.pk, issue__project__in=in_scope).exists():
        raise ObjectDoesNotExist("snap outside the user's scope")


def _waiting(snap: SnapReport) -> Issue:
    """The snap's issue, locked, if it still waits for triage (checked under the lock, so two
    coordinators triaging at once cannot both succeed)."""
    issue = Issue.objects.select_for_update(of=("self",)).select_related("project").get(pk=snap.issue_id)
    if not (issue.source == IssueSource.SNAP and issue.lead_unit_id is None and issue.status == IssueStatus.OPEN):
        raise ValidationError(_("This snap has already been triaged."))
    return issue


def triage_snap(
    *,
    snap: SnapReport,
    by,
    category: IssueCategory,
    lead_unit,
    deadline: datetime.date | None,
    co_units=(),
    responsible_person=None,
    note: str = "",
) -> Issue:
    """The coordinator files the snap's issue under a category and gives it to a unit with a deadline."""
    _check_triage(by, snap)
    if category is None:
        raise ValidationError({"category": _("Choose a category.")})
    with transaction.atomic():
        issue = _waiting(snap)
        if issue.category_id != category.pk:
            issue.category = category
            issue.version += 1
            issue.save()
        return assign_issue(
            issue=issue,
            by=by,
            lead_unit=lead_unit,
            co_units=co_units,
            responsible_person=responsible_person,
            deadline=deadline,
            note=note,
        )


def reject_snap(*, snap: SnapReport, by, reason: str) -> SnapReport:
    """The coordinator finds nothing to do (a duplicate, not a project's difficulty): the issue is
    closed with the reason on its timeline, and the snap keeps who rejected it and why."""
    _check_triage(by, snap)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the snap is rejected.")})
    on = _today()
    note = _("Rejected at triage: %(reason)s") % {"reason": reason.strip()}
    with transaction.atomic():
        issue = _waiting(snap)
        issue.resolution = note
        transition(issue, IssueStatus.RESOLVED, by=by, on=on, note=note)
        issue.closed_on = on
        transition(issue, IssueStatus.CLOSED, by=by, on=on, note=note)
        current = SnapReport.objects.select_for_update().get(pk=snap.pk)
        current.rejected_on = on
        current.rejected_by = by
        current.rejection_reason = reason.strip()
        current.save()
    return current
