"""Engagements over real HTTP: recording one (idempotently), the list page's scope and filters,
the detail with who was there and what came out of it, and the refusals (404 outside the scope,
403 for roles and read-only tokens, 422 with field errors)."""

import datetime
import urllib.parse
import uuid

from django.utils import timezone

from groundbreak.coordination.models import Decision, Engagement
from tests.factories import EngagementFactory, IssueFactory, PersonFactory, UnitFactory

BASE = "/api/v1"
TODAY = timezone.localdate


def _body(world, **extra):
    return {
        "kind": "office_meeting",
        "title": "G60科创云廊现场办公会",
        "date": TODAY().isoformat(),
        "place": "项目指挥部",
        "area": world.songjiang.pk,
        "chair": world.leader.pk,
        "leaders": [world.leader.pk],
        "units": [world.sj_bureau.pk, world.enterprise.pk],
        "projects": ["SJ-001"],
        "minutes": "研究管线迁改。",
        **extra,
    }


def test_record_list_and_read_over_http(world, http, token_for):
    coordinator = token_for(world.sj_coordinator)
    key = str(uuid.uuid4())
    recorded = http("POST", f"{BASE}/engagements", _body(world), token=coordinator, headers={"Idempotency-Key": key})
    assert recorded.status == 201, recorded.body
    body = recorded.body
    assert body["kind"] == "office_meeting" and body["title"] == "G60科创云廊现场办公会"
    assert [p["code"] for p in body["projects"]] == ["SJ-001"] and body["projects"][0]["name"] == "G60科创云廊二期"
    assert body["chair"]["id"] == world.leader.pk and [p["id"] for p in body["leaders"]] == [world.leader.pk]
    assert {u["id"] for u in body["units"]} == {world.sj_bureau.pk, world.enterprise.pk}
    assert body["area"]["id"] == world.songjiang.pk and body["minutes"] == "研究管线迁改。"
    assert body["issues"] == [] and body["decisions"] == [] and body["issue_count"] == 0
    assert recorded.headers["Location"] == f"/api/v1/engagements/{body['id']}"

    retried = http("POST", f"{BASE}/engagements", _body(world), token=coordinator, headers={"Idempotency-Key": key})
    assert retried.status == 201 and retried.headers["Idempotent-Replayed"] == "true"
    assert retried.body == body
    assert Engagement.objects.count() == 1
    engagement = Engagement.objects.get()
    assert engagement.created_by == world.sj_coordinator

    # The leader who chaired it, the unit that was there and the project's owner all see it.
    for user in (world.leader_user, world.unit_member, world.owner, world.viewer):
        listed = http("GET", f"{BASE}/engagements", token=token_for(user))
        assert listed.status == 200 and [e["id"] for e in listed.body["results"]] == [engagement.pk], user
    detail = http("GET", f"{BASE}/engagements/{engagement.pk}", token=token_for(world.leader_user))
    assert detail.status == 200 and detail.body["id"] == engagement.pk and detail.body["place"] == "项目指挥部"


def test_detail_shows_the_issues_raised_and_the_decisions(world, http, token_for):
    engagement = EngagementFactory(
        area=world.songjiang, chair=world.leader, projects=[world.sj_project, world.mh_project]
    )
    raised = IssueFactory(project=world.sj_project, lead_unit=world.sj_bureau, engagement=engagement)
    elsewhere = IssueFactory(project=world.mh_project, lead_unit=world.mh_bureau, engagement=engagement)
    Decision.objects.create(engagement=engagement, text="两周内完成管线迁改", project=world.sj_project, issue=raised)

    city = http("GET", f"{BASE}/engagements/{engagement.pk}", token=token_for(world.coordinator)).body
    assert [i["id"] for i in city["issues"]] == [raised.pk, elsewhere.pk] and city["issue_count"] == 2
    assert city["issues"][0]["project"] == "SJ-001" and city["issues"][0]["lead_unit"]["id"] == world.sj_bureau.pk
    assert city["decisions"] == [
        {
            "id": city["decisions"][0]["id"],
            "text": "两周内完成管线迁改",
            "project": "SJ-001",
            "issue": raised.pk,
            "milestone": None,
        }
    ]
    assert [p["code"] for p in city["projects"]] == ["MH-001", "SJ-001"]
    # Songjiang's coordinator sees the meeting, but each issue only as far as their scope goes.
    district = http("GET", f"{BASE}/engagements/{engagement.pk}", token=token_for(world.sj_coordinator)).body
    assert [i["id"] for i in district["issues"]] == [raised.pk]


def test_engagement_refusals(world, http, token_for):
    engagement = EngagementFactory(area=world.songjiang, chair=world.leader, projects=[world.sj_project])

    # Another district's coordinator: not found, and not in the list.
    other = token_for(world.mh_coordinator)
    missing = http("GET", f"{BASE}/engagements/{engagement.pk}", token=other)
    assert missing.status == 404 and missing.headers["Content-Type"].startswith("application/problem+json")
    assert http("GET", f"{BASE}/engagements/999999", token=other).status == 404
    assert http("GET", f"{BASE}/engagements", token=other).body["count"] == 0
    # Naming a project outside the scope reads as naming none (the page never offers it).
    outside = http("POST", f"{BASE}/engagements", _body(world, area=None), token=other)
    assert outside.status == 422 and list(outside.body["errors"]) == ["projects"]

    # Roles that may not record, and a read-only token of one that may.
    for user in (world.viewer, world.leader_user, world.unit_member, world.owner):
        forbidden = http("POST", f"{BASE}/engagements", _body(world), token=token_for(user))
        assert forbidden.status == 403, user
        assert forbidden.headers["Content-Type"].startswith("application/problem+json")
    read_only = token_for(world.coordinator, read_only=True)
    assert http("GET", f"{BASE}/engagements/{engagement.pk}", token=read_only).status == 200
    assert http("POST", f"{BASE}/engagements", _body(world), token=read_only).status == 403
    assert http("POST", f"{BASE}/engagements", _body(world)).status == 401
    assert http("GET", f"{BASE}/engagements").status == 401
    assert Engagement.objects.count() == 1


