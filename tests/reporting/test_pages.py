"""The reporting pages as each persona sees them: content, refusals, and bounded query counts."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import KeyListMembership
from groundbreak.reporting import actions
from groundbreak.reporting.models import Report, ReportingRound
from tests.factories import IndicatorFactory, KeyListFactory, MilestoneFactory, ProjectFactory, kind
from tests.reporting.conftest import accept, accepted_month, fill, open_month, report_of


@pytest.fixture
def march(rp):
    """Songjiang's March round: the project reported February (accepted) and submitted March."""
    accepted_month(rp.songjiang, rp.sj_project, 2025, 2, "2000000", workers=180, progress="30")
    round = open_month(rp.songjiang, 2025, 3, due_days=3650)
    rp.round = round
    rp.report = report_of(round, rp.sj_project)
    rp.mh_round = open_month(rp.minhang, 2025, 3, due_days=3650)
    return rp


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# ---- refusals -----------------------------------------------------------------------------------


def test_out_of_scope_is_not_found(login, march):
    client = login(march.mh_coordinator)
    assert client.get(reverse("reporting:round-detail", args=[march.round.pk])).status_code == 404
    assert client.get(reverse("reporting:report-detail", args=[march.report.pk])).status_code == 404
    assert client.get(reverse("reporting:report-return", args=[march.report.pk])).status_code == 404
    assert client.post(reverse("reporting:round-close", args=[march.round.pk])).status_code == 404
    body = client.get(reverse("reporting:round-list")).content.decode()
    assert f'data-round="{march.mh_round.pk}"' in body and f'data-round="{march.round.pk}"' not in body


def test_wrong_role_is_forbidden(login, march):
    client = login(march.viewer)  # sees all of Shanghai, may change nothing
    assert client.get(reverse("reporting:report-detail", args=[march.report.pk])).status_code == 200
    assert client.get(reverse("reporting:report-edit", args=[march.report.pk])).status_code == 403
    assert client.post(reverse("reporting:report-approve", args=[march.report.pk])).status_code == 403
    assert client.get(reverse("reporting:round-create")).status_code == 403
    client = login(march.owner)
    assert client.get(reverse("reporting:report-return", args=[march.report.pk])).status_code == 403
    assert client.post(reverse("reporting:round-close", args=[march.round.pk])).status_code == 403
    assert Report.objects.get(pk=march.report.pk).status == "draft"


# ---- the workflow through the pages -------------------------------------------------------------


