"""Business actions on engagements: record and edit them, their photos and documents, and what
came out of them (issues raised, decisions taken, decisions turned into issues or time nodes).

Same contract as `actions`.
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.coordination.actions import raise_issue
from groundbreak.coordination.attachments import delete_file_on_commit, store_attachment
from groundbreak.coordination.choices import IssueSource, Severity
from groundbreak.coordination.models import Attachment, Decision, Engagement, Issue
from groundbreak.coordination.queries import visible_engagements
from groundbreak.core.errors import ConflictError
from groundbreak.org.models import Area
from groundbreak.org.permissions import require_perm, sees_everything
from groundbreak.portfolio.models import Project
from groundbreak.schedule.actions import add_milestone

FIELDS = ("kind", "title", "date", "place", "area", "chair", "minutes")
RELATIONS = ("leaders", "units", "projects")


def _check(by, engagement: Engagement | None = None, perm: str = "engagement.change") -> None:
    if by is None:
        return
    require_perm(by, perm)
    if engagement is not None and not visible_engagements(by).filter(pk=engagement.pk).exists():
        raise ObjectDoesNotExist("engagement outside the user's scope")


def _check_reach(by, projects, area) -> None:
    """Everything an engagement names must lie in the recorder's scope (checked after the write)."""
    if by is None or sees_everything(by):
        return
    visible = Project.objects.for_user(by).filter(pk__in=[p.pk for p in projects]).count()
    if visible != len({p.pk for p in projects}):
        raise ObjectDoesNotExist("project outside the user's scope")
    if area is not None and not (by.scope_area_id and Area.objects.subtree(by.scope_area).filter(pk=area.pk).exists()):
        raise ObjectDoesNotExist("area outside the user's scope")


def _validate(engagement: Engagement, projects) -> None:
    errors = {}
    if not projects:
        errors["projects"] = _("An engagement covers at least one project.")
    if not engagement.title.strip():
        errors["title"] = _("Give the engagement a title.")
    if errors:
        raise ValidationError(errors)
    engagement.full_clean(exclude=list(RELATIONS))


def create_engagement(*, by, projects, leaders=(), units=(), **fields) -> Engagement:
    """Record a site visit, on-site office meeting, dispatch meeting or inspection (a future one is
    planned and shows on the calendar)."""
    _check(by)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    projects = list(projects)
    engagement = Engagement(**fields, created_by=by)
    _validate(engagement, projects)
    with transaction.atomic():
        engagement.save()
        engagement.projects.set(projects)
        engagement.leaders.set(list(leaders))
        engagement.units.set(list(units))
        _check_reach(by, projects, engagement.area)
    return engagement