def test_bad_input_gets_field_errors_and_changes_nothing(world, http, token_for):
    token = token_for(world.sj_coordinator)
    not_a_leader = PersonFactory(is_leader=False)
    # An enterprise with nothing to do with the project, and another district's bureau: the
    # page's form offers neither as present.
    stranger = UnitFactory(name="外区某公司", kind="enterprise", area=world.minhang)
    cases = [
        (_body(world, units=[world.sj_bureau.pk, stranger.pk]), "units"),
        (_body(world, units=[world.mh_bureau.pk]), "units"),
        (_body(world, title=""), "title"),
        (_body(world, title="   "), "title"),
        (_body(world, kind="banquet"), "kind"),
        (_body(world, date="yesterday"), "date"),
        (_body(world, projects=[]), "projects"),
        (_body(world, projects=["SJ-001", "NOPE-9"]), "projects"),
        (_body(world, area=world.minhang.pk), "area"),
        (_body(world, chair=not_a_leader.pk), "chair"),
        (_body(world, leaders=[world.leader.pk, 999999]), "leaders"),
        (_body(world, units=[999999]), "units"),
        (_body(world, chair=2**70), "chair"),  # beyond any database integer: not a server error
        (_body(world, leaders=[2**70]), "leaders"),
    ]
    for body, field in cases:
        answer = http("POST", f"{BASE}/engagements", body, token=token)
        assert answer.status == 422, (field, answer.body)
        assert answer.body["type"].endswith("validation-failed") and field in answer.body["errors"], answer.body
    unknown = http("POST", f"{BASE}/engagements", _body(world, projects=["NOPE-9"]), token=token)
    assert "NOPE-9" in unknown.body["errors"]["projects"][0]
    assert not Engagement.objects.exists()


def test_list_filters_sorts_and_pages_like_the_list_page(world, http, token_for):
    other_leader = PersonFactory(name="李华", is_leader=True)
    visit = EngagementFactory(
        kind="site_visit", title="调研云廊", date=TODAY() - datetime.timedelta(days=20), projects=[world.sj_project]
    )
    visit.leaders.set([other_leader])
    meeting = EngagementFactory(
        kind="office_meeting", title="现场办公会", place="松江", chair=world.leader, projects=[world.sj_project]
    )
    minhang = EngagementFactory(
        kind="inspection",
        title="安全检查",
        area=world.minhang,
        date=TODAY() - datetime.timedelta(days=5),
        projects=[world.mh_project],
    )
    token = token_for(world.coordinator)

    def ids(query=""):
        answer = http("GET", f"{BASE}/engagements{query}", token=token)
        assert answer.status == 200, answer.body
        return [e["id"] for e in answer.body["results"]]

    assert ids() == [meeting.pk, minhang.pk, visit.pk]  # newest first
    assert ids("?sort=date") == [visit.pk, minhang.pk, meeting.pk]
    assert ids("?kind=site_visit") == [visit.pk]
    assert ids("?project=MH-001") == [minhang.pk]
    assert ids(f"?leader={other_leader.pk}") == [visit.pk]
    assert ids(f"?leader={world.leader.pk}") == [meeting.pk]
    assert ids(f"?area={world.minhang.pk}") == [minhang.pk]
    assert ids("?q=" + urllib.parse.quote("调研云廊")) == [visit.pk]
    # The search also reads the projects' codes and names (云廊 is in SJ-001's name).
    assert ids("?q=mh-001") == [minhang.pk]
    assert ids("?q=" + urllib.parse.quote("云廊")) == [meeting.pk, visit.pk]
    since = (TODAY() - datetime.timedelta(days=10)).isoformat()
    assert ids(f"?date_from={since}") == [meeting.pk, minhang.pk]
    assert ids(f"?date_to={since}") == [visit.pk]
    paged = http("GET", f"{BASE}/engagements?limit=1&offset=1", token=token).body
    assert paged["count"] == 3 and [e["id"] for e in paged["results"]] == [minhang.pk]
    listed = http("GET", f"{BASE}/engagements?kind=site_visit", token=token).body["results"][0]
    assert [p["id"] for p in listed["leaders"]] == [other_leader.pk] and listed["projects"][0]["code"] == "SJ-001"

    # Songjiang's coordinator may not filter by Minhang (as on the page: not one of the choices).
    district = http("GET", f"{BASE}/engagements?area={world.minhang.pk}", token=token_for(world.sj_coordinator))
    assert district.status == 422 and "area" in district.body["errors"]
    bad = http("GET", f"{BASE}/engagements?kind=banquet&sort=place", token=token)
    assert bad.status == 422 and {"kind", "sort"} <= set(bad.body["errors"])
