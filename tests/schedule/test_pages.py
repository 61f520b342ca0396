"""Time-node actions from the project page, evidence access, and the re-plan queue."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from groundbreak.schedule.choices import ReplanStatus
from groundbreak.schedule.models import Milestone, ScheduleSettings
from tests.factories import KeyListFactory, MilestoneFactory, kind, reason

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(name, milestone):
    return reverse(f"schedule:{name}", args=[milestone.project.code, milestone.pk])


def test_owner_completes_groundbreaking_with_a_photo_and_others_in_scope_can_open_it(client, world, media):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("groundbreaking"))
    client.force_login(world.owner)
    today = timezone.localdate().isoformat()
    # Without the photo the node does not count as met.
    response = client.post(url("milestone-complete", milestone), {"actual_date": today})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.actual_date is None
    photo = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    client.post(url("milestone-complete", milestone), {"actual_date": today, "evidence": photo})
    milestone.refresh_from_db()
    assert milestone.actual_date == timezone.localdate()
    assert client.get(url("milestone-evidence", milestone)).status_code == 200
    client.force_login(world.mh_coordinator)
    assert client.get(url("milestone-evidence", milestone)).status_code == 404


def test_evidence_of_a_wrong_type_is_refused(client, world, media):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("groundbreaking"))
    client.force_login(world.coordinator)
    bad = SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream")
    response = client.post(
        url("milestone-complete", milestone),
        {"actual_date": timezone.localdate().isoformat(), "evidence": bad},
        follow=True,
    )
    assert "Upload a PDF" in response.content.decode() or "PDF" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.actual_date is None


def test_replan_from_the_page_keeps_the_old_date(client, world):
    milestone = MilestoneFactory(project=world.sj_project)
    old = milestone.planned_date
    client.force_login(world.unit_member)
    new = old + datetime.timedelta(days=30)
    client.post(
        url("milestone-replan", milestone), {"new_date": new.isoformat(), "reason": reason("funding").pk, "note": "x"}
    )
    milestone.refresh_from_db()
    assert milestone.planned_date == new
    assert milestone.baseline_date == old
    assert list(milestone.replans.values_list("old_date", "new_date")) == [(old, new)]


def test_viewer_and_leader_cannot_act_on_nodes(client, world):
    milestone = MilestoneFactory(project=world.sj_project)
    for user in (world.viewer, world.leader_user):
        client.force_login(user)
        assert client.post(url("milestone-complete", milestone), {"actual_date": "2020-01-01"}).status_code == 403
        assert client.post(url("milestone-replan", milestone), {"new_date": "2030-01-01"}).status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).actual_date is None


def test_node_of_another_district_is_not_found(client, world):
    milestone = MilestoneFactory(project=world.sj_project)
    client.force_login(world.mh_coordinator)
    assert client.post(url("milestone-complete", milestone), {"actual_date": "2020-01-01"}).status_code == 404
    # A node id reached through another project's URL is not found either.
    other = reverse("schedule:milestone-complete", args=[world.mh_project.code, milestone.pk])
    assert client.post(other, {"actual_date": "2020-01-01"}).status_code == 404


def test_replan_awaiting_approval_is_decided_in_the_queue(client, world):
    ScheduleSettings.objects.create(require_replan_approval=True)
    key_list = KeyListFactory(area=world.city)
    key_list.memberships.create(project=world.sj_project)
    milestone = MilestoneFactory(project=world.sj_project)
    old = milestone.planned_date
    client.force_login(world.owner)
    client.post(
        url("milestone-replan", milestone),
        {"new_date": (old + datetime.timedelta(days=9)).isoformat(), "reason": reason().pk},
    )
    milestone.refresh_from_db()
    assert milestone.planned_date == old
    replan = milestone.replans.get()
    assert replan.status == ReplanStatus.PENDING

    assert client.get(reverse("schedule:replan-queue")).status_code == 403
    client.force_login(world.mh_coordinator)
    assert world.sj_project.code not in client.get(reverse("schedule:replan-queue")).content.decode()
    assert client.post(reverse("schedule:replan-decide", args=[replan.pk]), {"approve": "1"}).status_code == 404

    client.force_login(world.sj_coordinator)
    assert world.sj_project.code in client.get(reverse("schedule:replan-queue")).content.decode()
    client.post(reverse("schedule:replan-decide", args=[replan.pk]), {"approve": "1"})
    milestone.refresh_from_db()
    assert milestone.planned_date == old + datetime.timedelta(days=9)


def test_template_creates_the_standard_chain(client, world):
    from groundbreak.schedule.models import MilestoneTemplate

    template = MilestoneTemplate.objects.get(category="industrial")
    client.force_login(world.sj_coordinator)
    client.post(reverse("schedule:template-apply", args=["SJ-001"]), {"template": template.pk})
    assert world.sj_project.milestones.count() == template.items.count() == 12
    start = world.sj_project.planned_start
    groundbreaking = world.sj_project.milestones.get(kind__code="groundbreaking")
    assert groundbreaking.planned_date == start


def test_my_work_lists_due_nodes_and_red_projects(client, world):
    today = timezone.localdate()
    MilestoneFactory(project=world.sj_project, planned_date=today - datetime.timedelta(days=2), name="拆迁清零")
    MilestoneFactory(project=world.mh_project, planned_date=today + datetime.timedelta(days=40), name="远期节点")
    client.force_login(world.coordinator)
    response = client.get(reverse("my-work"))
    body = response.content.decode()
    assert "拆迁清零" in body and "远期节点" not in body
    assert response.context["red_count"] == 1
