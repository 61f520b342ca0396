"""An overdue issue turns its project red; what is not overdue, or no longer the unit's, does not."""

import pytest

from groundbreak.coordination.choices import IssueStatus
from groundbreak.portfolio.choices import Status
from groundbreak.portfolio.models import Project
from groundbreak.portfolio.queries import project_detail
from tests.coordination.conftest import DAY, today
from tests.factories import IssueFactory, ProjectFactory


def light(project, on=None):
    return Project.objects.with_light(on or today(), live=True).get(pk=project.pk).light


@pytest.mark.parametrize(
    ("deadline_offset", "status", "expected"),
    [
        (-1, IssueStatus.OPEN, "red"),
        (-1, IssueStatus.IN_PROGRESS, "red"),
        (-1, IssueStatus.RETURNED, "red"),
        (0, IssueStatus.OPEN, "green"),  # due today is not overdue
        (5, IssueStatus.OPEN, "green"),
        (-1, IssueStatus.RESOLVED, "green"),  # the unit's part is done: it awaits verification
        (-1, IssueStatus.CLOSED, "green"),
    ],
)
def test_the_light_rule(co, deadline_offset, status, expected):
    IssueFactory(project=co.sj_project, deadline=today() + deadline_offset * DAY, status=status)
    assert light(co.sj_project) == expected


def test_a_parent_shows_its_phases_overdue_issue_and_a_paused_project_does_not(co):
    phase = ProjectFactory(area=co.songjiang, parent=co.sj_project)
    IssueFactory(project=phase, deadline=today() - DAY)
    assert (light(phase), light(co.sj_project)) == ("red", "red")
    Project.objects.filter(pk=phase.pk).update(status=Status.PAUSED)
    # Paused, its clock stops (another rule asks for news of a pause; not this one).
    assert light(phase) != "red" and light(co.sj_project) == "green"


def test_the_project_page_names_the_reason(co):
    IssueFactory(project=co.sj_project, deadline=today() - DAY)
    context = project_detail(co.coordinator, co.sj_project.code)
    assert [str(label) for label, colour in context["light_reasons"]] == ["an issue is past its deadline"]
