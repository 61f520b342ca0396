"""Recording engagements, their files and outcomes; decisions becoming issues and time nodes."""

import io

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from groundbreak.coordination import engagement_actions as actions
from groundbreak.coordination.choices import IssueSource
from groundbreak.coordination.models import Attachment, Decision, Engagement, Issue
from groundbreak.org.choices import Role
from groundbreak.schedule.models import Milestone
from tests.coordination.conftest import DAY, today
from tests.factories import AreaFactory, ProjectFactory, UserFactory, kind


def meeting(w, **overrides):
    fields = dict(
        by=w.coordinator,
        kind="office_meeting",
        title="松江重点项目现场办公会",
        date=today(),
        place="G60科创云廊",
        chair=w.leader,
        projects=[w.sj_project, w.mh_project],
        leaders=[w.leader],
        units=[w.sj_bureau, w.mh_bureau],
    )
    return actions.create_engagement(**(fields | overrides))


def issue_row(w, **overrides):
    return {
        "project": w.sj_project,
        "title": "征收拆迁未完成",
        "category": w.land,
        "lead_unit": w.sj_bureau,
        "deadline": today() + 10 * DAY,
    } | overrides


def test_coordinator_records_an_engagement(co):
    engagement = meeting(co, minutes="<script>alert(1)</script>\n第二行")
    assert set(engagement.projects.all()) == {co.sj_project, co.mh_project}
    assert list(engagement.leaders.all()) == [co.leader]
    assert engagement.created_by == co.coordinator
    # Minutes are stored as typed; pages escape them.
    assert engagement.minutes.startswith("<script>")


def test_engagement_refusals(co):
    with pytest.raises(PermissionDenied):
        meeting(co, by=co.viewer)
    with pytest.raises(PermissionDenied):
        meeting(co, by=co.leader_user)
    with pytest.raises(ObjectDoesNotExist):  # a Songjiang coordinator cannot cover a Minhang project
        meeting(co, by=co.sj_coordinator)
    with pytest.raises(ObjectDoesNotExist):
        meeting(co, by=co.sj_coordinator, projects=[co.sj_project], area=co.minhang)
    with pytest.raises(ValidationError) as error:
        meeting(co, projects=[])
    assert "projects" in error.value.message_dict
    assert not Engagement.objects.exists()


def test_editing_keeps_the_projects_the_editor_cannot_see(co):
    engagement = meeting(co)
    actions.update_engagement(
        engagement=engagement, by=co.sj_coordinator, changes={"title": "改名", "projects": [co.sj_project]}
    )
    engagement.refresh_from_db()
    assert engagement.title == "改名"
    assert set(engagement.projects.all()) == {co.sj_project, co.mh_project}
    with pytest.raises(ObjectDoesNotExist):
        actions.update_engagement(engagement=engagement, by=co.mh_coordinator, changes={"area": co.songjiang})


def test_outcomes_are_recorded_together(co):
    engagement = meeting(co)
    result = actions.record_outcomes(
        engagement=engagement,
        by=co.coordinator,
        issues=[issue_row(co), issue_row(co, project=co.mh_project, title="绿化用地", lead_unit=co.mh_bureau)],
        decisions=[
            {"text": "一个项目一名领导", "project": None},
            {
                "text": "9月底前完成土地交付",
                "project": co.sj_project,
                "milestone_kind": kind("land_handover"),
                "planned_date": today() + 30 * DAY,
            },
        ],
    )
    issues = result["issues"]
    assert [(i.source, i.engagement, i.raised_on) for i in issues] == [
        (IssueSource.ENGAGEMENT, engagement, today())
    ] * 2
    node = Milestone.objects.get(project=co.sj_project)
    assert (node.name, node.baseline_date) == ("9月底前完成土地交付", today() + 30 * DAY)
    assert [d.milestone for d in engagement.decisions.all()] == [None, node]


