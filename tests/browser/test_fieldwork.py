"""Snap-and-report on a phone in a real browser: the page's script reads the position, the
nearest projects come back to confirm, and the photo is sent; the coordinator then triages it."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from groundbreak.fieldwork.models import SnapReport
from tests.browser.conftest import screenshot
from tests.browser.test_walkthrough import login
from tests.fieldwork.conftest import NEAR, SJ_LAT, SJ_LON

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def defaults(transactional_db):
    """What an earlier live-server test's flush removed: cached content types and the defaults."""
    from django.contrib.contenttypes.models import ContentType

    from groundbreak.coordination.defaults import install_defaults

    ContentType.objects.clear_cache()
    install_defaults()


def test_snap_from_a_phone_and_triage_it(phone, world, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    world.sj_project.latitude, world.sj_project.longitude = SJ_LAT, SJ_LON
    world.sj_project.save()
    context = phone.context
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": NEAR[0], "longitude": NEAR[1], "accuracy": 18})
    photo = tmp_path / "site.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (150, 90, 40)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    login(phone, "sj-unit")
    phone.goto(phone.base_url + "/field/snap/")
    suggestion = phone.locator("#project-choice input[type=radio][name=project]")
    suggestion.first.wait_for()
    assert "SJ-001" in phone.inner_text("#project-choice")
    assert phone.input_value("input[name=latitude]") == f"{NEAR[0]:.6f}"
    phone.set_input_files("input[name=photo]", str(photo))
    phone.fill("textarea[name=text]", "脚手架连墙件缺失")
    suggestion.first.check()
    screenshot(phone, "fieldwork-snap")
    phone.click("#snap-form button[type=submit]")
    phone.wait_for_url("**/field/snaps/*/")
    snap = SnapReport.objects.get()
    assert snap.issue.project == world.sj_project and snap.accuracy == 18
    assert phone.locator("img.snap-photo").evaluate("img => img.naturalWidth") == 60

    phone.click("header form[action$='/logout/'] button")
    login(phone, "sj-coord")
    phone.goto(phone.base_url + "/field/snaps/triage/")
    row = phone.locator(f"[data-snap='{snap.pk}']")
    screenshot(phone, "fieldwork-triage-queue")
    row.locator("select[name=lead_unit]").select_option(str(world.sj_bureau.pk))
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    row.locator("input[name=deadline]").fill(deadline.isoformat())
    row.locator(".triage-form button[type=submit]").click()
    phone.wait_for_load_state()
    screenshot(phone, "fieldwork-triaged")
    snap.issue.refresh_from_db()
    assert snap.issue.lead_unit == world.sj_bureau and snap.issue.deadline == deadline


def test_fill_in_a_safety_checklist_on_a_phone(phone, world, tmp_path, settings):
    from groundbreak.coordination.models import Issue
    from groundbreak.fieldwork.defaults import install_defaults

    settings.MEDIA_ROOT = tmp_path
    install_defaults()
    login(phone, "sj-coord")
    phone.goto(phone.base_url + "/field/inspections/new/")
    phone.select_option("select[name=project]", str(world.sj_project.pk))
    phone.click("main form button[type=submit]")
    phone.wait_for_url("**/field/inspections/*/")
    for item in phone.locator("li.check-item").all():
        code = item.get_attribute("data-item")
        item.locator(f"input[value={'fail' if code == 'fire' else 'pass'}]").check()
    phone.locator("li[data-item=fire] textarea").fill("灭火器过期")
    phone.select_option("select[name=lead_unit]", str(world.sj_bureau.pk))
    deadline = timezone.localdate() + datetime.timedelta(days=7)
    phone.fill("input[name=deadline]", deadline.isoformat())
    screenshot(phone, "fieldwork-checklist")
    phone.click("#checklist button[type=submit]")
    phone.wait_for_selector("#inspection-status[data-submitted]")
    screenshot(phone, "fieldwork-checklist-submitted")
    issue = Issue.objects.get()
    assert issue.evidence_required and issue.deadline == deadline and issue.description == "灭火器过期"
