"""The demo's engagements and issues: the seeds' meetings, issues in every status, escalations."""

from django.db.models import Count

from groundbreak.coordination.choices import EventKind, IssueStatus
from groundbreak.coordination.models import Engagement, Instruction, Issue, IssueEvent
from groundbreak.demo.load import load_demo
from groundbreak.portfolio.models import Project


def test_the_demo_tells_the_seeds_story(db, media):
    assert load_demo() is True
    engagements = dict(Engagement.objects.values_list("title", "kind"))
    assert engagements["科技城集中发展区现场办公会"] == "office_meeting"
    assert engagements["亚太路科创带重点产业项目现场调研"] == "site_visit"
    # The four visits and meetings of the seeds, and the demo's one safety inspection (fieldwork).
    assert sorted(engagements.values()) == [
        "inspection",
        "office_meeting",
        "office_meeting",
        "site_visit",
        "site_visit",
    ]
    science_city = Engagement.objects.get(title="科技城集中发展区现场办公会")
    assert sorted(science_city.projects.values_list("code", flat=True)) == ["MY-HKC-85", "MY-JZAZ", "MY-KJCDD"]
    assert science_city.chair.title.startswith("绵阳市委书记")
    statuses = dict(Issue.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(IssueStatus.values)
    assert Issue.objects.filter(lead_unit__isnull=True).exists()  # an owner's, awaiting assignment
    escalated = Issue.objects.filter(escalation_step__isnull=False)
    assert {i.escalation_step.target for i in escalated} >= {"coordinator", "agenda"}
    assert IssueEvent.objects.filter(kind=EventKind.DEADLINE_CHANGED).count() == 2
    assert Instruction.objects.filter(created_issue__isnull=False).exists()
    lights = dict(Project.objects.with_light().filter(code__in=["MY-HKC-85", "BH-Z2-1"]).values_list("code", "light"))
    assert lights == {"MY-HKC-85": "red", "BH-Z2-1": "red"}
    # Loading again changes nothing.
    assert load_demo() is False
    assert Issue.objects.count() == sum(statuses.values())
