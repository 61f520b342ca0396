"""Writes through the API: the business actions with their checks, optimistic concurrency (If-Match,
412) and idempotent retries (Idempotency-Key)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from groundbreak.api.models import IdempotencyRecord
from groundbreak.audit.models import ObjectChange
from groundbreak.portfolio.choices import Stage, Status
from groundbreak.portfolio.models import Project, StageChange
from groundbreak.schedule.choices import ReplanStatus
from groundbreak.schedule.models import Milestone, Replan, ScheduleSettings
from tests.factories import KeyListFactory, MilestoneFactory, UnitFactory, kind


def png() -> bytes:
    """A small real photo (the evidence check decodes it)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "orange").save(buffer, "PNG")
    return buffer.getvalue()


NEW = {"code": "SJ-NEW", "name": "松江新项目", "category": "industrial", "area": None}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def new_project(world, **extra):
    return {**NEW, "area": world.songjiang.pk, **extra}


# ---- projects ---------------------------------------------------------------------------------


def test_create_project(world, api):
    answer = api(world.sj_coordinator).post(
        "/projects", new_project(world, stage="signed", lead_leader=world.leader.pk, total_investment="1.5e8")
    )
    assert answer.status == 201, answer.body
    assert answer.headers["Location"] == "/api/v1/projects/SJ-NEW"
    assert answer.headers["ETag"] == 'W/"1"'
    assert answer.body["stage"] == "signed" and answer.body["total_investment"] == "150000000.00"
    assert answer.body["lead_leader"]["id"] == world.leader.pk
    project = Project.objects.get(code="SJ-NEW")
    assert project.stage_changes.get().to_stage == Stage.SIGNED
    change = ObjectChange.objects.filter(object_id=str(project.pk)).first()
    assert (change.actor, change.source) == (world.sj_coordinator, "api")


def test_create_project_refusals(world, api):
    assert api(world.viewer).post("/projects", new_project(world)).status == 403
    outside = api(world.sj_coordinator).post("/projects", new_project(world, area=world.minhang.pk))
    assert outside.status == 422 and list(outside.body["errors"]) == ["area"]
    invalid = api(world.sj_coordinator).post("/projects", new_project(world, code="SJ-001", latitude="91"))
    assert invalid.status == 422
    assert {"code", "latitude"} <= set(invalid.body["errors"])
    not_a_leader = api(world.sj_coordinator).post("/projects", new_project(world, lead_leader=123456))
    assert not_a_leader.status == 422 and "lead_leader" in not_a_leader.body["errors"]
    missing = api(world.sj_coordinator).post("/projects", {"code": "X1"})
    assert missing.status == 422 and {"name", "category", "area"} <= set(missing.body["errors"])
    assert not Project.objects.filter(code__in=["SJ-NEW", "X1"]).exists()


def test_patch_changes_only_the_given_fields(world, api):
    client = api(world.sj_coordinator)
    answer = client.patch("/projects/SJ-001", {"industry": "数字经济", "zone": None}, headers={"If-Match": 'W/"1"'})
    assert answer.status == 200, answer.body
    assert answer.headers["ETag"] == 'W/"2"'
    project = Project.objects.get(code="SJ-001")
    assert project.industry == "数字经济" and project.name == "G60科创云廊二期" and project.version == 2


def test_stale_if_match_is_refused_and_nothing_is_overwritten(world, api):
    client = api(world.sj_coordinator)
    etag = client.get("/projects/SJ-001").headers["ETag"]
    # Somebody else saves in between.
    from groundbreak.portfolio.actions import update_project

    update_project(project=world.sj_project, by=world.coordinator, changes={"industry": "先到"})
    stale = client.patch("/projects/SJ-001", {"industry": "后到"}, headers={"If-Match": etag})
    assert stale.status == 412
    assert stale.body["type"].endswith(":precondition-failed")
    assert Project.objects.get(code="SJ-001").industry == "先到"
    for path, body in [
        ("/stage", {"to_stage": "signed"}),
        ("/pause", {"reason": "资金", "expected_resume_on": "2099-01-01"}),
    ]:
        assert client.post("/projects/SJ-001" + path, body, headers={"If-Match": etag}).status == 412
    assert not StageChange.objects.exists()
    assert Project.objects.get(code="SJ-001").status == Status.ACTIVE
    # Any of several tags, or "*", matches.
    assert (
        client.patch("/projects/SJ-001", {"industry": "再来"}, headers={"If-Match": f'W/"9", {etag}, W/"2"'}).status
        == 200
    )
    assert client.patch("/projects/SJ-001", {"industry": "随便"}, headers={"If-Match": "*"}).status == 200


