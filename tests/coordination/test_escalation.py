"""The escalation ladder: each step on its day, nothing twice, catching up, starting again."""

import pytest

from groundbreak.coordination import notifying
from groundbreak.coordination.choices import EventKind, IssueStatus
from groundbreak.coordination.escalation import daily_escalation, escalate_overdue_issues
from groundbreak.coordination.models import EscalationStep, Issue, IssueEvent
from groundbreak.coordination.tasks import escalate_overdue_issues_task
from groundbreak.org.choices import Role
from tests.coordination.conftest import DAY, today
from tests.factories import IssueFactory, PersonFactory, UserFactory


def step_of(issue):
    step = Issue.objects.get(pk=issue.pk).escalation_step
    return step.target if step else None


@pytest.fixture
def overdue(co):
    """An issue of the Songjiang project due `D`, today."""
    co.deadline = today()
    return IssueFactory(
        project=co.sj_project, lead_unit=co.sj_bureau, raised_on=today() - 30 * DAY, deadline=co.deadline
    )


def test_the_default_ladder(db):
    assert list(EscalationStep.objects.values_list("target", "days_overdue")) == [
        ("unit", 1),
        ("unit_head", 3),
        ("coordinator", 7),
        ("lead_leader", 15),
        ("agenda", 30),
    ]


@pytest.mark.parametrize(
    ("days", "target"),
    [
        (0, None),  # the deadline day itself is not late
        (1, "unit"),
        (2, "unit"),
        (3, "unit_head"),
        (6, "unit_head"),
        (7, "coordinator"),
        (14, "coordinator"),
        (15, "lead_leader"),
        (29, "lead_leader"),
        (30, "agenda"),
        (90, "agenda"),
    ],
)
def test_each_step_is_reached_on_its_day(co, overdue, days, target):
    escalate_overdue_issues(co.deadline + days * DAY, notify=False)
    assert step_of(overdue) == target


def test_walking_day_by_day_records_each_step_on_its_day_once(co, overdue):
    for day in range(0, 35):
        escalate_overdue_issues(co.deadline + day * DAY, notify=False)
        escalate_overdue_issues(co.deadline + day * DAY, notify=False)  # the scheduler ran twice
    events = IssueEvent.objects.filter(issue=overdue, kind=EventKind.ESCALATED).order_by("on", "id")
    assert [(e.on - co.deadline).days for e in events] == [1, 3, 7, 15, 30]
    assert [e.step.target for e in events] == ["unit", "unit_head", "coordinator", "lead_leader", "agenda"]
    assert all(e.deadline == co.deadline for e in events)


def test_running_twice_the_same_day_escalates_nothing_twice(co, overdue):
    first = escalate_overdue_issues(co.deadline + 3 * DAY, notify=False)
    assert len(first) == 2
    assert escalate_overdue_issues(co.deadline + 3 * DAY, notify=False) == []
    assert IssueEvent.objects.filter(kind=EventKind.ESCALATED).count() == 2


def test_a_missed_week_is_caught_up_step_by_step(co, overdue):
    events = escalate_overdue_issues(co.deadline + 8 * DAY, notify=False)
    assert [e.step.target for e in events] == ["unit", "unit_head", "coordinator"]
    assert {e.on for e in events} == {co.deadline + 8 * DAY}


def test_only_issues_still_with_the_unit_escalate(co, overdue):
    resolved = IssueFactory(project=co.sj_project, deadline=co.deadline, status=IssueStatus.RESOLVED)
    closed = IssueFactory(project=co.sj_project, deadline=co.deadline, status=IssueStatus.CLOSED)
    returned = IssueFactory(project=co.sj_project, deadline=co.deadline, status=IssueStatus.RETURNED)
    unassigned = IssueFactory(project=co.sj_project, lead_unit=None, deadline=None)
    escalate_overdue_issues(co.deadline + 7 * DAY, notify=False)
    assert [step_of(i) for i in (overdue, resolved, closed, returned, unassigned)] == [
        "coordinator",
        None,
        None,
        "coordinator",
        None,
    ]


