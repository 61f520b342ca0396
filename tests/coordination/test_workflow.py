"""The status map: every allowed move works, every other one is refused, and the map's permission holds."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from groundbreak.coordination.choices import EventKind, IssueStatus
from groundbreak.coordination.models import IssueEvent
from groundbreak.coordination.workflow import TRANSITIONS, allowed_moves, transition
from tests.coordination.conftest import today
from tests.factories import IssueFactory

ALL_MOVES = list(itertools.product(IssueStatus.values, IssueStatus.values))


def test_the_map_reads_as_the_workflow():
    assert allowed_moves(IssueStatus.OPEN) == [IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED]
    assert allowed_moves(IssueStatus.RESOLVED) == [IssueStatus.CLOSED, IssueStatus.RETURNED]
    assert allowed_moves(IssueStatus.RETURNED) == [IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED]
    assert allowed_moves(IssueStatus.CLOSED) == []
    assert {move.perm for move in TRANSITIONS.values()} == {"issue.respond", "issue.verify"}


@pytest.mark.parametrize(("source", "target"), ALL_MOVES)
def test_each_move_is_allowed_exactly_when_the_map_says(db, source, target):
    issue = IssueFactory(status=source)
    if (source, target) in TRANSITIONS:
        event = transition(issue, target, by=None, on=today(), note="依规流转")
        issue.refresh_from_db()
        assert issue.status == target
        assert (event.kind, event.from_status, event.to_status) == (TRANSITIONS[source, target].event, source, target)
    else:
        with pytest.raises(ValidationError):
            transition(issue, target, by=None, on=today())
        issue.refresh_from_db()
        assert issue.status == source
        assert not IssueEvent.objects.exists()


def test_the_moves_permission_comes_from_the_map(co):
    issue = IssueFactory(project=co.sj_project, lead_unit=co.sj_bureau, status=IssueStatus.RESOLVED)
    with pytest.raises(PermissionDenied):
        transition(issue, IssueStatus.CLOSED, by=co.unit_member, on=today())
    event = transition(issue, IssueStatus.CLOSED, by=co.coordinator, on=today())
    assert event.kind == EventKind.CLOSED and event.by == co.coordinator