def test_stage_pause_resume(world, api):
    client = api(world.sj_coordinator)
    today = timezone.localdate()
    moved = client.post("/projects/SJ-001/stage", {"to_stage": "landed", "on": today.isoformat()})
    assert moved.status == 200 and moved.body["stage"] == "landed"
    back = client.post("/projects/SJ-001/stage", {"to_stage": "signed"})
    assert back.status == 422 and "note" in back.body["errors"]
    paused = client.post(
        "/projects/SJ-001/pause",
        {"reason": "资金未到位", "expected_resume_on": (today + datetime.timedelta(days=30)).isoformat()},
    )
    assert paused.status == 200 and paused.body["status"] == "paused"
    again = client.post("/projects/SJ-001/pause", {"reason": "x", "expected_resume_on": "2099-01-01"})
    assert again.status == 422 and again.body["errors"] == {"__all__": ["Only an active project can be paused."]}
    resumed = client.post("/projects/SJ-001/resume", {"note": "资金到位"}, headers={"If-Match": paused.headers["ETag"]})
    assert resumed.status == 200 and resumed.body["status"] == "active"
    assert [h["kind"] for h in resumed.body["stage_history"]] == ["stage", "pause", "resume"]


def test_writes_out_of_scope_are_not_found_and_forbidden_roles_refused(world, api):
    outsider = api(world.mh_coordinator)
    assert outsider.patch("/projects/SJ-001", {"industry": "越界"}).status == 404
    assert outsider.post("/projects/SJ-001/stage", {"to_stage": "signed"}).status == 404
    viewer = api(world.viewer)
    assert viewer.patch("/projects/SJ-001", {"industry": "看看"}).status == 403
    assert viewer.post("/projects/SJ-001/pause", {"reason": "x", "expected_resume_on": "2099-01-01"}).status == 403
    assert Project.objects.get(code="SJ-001").industry == ""


def test_moving_a_project_out_of_ones_area_is_refused(world, api):
    answer = api(world.sj_coordinator).patch("/projects/SJ-001", {"area": world.minhang.pk})
    assert answer.status == 422 and "area" in answer.body["errors"]
    assert Project.objects.get(code="SJ-001").area == world.songjiang


# ---- idempotency ------------------------------------------------------------------------------


