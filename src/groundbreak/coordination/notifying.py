"""Telling people about issues, through `groundbreak.notify` when it is installed.

The notify app is built separately; where it is missing every call here does nothing, so
coordination works and its tests pass either way. Recipients are computed here because only
coordination knows who an issue concerns. Actions call these inside their transaction: the
notify app writes its notifications there, so they exist exactly when the change does.
"""

import contextlib
import functools
import importlib
from contextvars import ContextVar

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from groundbreak.coordination.choices import EscalationTarget
from groundbreak.org.choices import Role
from groundbreak.org.models import User

_muted: ContextVar[bool] = ContextVar("groundbreak_coordination_muted", default=False)
_NOTIFY_MODULES = {"groundbreak.notify", "groundbreak.notify.api", "groundbreak.notify.scheduler"}


@contextlib.contextmanager
def muted():
    """Send nothing inside the block (the demo replays months of work that nobody should be told of)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _optional(module: str):
    """The notify module, or None while it does not exist. Errors inside it still surface."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name in _NOTIFY_MODULES:
            return None
        raise


def notify(*, recipients, kind: str, title, body, url: str, dedup_key: str) -> bool:
    """Hand one notification to the notify app; False when there is none or nobody to tell."""
    recipients = [user for user in recipients if user is not None and user.is_active]
    if _muted.get() or not recipients:
        return False
    api = _optional("groundbreak.notify.api")
    if api is None:
        return False
    api.notify(recipients=recipients, kind=kind, title=str(title), body=str(body), url=url, dedup_key=dedup_key)
    return True


def register_daily_check(name: str, function) -> bool:
    """Register `function(today)` with the notify app's daily scheduler, if there is one."""
    scheduler = _optional("groundbreak.notify.scheduler")
    if scheduler is None:
        return False
    scheduler.register_daily_check(name, function)
    return True


# ---- who an issue concerns ---------------------------------------------------------------------


def unit_users(unit_ids):
    """Active logins of the given units."""
    return list(User.objects.filter(scope_unit__in=[u for u in unit_ids if u], is_active=True))


def unit_head_users(unit_id):
    """The unit's leaders with a login; the unit's own logins when it names no leader."""
    heads = list(User.objects.filter(person__unit=unit_id, person__is_leader=True, is_active=True))
    return heads or unit_users([unit_id])


def coordinator_users(project):
    """Coordinators whose scope covers the project: its district or zone (or above), or its units."""
    ids = set()
    for area in (project.area, project.zone):
        if area is not None:
            ids.update(int(part) for part in area.path.strip("/").split("/") if part)
    units = [u for u in (project.owner_unit_id, project.responsible_unit_id) if u]
    return list(
        User.objects.filter(Q(scope_area__in=ids) | Q(scope_unit__in=units), role=Role.COORDINATOR, is_active=True)
    )


def leader_users(project):
    leader = project.lead_leader
    return [leader.user] if leader is not None and leader.user_id else []


def _unless_muted(function):
    """Skip the work of finding recipients and links when nothing is to be sent."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return False if _muted.get() else function(*args, **kwargs)

    return wrapper


def _assigned_units(issue):
    return [issue.lead_unit_id, *issue.co_units.values_list("pk", flat=True)]


def _url(issue) -> str:
    return reverse("coordination:issue-detail", kwargs={"pk": issue.pk})


@_unless_muted
def issue_assigned(issue) -> bool:
    return notify(
        recipients=unit_users(_assigned_units(issue)),
        kind="issue.assigned",
        title=_("An issue was assigned to your unit"),
        body=f"{issue.project.code} · {issue.title}",
        url=_url(issue),
        dedup_key=f"issue.assigned:{issue.pk}:{issue.lead_unit_id}:{issue.deadline}",
    )


@_unless_muted
def issue_resolved(issue) -> bool:
    return notify(
        recipients=coordinator_users(issue.project),
        kind="issue.resolved",
        title=_("An issue awaits your verification"),
        body=f"{issue.project.code} · {issue.title}",
        url=_url(issue),
        dedup_key=f"issue.resolved:{issue.pk}:{issue.resolved_on}",
    )


@_unless_muted
def issue_returned(issue, reason: str) -> bool:
    return notify(
        recipients=unit_users(_assigned_units(issue)),
        kind="issue.returned",
        title=_("An issue was returned for more work"),
        body=f"{issue.project.code} · {issue.title}\n{reason}",
        url=_url(issue),
        dedup_key=f"issue.returned:{issue.pk}:{issue.version}",
    )


@_unless_muted
def instruction_given(instruction, issue) -> bool:
    return notify(
        recipients=unit_users([instruction.target_unit_id]),
        kind="instruction.given",
        title=_("A leader's instruction for your unit"),
        body=f"{instruction.project.code} · {instruction.text}",
        url=_url(issue),
        dedup_key=f"instruction.given:{instruction.pk}",
    )


def escalation_recipients(issue, step) -> list:
    project = issue.project
    match step.target:
        case EscalationTarget.UNIT:
            return unit_users(_assigned_units(issue))
        case EscalationTarget.UNIT_HEAD:
            return unit_head_users(issue.lead_unit_id)
        case EscalationTarget.COORDINATOR:
            return coordinator_users(project)
        case EscalationTarget.LEAD_LEADER:
            return leader_users(project)
        case _:  # the meeting agenda is the coordinators' to set, with the lead leader told
            return coordinator_users(project) + leader_users(project)


@_unless_muted
def issue_escalated(issue, step) -> bool:
    return notify(
        recipients=escalation_recipients(issue, step),
        kind="issue.escalated",
        title=_("An overdue issue was escalated to %(step)s") % {"step": step.get_target_display()},
        body=f"{issue.project.code} · {issue.title} · {issue.deadline}",
        url=_url(issue),
        dedup_key=f"issue.escalated:{issue.pk}:{step.pk}:{issue.deadline}",
    )