def test_owner_fills_in_on_the_form_and_submits(login, march, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.reporting.test_workflow import _png

    settings.MEDIA_ROOT = tmp_path
    client = login(march.owner)
    url = reverse("reporting:report-edit", args=[march.report.pk])
    assert 'inputmode="decimal"' in client.get(url).content.decode()
    bad = client.post(url, {"investment": "100", "physical_progress": "120", "submit": "1"})
    assert bad.status_code == 200 and Report.objects.get(pk=march.report.pk).status == "draft"
    response = client.post(
        url,
        {
            "investment": "1500000",
            "physical_progress": "35",
            "workers_on_site": "205",
            "progress": "地面工程施工、管道铺设",
            "difficulties": "施工用电容量不足",
            "photos": [SimpleUploadedFile("a.png", _png()), SimpleUploadedFile("b.png", _png())],
            "submit": "1",
        },
    )
    assert response.status_code == 302
    report = Report.objects.get(pk=march.report.pk)
    assert (report.status, report.working.workers_on_site, report.photos.count()) == ("submitted", 205, 2)
    photo = report.photos.first()
    assert client.get(reverse("reporting:report-photo", args=[report.pk, photo.pk])).status_code == 200
    assert (
        login(march.mh_coordinator).get(reverse("reporting:report-photo", args=[report.pk, photo.pk])).status_code
        == 404
    )


def test_review_return_and_accept_through_the_pages(login, march):
    fill(march.report, "1500000", by=march.owner)
    unit = login(march.unit_member)
    queue = unit.get(reverse("reporting:queue")).content.decode()
    assert f'data-report="{march.report.pk}"' in queue
    page = unit.get(reverse("reporting:report-detail", args=[march.report.pk])).content.decode()
    assert "Approve and pass on" in page
    confirm = unit.get(reverse("reporting:report-return", args=[march.report.pk]))
    assert confirm.status_code == 200 and "Return the report" in confirm.content.decode()
    assert unit.post(reverse("reporting:report-return", args=[march.report.pk]), {"reason": ""}).status_code == 200
    assert Report.objects.get(pk=march.report.pk).status == "submitted"
    unit.post(reverse("reporting:report-approve", args=[march.report.pk]), {"note": ""})
    assert Report.objects.get(pk=march.report.pk).status == "reviewed"
    coordinator = login(march.sj_coordinator)
    response = coordinator.post(reverse("reporting:report-return", args=[march.report.pk]), {"reason": "请附现场照片"})
    assert response.status_code == 302
    report = Report.objects.get(pk=march.report.pk)
    assert (report.status, report.return_reason) == ("returned", "请附现场照片")
    body = login(march.owner).get(reverse("reporting:report-detail", args=[report.pk])).content.decode()
    assert "请附现场照片" in body


def test_report_page_shows_what_changed_since_the_previous_round(login, march):
    MilestoneFactory(
        project=march.sj_project,
        kind=kind("plus_minus_zero"),
        planned_date=datetime.date(2025, 3, 10),
        actual_date=datetime.date(2025, 3, 12),
    )
    fill(march.report, "1500000", by=march.owner, workers=205, progress="45")
    body = login(march.coordinator).get(reverse("reporting:report-detail", args=[march.report.pk])).content.decode()
    assert "compared with the report of 2025-02" in body
    # Year to date 2,000,000 + 1,500,000; workers 180 → 205 (+25).
    assert 'data-figure="ytd"' in body and "¥3.5 m" in body
    assert "+25" in body
    assert "Foundations to ±0" in body  # the node met in March


def test_correction_and_close_through_confirmation_pages(login, march):
    report = accept(fill(march.report, "1500000", by=march.owner))
    owner = login(march.owner)
    assert owner.get(reverse("reporting:report-correct", args=[report.pk])).status_code == 200
    owner.post(reverse("reporting:report-correct", args=[report.pk]), {"reason": "剔除预付款"})
    report.refresh_from_db()
    assert report.is_correction and report.working.correction_reason == "剔除预付款"
    accept(actions.submit_report(report=report, by=march.owner))
    coordinator = login(march.sj_coordinator)
    assert coordinator.get(reverse("reporting:round-close", args=[march.round.pk])).status_code == 200
    closing = coordinator.post(reverse("reporting:round-close", args=[march.round.pk]))
    assert closing.status_code == 302, closing.context["form"].errors
    round = ReportingRound.objects.get(pk=march.round.pk)
    assert round.status == "closed"
    body = coordinator.get(round.get_absolute_url()).content.decode()
    assert "Checksum verified" in body
    document = json.loads(coordinator.get(reverse("reporting:round-snapshot", args=[round.pk])).content)
    assert document["reports"][0]["version"] == 2


def test_open_a_round_from_the_page(login, rp):
    client = login(rp.sj_coordinator)
    form = client.get(reverse("reporting:round-create")).content.decode()
    assert f'value="{rp.songjiang.pk}" selected' in form
    response = client.post(
        reverse("reporting:round-create"),
        {"area": rp.songjiang.pk, "period_start": "2025-03-01", "period_end": "2025-03-31", "due_on": ""},
    )
    assert response.status_code == 302
    round = ReportingRound.objects.get()
    assert round.due_on == datetime.date(2025, 4, 5) and round.reports.count() == 1
    # Another district is not offered, and refused when forced.
    response = client.post(
        reverse("reporting:round-create"),
        {"area": rp.minhang.pk, "period_start": "2025-03-01", "period_end": "2025-03-31"},
    )
    assert response.status_code == 200 and ReportingRound.objects.count() == 1


def test_round_and_queue_pages_say_what_to_do_when_empty(login, rp):
    assert "Open the first one" in login(rp.sj_coordinator).get(reverse("reporting:round-list")).content.decode()
    assert "Nothing to fill in" in login(rp.owner).get(reverse("reporting:queue")).content.decode()
    assert "not given an area" in login(rp.owner).get(reverse("reporting:rollup")).content.decode()


def test_rollup_page(login, march):
    accept(fill(march.report, "1500000"))
    body = login(march.coordinator).get(reverse("reporting:rollup"), {"period": "2025-03"}).content.decode()
    assert f'data-area="{march.songjiang.pk}"' in body and "¥1.5 m" in body


def test_project_section_shows_plan_rate_and_indicators(login, march):
    KeyListMembership.objects.create(
        key_list=KeyListFactory(year=datetime.date.today().year, area=march.city),
        project=march.sj_project,
        annual_investment_plan=Decimal("40000000"),
    )
    IndicatorFactory(project=march.sj_project, name="新增森林", year=datetime.date.today().year)
    client = login(march.sj_coordinator)
    body = client.get(reverse("portfolio:project-detail", args=["SJ-001"])).content.decode()
    assert 'id="reports"' in body and "Reports and investment" in body and "新增森林" in body
    assert 'data-figure="plan"' in body and "¥40.0 m" in body
    response = client.post(
        reverse("reporting:indicator-add", args=["SJ-001"]),
        {"name": "新建绿道", "unit": "km", "target": "30", "year": "2025"},
    )
    assert response.status_code == 302
    assert march.sj_project.indicators.filter(name="新建绿道").exists()


# ---- query counts do not grow with the data -----------------------------------------------------


def _add_projects(rp, round, n: int, start: int = 0):
    for i in range(start, start + n):
        project = ProjectFactory(
            code=f"SJ-Q{i:03d}", area=rp.songjiang, stage=Stage.CONSTRUCTION, responsible_unit=rp.sj_bureau
        )
        report = Report.objects.create(round=round, project=project)
        fill(report, str(1000 + i))


def test_round_detail_and_queue_query_counts(login, march):
    _add_projects(march, march.round, 2)
    urls = [
        reverse("reporting:round-detail", args=[march.round.pk]),
        reverse("reporting:queue"),
        reverse("reporting:round-list"),
    ]
    client = login(march.unit_member)
    for url in urls:
        client.get(url)
    few = [count_queries(client, url) for url in urls]
    _add_projects(march, march.round, 12, start=2)
    open_month(march.songjiang, 2025, 4)
    many = [count_queries(client, url) for url in urls]
    assert many == few
    assert max(many) <= 17


def test_report_detail_query_count(login, march):
    from tests.factories import reason

    url = reverse("reporting:report-detail", args=[march.report.pk])
    fill(march.report, "100", by=march.owner)
    client = login(march.coordinator)
    client.get(url)
    few = count_queries(client, url)
    # More history of every kind: indicators, versions, events, nodes met and moved.
    for i in range(4):
        IndicatorFactory(project=march.sj_project, year=2025, name=f"指标{i}")
        milestone = MilestoneFactory(
            project=march.sj_project,
            planned_date=datetime.date(2025, 3, 1 + i),
            actual_date=datetime.date(2025, 3, 2 + i),
        )
        del milestone
    from groundbreak.schedule.actions import replan_milestone

    for i in range(3):
        node = MilestoneFactory(project=march.sj_project, planned_date=datetime.date(2026, 1, 1))
        replan_milestone(milestone=node, new_date=datetime.date(2026, 2, 1 + i), reason=reason(), by=None)
    report = actions.return_report(report=march.report, by=None, reason="补充")
    report = accept(actions.submit_report(report=report, by=None))
    actions.start_correction(report=report, by=None, reason="更正")
    many = count_queries(client, url)
    assert many == few
    assert many <= 23


def test_project_section_query_count(login, march):
    url = reverse("portfolio:project-detail", args=["SJ-001"])
    client = login(march.coordinator)
    client.get(url)
    few = count_queries(client, url)
    for month in range(4, 9):
        accepted_month(march.songjiang, march.sj_project, 2025, month, "100")
    for i in range(5):
        IndicatorFactory(project=march.sj_project, year=datetime.date.today().year, name=f"指标{i}")
    many = count_queries(client, url)
    assert many == few
