"""An issue's status moves, kept as data, and the one function that makes them.

open → in progress (the unit answers) → resolved (the unit says it is done) → closed (the
coordinator verified it), or resolved → returned (not good enough) → in progress / resolved again.
Any move not in the map is refused, whoever asks; who may ask is the map's permission plus the
action's scope check. A rectification (`evidence_required`) moves to resolved or closed only once
one of its responses carries a photo or document.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from groundbreak.coordination.choices import EventKind, IssueStatus
from groundbreak.coordination.models import Attachment, Issue, IssueEvent
from groundbreak.org.permissions import require_perm


@dataclass(frozen=True)
class Move:
    event: str
    perm: str


_BY_UNIT = "issue.respond"
_BY_COORDINATOR = "issue.verify"

TRANSITIONS: dict[tuple[str, str], Move] = {
    (IssueStatus.OPEN, IssueStatus.IN_PROGRESS): Move(EventKind.RESPONDED, _BY_UNIT),
    (IssueStatus.RETURNED, IssueStatus.IN_PROGRESS): Move(EventKind.RESPONDED, _BY_UNIT),
    (IssueStatus.OPEN, IssueStatus.RESOLVED): Move(EventKind.RESOLVED, _BY_UNIT),
    (IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED): Move(EventKind.RESOLVED, _BY_UNIT),
    (IssueStatus.RETURNED, IssueStatus.RESOLVED): Move(EventKind.RESOLVED, _BY_UNIT),
    (IssueStatus.RESOLVED, IssueStatus.CLOSED): Move(EventKind.CLOSED, _BY_COORDINATOR),
    (IssueStatus.RESOLVED, IssueStatus.RETURNED): Move(EventKind.RETURNED, _BY_COORDINATOR),
}


# The moves that say the work is done: a rectification makes them only with evidence attached.
EVIDENCE_GATED = (IssueStatus.RESOLVED, IssueStatus.CLOSED)


def has_evidence(issue: Issue) -> bool:
    """Whether a response of the issue carries a photo or document."""
    return Attachment.objects.filter(response__issue=issue).exists()


def check_evidence(issue: Issue, to_status: str) -> None:
    """Refuse to mark a rectification resolved or closed while no response carries evidence."""
    if issue.evidence_required and to_status in EVIDENCE_GATED and not has_evidence(issue):
        raise ValidationError(
            _(
                "This rectification closes only with evidence: first send a response with a photo or "
                "document showing the work done."
            ),
            code="evidence_required",
        )


def allowed_moves(status: str) -> list[str]:
    """The statuses an issue in `status` may move to."""
    return [to for (source, to) in TRANSITIONS if source == status]


def transition(issue: Issue, to_status: str, *, by, on: datetime.date, note: str = "", unit=None) -> IssueEvent:
    """Move `issue` to `to_status` if the map allows it, and record the move on its timeline.

    The caller holds the issue's row lock inside its transaction and has checked scope; this
    checks the move and the role's permission for it. `by=None` is the system.
    """
    move = TRANSITIONS.get((issue.status, to_status))
    if move is None:
        raise ValidationError(
            _("An issue that is “%(current)s” cannot become “%(target)s”.")
            % {"current": IssueStatus(issue.status).label, "target": IssueStatus(to_status).label},
            code="illegal_transition",
        )
    if by is not None:
        require_perm(by, move.perm)
    check_evidence(issue, to_status)
    event = record_event(
        issue, move.event, by=by, on=on, note=note, unit=unit, from_status=issue.status, to_status=to_status
    )
    issue.status = to_status
    issue.version += 1
    issue.save()
    return event


def record_event(issue: Issue, kind: str, *, by, on: datetime.date, note: str = "", **fields) -> IssueEvent:
    """Add an entry to the issue's timeline for something that is not a status move."""
    return IssueEvent.objects.create(
        issue=issue, kind=kind, on=on, by=by, note=note, deadline=fields.pop("deadline", issue.deadline), **fields
    )
