"""Business actions on issues and instructions: one function per action.

Same contract as `portfolio.actions`: keyword-only, the acting user's role and scope checked,
one transaction (the change log, the issue's timeline and the notifications are written in it;
the notify app sends them once it commits). `by=None` is the system (demo loading, the scheduler) and skips
the checks. A user outside the issue's scope gets ObjectDoesNotExist (a 404); a user who sees it
but may not act gets PermissionDenied (a 403).

Engagements, their outcomes and decisions are in `engagement_actions`; the escalation ladder in
`escalation`.
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.coordination import notifying
from groundbreak.coordination.attachments import store_attachment
from groundbreak.coordination.choices import EventKind, IssueSource, IssueStatus, Severity
from groundbreak.coordination.models import DeadlineChange, Instruction, Issue, IssueCategory, IssueResponse
from groundbreak.coordination.queries import acts_for_unit, visible_issues
from groundbreak.coordination.workflow import record_event, transition
from groundbreak.org.permissions import has_perm, require_perm
from groundbreak.portfolio.models import Project


def _today() -> datetime.date:
    return timezone.localdate()


def _in_scope(by, project: Project) -> None:
    if by is not None and not Project.objects.for_user(by).filter(pk=project.pk).exists():
        raise ObjectDoesNotExist("project outside the user's scope")


def _check_project(by, perm: str, project: Project) -> None:
    """Role must grant `perm`, and the project must lie in the user's scope."""
    if by is None:
        return
    require_perm(by, perm)
    _in_scope(by, project)


def _check_visible(by, issue: Issue) -> None:
    if by is not None and not visible_issues(by).filter(pk=issue.pk).exists():
        raise ObjectDoesNotExist("issue outside the user's scope")


def _check_unit_work(by, issue: Issue, *, lead_only: bool = False) -> None:
    """The assigned unit answers for its issue; a coordinator of the project may record it for them."""
    if by is None:
        return
    require_perm(by, "issue.respond")
    _check_visible(by, issue)
    if acts_for_unit(by, issue, lead_only=lead_only):
        return
    if has_perm(by, "issue.assign") and Project.objects.for_user(by).filter(pk=issue.project_id).exists():
        return
    raise PermissionDenied("the issue is not assigned to the user's unit")


def _date(on: datetime.date | None, *, not_before: datetime.date | None = None, field: str = "on") -> datetime.date:
    """A business date: today by default, never in the future, never before `not_before`."""
    on = on or _today()
    if on > _today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before is not None and on < not_before:
        raise ValidationError({field: _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()}})
    return on


def _locked(issue: Issue) -> Issue:
    return Issue.objects.select_for_update(of=("self",)).select_related("project").get(pk=issue.pk)


def _check_deadline(deadline: datetime.date | None, raised_on: datetime.date, field: str = "deadline") -> None:
    if deadline is None:
        raise ValidationError({field: _("Give a deadline: every assigned issue has one.")})
    if deadline < raised_on:
        raise ValidationError({field: _("The deadline cannot be before the day the issue was raised.")})


def _create_issue(
    *,
    project: Project,
    by,
    title: str,
    category: IssueCategory,
    description: str,
    severity: int,
    source: str,
    engagement,
    source_note: str,
    raised_on: datetime.date,
    lead_unit,
    co_units,
    responsible_person,
    deadline: datetime.date | None,
    evidence_required: bool = False,
) -> Issue:
    """Write a new issue and its first timeline entries (checks are the caller's)."""
    issue = Issue(
        project=project,
        title=title.strip(),
        description=description,
        category=category,
        severity=severity,
        source=source,
        engagement=engagement,
        source_note=source_note,
        raised_on=raised_on,
        raised_by=by,
        lead_unit=lead_unit,
        responsible_person=responsible_person,
        deadline=deadline,
        evidence_required=evidence_required,
    )
    issue.full_clean()
    issue.save()
    record_event(issue, EventKind.RAISED, by=by, on=raised_on, note=description)
    if lead_unit is not None:
        co_units = [unit for unit in co_units if unit.pk != lead_unit.pk]
        issue.co_units.set(co_units)
        record_event(issue, EventKind.ASSIGNED, by=by, on=raised_on, unit=lead_unit)
        notifying.issue_assigned(issue)
    return issue


