"""A month's report in real browsers: the owner fills it in on a phone, the coordinator returns
it, the owner fixes and resubmits it, the responsible unit reviews it and the coordinator accepts."""

import datetime

import pytest

from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import Project
from groundbreak.reporting import round_actions
from groundbreak.reporting.models import Report
from tests.browser.conftest import screenshot
from tests.browser.test_walkthrough import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def switch_to(page, username):
    """Log the current user out, then log in as `username`."""
    page.locator("form[action$='/accounts/logout/'] button").first.click()
    page.wait_for_url("**/accounts/login/**")
    login(page, username)


def status_of(page) -> str:
    return page.locator("#report-status [data-status]").get_attribute("data-status")


def test_submit_return_resubmit_accept(page, phone, world):
    Project.objects.filter(pk=world.sj_project.pk).update(stage=Stage.CONSTRUCTION)
    today = datetime.date.today()
    round = round_actions.open_round(
        area=world.songjiang,
        period_start=today.replace(day=1),
        period_end=today,
        due_on=today + datetime.timedelta(days=5),
        by=world.sj_coordinator,
    )
    report = Report.objects.get(round=round, project=world.sj_project)

    # The owner, on a phone: the report waits in their queue.
    login(phone, "owner")
    phone.goto(phone.base_url + "/reports/")
    phone.click(f"#to-fill li[data-report='{report.pk}'] a")
    phone.wait_for_url(f"**/reports/{report.pk}/edit/")
    phone.fill("input[name=investment]", "1500000")
    phone.fill("input[name=physical_progress]", "35")
    phone.fill("input[name=workers_on_site]", "205")
    phone.fill("textarea[name=progress]", "地下工程已完成，地面工程施工、管道铺设")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    screenshot(phone, "report-form-phone")
    phone.click("button[name=submit]")
    phone.wait_for_url(f"**/reports/{report.pk}/")
    assert status_of(phone) == "submitted"

    # The city's coordinator returns it with a reason, after a confirmation page.
    login(page, "coord")
    page.goto(page.base_url + f"/reports/{report.pk}/")
    page.click(f"a[href$='/reports/{report.pk}/return/']")
    page.fill("textarea[name=reason]", "Attach a site photo and check the investment")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/reports/{report.pk}/")
    assert status_of(page) == "returned"

    # The owner sees the reason, fixes the figure and submits again.
    phone.goto(phone.base_url + f"/reports/{report.pk}/")
    assert "Attach a site photo" in phone.locator("#returned").inner_text()
    phone.click(f"a[href$='/reports/{report.pk}/edit/']")
    phone.fill("input[name=investment]", "1400000")
    phone.click("button[name=submit]")
    phone.wait_for_url(f"**/reports/{report.pk}/")
    assert status_of(phone) == "submitted"

    # The responsible unit approves at its level, the coordinator accepts.
    switch_to(page, "sj-unit")
    page.goto(page.base_url + "/reports/")
    page.click(f"#review-table tr[data-report='{report.pk}'] a")
    page.click("#review form[action$='/approve/'] button")
    page.wait_for_selector(".messages")
    assert status_of(page) == "reviewed"
    switch_to(page, "coord")
    page.goto(page.base_url + f"/reports/{report.pk}/")
    page.click("#review form[action$='/approve/'] button")
    page.wait_for_selector(".messages")
    assert status_of(page) == "accepted"
    screenshot(page, "report-accepted")

    report.refresh_from_db()
    assert report.accepted.investment == 1400000
    assert list(report.events.values_list("kind", flat=True)) == [
        "report.submitted",
        "report.returned",
        "report.resubmitted",
        "report.reviewed",
        "report.accepted",
    ]