def test_outcomes_are_all_or_nothing(co):
    engagement = meeting(co)
    other = ProjectFactory(area=co.songjiang)
    with pytest.raises(ValidationError) as error:
        actions.record_outcomes(
            engagement=engagement,
            by=co.coordinator,
            issues=[issue_row(co), issue_row(co, project=other)],
            decisions=[{"text": "决定", "project": None}],
        )
    assert "Issue 2" in error.value.messages[0]
    with pytest.raises(ValidationError):
        actions.record_outcomes(
            engagement=engagement, by=co.coordinator, issues=[issue_row(co, deadline=None)], decisions=[]
        )
    assert not Issue.objects.exists() and not Decision.objects.exists()


def test_outcome_refusals(co):
    engagement = meeting(co)
    with pytest.raises(PermissionDenied):
        actions.record_outcomes(engagement=engagement, by=co.unit_member, issues=[issue_row(co)], decisions=[])
    outsider = UserFactory(role=Role.COORDINATOR, scope_area=AreaFactory(name="天津市", kind="city"))
    with pytest.raises(ObjectDoesNotExist):
        actions.record_outcomes(engagement=engagement, by=outsider, issues=[issue_row(co)], decisions=[])
    planned = meeting(co, date=today() + 7 * DAY)
    with pytest.raises(ValidationError):
        actions.record_outcomes(engagement=planned, by=co.coordinator, issues=[issue_row(co)], decisions=[])
    assert not Issue.objects.exists()


def test_a_decision_becomes_an_issue_or_a_time_node_once(co):
    engagement = meeting(co)
    decision = actions.record_outcomes(
        engagement=engagement, by=co.coordinator, issues=[], decisions=[{"text": "管线迁改", "project": co.sj_project}]
    )["decisions"][0]
    issue = actions.decision_to_issue(
        decision=decision,
        by=co.coordinator,
        title="管线迁改滞后",
        category=co.land,
        lead_unit=co.sj_bureau,
        deadline=today() + 20 * DAY,
    )
    assert (issue.description, issue.engagement, issue.source) == ("管线迁改", engagement, IssueSource.ENGAGEMENT)
    with pytest.raises(ValidationError):
        actions.decision_to_issue(
            decision=decision, by=co.coordinator, title="x", category=co.land, lead_unit=co.sj_bureau, deadline=today()
        )
    node = actions.decision_to_milestone(
        decision=decision, by=co.coordinator, kind=kind("groundbreaking"), planned_date=today() + 40 * DAY
    )
    assert (node.project, node.responsible_unit) == (co.sj_project, co.sj_bureau)
    decision.refresh_from_db()
    assert (decision.issue, decision.milestone) == (issue, node)
    # The project must be one the engagement covered.
    lone = actions.record_outcomes(
        engagement=engagement, by=co.coordinator, issues=[], decisions=[{"text": "无项目", "project": None}]
    )["decisions"][0]
    with pytest.raises(ValidationError):
        actions.decision_to_milestone(decision=lone, by=co.coordinator, kind=kind(), planned_date=today())


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def test_engagement_files_are_checked_and_removed_with_their_file(co, media, django_capture_on_commit_callbacks):
    engagement = meeting(co)
    attachment = actions.add_engagement_attachment(
        engagement=engagement, by=co.coordinator, upload=SimpleUploadedFile("会场.png", _png())
    )
    path = media / attachment.file.name
    assert path.exists() and attachment.kind == "photo"
    with pytest.raises(ValidationError):
        actions.add_engagement_attachment(
            engagement=engagement, by=co.coordinator, upload=SimpleUploadedFile("minutes.pdf", b"<html>not a pdf")
        )
    with pytest.raises(PermissionDenied):
        actions.remove_attachment(attachment=attachment, by=co.unit_member)
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_attachment(attachment=attachment, by=co.coordinator)
    assert not Attachment.objects.exists() and not path.exists()