def raise_issue(
    *,
    project: Project,
    by,
    title: str,
    category: IssueCategory,
    description: str = "",
    severity: int = Severity.NORMAL,
    source: str = IssueSource.UNIT,
    engagement=None,
    source_note: str = "",
    raised_on: datetime.date | None = None,
    lead_unit=None,
    co_units=(),
    responsible_person=None,
    deadline: datetime.date | None = None,
    evidence_required: bool = False,
) -> Issue:
    """Raise a difficulty of a project. With a lead unit and a deadline it is assigned at once
    (which takes a coordinator); without, it waits on the board for a coordinator to assign it.
    With `evidence_required` (a rectification) it resolves and closes only once a response
    carries a photo or document (see `workflow.check_evidence`)."""
    _check_project(by, "issue.create", project)
    assigning = lead_unit is not None or deadline is not None
    if assigning and by is not None:
        require_perm(by, "issue.assign")
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the issue a title.")
    if category is None:
        errors["category"] = _("Choose a category.")
    if source == IssueSource.ENGAGEMENT and engagement is None:
        errors["engagement"] = _("Say at which engagement the issue was raised.")
    if errors:
        raise ValidationError(errors)
    if engagement is not None:
        if not engagement.projects.filter(pk=project.pk).exists():
            raise ValidationError({"project": _("The engagement did not cover this project.")})
        raised_on = raised_on or engagement.date
    raised_on = _date(raised_on, field="raised_on")
    if assigning:
        if lead_unit is None:
            raise ValidationError({"lead_unit": _("Choose the unit that leads the work.")})
        _check_deadline(deadline, raised_on)
    with transaction.atomic():
        return _create_issue(
            project=project,
            by=by,
            title=title,
            category=category,
            description=description,
            severity=severity,
            source=source,
            engagement=engagement,
            source_note=source_note,
            raised_on=raised_on,
            lead_unit=lead_unit,
            co_units=list(co_units),
            responsible_person=responsible_person,
            deadline=deadline,
            evidence_required=evidence_required,
        )


def assign_issue(
    *,
    issue: Issue,
    by,
    lead_unit,
    co_units=(),
    responsible_person=None,
    deadline: datetime.date | None = None,
    on: datetime.date | None = None,
    note: str = "",
) -> Issue:
    """Name (or change) the lead unit, co-units and responsible person of an open issue.

    An unassigned issue gets its deadline here; an assigned one keeps it (moving it takes
    `change_deadline`, which asks for a reason).
    """
    _check_project(by, "issue.assign", issue.project)
    if lead_unit is None:
        raise ValidationError({"lead_unit": _("Choose the unit that leads the work.")})
    with transaction.atomic():
        current = _locked(issue)
        if current.status not in (IssueStatus.OPEN, IssueStatus.IN_PROGRESS, IssueStatus.RETURNED):
            raise ValidationError(_("Only an issue that is still being worked on can be assigned."))
        on = _date(on, not_before=current.raised_on)
        if current.deadline is None:
            _check_deadline(deadline, current.raised_on)
            current.deadline = deadline
        elif deadline is not None and deadline != current.deadline:
            raise ValidationError({"deadline": _("Change the deadline with its own action: it needs a reason.")})
        current.lead_unit = lead_unit
        current.responsible_person = responsible_person
        current.version += 1
        current.save()
        current.co_units.set([unit for unit in co_units if unit.pk != lead_unit.pk])
        record_event(current, EventKind.ASSIGNED, by=by, on=on, note=note, unit=lead_unit)
        notifying.issue_assigned(current)
    return current


