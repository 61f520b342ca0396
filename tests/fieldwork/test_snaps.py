"""Snap-and-report: a phone photo and a line of text become an issue waiting for triage; the
nearest projects are suggested; coordinators triage or reject; photos are served only in scope."""

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import ExifTags

from groundbreak.coordination.choices import IssueSource, IssueStatus
from groundbreak.coordination.models import Issue
from groundbreak.fieldwork import actions
from groundbreak.fieldwork.models import SnapReport
from groundbreak.fieldwork.queries import nearest_projects, triage_queue
from tests.coordination.conftest import DAY, today
from tests.fieldwork.conftest import NEAR, exif_of, jpeg


def snap(w, by=None, project=None, text="工地围挡倒塌，占用人行道", **kwargs):
    return actions.report_snap(
        by=by or w.unit_member,
        project=project or w.sj_project,
        text=text,
        photo=jpeg(),
        latitude=kwargs.pop("latitude", NEAR[0]),
        longitude=kwargs.pop("longitude", NEAR[1]),
        **kwargs,
    )


def test_nearest_projects_in_scope_by_distance(field):
    near = nearest_projects(field.sj_coordinator, *NEAR)
    # Minhang's project is closer but outside the scope; the one without coordinates never shows.
    assert [p.code for p in near] == ["SJ-001", "SJ-002"]
    assert 250 < near[0].distance < 350 and 2_200 < near[1].distance < 2_500
    assert [p.code for p in nearest_projects(field.coordinator, *NEAR)] == ["MH-001", "SJ-001", "SJ-002"]
    assert [p.code for p in nearest_projects(field.sj_coordinator, *NEAR, radius_m=1_000)] == ["SJ-001"]
    assert nearest_projects(field.sj_coordinator, 39.9, 116.4) == []  # Beijing: nothing near


def test_a_snap_becomes_an_issue_waiting_for_triage(field, media):
    report = snap(field, accuracy=12)
    issue = report.issue
    assert issue.source == IssueSource.SNAP and issue.lead_unit is None and issue.deadline is None
    assert issue.status == IssueStatus.OPEN and issue.raised_by == field.unit_member
    assert issue.title == "工地围挡倒塌，占用人行道" and issue.category.code == "other"
    assert float(report.latitude) == pytest.approx(NEAR[0]) and report.accuracy == 12
    # Re-encoded without the camera's metadata; no consent, so no GPS either.
    data = report.photo.read()
    assert report.content_type == "image/jpeg" and data[:2] == b"\xff\xd8"
    exif = exif_of(data)
    assert ExifTags.Base.Make not in exif and not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert list(triage_queue(field.sj_coordinator)) == [report]


def test_the_photo_keeps_its_gps_only_with_consent(field, media):
    report = snap(field, keep_location=True)
    exif = exif_of(report.photo.read())
    assert exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif
    assert report.location_kept


def test_a_snap_is_refused_without_text_photo_or_scope(field, media):
    with pytest.raises(ValidationError):
        snap(field, text="  ")
    with pytest.raises(ValidationError):
        actions.report_snap(by=field.unit_member, project=field.sj_project, text="x", photo=None)
    with pytest.raises(ObjectDoesNotExist):
        snap(field, project=field.mh_project)
    with pytest.raises(PermissionDenied):
        snap(field, by=field.viewer)
    assert not Issue.objects.exists() and not SnapReport.objects.exists()


