"""A rectification closes only with evidence: resolved and verified only once a response carries
a photo or document; the refusal is a clear message on the page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from groundbreak.coordination import actions
from groundbreak.coordination.choices import IssueSource, IssueStatus
from groundbreak.coordination.models import Attachment, Issue
from tests.coordination.conftest import DAY, today
from tests.fieldwork.conftest import jpeg

REFUSAL = "This rectification closes only with evidence"


def rectification(w, **kwargs):
    return actions.raise_issue(
        project=w.sj_project,
        by=w.sj_coordinator,
        title="整改：扬尘治理",
        category=w.other,
        source=IssueSource.INSPECTION,
        lead_unit=w.sj_bureau,
        deadline=today() + 5 * DAY,
        evidence_required=True,
        **kwargs,
    )


def test_resolving_without_evidence_is_refused_and_changes_nothing(co, media):
    issue = rectification(co)
    actions.respond_to_issue(issue=issue, by=co.unit_member, text="已安排覆盖")  # words only
    with pytest.raises(ValidationError) as refused:
        actions.resolve_issue(issue=issue, by=co.unit_member, resolution="已整改")
    assert refused.value.code == "evidence_required" and REFUSAL in refused.value.messages[0]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_PROGRESS and issue.resolved_on is None and issue.resolution == ""


def test_resolving_and_closing_with_a_photo_is_allowed(co, media):
    issue = rectification(co)
    actions.respond_to_issue(issue=issue, by=co.unit_member, text="裸土已覆盖", uploads=[jpeg()])
    actions.resolve_issue(issue=issue, by=co.unit_member, resolution="已整改")
    actions.verify_issue(issue=issue, by=co.sj_coordinator, note="现场复核")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED and issue.closed_on == today()


def test_closing_is_refused_once_the_evidence_is_gone(co, media):
    issue = rectification(co)
    actions.respond_to_issue(issue=issue, by=co.unit_member, text="裸土已覆盖", uploads=[jpeg()])
    actions.resolve_issue(issue=issue, by=co.unit_member, resolution="已整改")
    Attachment.objects.filter(response__issue=issue).delete()
    with pytest.raises(ValidationError) as refused:
        actions.verify_issue(issue=issue, by=co.sj_coordinator)
    assert refused.value.code == "evidence_required"
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED and issue.closed_on is None


def test_an_ordinary_issue_still_resolves_without_files(co):
    issue = rectification(co)
    Issue.objects.filter(pk=issue.pk).update(evidence_required=False)
    issue.refresh_from_db()
    actions.resolve_issue(issue=issue, by=co.unit_member, resolution="已解决")
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.RESOLVED


def test_the_refusal_is_shown_on_the_issue_page(co, login, media):
    issue = rectification(co)
    client = login(co.unit_member)
    response = client.post(
        reverse("coordination:issue-resolve", args=[issue.pk]),
        {"resolution": "已整改", "on": today().isoformat()},
        follow=True,
    )
    body = response.content.decode()
    assert REFUSAL in body
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.OPEN
    client.post(
        reverse("coordination:issue-respond", args=[issue.pk]),
        {"text": "裸土已覆盖", "on": today().isoformat(), "files": [jpeg()]},
    )
    response = client.post(
        reverse("coordination:issue-resolve", args=[issue.pk]),
        {"resolution": "已整改", "on": today().isoformat()},
        follow=True,
    )
    assert REFUSAL not in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.RESOLVED
