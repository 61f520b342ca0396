"""An on-site office meeting in a real browser: the coordinator records it with two difficulties,
the assigned unit answers from its own login, and the coordinator verifies and closes the issue."""

import datetime

import pytest
from django.utils import timezone

from groundbreak.coordination.models import Issue
from tests.browser.conftest import screenshot
from tests.browser.test_walkthrough import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def defaults(transactional_db):
    """What an earlier live-server test's flush removed: the content types the change log points
    to (their cached ids went with them) and the default categories and ladder."""
    from django.contrib.contenttypes.models import ContentType

    from groundbreak.coordination.defaults import install_defaults

    ContentType.objects.clear_cache()
    install_defaults()


def logout(page):
    page.click("header form[action$='/logout/'] button")
    page.wait_for_url("**/login/**")


def test_record_a_meeting_answer_from_the_unit_and_close(page, world):
    today = timezone.localdate()
    login(page, "coord")

    # Record the meeting.
    page.goto(page.base_url + "/engagements/new/")
    page.select_option("select[name=kind]", "office_meeting")
    page.fill("input[name=title]", "G60沿线重点项目现场办公会")
    page.fill("input[name=date]", today.isoformat())
    page.fill("input[name=place]", "G60科创云廊二期工地")
    page.select_option("select[name=projects]", label="G60 Kechuang Cloud Gallery phase II")
    page.fill("textarea[name=minutes]", "听取项目推进情况汇报。\n协调解决土地和供电问题。")
    page.click("main form button[type=submit].primary")
    page.wait_for_url("**/engagements/*/#outcomes")

    # The issues raised, in the one form on the meeting's page.
    deadlines = [today + datetime.timedelta(days=10), today + datetime.timedelta(days=20)]
    for row, (title, category, unit, deadline) in enumerate(
        [
            ("土地交付滞后", "Land", "松江区发改委", deadlines[0]),
            ("双回路供电未落实", "Utilities and infrastructure", "市重大办", deadlines[1]),
        ]
    ):
        fieldset = page.locator(f"fieldset[data-row=issue-{row}]")
        fieldset.locator("select[name$=-project]").select_option(label="G60 Kechuang Cloud Gallery phase II")
        fieldset.locator("input[name$=-title]").fill(title)
        fieldset.locator("select[name$=-category]").select_option(label=category)
        fieldset.locator("select[name$=-lead_unit]").select_option(label=unit)
        fieldset.locator("input[name$=-deadline]").fill(deadline.isoformat())
    page.locator("fieldset[data-row=decision-0] textarea").fill("九月底前完成土地交付")
    page.click("#outcomes button[type=submit]")
    page.wait_for_selector(".messages .msg-success")
    assert page.locator("#issues tr[data-issue]").count() == 2
    screenshot(page, "engagement-with-outcomes")
    logout(page)

    # The Songjiang bureau answers from its inbox and marks its issue resolved.
    login(page, "sj-unit")
    page.goto(page.base_url + "/supervision/inbox/")
    card = page.locator("#inbox li.card", has_text="土地交付滞后")
    assert page.locator("#inbox li.card").count() == 1  # the other one is the headquarters'
    card.locator("summary", has_text="Respond").click()
    card.locator("form[action$='/respond/'] textarea[name=text]").fill("已完成地块测绘，正在办理交付手续")
    card.locator("form[action$='/respond/'] button[type=submit]").click()
    page.wait_for_selector(".messages .msg-success")
    card = page.locator("#inbox li.card", has_text="土地交付滞后")
    assert card.get_attribute("data-status") == "in_progress"
    card.locator("summary", has_text="Mark resolved").click()
    card.locator("form[action$='/resolve/'] textarea[name=resolution]").fill("土地已交付")
    card.locator("form[action$='/resolve/'] button[type=submit]").click()
    page.wait_for_selector(".messages .msg-success")
    assert page.locator("#inbox li.card").count() == 0
    screenshot(page, "inbox-after-resolving")
    logout(page)

    # The coordinator finds it awaiting verification and closes it.
    login(page, "coord")
    page.goto(page.base_url + "/supervision/")
    page.click("a:has-text('awaiting verification')")
    page.wait_for_url("**status=resolved**")
    page.click("#issue-list a:has-text('土地交付滞后')")
    page.wait_for_selector("#issue-status[data-status=resolved]")
    assert "已完成地块测绘" in page.locator("#responses").inner_text()
    page.fill("form[action$='/verify/'] textarea[name=note]", "现场核实，土地已交付")
    page.click("form[action$='/verify/'] button[type=submit]")
    page.wait_for_selector("#issue-status[data-status=closed]")
    assert "verified and closed" in page.locator("#timeline").inner_text()
    screenshot(page, "issue-closed")

    closed, still_open = Issue.objects.order_by("id")
    assert (closed.status, closed.closed_on, still_open.status) == ("closed", today, "open")


def test_calendar_is_a_list_on_a_phone(phone, world):
    from groundbreak.coordination.engagement_actions import create_engagement

    create_engagement(
        by=world.coordinator,
        kind="site_visit",
        title="节后首个工作日大调研",
        date=timezone.localdate(),
        projects=[world.sj_project],
    )
    login(phone, "coord")
    phone.goto(phone.base_url + "/engagements/calendar/")
    assert not phone.locator("#calendar").is_visible()
    assert phone.locator("#calendar-list").is_visible()
    assert "节后首个工作日大调研" in phone.locator("#calendar-list").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the screen
    screenshot(phone, "calendar-phone")


def test_raise_an_issue_on_a_project_found_by_searching(page, world, monkeypatch):
    """Beyond the picker's limit (a province's 50,000 projects; here one, so the world's two are
    too many) the project is found by typing, then chosen from what the search put in the list."""
    from groundbreak.portfolio.pickers import ProjectPicker

    monkeypatch.setattr(ProjectPicker, "limit", 1)
    login(page, "coord")
    page.goto(page.base_url + "/issues/new/")
    options = page.locator("select[name=project] option")
    assert options.count() == 1
    page.fill("input[name=project__search]", "mh-00")
    page.wait_for_selector(f"select[name=project] option[value='{world.mh_project.pk}']", state="attached")
    assert options.count() == 2  # the empty choice and the one match; SJ-001 is not offered
    page.select_option("select[name=project]", str(world.mh_project.pk))
    page.fill("input[name=title]", "征地拆迁进度滞后")
    page.select_option("select[name=category]", label="Land")
    page.click("main form button[type=submit].primary")
    page.wait_for_url("**/issues/*/")
    assert Issue.objects.get(title="征地拆迁进度滞后").project == world.mh_project
