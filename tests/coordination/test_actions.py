"""Business actions on issues and instructions, each with its refusals."""

import io

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from groundbreak.coordination import actions
from groundbreak.coordination.choices import EventKind, IssueSource, IssueStatus
from groundbreak.coordination.models import Attachment, DeadlineChange, EscalationStep, Issue, IssueResponse
from tests.coordination.conftest import DAY, today
from tests.factories import IssueFactory, ProjectFactory


def fresh(issue) -> Issue:
    return Issue.objects.get(pk=issue.pk)


def kinds(issue) -> list[str]:
    return list(fresh(issue).events.values_list("kind", flat=True))


def raise_assigned(w, **overrides):
    fields = dict(
        project=w.sj_project,
        by=w.coordinator,
        title="土地未交付",
        category=w.land,
        lead_unit=w.sj_bureau,
        deadline=today() + 10 * DAY,
    )
    return actions.raise_issue(**(fields | overrides))


def png(name="site.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- raise and assign ----------------------------------------------------------------------------


def test_coordinator_raises_and_assigns_in_one_step(co, sent):
    issue = raise_assigned(co, co_units=[co.mh_bureau, co.sj_bureau])
    stored = fresh(issue)
    assert (stored.status, stored.lead_unit, stored.raised_by, stored.source) == (
        IssueStatus.OPEN,
        co.sj_bureau,
        co.coordinator,
        IssueSource.UNIT,
    )
    # The lead unit is not also its own co-unit.
    assert list(stored.co_units.all()) == [co.mh_bureau]
    assert kinds(issue) == [EventKind.RAISED, EventKind.ASSIGNED]
    assert sent[0]["kind"] == "issue.assigned"
    assert set(sent[0]["recipients"]) == {co.unit_member, co.mh_member}


def test_owner_raises_an_issue_that_waits_for_assignment(co):
    issue = actions.raise_issue(project=co.sj_project, by=co.owner, title="管网接驳", category=co.other)
    assert (issue.status, issue.lead_unit, issue.deadline) == (IssueStatus.OPEN, None, None)
    assert kinds(issue) == [EventKind.RAISED]
    # An owner cannot name the unit that must do the work.
    with pytest.raises(PermissionDenied):
        raise_assigned(co, by=co.owner)


def test_raise_refusals(co):
    with pytest.raises(PermissionDenied):
        raise_assigned(co, by=co.viewer)
    with pytest.raises(ObjectDoesNotExist):
        raise_assigned(co, by=co.mh_coordinator)
    with pytest.raises(ValidationError) as error:
        raise_assigned(co, title=" ")
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        raise_assigned(co, raised_on=today() - DAY, deadline=today() - 2 * DAY)
    assert "deadline" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        raise_assigned(co, raised_on=today() + DAY)
    assert "raised_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        raise_assigned(co, deadline=None)
    assert "deadline" in error.value.message_dict
    assert not Issue.objects.exists()


def test_assign_an_unassigned_issue_and_reassign_it(co, sent):
    issue = actions.raise_issue(project=co.sj_project, by=co.owner, title="管网接驳", category=co.other)
    with pytest.raises(ValidationError) as error:
        actions.assign_issue(issue=issue, by=co.coordinator, lead_unit=co.sj_bureau)
    assert "deadline" in error.value.message_dict
    deadline = today() + 5 * DAY
    actions.assign_issue(issue=issue, by=co.coordinator, lead_unit=co.sj_bureau, deadline=deadline)
    assert (fresh(issue).lead_unit, fresh(issue).deadline) == (co.sj_bureau, deadline)
    # Reassigning keeps the locked deadline; moving it takes its own action with a reason.
    actions.assign_issue(issue=issue, by=co.coordinator, lead_unit=co.mh_bureau, co_units=[co.sj_bureau])
    assert (fresh(issue).lead_unit, fresh(issue).deadline) == (co.mh_bureau, deadline)
    with pytest.raises(ValidationError) as error:
        actions.assign_issue(issue=issue, by=co.coordinator, lead_unit=co.mh_bureau, deadline=deadline + DAY)
    assert "deadline" in error.value.message_dict
    assert kinds(issue).count(EventKind.ASSIGNED) == 2
    with pytest.raises(PermissionDenied):
        actions.assign_issue(issue=issue, by=co.unit_member, lead_unit=co.sj_bureau)
    with pytest.raises(ObjectDoesNotExist):
        actions.assign_issue(issue=issue, by=co.mh_coordinator, lead_unit=co.sj_bureau)


# --- respond, resolve, verify, return ------------------------------------------------------------


def test_the_assigned_unit_responds_and_the_issue_is_in_progress(co):
    issue = raise_assigned(co)
    response = actions.respond_to_issue(issue=issue, by=co.unit_member, text="已召开协调会")
    assert (response.unit, response.by, response.on) == (co.sj_bureau, co.unit_member, today())
    assert fresh(issue).status == IssueStatus.IN_PROGRESS
    actions.respond_to_issue(issue=issue, by=co.unit_member, text="方案已上报", on=today())
    assert fresh(issue).status == IssueStatus.IN_PROGRESS
    assert kinds(issue)[-2:] == [EventKind.RESPONDED, EventKind.RESPONDED]
    assert fresh(issue).events.filter(to_status=IssueStatus.IN_PROGRESS).count() == 1


def test_a_co_unit_responds_but_only_the_lead_unit_resolves(co):
    # The Minhang bureau helps on a Songjiang project it cannot otherwise see.
    issue = raise_assigned(co, co_units=[co.mh_bureau])
    actions.respond_to_issue(issue=issue, by=co.mh_member, text="闵行配合提供苗木")
    assert fresh(issue).responses.get().unit == co.mh_bureau
    with pytest.raises(PermissionDenied):
        actions.resolve_issue(issue=issue, by=co.mh_member, resolution="已解决")
    actions.resolve_issue(issue=issue, by=co.unit_member, resolution="已解决")
    assert fresh(issue).status == IssueStatus.RESOLVED


def test_respond_refusals(co):
    issue = raise_assigned(co)
    # The owner sees the project but the issue is not its unit's work.
    with pytest.raises(PermissionDenied):
        actions.respond_to_issue(issue=issue, by=co.owner, text="x")
    with pytest.raises(ObjectDoesNotExist):
        actions.respond_to_issue(issue=issue, by=co.mh_member, text="x")
    with pytest.raises(PermissionDenied):
        actions.respond_to_issue(issue=issue, by=co.viewer, text="x")
    with pytest.raises(ValidationError):
        actions.respond_to_issue(issue=issue, by=co.unit_member, text="  ")
    with pytest.raises(ValidationError):
        actions.respond_to_issue(issue=issue, by=co.unit_member, text="x", on=today() + DAY)
    unassigned = actions.raise_issue(project=co.sj_project, by=co.owner, title="未分配", category=co.other)
    with pytest.raises(ValidationError):
        actions.respond_to_issue(issue=unassigned, by=co.coordinator, text="x")
    actions.resolve_issue(issue=issue, by=co.unit_member, resolution="已解决")
    with pytest.raises(ValidationError):
        actions.respond_to_issue(issue=issue, by=co.unit_member, text="再补充")
    assert not IssueResponse.objects.exists()


def test_a_coordinator_may_record_for_the_unit(co):
    issue = raise_assigned(co)
    response = actions.respond_to_issue(issue=issue, by=co.coordinator, text="电话了解：已开工")
    assert response.unit is None  # a coordinator's note names no unit
    actions.resolve_issue(issue=issue, by=co.coordinator, resolution="已解决")
    assert fresh(issue).status == IssueStatus.RESOLVED


def test_response_photos_are_checked_by_content(co, media):
    issue = raise_assigned(co)
    response = actions.respond_to_issue(issue=issue, by=co.unit_member, text="现场照片", uploads=[png("现场.png")])
    attachment = response.attachments.get()
    assert (attachment.name, attachment.kind, attachment.content_type) == ("现场.png", "photo", "image/png")
    assert attachment.file.name.startswith("coordination/") and "现场" not in attachment.file.name
    fake = SimpleUploadedFile("scan.jpg", b"MZ\x90\x00 an executable", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        actions.respond_to_issue(issue=issue, by=co.unit_member, text="伪装的图片", uploads=[fake])
    assert IssueResponse.objects.count() == 1 and Attachment.objects.count() == 1


def test_verify_closes_and_return_sends_back(co, sent):
    issue = raise_assigned(co)
    actions.resolve_issue(issue=issue, by=co.unit_member, resolution="已签订补充协议")
    assert fresh(issue).resolved_on == today()
    with pytest.raises(ValidationError) as error:
        actions.return_issue(issue=issue, by=co.coordinator, reason="")
    assert "reason" in error.value.message_dict
    actions.return_issue(issue=issue, by=co.coordinator, reason="协议尚未盖章")
    stored = fresh(issue)
    assert (stored.status, stored.resolved_on) == (IssueStatus.RETURNED, None)
    assert sent[-1]["kind"] == "issue.returned" and sent[-1]["recipients"] == [co.unit_member]
    actions.respond_to_issue(issue=issue, by=co.unit_member, text="已盖章")
    assert fresh(issue).status == IssueStatus.IN_PROGRESS
    actions.resolve_issue(issue=issue, by=co.unit_member, resolution="协议已盖章")
    with pytest.raises(PermissionDenied):
        actions.verify_issue(issue=issue, by=co.unit_member)
    with pytest.raises(ObjectDoesNotExist):
        actions.verify_issue(issue=issue, by=co.mh_coordinator)
    actions.verify_issue(issue=issue, by=co.sj_coordinator, note="现场核实")
    stored = fresh(issue)
    assert (stored.status, stored.closed_on) == (IssueStatus.CLOSED, today())
    assert kinds(issue)[-1] == EventKind.CLOSED
    with pytest.raises(ValidationError):
        actions.verify_issue(issue=issue, by=co.coordinator)


def test_only_a_resolved_issue_is_verified(co):
    issue = raise_assigned(co)
    with pytest.raises(ValidationError):
        actions.verify_issue(issue=issue, by=co.coordinator)
    with pytest.raises(ValidationError):
        actions.return_issue(issue=issue, by=co.coordinator, reason="x")
    assert fresh(issue).status == IssueStatus.OPEN


# --- deadlines -----------------------------------------------------------------------------------


def test_deadline_changes_need_a_reason_and_keep_every_earlier_date(co):
    first = today() - 10 * DAY
    issue = IssueFactory(project=co.sj_project, lead_unit=co.sj_bureau, raised_on=today() - 20 * DAY, deadline=first)
    issue.escalation_step = EscalationStep.objects.get(target="coordinator")
    issue.save()
    with pytest.raises(ValidationError) as error:
        actions.change_deadline(issue=issue, by=co.coordinator, new_deadline=today(), reason="")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.change_deadline(issue=issue, by=co.coordinator, new_deadline=first, reason="同一天")
    with pytest.raises(ValidationError):
        actions.change_deadline(issue=issue, by=co.coordinator, new_deadline=today() - 30 * DAY, reason="早于提出")
    with pytest.raises(PermissionDenied):
        actions.change_deadline(issue=issue, by=co.unit_member, new_deadline=today(), reason="想延期")
    actions.change_deadline(issue=issue, by=co.coordinator, new_deadline=today() + 5 * DAY, reason="审批窗口延后")
    actions.change_deadline(issue=issue, by=co.coordinator, new_deadline=today() + 20 * DAY, reason="产权单位重新报批")
    history = list(DeadlineChange.objects.filter(issue=issue).values_list("old_deadline", "new_deadline", "reason"))
    assert history == [
        (first, today() + 5 * DAY, "审批窗口延后"),
        (today() + 5 * DAY, today() + 20 * DAY, "产权单位重新报批"),
    ]
    stored = fresh(issue)
    # A new deadline starts the escalation ladder again.
    assert (stored.deadline, stored.escalation_step) == (today() + 20 * DAY, None)
    assert kinds(issue).count(EventKind.DEADLINE_CHANGED) == 2


def test_a_closed_issue_keeps_its_deadline(co):
    issue = IssueFactory(project=co.sj_project, status=IssueStatus.CLOSED)
    with pytest.raises(ValidationError):
        actions.change_deadline(issue=issue, by=co.coordinator, new_deadline=today() + 30 * DAY, reason="x")


# --- instructions --------------------------------------------------------------------------------


def test_a_leaders_instruction_on_a_project_becomes_a_deadlined_issue_of_the_unit(co, sent):
    deadline = today() + 14 * DAY
    instruction = actions.give_instruction(
        by=co.leader_user,
        leader=co.leader,
        project=co.sj_project,
        text="请区发改委牵头，两周内拿出用地方案。\n并报区政府。",
        target_unit=co.sj_bureau,
        deadline=deadline,
    )
    work = instruction.created_issue
    assert (work.source, work.lead_unit, work.deadline, work.title) == (
        IssueSource.INSTRUCTION,
        co.sj_bureau,
        deadline,
        "请区发改委牵头，两周内拿出用地方案。",
    )
    assert work.category.code == "other"
    assert kinds(work) == [EventKind.RAISED, EventKind.ASSIGNED, EventKind.INSTRUCTION]
    assert [c["kind"] for c in sent] == ["issue.assigned", "instruction.given"]


def test_instruction_refusals(co):
    fields = dict(text="批示", target_unit=co.sj_bureau, deadline=today() + DAY)
    with pytest.raises(ObjectDoesNotExist):  # a leader's scope is the projects they lead
        actions.give_instruction(by=co.leader_user, leader=co.leader, project=co.mh_project, **fields)
    with pytest.raises(PermissionDenied):
        actions.give_instruction(by=co.viewer, leader=co.leader, project=co.sj_project, **fields)
    other_leader = co.leader.__class__.objects.create(name="李四", is_leader=True)
    with pytest.raises(PermissionDenied):  # nobody gives instructions in another leader's name
        actions.give_instruction(by=co.leader_user, leader=other_leader, project=co.sj_project, **fields)
    with pytest.raises(ValidationError) as error:
        actions.give_instruction(
            by=co.leader_user, leader=co.leader, project=co.sj_project, text="批示", target_unit=co.sj_bureau
        )
    assert "deadline" in error.value.message_dict
    assert not Issue.objects.exists()
    # A coordinator records an instruction a leader gave on paper.
    recorded = actions.give_instruction(by=co.coordinator, leader=other_leader, project=co.sj_project, **fields)
    assert recorded.created_issue.lead_unit == co.sj_bureau


def test_an_instruction_on_an_issue_brings_the_unit_in(co):
    issue = raise_assigned(co)
    actions.give_instruction(
        by=co.leader_user, leader=co.leader, issue=issue, text="闵行区发改委配合", target_unit=co.mh_bureau
    )
    assert list(fresh(issue).co_units.all()) == [co.mh_bureau]
    assert kinds(issue)[-1] == EventKind.INSTRUCTION
    assert Issue.objects.count() == 1
    # On an issue nobody leads yet, the unit named leads it, by the instruction's deadline.
    unassigned = actions.raise_issue(project=co.sj_project, by=co.owner, title="未分配", category=co.other)
    actions.give_instruction(
        by=co.leader_user,
        leader=co.leader,
        issue=unassigned,
        text="区发改委牵头",
        target_unit=co.sj_bureau,
        deadline=today() + 7 * DAY,
    )
    stored = fresh(unassigned)
    assert (stored.lead_unit, stored.deadline) == (co.sj_bureau, today() + 7 * DAY)


def test_issues_of_other_projects_stay_apart(co):
    other = ProjectFactory(area=co.songjiang)
    issue = raise_assigned(co, project=other)
    assert list(co.sj_project.issues.all()) == []
    assert list(other.issues.all()) == [issue]
