"""The public open-data pages as an anonymous visitor sees them, and publishing from the project page."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundbreak.audit.models import ObjectChange
from groundbreak.exchange.oc4ids import validate_package
from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import Project
from groundbreak.portfolio.publishing import publish_project
from tests.factories import MilestoneFactory, ProjectFactory, kind


@pytest.fixture
def public(world):
    p = world.sj_project
    p.is_public = True
    p.stage = Stage.CONSTRUCTION
    p.total_investment = Decimal("3500000000")
    p.planned_end = timezone.localdate() + datetime.timedelta(days=400)
    p.save()
    today = timezone.localdate()
    MilestoneFactory(project=p, kind=kind("construction_permit"), planned_date=today, actual_date=today)
    MilestoneFactory(project=p, kind=kind("groundbreaking"), planned_date=today - datetime.timedelta(days=2))
    MilestoneFactory(project=p, kind=kind("topping_out"), planned_date=today + datetime.timedelta(days=90))
    world.other_public = ProjectFactory(code="MH-PUB", name="闵行公开项目", area=world.minhang, is_public=True)
    return world


def test_anonymous_visitors_see_the_published_projects(client, public):
    response = client.get(reverse("exchange:opendata-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "G60 Kechuang Cloud Gallery phase II" in body and "闵行公开项目" in body
    assert "MH-001" not in body and "闵行实事项目" not in body  # not published
    assert 'class="table-wrap"' in body
    assert reverse("exchange:opendata-oc4ids") in body and reverse("exchange:opendata-geojson") in body
    assert "light-red" not in body  # the public page shows no warning lights


def test_open_data_list_search_and_stage(client, public):
    body = client.get(reverse("exchange:opendata-list"), {"q": "云廊"}).content.decode()
    assert "SJ-001" in body and "MH-PUB" not in body
    body = client.get(reverse("exchange:opendata-list"), {"stage": "reserve"}).content.decode()
    assert "MH-PUB" in body and "SJ-001" not in body
    body = client.get(reverse("exchange:opendata-list"), {"q": "闵行实事"}).content.decode()
    assert "MH-001" not in body


def test_open_data_list_is_paginated(client, public, settings):
    settings.PAGE_SIZE = 1
    first = client.get(reverse("exchange:opendata-list")).content.decode()
    second = client.get(reverse("exchange:opendata-list"), {"page": 2}).content.decode()
    assert ("MH-PUB" in first) != ("MH-PUB" in second)
    assert ("SJ-001" in first) != ("SJ-001" in second)
    assert 'rel="next"' in first


def test_public_pages_take_the_same_queries_for_more_projects(client, public):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    list_url = reverse("exchange:opendata-list")
    detail_url = reverse("exchange:opendata-detail", args=["SJ-001"])
    few = queries(list_url), queries(detail_url)
    for i in range(5):
        ProjectFactory(code=f"PUB-{i}", area=public.songjiang, zone=public.city, is_public=True)
        MilestoneFactory(project=public.sj_project, kind=kind("topping_out"))
    assert (queries(list_url), queries(detail_url)) == few


def test_open_data_list_when_nothing_is_published(client, world):
    response = client.get(reverse("exchange:opendata-list"))
    assert response.status_code == 200
    assert reverse("exchange:opendata-oc4ids") not in response.content.decode()
    assert client.get(reverse("exchange:opendata-oc4ids")).status_code == 404


def test_public_project_page(client, public):
    response = client.get(reverse("exchange:opendata-detail", args=["SJ-001"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "G60科创云廊二期" in body and "Songjiang" in body
    assert 'data-status="met"' in body and 'data-status="notMet"' in body and 'data-status="scheduled"' in body
    assert 'class="table-wrap"' in body
    assert "王明" not in body  # no people on public pages


def test_unpublished_and_unknown_projects_are_not_found(client, public):
    assert client.get(reverse("exchange:opendata-detail", args=["MH-001"])).status_code == 404
    assert client.get(reverse("exchange:opendata-detail", args=["NOPE"])).status_code == 404


def test_public_pages_render_in_chinese(client, public):
    body = client.get(reverse("exchange:opendata-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "G60科创云廊二期" in body and "35.00 亿元" in body


def test_oc4ids_download_is_the_valid_package_of_published_projects(client, public):
    response = client.get(reverse("exchange:opendata-oc4ids"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    package = json.loads(response.content)
    assert not validate_package(package)
    assert package["uri"] == "http://testserver/open-data/oc4ids.json"
    assert {p["identifiers"][0]["id"] for p in package["projects"]} == {"SJ-001", "MH-PUB"}


# --- publishing --------------------------------------------------------------------------------


def test_coordinator_publishes_and_withdraws_from_the_project_page(login, world):
    client = login(world.sj_coordinator)
    url = reverse("exchange:project-publish", args=["SJ-001"])
    response = client.post(url, {"public": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("portfolio:project-detail", args=["SJ-001"])
    project = Project.objects.get(code="SJ-001")
    assert project.is_public
    assert client.get(reverse("exchange:opendata-detail", args=["SJ-001"])).status_code == 200
    change = ObjectChange.objects.filter(object_id=str(project.pk), action="update").first()
    assert change is not None and "is_public" in change.changes and change.actor == world.sj_coordinator

    client.post(url, {"public": "0"})
    assert not Project.objects.get(code="SJ-001").is_public
    assert client.get(reverse("exchange:opendata-detail", args=["SJ-001"])).status_code == 404


def test_viewer_may_not_publish(login, world):
    response = login(world.viewer).post(reverse("exchange:project-publish", args=["SJ-001"]), {"public": "1"})
    assert response.status_code == 403
    assert not Project.objects.get(code="SJ-001").is_public


def test_coordinator_of_another_district_does_not_find_the_project(login, world):
    response = login(world.mh_coordinator).post(reverse("exchange:project-publish", args=["SJ-001"]), {"public": "1"})
    assert response.status_code == 404
    assert not Project.objects.get(code="SJ-001").is_public


def test_publishing_needs_a_login_and_a_post(client, login, world):
    url = reverse("exchange:project-publish", args=["SJ-001"])
    response = client.post(url, {"public": "1"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert login(world.sj_coordinator).get(url).status_code == 405
    assert not Project.objects.get(code="SJ-001").is_public


def test_a_bad_publish_form_changes_nothing(login, world):
    response = login(world.sj_coordinator).post(reverse("exchange:project-publish", args=["SJ-001"]), {"public": "x"})
    assert response.status_code == 302
    assert not Project.objects.get(code="SJ-001").is_public


def test_publish_action_checks_role_and_scope(world):
    with pytest.raises(PermissionDenied):
        publish_project(project=world.sj_project, public=True, by=world.viewer)
    with pytest.raises(ObjectDoesNotExist):
        publish_project(project=world.sj_project, public=True, by=world.mh_coordinator)
    assert not Project.objects.get(code="SJ-001").is_public

    version = world.sj_project.version
    publish_project(project=world.sj_project, public=True, by=world.sj_coordinator)
    assert world.sj_project.is_public and world.sj_project.version == version + 1
    publish_project(project=world.sj_project, public=True, by=None)  # already published: nothing changes
    assert world.sj_project.version == version + 1


def test_publish_button_fragment(world):
    request = RequestFactory().get("/")
    request.user = world.sj_coordinator
    html = render_to_string(
        "exchange/opendata/_publish_button.html",
        {"project": world.sj_project, "can": {"project_publish": True}},
        request=request,
    )
    assert reverse("exchange:project-publish", args=["SJ-001"]) in html
    assert 'name="public" value="1"' in html and "csrfmiddlewaretoken" in html

    world.sj_project.is_public = True
    html = render_to_string(
        "exchange/opendata/_publish_button.html", {"project": world.sj_project, "can": {}}, request=request
    )
    assert reverse("exchange:opendata-detail", args=["SJ-001"]) in html
    assert "<form" not in html
    # A project-page section can pass the permission on its own, as `can_publish`.
    html = render_to_string(
        "exchange/opendata/_publish_button.html", {"project": world.sj_project, "can_publish": True}, request=request
    )
    assert 'name="public" value="0"' in html
