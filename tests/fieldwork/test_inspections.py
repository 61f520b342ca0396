"""Safety inspections: the default checklist, a checklist filled in on a phone, and failed items
becoming rectifications that close only with evidence."""

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.urls import reverse

from groundbreak.coordination.choices import EngagementKind, IssueSource, IssueStatus, Severity
from groundbreak.coordination.models import Engagement, Issue
from groundbreak.fieldwork import actions
from groundbreak.fieldwork.actions import Answer
from groundbreak.fieldwork.choices import Result
from groundbreak.fieldwork.models import Checklist, Inspection
from tests.coordination.conftest import DAY, today
from tests.factories import EngagementFactory
from tests.fieldwork.conftest import jpeg


def site_safety():
    return Checklist.objects.get(code="site-safety")


def answers(checklist, failed=(), notes=None, **photos):
    notes = notes or {}
    return [
        Answer(
            item=item,
            result=Result.FAIL if item.code in failed else Result.PASS,
            note=notes.get(item.code, "现场发现问题" if item.code in failed else ""),
            photo=photos.get(item.code),
        )
        for item in checklist.items.all()
    ]


def start(w, by=None, **kwargs):
    return actions.start_inspection(by=by or w.sj_coordinator, project=w.sj_project, checklist=site_safety(), **kwargs)


def test_the_default_checklist_covers_heat_dust_scaffolding_fire_and_chemicals(db):
    checklist = site_safety()
    codes = list(checklist.items.values_list("code", flat=True))
    assert codes[:5] == ["heat", "dust", "scaffolding", "fire", "chemicals"]
    assert checklist.items.get(code="dust").name == "扬尘治理"
    assert checklist.items.get(code="chemicals").name_en == "Hazardous chemicals"
    # Installing again adds nothing.
    from groundbreak.fieldwork.defaults import install_defaults

    install_defaults()
    assert checklist.items.count() == len(codes)


def test_starting_a_checklist_records_the_inspection_engagement(co):
    inspection = start(co, place="G60科创云廊工地")
    engagement = inspection.engagement
    assert engagement.kind == EngagementKind.INSPECTION
    assert list(engagement.projects.all()) == [co.sj_project]
    assert engagement.date == today() and engagement.place == "G60科创云廊工地"
    with pytest.raises(ValidationError):
        start(co, engagement=engagement)  # the same checklist twice for one project


def test_a_checklist_at_an_existing_inspection_must_cover_the_project(co):
    visit = EngagementFactory(kind=EngagementKind.SITE_VISIT, projects=[co.sj_project])
    with pytest.raises(ValidationError) as refused:
        start(co, engagement=visit)
    assert "engagement" in refused.value.message_dict
    inspection = EngagementFactory(kind=EngagementKind.INSPECTION, projects=[co.mh_project], date=today() - DAY)
    with pytest.raises(ObjectDoesNotExist):
        start(co, engagement=inspection)  # outside Songjiang's coordinator's scope
    with pytest.raises(ValidationError):
        actions.start_inspection(by=None, project=co.sj_project, checklist=site_safety(), engagement=inspection)


def test_failed_items_become_rectifications_that_need_evidence(co, media, sent):
    inspection = start(co)
    deadline = today() + 10 * DAY
    rectifications = actions.submit_inspection(
        inspection=inspection,
        by=co.sj_coordinator,
        answers=answers(site_safety(), failed=("dust", "fire"), notes={"dust": "裸土未覆盖"}, dust=jpeg()),
        lead_unit=co.sj_bureau,
        deadline=deadline,
    )
    assert len(rectifications) == 2
    dust = Issue.objects.get(inspection_answer__item__code="dust")
    assert dust.source == IssueSource.INSPECTION and dust.evidence_required
    assert dust.category.code == "safety" and dust.severity == Severity.MAJOR
    assert dust.lead_unit == co.sj_bureau and dust.deadline == deadline
    assert dust.engagement == inspection.engagement and dust.project == co.sj_project
    assert dust.description == "裸土未覆盖" and "Dust suppression" in dust.title
    assert dust.status == IssueStatus.OPEN
    # The passed items raise nothing; the photo is an attachment of the inspection.
    assert Issue.objects.count() == 2
    inspection.refresh_from_db()
    assert inspection.submitted_at is not None and inspection.answers.count() == site_safety().items.count()
    photo = inspection.answers.get(item__code="dust").photo
    assert photo.engagement == inspection.engagement and photo.content_type == "image/jpeg"
    assert sent and sent[0]["recipients"]  # the unit is told, as for any assignment
    with pytest.raises(ValidationError):
        actions.submit_inspection(inspection=inspection, by=co.sj_coordinator, answers=answers(site_safety()))


