"""Monthly reports over real HTTP: the owner fills in and submits; scope (404) and role (403)
refusals; the report list's filters."""

import datetime
from decimal import Decimal

import pytest

from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import Project
from groundbreak.reporting import round_actions
from groundbreak.reporting.models import Report
from tests.factories import month_end

BASE = "/api/v1"


@pytest.fixture
def sj_report(world):
    Project.objects.filter(pk__in=[world.sj_project.pk, world.mh_project.pk]).update(stage=Stage.CONSTRUCTION)
    start = datetime.date(2025, 3, 1)
    round_ = round_actions.open_round(
        area=world.city,
        period_start=start,
        period_end=month_end(start),
        due_on=month_end(start) + datetime.timedelta(days=5),
        by=None,
    )
    return Report.objects.get(round=round_, project=world.sj_project)


def test_owner_fills_in_and_submits_over_http(world, http, token_for, sj_report):
    owner = token_for(world.owner)
    listed = http("GET", f"{BASE}/reports", token=owner)
    assert [r["project"] for r in listed.body["results"]] == ["SJ-001"]
    path = f"{BASE}/reports/{sj_report.pk}"

    incomplete = http("POST", f"{path}/submit", token=owner)
    assert incomplete.status == 422 and "investment" in incomplete.body["errors"]

    filled = http(
        "PATCH",
        f"{path}/figures",
        {"investment": "25000000", "physical_progress": "42.5", "progress": "主体结构施工"},
        token=owner,
    )
    assert filled.status == 200, filled.body
    assert Decimal(filled.body["working"]["investment"]) == Decimal("25000000")
    assert filled.body["working"]["progress"] == "主体结构施工" and filled.body["status"] == "draft"
    # Only what is sent changes.
    again = http("PATCH", f"{path}/figures", {"workers_on_site": 320}, token=owner)
    assert again.body["working"]["workers_on_site"] == 320 and again.body["working"]["progress"] == "主体结构施工"

    submitted = http("POST", f"{path}/submit", token=owner)
    assert submitted.status == 200, submitted.body
    assert submitted.body["status"] == "submitted" and submitted.body["submitted_on"] is not None
    refused = http("PATCH", f"{path}/figures", {"workers_on_site": 1}, token=owner)
    assert refused.status == 422
    assert http("GET", f"{BASE}/reports?status=submitted", token=owner).body["count"] == 1
    assert http("GET", f"{BASE}/reports?missing=true", token=owner).body["count"] == 0


def test_report_refusals(world, http, token_for, sj_report):
    other = token_for(world.mh_coordinator)
    path = f"{BASE}/reports/{sj_report.pk}"
    assert http("GET", path, token=other).status == 404
    assert http("PATCH", f"{path}/figures", {"workers_on_site": 1}, token=other).status == 404
    assert http("POST", f"{path}/submit", token=other).status == 404
    assert http("GET", f"{BASE}/reports/999999", token=other).status == 404
    assert http("GET", f"{BASE}/reports?project=SJ-001", token=other).body["count"] == 0

    viewer = token_for(world.viewer)
    assert http("GET", path, token=viewer).status == 200
    forbidden = http("PATCH", f"{path}/figures", {"workers_on_site": 1}, token=viewer)
    assert forbidden.status == 403 and forbidden.headers["Content-Type"].startswith("application/problem+json")
    assert http("POST", f"{path}/submit", token=viewer).status == 403
    bad = http("PATCH", f"{path}/figures", {"physical_progress": "120"}, token=token_for(world.owner))
    assert bad.status == 422 and "physical_progress" in str(bad.body["errors"])
    sj_report.refresh_from_db()
    assert sj_report.working_id is None and sj_report.status == "draft"