def respond_to_issue(*, issue: Issue, by, text: str, on: datetime.date | None = None, uploads=()) -> IssueResponse:
    """Record what the assigned unit did, with photos or documents. The first answer puts an open
    (or returned) issue in progress."""
    _check_unit_work(by, issue)
    if not text.strip():
        raise ValidationError({"text": _("Say what was done.")})
    with transaction.atomic():
        current = _locked(issue)
        on = _date(on, not_before=current.raised_on)
        if current.lead_unit_id is None:
            raise ValidationError(_("The issue is not assigned to a unit yet."))
        if current.status in (IssueStatus.RESOLVED, IssueStatus.CLOSED):
            raise ValidationError(_("The issue is already resolved: it takes no more responses."))
        # The system records for the lead unit; a coordinator's note on a unit's behalf names no unit.
        if by is None:
            unit = current.lead_unit
        else:
            unit = by.scope_unit if acts_for_unit(by, current) else None
        response = IssueResponse.objects.create(issue=current, on=on, text=text, unit=unit, by=by)
        for upload in uploads:
            store_attachment(upload, by=by, response=response)
        if current.status == IssueStatus.IN_PROGRESS:
            record_event(current, EventKind.RESPONDED, by=by, on=on, note=text, unit=unit)
        else:
            transition(current, IssueStatus.IN_PROGRESS, by=by, on=on, note=text, unit=unit)
    return response


def resolve_issue(*, issue: Issue, by, resolution: str, on: datetime.date | None = None) -> Issue:
    """The lead unit reports the difficulty solved; it waits for the coordinator's verification."""
    _check_unit_work(by, issue, lead_only=True)
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say how the issue was resolved.")})
    with transaction.atomic():
        current = _locked(issue)
        on = _date(on, not_before=current.raised_on)
        if current.lead_unit_id is None:
            raise ValidationError(_("The issue is not assigned to a unit yet."))
        current.resolution = resolution
        current.resolved_on = on
        unit = current.lead_unit if by is None or acts_for_unit(by, current, lead_only=True) else None
        transition(current, IssueStatus.RESOLVED, by=by, on=on, note=resolution, unit=unit)
        notifying.issue_resolved(current)
    return current


def verify_issue(*, issue: Issue, by, note: str = "", on: datetime.date | None = None) -> Issue:
    """The coordinator checks the resolution and closes the issue."""
    _check_project(by, "issue.verify", issue.project)
    with transaction.atomic():
        current = _locked(issue)
        on = _date(on, not_before=current.resolved_on or current.raised_on)
        current.closed_on = on
        transition(current, IssueStatus.CLOSED, by=by, on=on, note=note)
    return current


def return_issue(*, issue: Issue, by, reason: str, on: datetime.date | None = None) -> Issue:
    """The coordinator finds the resolution wanting and sends the issue back to the unit."""
    _check_project(by, "issue.verify", issue.project)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is still missing.")})
    with transaction.atomic():
        current = _locked(issue)
        on = _date(on, not_before=current.resolved_on or current.raised_on)
        # Not resolved after all: it no longer counts in the time to resolve.
        current.resolved_on = None
        transition(current, IssueStatus.RETURNED, by=by, on=on, note=reason)
        notifying.issue_returned(current, reason)
    return current


