"""A leader's morning view in a real browser: the dashboard's charts lead to the projects (and the
reports) behind them, the battle map shows the projects with popups, a leader's page shows his
projects' reports. Screenshots land in test-artifacts/."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import screenshot
from tests.browser.test_walkthrough import login
from tests.factories import MilestoneFactory
from tests.insight.conftest import freeze, make_books

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_dashboard_chart_click_and_map_popup(page, world):
    today = timezone.localdate()
    MilestoneFactory(project=world.sj_project, planned_date=today - datetime.timedelta(days=2))
    world.sj_project.latitude, world.sj_project.longitude = 31.03, 121.22
    world.sj_project.save()
    world.mh_project.latitude, world.mh_project.longitude = 31.11, 121.38
    world.mh_project.save()

    login(page, "coord")
    page.goto(page.base_url + "/dashboard/")
    page.wait_for_selector("#chart-lights[data-ready='1'] svg")
    screenshot(page, "dashboard")

    # The chart draws on one SVG that hit-tests clicks itself: click where the segment is drawn.
    def click_drawn(selector):
        box = page.locator(selector).first.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    # The "reserve" bar of the pipeline chart opens the list of projects in reserve.
    page.wait_for_selector("#chart-pipeline[data-ready='1'] svg")
    click_drawn("#chart-pipeline svg path[fill='#b3261e']")
    page.wait_for_url("**/projects/?stage=reserve**")
    assert page.locator("#project-table tr[data-code=SJ-001]").count() == 1
    assert page.locator("#project-table tr[data-code=MH-001]").count() == 1
    # The red segment of the lights chart opens the list of red projects.
    page.go_back()
    page.wait_for_selector("#chart-lights[data-ready='1'] svg")
    page.locator("a[data-kpi=red]").click()
    page.wait_for_url("**/projects/?light=red**")
    assert page.locator("#project-table tr[data-code=SJ-001]").count() == 1
    assert page.locator("#project-table tr[data-code=MH-001]").count() == 0

    page.goto(page.base_url + "/map/")
    page.wait_for_selector("#battle-map[data-ready='2']")
    page.locator("[data-code='SJ-001']").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "SJ-001" in popup.inner_text()
    assert page.locator("[data-code='SJ-001']").get_attribute("data-light") == "red"
    screenshot(page, "battle-map")
    popup.locator("a").click()
    page.wait_for_url("**/projects/SJ-001/")


@pytest.fixture
def books(world, monkeypatch):
    freeze(monkeypatch)
    return make_books(world)


def test_investment_chart_click_and_leader_page(page, books):
    """Investment against plan by area (frozen on 20 March 2025, see tests/insight/conftest.py):
    clicking Songjiang's bar opens the list of Songjiang's projects."""
    login(page, "coord")
    page.goto(page.base_url + "/dashboard/")
    page.wait_for_selector("#chart-investment-area[data-ready='1'] svg")
    page.wait_for_selector("#chart-missing[data-ready='1'] svg")
    assert page.locator("[data-investment-total]").inner_text().startswith("¥3.6 m of ¥24.0 m")
    screenshot(page, "dashboard-investment")

    def click_drawn(selector):
        """Click where a chart draws a segment (the chart hit-tests on its own SVG), scrolled into view."""
        segment = page.locator(selector).first
        segment.scroll_into_view_if_needed()
        box = segment.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    # Songjiang's bar (25 %, ahead of the target) is drawn in blue, Minhang's (5.2 %) in amber.
    click_drawn("#chart-investment-area svg path[fill='#2f6fad']")
    page.wait_for_url(f"**/projects/?area={books.songjiang.pk}")
    assert page.locator("#project-table tr[data-code=SJ-001]").count() == 1
    assert page.locator("#project-table tr[data-code=MH-001]").count() == 0

    # The missing report's bar opens the round's missing reports of that unit.
    page.go_back()
    page.wait_for_selector("#chart-missing[data-ready='1'] svg")
    click_drawn("#chart-missing svg path[fill='#e8a200']")
    page.wait_for_url("**/reports/rounds/*/?unit=*&missing=on*")
    assert page.locator("#report-table tr[data-code=MH-004]").count() == 1
    assert page.locator("#report-table tr[data-code=MH-001]").count() == 0

    page.goto(page.base_url + f"/leaders/{books.leader2.pk}/")
    assert page.locator("#led-projects tr[data-code=MH-003] [data-report-status=accepted]").count() == 1
    assert page.locator("#leader-stats [data-count=behind]").inner_text() == "1"
    screenshot(page, "leader")
