"""The daily checks of time nodes and the digest: who is told, and when."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from groundbreak.notify.checks import digest_check, milestone_due_check, milestone_overdue_check
from groundbreak.notify.choices import Kind
from groundbreak.notify.delivery import process_due
from groundbreak.notify.models import Notification, NotificationPreference
from groundbreak.notify.recipients import coordinators, covers
from groundbreak.org.choices import AreaKind, Role
from groundbreak.portfolio.choices import Status
from groundbreak.portfolio.models import Project
from groundbreak.schedule.actions import replan_milestone
from tests.factories import AreaFactory, MilestoneFactory, PersonFactory, ProjectFactory, UserFactory, reason

TODAY = datetime.date(2026, 11, 25)


def days(n):
    return TODAY + datetime.timedelta(days=n)


def told(kind, milestone=None):
    notifications = Notification.objects.filter(kind=kind)
    if milestone is not None:
        notifications = notifications.filter(dedup_key__startswith=f"{kind}:{milestone.pk}:")
    return sorted(notifications.values_list("recipient__username", flat=True))


@pytest.fixture
def responsible(world):
    user = UserFactory(username="sj-engineer", role=Role.UNIT_MEMBER, scope_unit=world.sj_bureau)
    world.sj_project.responsible_person = PersonFactory(name="李工", user=user)
    world.sj_project.save()
    return user


def test_a_node_due_within_the_window_reaches_the_responsible_person_and_covering_coordinators(world, responsible):
    node = MilestoneFactory(project=world.sj_project, planned_date=days(7))
    later = MilestoneFactory(project=world.sj_project, planned_date=days(8))  # outside the 7-day window
    assert milestone_due_check(TODAY) == 3
    # City and Songjiang coordinators cover Songjiang; Minhang's does not.
    assert told(Kind.MILESTONE_DUE) == ["coord", "sj-coord", "sj-engineer"]
    assert told(Kind.MILESTONE_DUE, node) == ["coord", "sj-coord", "sj-engineer"]
    notification = Notification.objects.get(recipient=responsible)
    assert (
        notification.title
        == "Node “Land handed over” of SJ-001 G60 Kechuang Cloud Gallery phase II is due on Dec. 2, 2026"
    )
    assert notification.body == "It is due in 7 days."
    assert notification.url == "/projects/SJ-001/#milestones"
    # The next day tells of the node that came into the window, and nobody again of the first.
    assert milestone_due_check(days(1)) == 3
    assert told(Kind.MILESTONE_DUE, later) == ["coord", "sj-coord", "sj-engineer"]
    assert len(told(Kind.MILESTONE_DUE, node)) == 3


def test_the_window_is_a_setting(world, settings):
    settings.NOTIFY_MILESTONE_DUE_DAYS = 14
    MilestoneFactory(project=world.sj_project, planned_date=days(14))
    assert milestone_due_check(TODAY) == 2


def test_an_overdue_node_is_chased_once_per_planned_date(world, responsible):
    node = MilestoneFactory(project=world.sj_project, planned_date=days(-3))
    MilestoneFactory(project=world.sj_project, planned_date=days(-3), actual_date=days(-4))  # met
    assert milestone_overdue_check(TODAY) == 3
    assert told(Kind.MILESTONE_OVERDUE, node) == ["coord", "sj-coord", "sj-engineer"]
    assert Notification.objects.get(recipient=responsible).body == "It was due on Nov. 22, 2026, 3 days ago."
    assert milestone_overdue_check(days(1)) == 0
    # Re-planned and missed again: news again.
    replan_milestone(milestone=node, new_date=days(2), reason=reason(), by=world.coordinator)
    assert milestone_overdue_check(days(5)) == 3


def test_paused_and_cancelled_projects_are_not_chased(world):
    MilestoneFactory(project=world.sj_project, planned_date=days(-3))
    MilestoneFactory(project=world.mh_project, planned_date=days(2))
    Project.objects.filter(pk=world.sj_project.pk).update(status=Status.PAUSED)
    Project.objects.filter(pk=world.mh_project.pk).update(status=Status.CANCELLED)
    assert milestone_overdue_check(TODAY) == 0
    assert milestone_due_check(TODAY) == 0


def test_zone_and_unit_scopes_cover_a_project_as_the_project_list_does(world):
    zone = AreaFactory(name="G60科创走廊", kind=AreaKind.ZONE, parent=world.city)
    UserFactory(username="g60-coord", role=Role.COORDINATOR, scope_area=zone)
    UserFactory(username="bureau-coord", role=Role.COORDINATOR, scope_unit=world.mh_bureau)
    UserFactory(username="retired-coord", role=Role.COORDINATOR, scope_area=world.city, is_active=False)
    UserFactory(username="sj-viewer", role=Role.VIEWER, scope_area=world.songjiang)
    in_zone = ProjectFactory(code="G60-001", area=world.songjiang, zone=zone)
    MilestoneFactory(project=in_zone, planned_date=days(1))
    MilestoneFactory(project=world.mh_project, planned_date=days(1))
    milestone_due_check(TODAY)
    assert told(Kind.MILESTONE_DUE) == sorted(["coord", "sj-coord", "g60-coord", "coord", "mh-coord", "bureau-coord"])
    # The in-memory rule agrees with Project.objects.for_user for every coordinator and project.
    projects = list(Project.objects.select_related("area", "zone", "lead_leader"))
    for user in coordinators():
        visible = set(Project.objects.for_user(user).values_list("pk", flat=True))
        assert {p.pk for p in projects if covers(user, p)} == visible, user.username


def test_recipients_of_many_nodes_cost_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for i in range(12):
        MilestoneFactory(project=ProjectFactory(area=world.songjiang), planned_date=days(i % 5))
    from groundbreak.notify.checks import open_milestones
    from groundbreak.notify.recipients import project_recipients

    with django_assert_max_num_queries(2):
        milestones = list(open_milestones())
        project_recipients({m.project_id: m.project for m in milestones}.values())


def test_each_recipient_reads_the_reminder_in_their_language(world):
    world.sj_coordinator.language = "zh-hans"
    world.sj_coordinator.save()
    MilestoneFactory(project=world.sj_project, planned_date=days(3))
    milestone_due_check(TODAY)
    chinese = Notification.objects.get(recipient=world.sj_coordinator)
    english = Notification.objects.get(recipient=world.coordinator)
    assert "G60科创云廊二期" in chinese.title
    assert english.title.startswith("Node “Land handed over” of SJ-001 G60 Kechuang Cloud Gallery phase II")
    assert chinese.dedup_key == english.dedup_key


def test_the_digest_sums_up_unread_notifications_and_red_lights_for_those_who_asked(world):
    world.sj_coordinator.email = "sj@example.gov.cn"
    world.sj_coordinator.save()
    world.mh_coordinator.email = "mh@example.gov.cn"
    world.mh_coordinator.save()
    NotificationPreference.objects.create(user=world.sj_coordinator, digest_enabled=True, email_enabled=False)
    NotificationPreference.objects.create(user=world.mh_coordinator, digest_enabled=True)
    # Songjiang's project is red (an overdue node); Minhang's coordinator has nothing to hear about.
    MilestoneFactory(project=world.sj_project, planned_date=timezone.localdate() - datetime.timedelta(days=3))
    today = timezone.localdate()
    milestone_overdue_check(today)
    assert digest_check(today) == 1
    digest = Notification.objects.get(kind=Kind.DIGEST)
    assert digest.recipient == world.sj_coordinator
    assert digest.is_read  # the bell already counts what the digest sums up
    assert "1 unread notification:" in digest.body
    assert "- Node “Land handed over” of SJ-001" in digest.body
    assert "1 project in your scope shows a red light:" in digest.body
    assert "- SJ-001 G60 Kechuang Cloud Gallery phase II" in digest.body
    process_due()
    # The digest goes by e-mail although per-notification e-mail is off; nothing else was mailed.
    assert [(m.to, m.subject.startswith("Your daily digest")) for m in mail.outbox] == [(["sj@example.gov.cn"], True)]
    assert digest_check(today) == 0