def test_snap_page_flow_with_a_real_jpeg(field, login, media):
    client = login(field.unit_member)
    page = client.get(reverse("fieldwork:snap")).content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    assert "fieldwork/snap.js" in page and "<script>" not in page
    nearby = client.get(reverse("fieldwork:snap-nearby"), {"lat": NEAR[0], "lon": NEAR[1]}).content.decode()
    assert nearby.index("SJ-001") < nearby.index("SJ-002") and "MH-001" not in nearby
    assert 'type="radio" name="project"' in nearby
    assert client.get(reverse("fieldwork:snap-nearby"), {"lat": "x"}).status_code == 404
    # No project confirmed: refused, the position is kept and the suggestions come back.
    data = {"text": "塔吊附近无警戒线", "latitude": NEAR[0], "longitude": NEAR[1], "accuracy": 20}
    response = client.post(reverse("fieldwork:snap"), data | {"photo": jpeg()})
    body = response.content.decode()
    assert response.status_code == 200 and "Confirm which project the photo is of." in body
    assert 'value="31.039"' in body and "SJ-002" in body
    response = client.post(reverse("fieldwork:snap"), data | {"photo": jpeg(), "project": field.sj_project.pk})
    report = SnapReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    detail = client.get(report.get_absolute_url()).content.decode()
    assert reverse("fieldwork:snap-photo", args=[report.pk]) in detail
    photo = client.get(reverse("fieldwork:snap-photo", args=[report.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    # Not an image, whatever its name says.
    response = client.post(
        reverse("fieldwork:snap"),
        data | {"photo": jpeg(name="x.jpg").__class__("x.jpg", b"not an image"), "project": field.sj_project.pk},
    )
    assert response.status_code == 200 and SnapReport.objects.count() == 1


def test_snap_without_position_chooses_from_the_list(field, login, media):
    client = login(field.owner)  # the enterprise owns SJ-001
    page = client.get(reverse("fieldwork:snap")).content.decode()
    assert "SJ-001" in page and "MH-001" not in page
    response = client.post(
        reverse("fieldwork:snap"), {"text": "夜间施工噪声", "photo": jpeg(), "project_other": field.sj_project.pk}
    )
    assert response.status_code == 302
    report = SnapReport.objects.get()
    assert report.latitude is None and report.issue.source_note == ""
    # A project outside the owner's scope is not a valid choice.
    response = client.post(
        reverse("fieldwork:snap"), {"text": "x", "photo": jpeg(), "project_other": field.mh_project.pk}
    )
    assert response.status_code == 200 and SnapReport.objects.count() == 1


def test_triage_assigns_category_unit_and_deadline(field, login, media, sent):
    report = snap(field)
    client = login(field.sj_coordinator)
    page = client.get(reverse("fieldwork:triage")).content.decode()
    assert f'data-snap="{report.pk}"' in page
    deadline = today() + 3 * DAY
    response = client.post(
        reverse("fieldwork:snap-triage", args=[report.pk]),
        {"category": field.land.pk, "lead_unit": field.sj_bureau.pk, "deadline": deadline.isoformat()},
    )
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.category == field.land and issue.lead_unit == field.sj_bureau and issue.deadline == deadline
    assert issue.events.filter(kind="issue.assigned").exists() and sent
    assert f'data-snap="{report.pk}"' not in client.get(reverse("fieldwork:triage")).content.decode()
    with pytest.raises(ValidationError):  # only once
        actions.triage_snap(
            snap=report, by=field.sj_coordinator, category=field.land, lead_unit=field.sj_bureau, deadline=deadline
        )


def test_triage_refuses_a_missing_deadline_and_changes_nothing(field, login, media):
    report = snap(field)
    client = login(field.sj_coordinator)
    response = client.post(
        reverse("fieldwork:snap-triage", args=[report.pk]),
        {"category": field.land.pk, "lead_unit": field.sj_bureau.pk},
        follow=True,
    )
    assert "deadline" in response.content.decode().lower()
    issue = Issue.objects.get()
    assert issue.lead_unit is None and issue.category.code == "other"


def test_reject_closes_the_snap_issue_with_the_reason(field, login, media):
    report = snap(field)
    client = login(field.sj_coordinator)
    assert client.post(reverse("fieldwork:snap-reject", args=[report.pk]), {"reason": ""}).status_code == 302
    assert Issue.objects.get().status == IssueStatus.OPEN  # a reason is required
    client.post(reverse("fieldwork:snap-reject", args=[report.pk]), {"reason": "重复上报"})
    issue = Issue.objects.get()
    report.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED and issue.resolved_on is None and "重复上报" in issue.resolution
    assert report.rejection_reason == "重复上报" and report.rejected_by == field.sj_coordinator
    assert not triage_queue(field.sj_coordinator).exists()


def test_snaps_and_their_photos_only_in_scope(field, login, media):
    report = snap(field)
    photo = reverse("fieldwork:snap-photo", args=[report.pk])
    for user in (field.mh_coordinator, field.mh_member):
        client = login(user)
        assert client.get(photo).status_code == 404
        assert client.get(report.get_absolute_url()).status_code == 404
    mh = login(field.mh_coordinator)
    assert f'data-snap="{report.pk}"' not in mh.get(reverse("fieldwork:triage")).content.decode()
    assert mh.post(reverse("fieldwork:snap-reject", args=[report.pk]), {"reason": "x"}).status_code == 404
    assert (
        mh.post(
            reverse("fieldwork:snap-triage", args=[report.pk]),
            {"category": field.land.pk, "lead_unit": field.mh_bureau.pk, "deadline": today().isoformat()},
        ).status_code
        == 404
    )
    # The sender's unit sees it; it may not triage, nor may a viewer send snaps.
    member = login(field.unit_member)
    assert member.get(photo).status_code == 200
    assert member.get(reverse("fieldwork:triage")).status_code == 403
    assert member.post(reverse("fieldwork:snap-reject", args=[report.pk]), {"reason": "x"}).status_code == 403
    assert login(field.viewer).get(reverse("fieldwork:snap")).status_code == 403
    assert login(field.viewer).get(photo).status_code == 200  # read-only, all of Shanghai
    with pytest.raises(ObjectDoesNotExist):
        actions.reject_snap(snap=report, by=field.mh_coordinator, reason="x")
    assert SnapReport.objects.get().issue.status == IssueStatus.OPEN
    # No public URL: the stored file's name is not under the static or a served media path.
    assert "/media/" not in login(field.sj_coordinator).get(report.get_absolute_url()).content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_triage_list_runs_a_bounded_number_of_queries(field, login, media):
    client = login(field.sj_coordinator)
    url = reverse("fieldwork:triage")
    for _ in range(2):
        snap(field)
    client.get(url)  # warm the session and content-type caches
    few = _count(client, url)
    for _ in range(4):
        snap(field, by=field.owner)
    many = _count(client, url)
    assert many == few
    assert many <= 10  # 8 on 2026-11-25: the page's 4 (count, snaps, categories, units) and the layout's
