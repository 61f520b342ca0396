"""A coordinator's morning, in a real browser: log in, filter, open a project, complete a node,
re-plan another, and watch the project's light change from red to yellow to green."""

import datetime

import pytest
from django.utils import timezone

from groundbreak.schedule.models import Milestone
from tests.browser.conftest import screenshot
from tests.factories import TEST_PASSWORD, MilestoneFactory, kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def login(page, username):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/my-work/")


def light_of(page):
    return page.locator("#project-light .light").get_attribute("class")


def test_complete_and_replan_change_the_light(page, world):
    today = timezone.localdate()
    overdue = MilestoneFactory(
        project=world.sj_project, kind=kind("land_handover"), planned_date=today - datetime.timedelta(days=5)
    )
    due_soon = MilestoneFactory(
        project=world.sj_project, kind=kind("demolition_cleared"), planned_date=today + datetime.timedelta(days=5)
    )

    login(page, "coord")
    page.goto(page.base_url + "/projects/")
    assert page.locator("#project-table tr[data-code=MH-001]").count() == 1

    # Filter by the red light: only the Songjiang project is red.
    page.click("a[data-light-count=red]")
    page.wait_for_url("**light=red**")
    page.wait_for_selector("#project-table tr[data-code=SJ-001]")
    assert page.locator("#project-table tr[data-code=MH-001]").count() == 0
    screenshot(page, "project-list-red")

    page.click("#project-table tr[data-code=SJ-001] a >> nth=0")
    page.wait_for_url("**/projects/SJ-001/")
    assert "light-red" in light_of(page)

    # Complete the overdue node: the project is now only at risk (yellow).
    node = page.locator(f"li[data-milestone='{overdue.pk}']")
    node.locator("summary", has_text="Mark as met").click()
    form = node.locator("form[action$='/complete/']")
    form.locator("input[name=actual_date]").fill(today.isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".messages")
    assert "light-yellow" in light_of(page)

    # Re-plan the node due soon well into the future: the project turns green.
    node = page.locator(f"li[data-milestone='{due_soon.pk}']")
    node.locator("summary", has_text="Re-plan").click()
    form = node.locator("form[action$='/replan/']")
    form.locator("input[name=new_date]").fill((today + datetime.timedelta(days=60)).isoformat())
    form.locator("select[name=reason]").select_option(label="Approvals delayed")
    form.locator("textarea[name=note]").fill("Waiting for the planning bureau")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".messages")
    assert "light-green" in light_of(page)
    screenshot(page, "project-detail-after-replan")

    overdue.refresh_from_db()
    due_soon.refresh_from_db()
    assert overdue.actual_date == today
    assert due_soon.planned_date == today + datetime.timedelta(days=60)
    assert due_soon.baseline_date == today + datetime.timedelta(days=5)
    assert Milestone.objects.get(pk=due_soon.pk).replans.get().reason.code == "approvals"
    # The change history, folded by default, names the re-plan once opened.
    page.click("#history > summary")
    assert page.locator("#history").inner_text().count("Waiting for the planning bureau") >= 1


def test_project_list_on_a_phone(phone, world):
    login(phone, "coord")
    phone.goto(phone.base_url + "/projects/")
    assert phone.locator("#project-table tr[data-code=SJ-001]").is_visible()
    # No horizontal scrolling of the whole page on a 390 px screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone, "project-list-phone")
