"""Every resource read through the API, with the same scoping, filters and totals as the pages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from groundbreak.portfolio import actions
from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import KeyFigure
from groundbreak.schedule.actions import replan_milestone
from tests.factories import KeyListFactory, MilestoneFactory, ProjectFactory, kind, reason


def codes(answer):
    return [row["code"] for row in answer.body["results"]]


def page_codes(client, user, params):
    """The project codes the project list page shows for the same filter."""
    client.force_login(user)
    response = client.get(reverse("portfolio:project-list"), params)
    return sorted(p.code for p in response.context["page"].object_list)


@pytest.fixture
def overdue(world):
    return MilestoneFactory(project=world.sj_project, planned_date=timezone.localdate() - datetime.timedelta(days=2))


def test_project_list_is_scoped(world, api):
    assert codes(api(world.coordinator).get("/projects")) == ["MH-001", "SJ-001"]
    assert codes(api(world.sj_coordinator).get("/projects")) == ["SJ-001"]
    assert codes(api(world.mh_coordinator).get("/projects")) == ["MH-001"]
    assert codes(api(world.leader_user).get("/projects")) == ["SJ-001"]  # the one they lead
    assert codes(api(world.owner).get("/projects")) == ["SJ-001"]  # their unit owns it


@pytest.mark.parametrize(
    "params",
    [
        {"light": "red"},
        {"light": "green"},
        {"stage": "signed"},
        {"stage": ["reserve", "signed"]},
        {"q": "云廊"},
        {"q": "mh-"},
        {"area": "songjiang"},
        {"area": "city"},
        {"category": "industrial", "status": "active"},
    ],
)
def test_filters_give_what_the_page_gives(world, api, client, overdue, params):
    ProjectFactory(code="SJ-002", area=world.songjiang, stage=Stage.SIGNED)
    if "area" in params:
        params = {**params, "area": getattr(world, params["area"]).pk}
    answer = api(world.coordinator).get("/projects", **params)
    assert answer.status == 200
    assert sorted(codes(answer)) == page_codes(client, world.coordinator, params)
    assert answer.body["count"] == len(codes(answer))


def test_filter_outside_the_callers_scope_is_refused(world, api):
    answer = api(world.mh_coordinator).get("/projects", area=world.songjiang.pk)
    assert answer.status == 422
    assert "area" in answer.body["errors"]


def test_sorting_and_pagination(world, api):
    for i in range(7):
        ProjectFactory(code=f"SJ-1{i:02d}", area=world.songjiang, total_investment=1000 * (7 - i))
    client = api(world.sj_coordinator)
    first = client.get("/projects", limit=3, sort="-code")
    assert first.body["count"] == 8
    assert codes(first) == ["SJ-106", "SJ-105", "SJ-104"]
    rest = client.get("/projects", limit=3, offset=6, sort="-code")
    assert codes(rest) == ["SJ-100", "SJ-001"]
    # SJ-001 has no investment: where empty values sort differs between SQLite and PostgreSQL.
    by_investment = client.get("/projects", sort="investment", limit=2, q="SJ-1")
    assert codes(by_investment) == ["SJ-106", "SJ-105"]
    assert client.get("/projects", limit=201).status == 422
    assert client.get("/projects", sort="password").status == 422
    beyond = client.get("/projects", offset=100)
    assert beyond.status == 200 and beyond.body["results"] == [] and beyond.body["count"] == 8


def test_project_detail_has_figures_history_lists_and_light(world, api, overdue):
    actions.change_stage(project=world.sj_project, to_stage=Stage.SIGNED, on=timezone.localdate(), by=world.coordinator)
    KeyFigure.objects.create(project=world.sj_project, kind="buildings", value=Decimal("12"), unit="栋")
    key_list = KeyListFactory(area=world.city, name="2026年市重大项目")
    actions.set_membership(key_list=key_list, project=world.sj_project, annual_investment_plan=500, by=None)
    phase = ProjectFactory(code="SJ-001-2", area=world.songjiang, parent=world.sj_project)
    body = api(world.coordinator).get("/projects/SJ-001").body
    assert body["stage"] == "signed" and body["light"] == "red"
    assert [(f["kind"], f["value"], f["unit"]) for f in body["key_figures"]] == [("buildings", "12.00", "栋")]
    assert [(h["from_stage"], h["to_stage"], h["by"]) for h in body["stage_history"]] == [
        ("reserve", "signed", "coord")
    ]
    assert body["memberships"][0]["key_list"]["name"] == "2026年市重大项目"
    assert body["memberships"][0]["annual_investment_plan"] == "500.00"
    assert [p["code"] for p in body["phases"]] == [phase.code]
    assert {"rule": "node_overdue", "light": "red"}.items() <= body["light_reasons"][0].items()
    assert [s["stage"] for s in body["pipeline"] if s["done"]] == ["reserve"]
    assert body["lead_leader"]["name"] == "王明"


def test_milestones_with_light_and_replan_history(world, api, overdue):
    due = MilestoneFactory(project=world.sj_project, kind=kind("groundbreaking"))
    replan_milestone(milestone=due, new_date=due.planned_date + datetime.timedelta(days=9), reason=reason(), by=None)
    client = api(world.sj_coordinator)
    listed = client.get("/projects/SJ-001/milestones")
    assert [(m["id"], m["light"]) for m in listed.body["results"]] == [(overdue.pk, "red"), (due.pk, "green")]
    detail = client.get(f"/projects/SJ-001/milestones/{due.pk}")
    assert detail.headers["ETag"] == 'W/"2"'
    assert detail.body["kind"]["code"] == "groundbreaking"
    assert detail.body["slip_days"] == 9 and detail.body["replan_count"] == 1
    assert [(r["old_date"], r["new_date"], r["reason"]["code"]) for r in detail.body["replans"]] == [
        (due.baseline_date.isoformat(), detail.body["planned_date"], "approvals")
    ]
    everything = api(world.coordinator).get("/milestones", light="red", open="true")
    assert [m["id"] for m in everything.body["results"]] == [overdue.pk]
    assert everything.body["results"][0]["project"] == "SJ-001"


def test_milestone_of_a_project_out_of_scope_is_not_found(world, api, overdue):
    client = api(world.mh_coordinator)
    assert client.get(f"/projects/SJ-001/milestones/{overdue.pk}").status == 404
    assert client.get("/projects/SJ-001/milestones").status == 404
    assert client.get("/milestones").body["count"] == 0
    # A node asked for through another project is not found either.
    assert api(world.coordinator).get(f"/projects/MH-001/milestones/{overdue.pk}").status == 404


def test_key_lists_and_memberships(world, api):
    key_list = KeyListFactory(area=world.city, name="2026年市重大项目")
    actions.set_membership(key_list=key_list, project=world.sj_project, annual_investment_plan=300, by=None)
    actions.set_membership(key_list=key_list, project=world.mh_project, annual_investment_plan=200, by=None)
    empty = KeyListFactory(area=world.city)
    city = api(world.coordinator)
    # The list without a project the coordinator sees is left out, and counted out.
    listed = city.get("/key-lists").body
    assert [(k["name"], k["project_count"]) for k in listed["results"]] == [("2026年市重大项目", 2)]
    assert listed["count"] == 1
    assert [k["project_count"] for k in api(world.sj_coordinator).get("/key-lists").body["results"]] == [1]
    detail = city.get(f"/key-lists/{key_list.pk}").body
    assert detail["project_count"] == 2 and detail["totals"]["annual_investment_plan"] == "500.00"
    members = city.get(f"/key-lists/{key_list.pk}/memberships").body
    assert [(m["project"]["code"], m["project"]["light"]) for m in members["results"]] == [
        ("MH-001", "green"),
        ("SJ-001", "green"),
    ]
    district = api(world.sj_coordinator)
    assert district.get(f"/key-lists/{key_list.pk}").body["totals"]["annual_investment_plan"] == "300.00"
    assert [m["project"]["code"] for m in district.get(f"/key-lists/{key_list.pk}/memberships").body["results"]] == [
        "SJ-001"
    ]
    # A list none of whose projects a read-only user sees does not exist for them.
    assert api(world.viewer).get(f"/key-lists/{empty.pk}").status == 404


def test_areas_units_and_people(world, api):
    district = api(world.sj_coordinator)
    areas = district.get("/areas").body
    assert [(a["name_en"], a["project_count"]) for a in areas["results"]] == [("Songjiang", 1)]
    # The city's coordinator: no project sits on the city itself, one on each district.
    city_areas = api(world.coordinator).get("/areas").body
    assert {a["name_en"]: a["project_count"] for a in city_areas["results"]} == {
        "Shanghai": 0,
        "Songjiang": 1,
        "Minhang": 1,
    }
    assert city_areas["count"] == 3
    assert district.get(f"/areas/{world.minhang.pk}").status == 404
    songjiang = district.get(f"/areas/{world.songjiang.pk}").body
    assert songjiang["ancestors"][0]["name_en"] == "Shanghai"
    assert songjiang["project_count"] == 1 and songjiang["light_counts"]["green"] == 1

    units = [u["name"] for u in district.get("/units").body["results"]]
    assert "松江区发改委" in units and "闵行区发改委" not in units
    assert district.get(f"/units/{world.mh_bureau.pk}").status == 404
    assert district.get(f"/units/{world.sj_bureau.pk}").body["project_count"] == 1

    people = district.get("/people", leaders="true").body
    assert [p["name"] for p in people["results"]] == ["王明"]
    person = district.get(f"/people/{world.leader.pk}").body
    assert [p["code"] for p in person["led_projects"]] == ["SJ-001"]
    assert api(world.mh_coordinator).get(f"/people/{world.leader.pk}").status == 404


def test_me_tells_role_scope_and_permissions(world, api):
    me = api(world.viewer).get("/me").body
    assert me["role"] == "viewer" and me["permissions"] == []
    assert me["scope_area"]["name_en"] == "Shanghai"
    admin = api(world.admin).get("/me").body
    assert admin["sees_everything"] and "project.create" in admin["permissions"]


def test_reference_lists(world, api):
    client = api(world.viewer)
    assert "groundbreaking" in [k["code"] for k in client.get("/milestone-kinds").body]
    assert "approvals" in [r["code"] for r in client.get("/replan-reasons").body]
