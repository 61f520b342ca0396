"""The demo's field work: one inspection with a failed item, two snaps (one triaged, one waiting)."""

from groundbreak.coordination.choices import IssueSource
from groundbreak.coordination.models import Issue
from groundbreak.demo.load import load_demo
from groundbreak.fieldwork.models import Inspection, SnapReport
from groundbreak.fieldwork.queries import triage_queue
from groundbreak.org.models import User


def test_the_demo_has_an_inspection_and_snaps(db, media):
    assert load_demo() is True
    inspection = Inspection.objects.get()
    assert inspection.project.code == "SJ-G60-YL2" and inspection.submitted_at is not None
    rectification = Issue.objects.get(source=IssueSource.INSPECTION)
    assert rectification.evidence_required and rectification.engagement == inspection.engagement
    assert inspection.answers.get(item__code="dust").rectification == rectification
    assert SnapReport.objects.count() == 2
    waiting = list(triage_queue(User.objects.get(username="songjiang")))
    assert [s.issue.project.code for s in waiting] == ["SJ-QKRJ"]
    triaged = SnapReport.objects.get(issue__project__code="SJ-G60-YL2").issue
    assert triaged.lead_unit is not None and triaged.category.code == "environment"