def test_a_new_deadline_starts_the_ladder_again(co, overdue):
    from groundbreak.coordination.actions import change_deadline

    escalate_overdue_issues(co.deadline + 7 * DAY, notify=False)
    change_deadline(issue=overdue, by=co.coordinator, new_deadline=co.deadline + 10 * DAY, reason="重新报批")
    assert step_of(overdue) is None
    assert escalate_overdue_issues(co.deadline + 10 * DAY, notify=False) == []
    events = escalate_overdue_issues(co.deadline + 11 * DAY, notify=False)
    assert [(e.step.target, e.deadline) for e in events] == [("unit", co.deadline + 10 * DAY)]


def test_the_ladder_is_configurable(co, overdue):
    EscalationStep.objects.filter(target="unit_head").delete()
    EscalationStep.objects.filter(target="coordinator").update(days_overdue=2)
    events = escalate_overdue_issues(co.deadline + 2 * DAY, notify=False)
    assert [e.step.target for e in events] == ["unit", "coordinator"]


def test_each_step_tells_its_people(co, overdue, sent):
    head_login = UserFactory(username="head", role=Role.UNIT_MEMBER, scope_unit=co.sj_bureau)
    head = PersonFactory(unit=co.sj_bureau, is_leader=True, user=head_login)
    for day in (1, 3, 7, 15, 30):
        escalate_overdue_issues(co.deadline + day * DAY)
    told = {call["dedup_key"].split(":")[2]: set(call["recipients"]) for call in sent}
    steps = {s.pk: s.target for s in EscalationStep.objects.all()}
    told = {steps[int(k)]: v for k, v in told.items()}
    assert told["unit"] == {co.unit_member, head.user}
    assert told["unit_head"] == {head.user}
    assert co.sj_coordinator in told["coordinator"] and co.coordinator in told["coordinator"]
    assert co.mh_coordinator not in told["coordinator"]
    assert told["lead_leader"] == {co.leader_user}
    assert co.leader_user in told["agenda"] and co.sj_coordinator in told["agenda"]
    assert all(call["kind"] == "issue.escalated" and call["url"] == overdue.get_absolute_url() for call in sent)


def test_the_task_and_the_daily_check_run_todays_escalation(co):
    IssueFactory(project=co.sj_project, raised_on=today() - 30 * DAY, deadline=today() - 3 * DAY)
    assert escalate_overdue_issues_task.call() == 2
    assert daily_escalation(today()) == 0


def test_the_daily_check_is_registered_with_the_scheduler_when_there_is_one():
    try:
        from groundbreak.notify.scheduler import registered_checks
    except ModuleNotFoundError:
        pytest.skip("no notify app in this installation")
    assert registered_checks()["coordination.escalate_overdue_issues"] is daily_escalation


def test_without_the_notify_app_nothing_is_sent_and_nothing_breaks(co, overdue, monkeypatch):
    def missing(name):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(notifying.importlib, "import_module", missing)
    assert notifying.register_daily_check("x", lambda today: 0) is False
    assert len(escalate_overdue_issues(co.deadline + DAY)) == 1
    with notifying.muted():
        assert notifying.issue_escalated(overdue, EscalationStep.objects.first()) is False


def test_a_deadline_moved_away_and_back_is_not_escalated_twice(co, overdue):
    from groundbreak.coordination.actions import change_deadline

    escalate_overdue_issues(co.deadline + 3 * DAY, notify=False)
    change_deadline(issue=overdue, by=co.coordinator, new_deadline=co.deadline + 10 * DAY, reason="延期")
    change_deadline(issue=overdue, by=co.coordinator, new_deadline=co.deadline, reason="撤回延期")
    events = escalate_overdue_issues(co.deadline + 7 * DAY, notify=False)
    assert [e.step.target for e in events] == ["coordinator"]  # unit and head were told for this deadline
    assert step_of(overdue) == "coordinator"
