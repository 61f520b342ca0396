"""Key-list memberships, publication and light overrides over real HTTP: the portfolio actions with
their scope (404 outside it) and role (403) checks."""

import datetime

from django.utils import timezone

from groundbreak.audit.models import ObjectChange
from groundbreak.portfolio.models import KeyListMembership, LightOverride, Project
from tests.factories import KeyListFactory

BASE = "/api/v1"


def test_memberships_are_set_changed_and_removed(world, http, token_for):
    key_list = KeyListFactory(area=world.songjiang, name="松江重点项目")
    token = token_for(world.sj_coordinator)
    path = f"{BASE}/key-lists/{key_list.pk}/memberships/SJ-001"
    put = http("PUT", path, {"annual_investment_plan": "120000000", "target_stage": "construction"}, token=token)
    assert put.status == 200, put.body
    assert put.body["project"]["code"] == "SJ-001" and put.body["annual_investment_plan"] == "120000000.00"
    assert put.body["target_stage"] == "construction"
    membership = KeyListMembership.objects.get(key_list=key_list, project=world.sj_project)
    change = ObjectChange.objects.filter(object_id=str(membership.pk)).first()
    assert (change.actor, change.source) == (world.sj_coordinator, "api")

    again = http("PUT", path, {"annual_investment_plan": "90000000", "note": "调整"}, token=token)
    assert again.status == 200 and again.body["note"] == "调整" and again.body["target_stage"] == ""
    assert KeyListMembership.objects.filter(key_list=key_list).count() == 1

    listed = http("GET", f"{BASE}/key-lists/{key_list.pk}/memberships", token=token)
    assert [m["project"]["code"] for m in listed.body["results"]] == ["SJ-001"]

    removed = http("DELETE", path, token=token)
    assert removed.status == 204
    assert not KeyListMembership.objects.filter(key_list=key_list).exists()
    assert http("DELETE", path, token=token).status == 404


def test_membership_refusals(world, http, token_for):
    city_list = KeyListFactory(area=world.city, name="市重大项目")
    sj_list = KeyListFactory(area=world.songjiang, name="松江重点项目")
    sj = token_for(world.sj_coordinator)
    # Another district's project, and the city's list, are not found for a district coordinator.
    assert http("PUT", f"{BASE}/key-lists/{sj_list.pk}/memberships/MH-001", {}, token=sj).status == 404
    assert http("PUT", f"{BASE}/key-lists/{city_list.pk}/memberships/SJ-001", {}, token=sj).status == 404
    assert http("PUT", f"{BASE}/key-lists/999999/memberships/SJ-001", {}, token=sj).status == 404
    # A role without the permission is forbidden; a read-only token too.
    viewer = http("PUT", f"{BASE}/key-lists/{city_list.pk}/memberships/SJ-001", {}, token=token_for(world.viewer))
    assert viewer.status == 403 and viewer.headers["Content-Type"].startswith("application/problem+json")
    read_only = token_for(world.coordinator, read_only=True)
    assert http("PUT", f"{BASE}/key-lists/{city_list.pk}/memberships/SJ-001", {}, token=read_only).status == 403
    bad = http("PUT", f"{BASE}/key-lists/{sj_list.pk}/memberships/SJ-001", {"annual_investment_plan": "-1"}, token=sj)
    assert bad.status == 422 and "annual_investment_plan" in str(bad.body["errors"])
    assert not KeyListMembership.objects.exists()


def test_publication_over_http(world, http, token_for):
    token = token_for(world.coordinator)
    published = http("POST", f"{BASE}/projects/SJ-001/publication", {"public": True}, token=token)
    assert published.status == 200, published.body
    assert published.body["is_public"] is True and published.headers["ETag"] == 'W/"2"'
    # Publishing what is published changes nothing, not even the version.
    same = http("POST", f"{BASE}/projects/SJ-001/publication", {"public": True}, token=token)
    assert same.status == 200 and same.headers["ETag"] == 'W/"2"'
    stale = http(
        "POST", f"{BASE}/projects/SJ-001/publication", {"public": False}, token=token, headers={"If-Match": 'W/"1"'}
    )
    assert stale.status == 412
    assert Project.objects.get(code="SJ-001").is_public is True
    withdrawn = http(
        "POST", f"{BASE}/projects/SJ-001/publication", {"public": False}, token=token, headers={"If-Match": 'W/"2"'}
    )
    assert withdrawn.status == 200 and withdrawn.body["is_public"] is False

    sj = token_for(world.sj_coordinator)
    assert http("POST", f"{BASE}/projects/MH-001/publication", {"public": True}, token=sj).status == 404
    owner = http("POST", f"{BASE}/projects/SJ-001/publication", {"public": True}, token=token_for(world.owner))
    assert owner.status in (403, 404)
    viewer = http("POST", f"{BASE}/projects/SJ-001/publication", {"public": True}, token=token_for(world.viewer))
    assert viewer.status == 403
    assert Project.objects.get(code="SJ-001").is_public is False


def test_light_overrides_over_http(world, http, token_for):
    token = token_for(world.sj_coordinator)
    until = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    body = {"light": "red", "reason": "征地受阻", "expires_on": until}
    created = http("POST", f"{BASE}/projects/SJ-001/light-overrides", body, token=token)
    assert created.status == 201, created.body
    assert created.body["light"] == "red" and created.body["project"] == "SJ-001"
    assert created.headers["Location"].endswith(f"/projects/SJ-001/light-overrides/{created.body['id']}")
    detail = http("GET", f"{BASE}/projects/SJ-001", token=token)
    assert detail.body["light"] == "red"
    assert LightOverride.objects.get(pk=created.body["id"]).reason == "征地受阻"

    past = {**body, "expires_on": "2000-01-01"}
    refused = http("POST", f"{BASE}/projects/SJ-001/light-overrides", past, token=token)
    assert refused.status == 422 and "expires_on" in refused.body["errors"]

    override_id = created.body["id"]
    assert http("POST", f"{BASE}/projects/MH-001/light-overrides", body, token=token).status == 404
    other = http(
        "POST", f"{BASE}/projects/MH-001/light-overrides/{override_id}/withdraw", token=token_for(world.coordinator)
    )
    assert other.status == 404  # the override is not MH-001's
    viewer = http(
        "POST", f"{BASE}/projects/SJ-001/light-overrides/{override_id}/withdraw", token=token_for(world.viewer)
    )
    assert viewer.status == 403
    withdrawn = http("POST", f"{BASE}/projects/SJ-001/light-overrides/{override_id}/withdraw", token=token)
    assert withdrawn.status == 200 and withdrawn.body["withdrawn"] is True
    assert LightOverride.objects.get(pk=override_id).withdrawn
    assert http("GET", f"{BASE}/projects/SJ-001", token=token).body["light"] == "green"