def update_engagement(*, engagement: Engagement, by, changes: dict, expected_version: int | None = None) -> Engagement:
    """Change an engagement's facts and who and what it covered.

    Covered projects the user cannot see stay covered: their form never offered them.
    """
    _check(by, engagement)
    unknown = set(changes) - set(FIELDS) - set(RELATIONS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        current = Engagement.objects.select_for_update().get(pk=engagement.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError()
        for name in FIELDS:
            if name in changes:
                setattr(current, name, changes[name])
        projects = list(changes.get("projects", current.projects.all()))
        if by is not None and "projects" in changes and not sees_everything(by):
            hidden = current.projects.exclude(pk__in=Project.objects.for_user(by).values("pk"))
            projects += [p for p in hidden if p not in projects]
        _validate(current, projects)
        raised_on = set(current.issues.values_list("project", flat=True))
        if raised_on - {p.pk for p in projects}:
            raise ValidationError({"projects": _("A project on which issues were raised stays covered.")})
        current.version += 1
        current.save()
        current.projects.set(projects)
        for name in ("leaders", "units"):
            if name in changes:
                getattr(current, name).set(list(changes[name]))
        _check_reach(by, list(changes.get("projects", ())), current.area if "area" in changes else None)
    return current


def add_engagement_attachment(*, engagement: Engagement, upload, by) -> Attachment:
    """Add a photo or document to an engagement (checked by its content, not its name)."""
    _check(by, engagement)
    with transaction.atomic():
        return store_attachment(upload, by=by, engagement=engagement)


def remove_attachment(*, attachment: Attachment, by) -> None:
    """Delete an engagement's photo or document; the change log keeps its name."""
    if attachment.engagement_id is None:
        raise ValidationError(_("A response's attachments stay with the response."))
    _check(by, attachment.engagement)
    with transaction.atomic():
        attachment.delete()
        delete_file_on_commit(attachment)


def record_outcomes(*, engagement: Engagement, by, issues: list[dict], decisions: list[dict]) -> dict:
    """Record in one go the issues raised at an engagement and the decisions taken there.

    Each issue dict holds `raise_issue` arguments (project, title, category, lead_unit, deadline …);
    each decision dict a `text`, optionally a `project`, and optionally `milestone_kind` and
    `planned_date` to make it a time node of that project. All or nothing.
    """
    _check(by, engagement)
    if by is not None:
        require_perm(by, "issue.assign")
    if engagement.date > timezone.localdate():
        raise ValidationError(_("The engagement has not taken place yet: it has no outcomes to record."))
    covered = {p.pk: p for p in engagement.projects.all()}
    with transaction.atomic():
        created_issues = []
        for number, values in enumerate(issues, start=1):
            values = dict(values)
            project = values.pop("project")
            if project is None or project.pk not in covered:
                raise ValidationError(_("Issue %(n)d: the engagement did not cover that project.") % {"n": number})
            try:
                created_issues.append(
                    raise_issue(
                        project=project,
                        by=by,
                        source=IssueSource.ENGAGEMENT,
                        engagement=engagement,
                        raised_on=engagement.date,
                        **values,
                    )
                )
            except ValidationError as error:
                raise ValidationError(
                    [_("Issue %(n)d: %(error)s") % {"n": number, "error": m} for m in error.messages]
                ) from None
        created_decisions = []
        start = engagement.decisions.count()
        for number, values in enumerate(decisions, start=1):
            created_decisions.append(_add_decision(engagement, covered, values, number, start + number, by))
    return {"issues": created_issues, "decisions": created_decisions}


def _add_decision(engagement, covered, values: dict, number: int, order: int, by) -> Decision:
    text = (values.get("text") or "").strip()
    project = values.get("project")
    if not text:
        raise ValidationError(_("Decision %(n)d: write the decision.") % {"n": number})
    if project is not None and project.pk not in covered:
        raise ValidationError(_("Decision %(n)d: the engagement did not cover that project.") % {"n": number})
    decision = Decision.objects.create(engagement=engagement, text=text, project=project, order=order)
    if values.get("milestone_kind") is not None:
        try:
            decision_to_milestone(
                decision=decision,
                by=by,
                kind=values["milestone_kind"],
                planned_date=values.get("planned_date"),
                responsible_unit=values.get("responsible_unit"),
            )
        except ValidationError as error:
            raise ValidationError(
                [_("Decision %(n)d: %(error)s") % {"n": number, "error": m} for m in error.messages]
            ) from None
    return decision


def decision_to_issue(
    *,
    decision: Decision,
    by,
    title: str,
    category,
    lead_unit,
    deadline: datetime.date,
    project: Project | None = None,
    severity: int = Severity.NORMAL,
    co_units=(),
    responsible_person=None,
    description: str = "",
) -> Issue:
    """Turn a decision into an assigned, deadlined issue of a covered project."""
    engagement = decision.engagement
    _check(by, engagement)
    project = project or decision.project
    if project is None or not engagement.projects.filter(pk=project.pk).exists():
        raise ValidationError({"project": _("Choose one of the projects the engagement covered.")})
    with transaction.atomic():
        current = Decision.objects.select_for_update().get(pk=decision.pk)
        if current.issue_id is not None:
            raise ValidationError(_("This decision is already an issue."))
        issue = raise_issue(
            project=project,
            by=by,
            title=title,
            category=category,
            description=description or current.text,
            severity=severity,
            source=IssueSource.ENGAGEMENT,
            engagement=engagement,
            raised_on=engagement.date,
            lead_unit=lead_unit,
            co_units=co_units,
            responsible_person=responsible_person,
            deadline=deadline,
        )
        current.issue = issue
        current.project = project
        current.save()
    return issue


def decision_to_milestone(
    *,
    decision: Decision,
    by,
    kind,
    planned_date: datetime.date,
    project: Project | None = None,
    name: str = "",
    responsible_unit=None,
):
    """Turn a decision into a time node of a covered project (through `schedule.add_milestone`,
    which checks the node permissions)."""
    engagement = decision.engagement
    _check(by, engagement)
    project = project or decision.project
    if project is None or not engagement.projects.filter(pk=project.pk).exists():
        raise ValidationError({"project": _("Choose one of the projects the engagement covered.")})
    if planned_date is None:
        raise ValidationError({"planned_date": _("Give the node's planned date.")})
    with transaction.atomic():
        current = Decision.objects.select_for_update().get(pk=decision.pk)
        if current.milestone_id is not None:
            raise ValidationError(_("This decision is already a time node."))
        milestone = add_milestone(
            project=project,
            kind=kind,
            planned_date=planned_date,
            by=by,
            name=name or _first_line(current.text),
            responsible_unit=responsible_unit or project.responsible_unit,
        )
        current.milestone = milestone
        current.project = project
        current.save()
    return milestone


def _first_line(text: str, limit: int = 200) -> str:
    line = text.strip().splitlines()[0].strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"
