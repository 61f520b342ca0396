"""The project pages as a logged-in user sees them: content, scoping refusals, query counts."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import Project, StageChange
from tests.factories import MilestoneFactory, ProjectFactory, kind


def test_login_page_and_redirect_of_anonymous_users(client, world):
    response = client.get(reverse("portfolio:project-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_login_with_password_lands_on_my_work(client, world):
    response = client.post(reverse("login"), {"username": "coord", "password": "Correct-Horse-42"})
    assert response.status_code == 302
    assert response["Location"] == reverse("my-work")
    assert client.get(reverse("my-work")).status_code == 200


def test_project_list_shows_only_the_users_scope(login, world):
    body = login(world.sj_coordinator).get(reverse("portfolio:project-list")).content.decode()
    assert "SJ-001" in body
    assert "MH-001" not in body
    body = login(world.coordinator).get(reverse("portfolio:project-list")).content.decode()
    assert "SJ-001" in body and "MH-001" in body


def test_project_in_another_district_is_not_found(login, world):
    client = login(world.mh_coordinator)
    assert client.get(reverse("portfolio:project-detail", args=["SJ-001"])).status_code == 404
    assert client.get(reverse("portfolio:project-edit", args=["SJ-001"])).status_code == 404
    response = client.post(
        reverse("portfolio:project-stage", args=["SJ-001"]), {"to_stage": "signed", "on": "2020-01-01"}
    )
    assert response.status_code == 404
    assert Project.objects.get(code="SJ-001").stage == Stage.RESERVE


def test_action_the_role_lacks_is_forbidden(login, world):
    client = login(world.viewer)
    assert client.get(reverse("portfolio:project-detail", args=["SJ-001"])).status_code == 200
    response = client.post(
        reverse("portfolio:project-stage", args=["SJ-001"]), {"to_stage": "signed", "on": "2020-01-01"}
    )
    assert response.status_code == 403
    assert client.get(reverse("portfolio:project-create")).status_code == 403
    assert not StageChange.objects.exists()


def test_filter_by_light_stage_and_search(login, world):
    today = timezone.localdate()
    MilestoneFactory(project=world.sj_project, planned_date=today - datetime.timedelta(days=1))
    client = login(world.coordinator)
    body = client.get(reverse("portfolio:project-list"), {"light": "red"}).content.decode()
    assert "SJ-001" in body and "MH-001" not in body
    body = client.get(reverse("portfolio:project-list"), {"light": "green"}).content.decode()
    assert "MH-001" in body and "SJ-001" not in body
    body = client.get(reverse("portfolio:project-list"), {"q": "云廊"}).content.decode()
    assert "SJ-001" in body and "MH-001" not in body
    body = client.get(reverse("portfolio:project-list"), {"stage": "signed"}).content.decode()
    assert "SJ-001" not in body and "No project matches" in body


def test_list_counts_lights_and_stages_of_the_filtered_set(login, world):
    today = timezone.localdate()
    MilestoneFactory(project=world.sj_project, planned_date=today - datetime.timedelta(days=3))
    response = login(world.coordinator).get(reverse("portfolio:project-list"))
    assert response.context["light_counts"] == {"red": 1, "yellow": 0, "green": 1}
    stages = {value: n for _label, value, n in response.context["stage_counts"]}
    assert stages["reserve"] == 2 and stages["signed"] == 0


def test_project_detail_shows_facts_nodes_and_history(login, world):
    today = timezone.localdate()
    MilestoneFactory(
        project=world.sj_project, kind=kind("groundbreaking"), planned_date=today + datetime.timedelta(days=5)
    )
    body = login(world.coordinator).get(reverse("portfolio:project-detail", args=["SJ-001"])).content.decode()
    assert "G60科创云廊二期" in body
    assert "王明" in body  # lead leader
    assert "Groundbreaking" in body  # the node, in the reader's language
    assert 'data-light="yellow"' in body


def test_create_and_edit_project_through_the_pages(login, world):
    client = login(world.sj_coordinator)
    response = client.post(
        reverse("portfolio:project-create"),
        {
            "code": "SJ-002",
            "name": "小昆山镇租赁住房",
            "category": "livelihood",
            "area": world.songjiang.pk,
            "stage": "signed",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(code="SJ-002")
    assert project.stage == Stage.SIGNED
    edit_url = reverse("portfolio:project-edit", args=["SJ-002"])
    data = {
        "code": "SJ-002",
        "name": "小昆山镇租赁住房项目",
        "category": "livelihood",
        "area": world.songjiang.pk,
        "version": project.version,
        "figures-TOTAL_FORMS": "1",
        "figures-INITIAL_FORMS": "0",
        "figures-MIN_NUM_FORMS": "0",
        "figures-MAX_NUM_FORMS": "30",
        "figures-0-kind": "buildings",
        "figures-0-value": "12",
        "figures-0-unit": "栋",
    }
    assert client.post(edit_url, data).status_code == 302
    project.refresh_from_db()
    assert project.name == "小昆山镇租赁住房项目"
    assert [(f.kind, f.value) for f in project.figures.all()] == [("buildings", 12)]
    # The same stale form posted again is refused and changes nothing.
    data["name"] = "被覆盖"
    response = client.post(edit_url, data)
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode() or "其他人" in response.content.decode()
    project.refresh_from_db()
    assert project.name == "小昆山镇租赁住房项目"


def test_district_coordinator_cannot_create_in_another_district(login, world):
    client = login(world.sj_coordinator)
    response = client.post(
        reverse("portfolio:project-create"),
        {"code": "MH-009", "name": "越界项目", "category": "industrial", "area": world.minhang.pk, "stage": "reserve"},
    )
    assert response.status_code == 200
    assert not Project.objects.filter(code="MH-009").exists()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_project_list_query_count_does_not_grow_with_projects(login, world):
    client = login(world.coordinator)
    url = reverse("portfolio:project-list")
    client.get(url)  # warm the session and content-type caches
    few = _count_queries(client, url)
    for i in range(30):
        project = ProjectFactory(area=world.songjiang, lead_leader=world.leader, responsible_unit=world.sj_bureau)
        MilestoneFactory(project=project)
        MilestoneFactory(project=project, planned_date=timezone.localdate() - datetime.timedelta(days=i + 1))
    many = _count_queries(client, url)
    assert many == few
    assert many <= 15


def test_project_detail_query_count_does_not_grow_with_nodes_and_history(login, world):
    from groundbreak.schedule.actions import replan_milestone
    from tests.factories import reason

    def add_replanned_node(i):
        milestone = MilestoneFactory(
            project=world.sj_project, planned_date=timezone.localdate() + datetime.timedelta(days=i)
        )
        replan_milestone(
            milestone=milestone,
            new_date=milestone.planned_date + datetime.timedelta(days=30),
            reason=reason(),
            by=world.coordinator,
        )

    client = login(world.coordinator)
    url = reverse("portfolio:project-detail", args=["SJ-001"])
    add_replanned_node(0)
    client.get(url)
    few = _count_queries(client, url)
    for i in range(1, 16):
        add_replanned_node(i)
    many = _count_queries(client, url)
    assert many == few
    assert many <= 26


def test_project_detail_names_the_override_in_force(login, world):
    from groundbreak.portfolio import actions

    today = timezone.localdate()
    # An override on another project first, so that the ids of override and project differ.
    actions.override_light(
        project=world.mh_project, light="yellow", reason="闵行另案", expires_on=today, by=world.coordinator
    )
    actions.override_light(
        project=world.sj_project, light="red", reason="征地补偿未到位，人工亮红", expires_on=today, by=world.coordinator
    )
    response = login(world.coordinator).get(reverse("portfolio:project-detail", args=["SJ-001"]))
    assert response.context["override"].reason == "征地补偿未到位，人工亮红"
    assert "征地补偿未到位，人工亮红" in response.content.decode()
    assert "闵行另案" not in response.content.decode()