def test_idempotent_retry_returns_the_first_answer_and_acts_once(world, api):
    client = api(world.sj_coordinator)
    headers = {"Idempotency-Key": "create-sj-new"}
    first = client.post("/projects", new_project(world), headers=headers)
    again = client.post("/projects", {**new_project(world)}, headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert Project.objects.filter(code="SJ-NEW").count() == 1
    project = Project.objects.get(code="SJ-NEW")
    assert ObjectChange.objects.filter(content_type__model="project", object_id=str(project.pk)).count() == 1
    # The same key for a different request is a client error, and acts neither.
    other = client.post("/projects", new_project(world, code="SJ-OTHER"), headers=headers)
    assert other.status == 422 and other.body["type"].endswith(":idempotency-key-reused")
    assert not Project.objects.filter(code="SJ-OTHER").exists()


def test_idempotency_keys_belong_to_their_user_and_errors_are_replayed_too(world, api):
    headers = {"Idempotency-Key": "same-key"}
    assert api(world.sj_coordinator).post("/projects", new_project(world), headers=headers).status == 201
    # Another user with the same key is another request.
    refused = api(world.mh_coordinator).post("/projects", new_project(world), headers=headers)
    assert refused.status == 422 and "area" in refused.body["errors"]
    assert api(world.mh_coordinator).post("/projects", new_project(world), headers=headers).body == refused.body
    assert IdempotencyRecord.objects.count() == 2
    assert (
        api(world.mh_coordinator).post("/projects", new_project(world), headers={"Idempotency-Key": "é"}).status == 422
    )


def test_stage_change_and_milestone_creation_are_idempotent(world, api):
    client = api(world.sj_coordinator)
    headers = {"Idempotency-Key": "stage-1"}
    first = client.post("/projects/SJ-001/stage", {"to_stage": "signed"}, headers=headers)
    again = client.post("/projects/SJ-001/stage", {"to_stage": "signed"}, headers=headers)
    assert first.status == again.status == 200 and again.body == first.body
    assert StageChange.objects.count() == 1
    body = {"kind": "groundbreaking", "planned_date": "2030-05-01"}
    made = client.post("/projects/SJ-001/milestones", body, headers={"Idempotency-Key": "node-1"})
    remade = client.post("/projects/SJ-001/milestones", body, headers={"Idempotency-Key": "node-1"})
    assert made.status == remade.status == 201 and made.body == remade.body
    assert Milestone.objects.count() == 1
    assert made.headers["Location"] == f"/api/v1/projects/SJ-001/milestones/{made.body['id']}"


# ---- milestones -------------------------------------------------------------------------------


def test_add_milestone_refusals(world, api):
    client = api(world.sj_coordinator)
    unknown = client.post("/projects/SJ-001/milestones", {"kind": "no-such-kind", "planned_date": "2030-01-01"})
    assert unknown.status == 422 and "kind" in unknown.body["errors"]
    assert (
        api(world.owner).post("/projects/SJ-001/milestones", {"kind": "eia", "planned_date": "2030-01-01"}).status
        == 403
    )
    assert (
        api(world.mh_coordinator)
        .post("/projects/SJ-001/milestones", {"kind": "eia", "planned_date": "2030-01-01"})
        .status
        == 404
    )
    # A node goes to a unit the page's node form offers: not another district's bureau, not an
    # enterprise that has nothing to do with the project.
    stranger = UnitFactory(name="外区某公司", kind="enterprise", area=world.minhang)
    for unit in (world.mh_bureau, stranger):
        refused = client.post(
            "/projects/SJ-001/milestones", {"kind": "eia", "planned_date": "2030-01-01", "responsible_unit": unit.pk}
        )
        assert refused.status == 422 and "government unit" in str(refused.body["errors"]["responsible_unit"])
    missing = client.post(
        "/projects/SJ-001/milestones", {"kind": "eia", "planned_date": "2030-01-01", "responsible_unit": 2**31 - 1}
    )
    assert missing.status == 422 and "no such unit" in str(missing.body["errors"]["responsible_unit"])
    assert not Milestone.objects.exists()
    # The project's own owner is offered.
    owner = client.post(
        "/projects/SJ-001/milestones",
        {"kind": "eia", "planned_date": "2030-01-01", "responsible_unit": world.enterprise.pk},
    )
    assert owner.status == 201 and owner.body["responsible_unit"]["id"] == world.enterprise.pk


def test_complete_a_node_with_its_photo(world, api, media):
    node = MilestoneFactory(project=world.sj_project, kind=kind("groundbreaking"))
    client = api(world.owner)
    path = f"/projects/SJ-001/milestones/{node.pk}/complete"
    today = timezone.localdate().isoformat()
    without = client.call("POST", path, {"actual_date": today}, content_type="multipart/form-data")
    assert without.status == 422 and "evidence" in without.body["errors"]
    photo = SimpleUploadedFile("site.png", png(), content_type="image/png")
    done = client.call(
        "POST",
        path,
        {"actual_date": today, "evidence": photo},
        content_type="multipart/form-data",
        headers={"If-Match": 'W/"1"'},
    )
    assert done.status == 200, done.body
    assert done.body["actual_date"] == today and done.body["has_evidence"]
    assert done.headers["ETag"] == 'W/"2"'
    stale = client.call(
        "POST", path, {"actual_date": today}, content_type="multipart/form-data", headers={"If-Match": 'W/"1"'}
    )
    assert stale.status == 412


def test_replan_keeps_the_old_date_and_a_stale_one_is_refused(world, api):
    node = MilestoneFactory(project=world.sj_project)
    client = api(world.unit_member)
    path = f"/projects/SJ-001/milestones/{node.pk}/replans"
    new_date = (node.planned_date + datetime.timedelta(days=20)).isoformat()
    done = client.post(path, {"new_date": new_date, "reason": "approvals"}, headers={"If-Match": 'W/"1"'})
    assert done.status == 201, done.body
    assert (done.body["old_date"], done.body["new_date"]) == (node.planned_date.isoformat(), new_date)
    stale = client.post(path, {"new_date": "2031-01-01", "reason": "land"}, headers={"If-Match": 'W/"1"'})
    assert stale.status == 412
    assert Replan.objects.count() == 1
    unknown = client.post(path, {"new_date": "2031-01-01", "reason": "dog-ate-it"})
    assert unknown.status == 422 and "reason" in unknown.body["errors"]
    assert api(world.viewer).post(path, {"new_date": "2031-01-01", "reason": "land"}).status == 403


def test_replan_awaiting_approval_is_decided_through_the_queue(world, api):
    ScheduleSettings.objects.create(require_replan_approval=True)
    key_list = KeyListFactory(area=world.city)
    key_list.memberships.create(project=world.sj_project)
    node = MilestoneFactory(project=world.sj_project)
    asked = api(world.owner).post(
        f"/projects/SJ-001/milestones/{node.pk}/replans", {"new_date": "2031-03-01", "reason": "funding"}
    )
    assert asked.status == 201 and asked.body["status"] == ReplanStatus.PENDING
    assert asked.body["milestone"]["planned_date"] == node.planned_date.isoformat()

    assert api(world.owner).get("/replans").status == 403
    assert api(world.mh_coordinator).get("/replans").body["count"] == 0
    assert api(world.mh_coordinator).post(f"/replans/{asked.body['id']}/decision", {"approve": True}).status == 404
    coordinator = api(world.sj_coordinator)
    queue = coordinator.get("/replans").body
    assert [(r["id"], r["milestone"]["project"]) for r in queue["results"]] == [(asked.body["id"], "SJ-001")]
    rejected_without_reason = coordinator.post(f"/replans/{asked.body['id']}/decision", {"approve": False})
    assert rejected_without_reason.status == 422 and "note" in rejected_without_reason.body["errors"]
    approved = coordinator.post(f"/replans/{asked.body['id']}/decision", {"approve": True})
    assert approved.status == 200 and approved.body["status"] == ReplanStatus.APPROVED
    assert approved.body["decided_by"] == "sj-coord"
    node.refresh_from_db()
    assert node.planned_date == datetime.date(2031, 3, 1)
    twice = coordinator.post(f"/replans/{asked.body['id']}/decision", {"approve": True})
    assert twice.status == 422


def test_a_server_error_keeps_nothing_so_a_retry_acts(world, api, client, monkeypatch):
    from groundbreak.portfolio import actions

    real = actions.create_project

    def broken(**kwargs):
        real(**kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(actions, "create_project", broken)
    client.raise_request_exception = False
    api_client = api(world.sj_coordinator)
    headers = {"Idempotency-Key": "flaky"}
    failed = api_client.post("/projects", new_project(world), headers=headers)
    assert failed.status == 500 and failed.content_type.startswith("application/problem+json")
    assert "disk" not in failed.body["detail"]
    assert not Project.objects.filter(code="SJ-NEW").exists() and not IdempotencyRecord.objects.exists()
    monkeypatch.setattr(actions, "create_project", real)
    assert api_client.post("/projects", new_project(world), headers=headers).status == 201
