"""Projects on a map: the GeoJSON the battle map reads (scoped, filtered, with lights) and the
public and command-line downloads."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundbreak.exchange.geojson import feature_collection, write_geojson
from groundbreak.portfolio.models import Project
from tests.factories import MilestoneFactory, ProjectFactory, kind


@pytest.fixture
def mapped(world):
    """Both districts' projects with coordinates, one Songjiang project without, one red."""
    for project, lat, lon in ((world.sj_project, "31.0361", "121.2279"), (world.mh_project, "31.1122", "121.3817")):
        project.latitude, project.longitude = Decimal(lat), Decimal(lon)
        project.save()
    world.nowhere = ProjectFactory(code="SJ-002", name="无坐标项目", area=world.songjiang)
    MilestoneFactory(
        project=world.sj_project,
        kind=kind("groundbreaking"),
        planned_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    return world


def codes(collection) -> set[str]:
    return {f["properties"]["code"] for f in collection["features"]}


def test_feature_collection_is_rfc7946_points_with_longitude_first(mapped):
    collection = feature_collection(Project.objects.order_by("code"))
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946 removed it: WGS 84 is implied
    assert codes(collection) == {"MH-001", "SJ-001"}  # SJ-002 has no coordinates
    sj = next(f for f in collection["features"] if f["id"] == "SJ-001")
    assert sj["type"] == "Feature"
    assert sj["geometry"] == {"type": "Point", "coordinates": [121.2279, 31.0361]}
    assert sj["properties"] == {
        "code": "SJ-001",
        "name": "G60科创云廊二期",
        "name_en": "G60 Kechuang Cloud Gallery phase II",
        "stage": "reserve",
        "status": "active",
        "category": "industrial",
        "area": "松江区",
        "area_en": "Songjiang",
        "url": "/projects/SJ-001/",
    }


def test_light_is_a_property_only_when_annotated(mapped):
    annotated = feature_collection(Project.objects.with_light().order_by("code"))
    lights = {f["properties"]["code"]: f["properties"]["light"] for f in annotated["features"]}
    assert lights == {"MH-001": "green", "SJ-001": "red"}
    plain = feature_collection(list(Project.objects.select_related("area")))
    assert all("light" not in f["properties"] for f in plain["features"])
    assert codes(plain) == {"MH-001", "SJ-001"}


def test_feature_links_can_be_chosen(mapped):
    collection = feature_collection(Project.objects.all(), url=lambda p: f"https://example.org/{p.code}")
    assert {f["properties"]["url"] for f in collection["features"]} == {
        "https://example.org/MH-001",
        "https://example.org/SJ-001",
    }


def test_logged_in_geojson_is_scoped_to_the_user(login, mapped):
    response = login(mapped.mh_coordinator).get(reverse("exchange:projects-geojson"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert codes(json.loads(response.content)) == {"MH-001"}

    collection = json.loads(login(mapped.coordinator).get(reverse("exchange:projects-geojson")).content)
    assert codes(collection) == {"MH-001", "SJ-001"}
    assert {f["properties"]["code"]: f["properties"]["light"] for f in collection["features"]}["SJ-001"] == "red"


def test_logged_in_geojson_takes_the_project_list_filters(login, mapped):
    client = login(mapped.coordinator)
    red = json.loads(client.get(reverse("exchange:projects-geojson"), {"light": "red"}).content)
    assert codes(red) == {"SJ-001"}
    found = json.loads(client.get(reverse("exchange:projects-geojson"), {"q": "闵行"}).content)
    assert codes(found) == {"MH-001"}
    in_area = json.loads(client.get(reverse("exchange:projects-geojson"), {"area": mapped.minhang.pk}).content)
    assert codes(in_area) == {"MH-001"}


def test_asking_for_another_districts_area_is_refused(login, mapped):
    response = login(mapped.mh_coordinator).get(reverse("exchange:projects-geojson"), {"area": mapped.songjiang.pk})
    assert response.status_code == 400
    assert "area" in json.loads(response.content)["errors"]
    assert b"SJ-001" not in response.content


def test_logged_in_geojson_needs_a_login(client, mapped):
    response = client.get(reverse("exchange:projects-geojson"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logged_in_geojson_takes_the_same_queries_for_more_projects(login, mapped):
    client = login(mapped.coordinator)
    client.get(reverse("exchange:projects-geojson"))  # session and user are loaded once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("exchange:projects-geojson"))
    for i in range(6):
        ProjectFactory(code=f"SJ-M{i}", area=mapped.songjiang, latitude=Decimal("31"), longitude=Decimal("121"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("exchange:projects-geojson"))
    assert len(json.loads(response.content)["features"]) == 8
    assert len(few) == len(many)


def test_public_geojson_has_only_published_projects_and_no_lights(client, mapped):
    mapped.sj_project.is_public = True
    mapped.sj_project.save()
    response = client.get(reverse("exchange:opendata-geojson"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert response["Access-Control-Allow-Origin"] == "*"
    collection = json.loads(response.content)
    assert codes(collection) == {"SJ-001"}
    properties = collection["features"][0]["properties"]
    assert "light" not in properties
    assert properties["url"] == "http://testserver/open-data/SJ-001/"


def test_write_geojson_writes_every_project_with_coordinates(mapped, tmp_path):
    path = tmp_path / "projects.geojson"
    assert write_geojson(path) == 2
    text = path.read_text(encoding="utf-8")
    assert "松江区" in text
    collection = json.loads(text)
    assert collection["type"] == "FeatureCollection"
    assert codes(collection) == {"MH-001", "SJ-001"}
    assert all(f["properties"]["url"].startswith("http") for f in collection["features"])


def test_write_geojson_can_write_only_the_published_projects(mapped, tmp_path):
    mapped.mh_project.is_public = True
    mapped.mh_project.save()
    path = tmp_path / "public.geojson"
    assert write_geojson(path, public_only=True) == 1
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert codes(collection) == {"MH-001"}
    assert collection["features"][0]["properties"]["url"].endswith("/open-data/MH-001/")
