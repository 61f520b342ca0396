"""The main flows over real HTTP: a program with a token reads, filters, creates and changes projects
and nodes against a running server."""

import datetime
import uuid

from django.utils import timezone

from groundbreak.audit.models import ObjectChange
from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import Project
from groundbreak.schedule.models import Replan
from tests.factories import MilestoneFactory, kind


def test_a_token_reads_lists_and_details(world, http, token_for):
    token = token_for(world.sj_coordinator)
    me = http("GET", "/api/v1/me", token=token)
    assert me.status == 200 and me.body["username"] == "sj-coord"

    listed = http("GET", "/api/v1/projects", token=token)
    assert listed.status == 200
    assert [p["code"] for p in listed.body["results"]] == ["SJ-001"]
    assert listed.body["count"] == 1

    detail = http("GET", "/api/v1/projects/SJ-001", token=token)
    assert detail.status == 200
    assert detail.body["area"]["name_en"] == "Songjiang"
    assert detail.body["light"] == "green"
    assert detail.headers["ETag"] == 'W/"1"'


def test_a_token_filters_like_the_page(world, http, token_for):
    MilestoneFactory(project=world.sj_project, planned_date=timezone.localdate() - datetime.timedelta(days=3))
    token = token_for(world.coordinator)
    red = http("GET", "/api/v1/projects?light=red", token=token)
    assert [p["code"] for p in red.body["results"]] == ["SJ-001"]
    found = http("GET", "/api/v1/projects?q=%E4%BA%91%E5%BB%8A", token=token)  # 云廊
    assert [p["code"] for p in found.body["results"]] == ["SJ-001"]


def test_create_change_and_move_a_project_over_http(world, http, token_for):
    token = token_for(world.sj_coordinator)
    key = str(uuid.uuid4())
    body = {"code": "SJ-API-1", "name": "松江API项目", "category": "infrastructure", "area": world.songjiang.pk}
    created = http("POST", "/api/v1/projects", body, token=token, headers={"Idempotency-Key": key})
    assert created.status == 201, created.body
    assert created.headers["Location"].endswith("/api/v1/projects/SJ-API-1")
    retried = http("POST", "/api/v1/projects", body, token=token, headers={"Idempotency-Key": key})
    assert retried.status == 201 and retried.body == created.body
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert Project.objects.filter(code="SJ-API-1").count() == 1

    changed = http(
        "PATCH",
        "/api/v1/projects/SJ-API-1",
        {"industry": "交通"},
        token=token,
        headers={"If-Match": created.headers["ETag"]},
    )
    assert changed.status == 200 and changed.body["industry"] == "交通"
    assert changed.headers["ETag"] == 'W/"2"'

    stale = http("PATCH", "/api/v1/projects/SJ-API-1", {"industry": "旧"}, token=token, headers={"If-Match": 'W/"1"'})
    assert stale.status == 412
    assert stale.headers["Content-Type"].startswith("application/problem+json")
    assert Project.objects.get(code="SJ-API-1").industry == "交通"

    moved = http("POST", "/api/v1/projects/SJ-API-1/stage", {"to_stage": "signed"}, token=token)
    assert moved.status == 200 and moved.body["stage"] == Stage.SIGNED
    assert [h["to_stage"] for h in moved.body["stage_history"]] == ["signed"]

    # The change log names the token's user and the API as the source.
    sources = set(ObjectChange.objects.filter(actor=world.sj_coordinator).values_list("source", flat=True))
    assert sources == {"api"}


def test_replan_and_decide_over_http(world, http, token_for):
    node = MilestoneFactory(project=world.sj_project, kind=kind("land_handover"))
    token = token_for(world.unit_member)
    path = f"/api/v1/projects/SJ-001/milestones/{node.pk}"
    read = http("GET", path, token=token)
    assert read.status == 200 and read.body["replans"] == []
    new_date = (node.planned_date + datetime.timedelta(days=30)).isoformat()
    replanned = http(
        "POST",
        path + "/replans",
        {"new_date": new_date, "reason": "approvals", "note": "审批滞后"},
        token=token,
        headers={"If-Match": read.headers["ETag"], "Idempotency-Key": "replan-1"},
    )
    assert replanned.status == 201, replanned.body
    assert replanned.body["status"] == "applied"
    assert replanned.body["milestone"]["planned_date"] == new_date
    assert replanned.body["milestone"]["replan_count"] == 1
    assert Replan.objects.count() == 1


def test_refusals_over_http(world, http, token_for):
    outsider = token_for(world.mh_coordinator)
    missing = http("GET", "/api/v1/projects/SJ-001", token=outsider)
    assert missing.status == 404
    assert missing.headers["Content-Type"].startswith("application/problem+json")
    assert missing.body["status"] == 404
    assert "SJ-001" not in [p["code"] for p in http("GET", "/api/v1/projects", token=outsider).body["results"]]

    viewer = token_for(world.viewer)
    refused = http("POST", "/api/v1/projects/SJ-001/stage", {"to_stage": "signed"}, token=viewer)
    assert refused.status == 403
    assert Project.objects.get(code="SJ-001").stage == Stage.RESERVE

    anonymous = http("GET", "/api/v1/projects")
    assert anonymous.status == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")


def test_docs_and_schema_are_served_without_the_internet(http):
    schema = http("GET", "/api/v1/openapi.json")
    assert schema.status == 200
    assert "/api/v1/projects/{code}" in schema.body["paths"]
    docs = http("GET", "/api/v1/docs", headers={"Accept": "text/html"})
    assert docs.status == 200
    page = docs.body.decode()
    assert "cdn" not in page.lower() and "https://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js"):
        assert f"/static/ninja/{asset}" in page
        assert http("GET", f"/static/ninja/{asset}", headers={"Accept": "*/*"}).status == 200
