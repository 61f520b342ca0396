"""The report workflow as data: which action moves a report from which states to which, who acts
at each level of review, and the one function that makes a move.

draft → submitted → (reviewed …) → accepted; any level may return the report with a reason, and
the owner resubmits it; an accepted report is corrected as a new version, which starts again
as a draft.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groundbreak.org.permissions import has_perm, sees_everything
from groundbreak.reporting.choices import EventKind, ReportStatus, Reviewer
from groundbreak.reporting.models import Report, ReportEvent, ReviewStep

S = ReportStatus

# action: (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
    "review": (frozenset({S.SUBMITTED, S.REVIEWED}), S.REVIEWED),
    "accept": (frozenset({S.SUBMITTED, S.REVIEWED}), S.ACCEPTED),
    "return": (frozenset({S.SUBMITTED, S.REVIEWED}), S.RETURNED),
    "correct": (frozenset({S.ACCEPTED}), S.DRAFT),
}

ACTION_LABELS = {
    "submit": gettext_lazy("submitted"),
    "review": gettext_lazy("reviewed"),
    "accept": gettext_lazy("accepted"),
    "return": gettext_lazy("returned"),
    "correct": gettext_lazy("corrected"),
}

_EVENTS = {
    "submit": EventKind.SUBMITTED,
    "review": EventKind.REVIEWED,
    "accept": EventKind.ACCEPTED,
    "return": EventKind.RETURNED,
    "correct": EventKind.CORRECTION,
}


def can(report: Report, action: str) -> bool:
    return report.status in TRANSITIONS[action][0]


def require(report: Report, action: str) -> None:
    """Refuse, saying why, an action the report's state does not allow."""
    if not can(report, action):
        raise ValidationError(
            _("This report is %(status)s: it cannot be %(action)s now.")
            % {"status": ReportStatus(report.status).label, "action": ACTION_LABELS[action]},
            code="transition",
        )


def transition(report: Report, action: str, *, by, reason: str = "") -> ReportEvent:
    """Move `report` (locked by the caller, who saves it) by `action`, recording the event; an
    action its state does not allow is refused and changes nothing."""
    require(report, action)
    target = TRANSITIONS[action][1]
    kind = _EVENTS[action]
    if action == "submit" and report.status == S.RETURNED:
        kind = EventKind.RESUBMITTED
    event = ReportEvent.objects.create(
        report=report,
        kind=kind,
        from_status=report.status,
        to_status=target,
        step=report.step,
        version=report.working.number if report.working_id else 1,
        reason=reason,
        by=by,
    )
    report.status = target
    return event


# ---- levels of review -------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    reviewer: str
    unit_id: int | None = None
    label: str = ""


DEFAULT_LEVELS = (Level(Reviewer.RESPONSIBLE_UNIT), Level(Reviewer.COORDINATOR))


def _path_ids(*areas) -> set[int]:
    return {int(part) for area in areas if area is not None for part in area.path.strip("/").split("/") if part}


def levels_for(project) -> list[Level]:
    """The review levels of the nearest area above the project (its district or its zone, then
    upwards) that defines any; the default two levels otherwise. One query."""
    steps = ReviewStep.objects.filter(area_id__in=_path_ids(project.area, project.zone)).select_related("area", "unit")
    by_area: dict[int, list[ReviewStep]] = {}
    depth: dict[int, int] = {}
    for step in steps:
        by_area.setdefault(step.area_id, []).append(step)
        depth[step.area_id] = step.area.depth
    if not by_area:
        return list(DEFAULT_LEVELS)
    nearest = max(by_area, key=lambda area_id: depth[area_id])
    return [Level(s.reviewer, s.unit_id, str(s)) for s in sorted(by_area[nearest], key=lambda s: (s.order, s.id))]


def awaited(level: Level, project) -> tuple[str, int | None]:
    """Who the report waits for at `level`: a kind of reviewer and, for units, which unit."""
    if level.reviewer == Reviewer.RESPONSIBLE_UNIT:
        if project.responsible_unit_id is None:
            # Nobody to review at this level: it falls to the coordinators.
            return Reviewer.COORDINATOR, None
        return Reviewer.RESPONSIBLE_UNIT, project.responsible_unit_id
    if level.reviewer == Reviewer.UNIT:
        return Reviewer.UNIT, level.unit_id
    return Reviewer.COORDINATOR, None


def area_in_scope(user, area) -> bool:
    """Whether the area lies in the user's area scope (a grant on an area covers those below)."""
    if sees_everything(user):
        return True
    return bool(user.scope_area_id) and area.path.startswith(user.scope_area.path)


def covers_area(user, project) -> bool:
    """Whether the user's area scope holds the project (by district or by zone)."""
    return area_in_scope(user, project.area) or (project.zone_id is not None and area_in_scope(user, project.zone))


def may_act(user, report: Report) -> bool:
    """Whether `user` reviews at the level the report waits for (approve or return)."""
    if user is None or not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    if report.awaiting == Reviewer.COORDINATOR:
        return has_perm(user, "report.accept") and covers_area(user, report.project)
    return (
        has_perm(user, "report.review")
        and user.scope_unit_id is not None
        and user.scope_unit_id == report.awaiting_unit_id
    )


def may_return(user, report: Report) -> bool:
    """The level the report waits for may return it, and so may the coordinators above it at any level."""
    return may_act(user, report) or (has_perm(user, "report.accept") and covers_area(user, report.project))