def change_deadline(
    *, issue: Issue, by, new_deadline: datetime.date, reason: str, on: datetime.date | None = None
) -> DeadlineChange:
    """Move an issue's deadline, keeping the old one with the reason. The escalation ladder starts
    again from the new deadline."""
    _check_project(by, "issue.change_deadline", issue.project)
    errors = {}
    if new_deadline is None:
        errors["new_deadline"] = _("Give the new deadline.")
    if not reason.strip():
        errors["reason"] = _("A deadline is locked: say why it moves.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked(issue)
        on = _date(on, not_before=current.raised_on)
        if current.status == IssueStatus.CLOSED:
            raise ValidationError(_("A closed issue keeps its deadline."))
        if new_deadline == current.deadline:
            raise ValidationError({"new_deadline": _("The new deadline is the same as the current one.")})
        _check_deadline(new_deadline, current.raised_on, field="new_deadline")
        change = DeadlineChange.objects.create(
            issue=current, old_deadline=current.deadline, new_deadline=new_deadline, reason=reason, by=by, on=on
        )
        record_event(current, EventKind.DEADLINE_CHANGED, by=by, on=on, note=reason, deadline=new_deadline)
        current.deadline = new_deadline
        current.escalation_step = None
        current.version += 1
        current.save()
    return change


def give_instruction(
    *,
    by,
    leader,
    text: str,
    target_unit,
    project: Project | None = None,
    issue: Issue | None = None,
    given_on: datetime.date | None = None,
    deadline: datetime.date | None = None,
    category: IssueCategory | None = None,
) -> Instruction:
    """Record a leader's instruction (批示) and create the work it asks of the named unit.

    On a project it opens an issue of source "instruction" led by the unit, with the deadline
    the instruction sets, so it is chased like any difficulty. On an issue it goes on the issue's
    timeline and brings the unit in as a co-unit (as the lead unit if there was none yet).
    """
    if (project is None) == (issue is None):
        raise TypeError("give an instruction on a project or on an issue")
    project = project or issue.project
    if by is not None:
        require_perm(by, "instruction.give")
        if issue is not None:
            _check_visible(by, issue)
        else:
            _in_scope(by, project)
        # Coordinators record instructions given on paper; a leader gives only their own.
        if not has_perm(by, "issue.assign") and getattr(by, "person", None) != leader:
            raise PermissionDenied("a leader gives instructions in their own name")
    errors = {}
    if leader is None or not leader.is_leader:
        errors["leader"] = _("Choose the leader who gave the instruction.")
    if not text.strip():
        errors["text"] = _("Write the instruction.")
    if target_unit is None:
        errors["target_unit"] = _("Choose the unit the instruction is addressed to.")
    if errors:
        raise ValidationError(errors)
    given_on = _date(given_on, field="given_on")
    with transaction.atomic():
        instruction = Instruction.objects.create(
            leader=leader,
            project=project,
            issue=issue,
            text=text,
            given_on=given_on,
            target_unit=target_unit,
            deadline=deadline,
            created_by=by,
        )
        if issue is not None:
            work = _instruct_on_issue(issue, instruction, by)
        else:
            _check_deadline(deadline, given_on)
            work = _create_issue(
                project=project,
                by=by,
                title=_first_line(text),
                category=category or IssueCategory.objects.get(code="other"),
                description=text,
                severity=Severity.MAJOR,
                source=IssueSource.INSTRUCTION,
                engagement=None,
                source_note=str(leader),
                raised_on=given_on,
                lead_unit=target_unit,
                co_units=[],
                responsible_person=None,
                deadline=deadline,
            )
            record_event(work, EventKind.INSTRUCTION, by=by, on=given_on, note=text, unit=target_unit)
            instruction.created_issue = work
            instruction.save()
        notifying.instruction_given(instruction, work)
    return instruction


def _instruct_on_issue(issue: Issue, instruction: Instruction, by) -> Issue:
    current = _locked(issue)
    if current.status == IssueStatus.CLOSED:
        raise ValidationError(_("The issue is closed: give the instruction on the project instead."))
    record_event(
        current,
        EventKind.INSTRUCTION,
        by=by,
        on=instruction.given_on,
        note=instruction.text,
        unit=instruction.target_unit,
    )
    if current.lead_unit_id is None:
        _check_deadline(instruction.deadline, current.raised_on)
        current.lead_unit = instruction.target_unit
        current.deadline = instruction.deadline
        current.version += 1
        current.save()
        record_event(current, EventKind.ASSIGNED, by=by, on=instruction.given_on, unit=instruction.target_unit)
    elif current.lead_unit_id != instruction.target_unit_id:
        current.co_units.add(instruction.target_unit)
    return current


def _first_line(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0].strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"
