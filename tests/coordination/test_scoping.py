"""Who sees which issues and engagements, and the refusals: 404 out of scope, 403 without the right."""

import pytest
from django.urls import reverse

from groundbreak.coordination import engagement_actions
from groundbreak.coordination.choices import IssueStatus
from groundbreak.coordination.models import Issue, IssueResponse
from groundbreak.coordination.queries import visible_engagements, visible_issues
from tests.coordination.conftest import today
from tests.factories import IssueFactory


@pytest.fixture
def issues(co):
    """One issue on each district's project; the Songjiang one asks Minhang's bureau to help."""
    co.sj_issue = IssueFactory(project=co.sj_project, lead_unit=co.sj_bureau, title="松江问题")
    co.sj_issue.co_units.add(co.mh_bureau)
    co.mh_issue = IssueFactory(project=co.mh_project, lead_unit=co.mh_bureau, title="闵行问题")
    co.lonely = IssueFactory(project=co.sj_project, lead_unit=co.hq, title="市重大办牵头")
    return co


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", {"松江问题", "闵行问题", "市重大办牵头"}),
        ("coordinator", {"松江问题", "闵行问题", "市重大办牵头"}),
        ("viewer", {"松江问题", "闵行问题", "市重大办牵头"}),
        ("sj_coordinator", {"松江问题", "市重大办牵头"}),
        ("mh_coordinator", {"闵行问题"}),
        ("leader_user", {"松江问题", "市重大办牵头"}),  # the project he leads
        ("unit_member", {"松江问题", "市重大办牵头"}),  # his unit's project
        ("owner", {"松江问题", "市重大办牵头"}),
        # Minhang's bureau sees its own project's issue and the Songjiang one it helps with, not the rest.
        ("mh_member", {"松江问题", "闵行问题"}),
    ],
)
def test_who_sees_which_issues(issues, persona, expected):
    user = getattr(issues, persona)
    assert set(visible_issues(user).values_list("title", flat=True)) == expected


def test_engagements_follow_their_projects_and_who_was_there(co):
    engagement = engagement_actions.create_engagement(
        by=co.coordinator, kind="site_visit", title="闵行调研", date=today(), projects=[co.mh_project]
    )
    assert list(visible_engagements(co.mh_coordinator)) == [engagement]
    assert list(visible_engagements(co.sj_coordinator)) == []
    assert list(visible_engagements(co.leader_user)) == []
    engagement.leaders.add(co.leader)
    engagement.units.add(co.sj_bureau)
    assert list(visible_engagements(co.leader_user)) == [engagement]
    assert list(visible_engagements(co.unit_member)) == [engagement]


def test_out_of_scope_is_not_found(issues, login):
    client = login(issues.mh_coordinator)
    issue = issues.lonely
    assert client.get(reverse("coordination:issue-detail", args=[issue.pk])).status_code == 404
    for name in ("issue-respond", "issue-resolve", "issue-verify", "issue-return", "issue-assign", "issue-deadline"):
        response = client.post(reverse(f"coordination:{name}", args=[issue.pk]), {"text": "x", "reason": "x"})
        assert response.status_code == 404, name
    assert client.get(reverse("coordination:issue-detail", args=[999999])).status_code == 404
    body = client.get(reverse("coordination:board")).content.decode()
    assert "闵行问题" in body and "松江问题" not in body and "市重大办牵头" not in body
    assert client.post(reverse("coordination:project-instruct", args=["SJ-001"]), {"text": "x"}).status_code == 404


def test_missing_permission_is_forbidden(issues, login):
    url = reverse("coordination:issue-verify", args=[issues.sj_issue.pk])
    assert login(issues.unit_member).post(url).status_code == 403
    assert (
        login(issues.viewer).post(reverse("coordination:issue-respond", args=[issues.sj_issue.pk])).status_code == 403
    )
    assert login(issues.viewer).get(reverse("coordination:issue-create")).status_code == 403
    assert login(issues.viewer).get(reverse("coordination:engagement-create")).status_code == 403
    assert login(issues.unit_member).post(reverse("coordination:project-instruct", args=["SJ-001"])).status_code == 403


def test_a_unit_acts_only_on_its_own_issues(issues, login):
    # The owner sees the Songjiang project, so the page opens, but the work is not its unit's.
    client = login(issues.owner)
    assert client.get(reverse("coordination:issue-detail", args=[issues.sj_issue.pk])).status_code == 200
    response = client.post(
        reverse("coordination:issue-respond", args=[issues.sj_issue.pk]), {"text": "代答", "on": today().isoformat()}
    )
    assert response.status_code == 403
    # The Songjiang bureau may not answer for the city headquarters' issue on its own project.
    client = login(issues.unit_member)
    response = client.post(
        reverse("coordination:issue-respond", args=[issues.lonely.pk]), {"text": "代答", "on": today().isoformat()}
    )
    assert response.status_code == 403
    # A co-unit answers, but resolving is the lead unit's.
    client = login(issues.mh_member)
    response = client.post(
        reverse("coordination:issue-respond", args=[issues.sj_issue.pk]), {"text": "配合", "on": today().isoformat()}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("coordination:issue-resolve", args=[issues.sj_issue.pk]),
        {"resolution": "已解决", "on": today().isoformat()},
    )
    assert response.status_code == 403
    assert list(IssueResponse.objects.values_list("unit", flat=True)) == [issues.mh_bureau.pk]
    assert Issue.objects.get(pk=issues.sj_issue.pk).status == IssueStatus.IN_PROGRESS


def test_inbox_lists_only_the_units_issues(issues, login):
    body = login(issues.mh_member).get(reverse("coordination:inbox")).content.decode()
    assert "松江问题" in body and "闵行问题" in body and "市重大办牵头" not in body
    body = login(issues.coordinator).get(reverse("coordination:inbox")).content.decode()
    assert "not attached to a unit" in body


def test_attachments_are_served_only_within_scope(issues, login, media):
    from groundbreak.coordination.actions import respond_to_issue
    from tests.coordination.test_actions import png

    response = respond_to_issue(issue=issues.sj_issue, by=issues.unit_member, text="照片", uploads=[png()])
    attachment = response.attachments.get()
    url = reverse("coordination:issue-attachment", args=[issues.sj_issue.pk, attachment.pk])
    served = login(issues.sj_coordinator).get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert login(issues.mh_member).get(url).status_code == 200  # Minhang's bureau helps: it sees it
    assert login(issues.mh_coordinator).get(url).status_code == 404
    other_issue = reverse("coordination:issue-attachment", args=[issues.mh_issue.pk, attachment.pk])
    assert login(issues.mh_member).get(other_issue).status_code == 404  # not that issue's file
    assert login(issues.leader_user).get(url).status_code == 200


def test_someone_in_the_room_sees_the_meeting_but_not_issues_beyond_their_scope(co, login):
    engagement = engagement_actions.create_engagement(
        by=co.coordinator, kind="office_meeting", title="闵行现场办公会", date=today(), projects=[co.mh_project]
    )
    engagement.leaders.add(co.leader)
    IssueFactory(project=co.mh_project, engagement=engagement, lead_unit=co.mh_bureau, title="闵行的困难")
    body = login(co.leader_user).get(engagement.get_absolute_url()).content.decode()
    assert "闵行现场办公会" in body and "闵行的困难" not in body
    body = login(co.mh_coordinator).get(engagement.get_absolute_url()).content.decode()
    assert "闵行的困难" in body