def test_a_checklist_is_refused_incomplete_and_changes_nothing(co):
    inspection = start(co)
    checklist = site_safety()
    partial = answers(checklist, failed=("heat",), notes={"heat": " "})[1:]
    with pytest.raises(ValidationError) as refused:
        actions.submit_inspection(inspection=inspection, by=co.sj_coordinator, answers=partial)
    errors = refused.value.message_dict
    heat = checklist.items.get(code="heat")
    assert f"result_{heat.pk}" in errors
    with pytest.raises(ValidationError) as refused:
        actions.submit_inspection(
            inspection=inspection, by=co.sj_coordinator, answers=answers(checklist, failed=("fire",))
        )
    assert {"lead_unit", "deadline"} <= set(refused.value.message_dict)
    assert not Issue.objects.exists() and not inspection.answers.exists()


def test_who_may_inspect(co):
    with pytest.raises(PermissionDenied):
        start(co, by=co.unit_member)
    with pytest.raises(ObjectDoesNotExist):
        start(co, by=co.mh_coordinator)
    inspection = start(co)
    with pytest.raises(ObjectDoesNotExist):
        actions.submit_inspection(inspection=inspection, by=co.mh_coordinator, answers=answers(site_safety()))


def test_a_checklist_filled_in_through_the_phone_page(co, login, media):
    client = login(co.sj_coordinator)
    page = client.get(reverse("fieldwork:inspection-create"))
    assert "MH-001" not in page.content.decode()
    response = client.post(
        reverse("fieldwork:inspection-create"),
        {"project": co.sj_project.pk, "checklist": site_safety().pk, "date": today().isoformat()},
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == inspection.get_absolute_url()
    body = client.get(inspection.get_absolute_url()).content.decode()
    assert 'capture="environment"' in body and "Dust suppression" in body
    data = {
        f"result_{item.pk}": "fail" if item.code == "scaffolding" else "na" if item.code == "chemicals" else "pass"
        for item in site_safety().items.all()
    }
    scaffolding = site_safety().items.get(code="scaffolding")
    data |= {f"note_{scaffolding.pk}": "连墙件缺失", f"photo_{scaffolding.pk}": jpeg()}
    # Without the lead unit and deadline the failure cannot become a rectification.
    response = client.post(inspection.get_absolute_url(), data)
    assert response.status_code == 200 and "Choose the unit that leads the rectifications." in response.content.decode()
    assert not Issue.objects.exists()
    data |= {
        f"photo_{scaffolding.pk}": jpeg(),
        "lead_unit": co.sj_bureau.pk,
        "deadline": (today() + 7 * DAY).isoformat(),
    }
    response = client.post(inspection.get_absolute_url(), data, follow=True)
    body = response.content.decode()
    issue = Issue.objects.get()
    assert issue.evidence_required and issue.get_absolute_url() in body
    assert 'data-result="na"' in body and "连墙件缺失" in body
    answer = inspection.answers.get(item=scaffolding)
    photo_url = reverse("coordination:engagement-attachment", args=[inspection.engagement_id, answer.photo_id])
    assert photo_url in body and client.get(photo_url)["Content-Type"] == "image/jpeg"


def test_inspections_answer_only_in_scope(co, login):
    inspection = start(co)
    url = inspection.get_absolute_url()
    assert login(co.mh_coordinator).get(url).status_code == 404
    assert login(co.viewer).get(url).status_code == 200  # sees it, cannot fill it in
    assert "Submit the checklist" not in login(co.viewer).get(url).content.decode()
    assert login(co.viewer).post(url, {}).status_code == 403
    assert login(co.unit_member).get(reverse("fieldwork:inspection-create")).status_code == 403
    mh_list = login(co.mh_coordinator).get(reverse("fieldwork:inspection-list")).content.decode()
    assert url not in mh_list
    assert url in login(co.coordinator).get(reverse("fieldwork:inspection-list")).content.decode()
    other = Engagement.objects.create(kind=EngagementKind.SITE_VISIT, title="x", date=today())
    assert (
        login(co.sj_coordinator).get(reverse("fieldwork:inspection-create"), {"engagement": other.pk}).status_code
        == 404
    )
