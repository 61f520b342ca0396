"""The dashboard's figures are those of the project list filtered the same way, in bounded queries."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import Project
from tests.factories import MilestoneFactory, ProjectFactory
from tests.insight.conftest import grow

TODAY = timezone.localdate


def _list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.fixture
def portfolio(world):
    today = TODAY()
    later = today + datetime.timedelta(days=30)
    # Projects not yet due to start, so only the nodes below decide their lights.
    Project.objects.filter(pk__in=[world.sj_project.pk, world.mh_project.pk]).update(planned_start=later)
    late = ProjectFactory(area=world.songjiang, stage=Stage.CONSTRUCTION, lead_leader=world.leader)
    MilestoneFactory(project=late, planned_date=today - datetime.timedelta(days=3))
    soon = ProjectFactory(area=world.minhang, stage=Stage.SIGNED, planned_start=later)
    MilestoneFactory(project=soon, planned_date=today + datetime.timedelta(days=3))
    ProjectFactory(area=world.minhang, stage=Stage.CONSTRUCTION)
    return world


def test_every_dashboard_figure_links_to_a_list_with_the_same_count(client, portfolio):
    client.force_login(portfolio.coordinator)
    response = client.get(reverse("insight:dashboard"))
    assert response.status_code == 200
    lights = {row["light"]: row for row in response.context["lights"]}
    # By hand: SJ-001 and MH-001 (world) are green, the late one red, the one due soon yellow, the third green.
    assert {k: v["count"] for k, v in lights.items()} == {"red": 1, "yellow": 1, "green": 3}
    for row in response.context["lights"] + response.context["pipeline"]:
        assert _list_count(client, row["url"]) == row["count"]
    stages = {row["stage"]: row["count"] for row in response.context["pipeline"]}
    assert stages[Stage.CONSTRUCTION] == 2 and stages[Stage.RESERVE] == 2 and stages[Stage.SIGNED] == 1
    assert response.context["overdue_count"] == 1


def test_dashboard_filters_carry_into_its_links(client, portfolio):
    client.force_login(portfolio.coordinator)
    response = client.get(reverse("insight:dashboard"), {"area": portfolio.minhang.pk})
    assert response.context["total"] == 3
    for row in response.context["pipeline"]:
        assert f"area={portfolio.minhang.pk}" in row["url"]
        assert _list_count(client, row["url"]) == row["count"]


def test_dashboard_of_a_district_user_counts_only_their_district(client, portfolio):
    client.force_login(portfolio.mh_coordinator)
    response = client.get(reverse("insight:dashboard"))
    assert response.context["total"] == Project.objects.filter(area=portfolio.minhang).count() == 3
    assert response.context["overdue_count"] == 0


def test_area_ranking_compares_the_districts(client, portfolio):
    client.force_login(portfolio.coordinator)
    ranking = client.get(reverse("insight:dashboard")).context["ranking"]
    by_area = {row["area"].name: row for row in ranking}
    assert set(by_area) == {"松江区", "闵行区"}
    assert by_area["松江区"]["red"] == 1
    # Minhang: of its 3 projects only the third was due to start (100 days ago), and it has started.
    assert (by_area["闵行区"]["due"], by_area["闵行区"]["started"], by_area["闵行区"]["start_rate"]) == (1, 1, 100)
    # Songjiang: the late project was due and is under construction; SJ-001 is not due yet.
    assert (by_area["松江区"]["due"], by_area["松江区"]["started"]) == (1, 1)


def _queries(client, url):
    # The dashboard computed, not its kept figures (tests/insight/test_kept_figures.py).
    caches["figures"].clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["insight:dashboard", "insight:map", "insight:leaders"])
def test_insight_pages_run_a_bounded_number_of_queries(client, portfolio, name):
    client.force_login(portfolio.coordinator)
    url = reverse(name)
    client.get(url)
    few = _queries(client, url)
    for i in range(20):
        project = ProjectFactory(area=portfolio.songjiang if i % 2 else portfolio.minhang, lead_leader=portfolio.leader)
        MilestoneFactory(project=project, planned_date=TODAY() - datetime.timedelta(days=i + 1))
    assert _queries(client, url) == few


# Pinned: a page that starts looping over rows shows here first. (The Minhang coordinator's
# filter form offers his own district's areas and lists: fewer choices to look up.)
PINNED = {
    ("insight:dashboard", "coordinator"): 28,
    ("insight:dashboard", "mh_coordinator"): 26,
    ("insight:leaders", "coordinator"): 12,
    ("insight:leader-detail", "coordinator"): 14,
    ("insight:leader-detail", "leader_user"): 14,
}


@pytest.mark.parametrize(("name", "persona"), PINNED)
def test_query_counts_are_pinned_at_two_data_sizes(client, books, name, persona):
    """With reports, plans, key lists, issues and nodes: the same number of queries with 2 more
    projects and with 14 more (each with its own leader, unit and key list)."""
    client.force_login(getattr(books, persona))
    url = reverse(name, args=[books.leader.pk]) if name == "insight:leader-detail" else reverse(name)
    grow(books, 2)
    client.get(url)  # warm the session and content-type caches
    few = _queries(client, url)
    grow(books, 12)
    many = _queries(client, url)
    assert (few, many) == (PINNED[name, persona], PINNED[name, persona])


def test_map_page_works_without_tiles_and_geojson_is_scoped(client, portfolio):
    portfolio.sj_project.latitude, portfolio.sj_project.longitude = 31.03, 121.22
    portfolio.sj_project.save()
    client.force_login(portfolio.mh_coordinator)
    body = client.get(reverse("insight:map")).content.decode()
    assert "battle-map" in body and "leaflet.js" in body
    geojson = client.get(reverse("exchange:projects-geojson")).json()
    assert [f["properties"]["code"] for f in geojson["features"]] == []
