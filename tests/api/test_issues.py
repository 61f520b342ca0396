"""Issues and responses over real HTTP: the board's scope (404 outside it), the roles (403), the
board's filters, and idempotent creation."""

import datetime
import uuid

from django.utils import timezone

from groundbreak.coordination.models import Issue, IssueResponse
from tests.factories import IssueFactory

BASE = "/api/v1"
TODAY = timezone.localdate


def _issue_body(world, **extra):
    return {
        "title": "征地拆迁未完成",
        "category": "other",
        "description": "东侧地块仍有两户未签约。",
        "severity": 2,
        "lead_unit": world.sj_bureau.pk,
        "deadline": (TODAY() + datetime.timedelta(days=14)).isoformat(),
        **extra,
    }


def test_raise_list_and_respond_over_http(world, http, token_for):
    coordinator = token_for(world.sj_coordinator)
    key = str(uuid.uuid4())
    raised = http(
        "POST",
        f"{BASE}/projects/SJ-001/issues",
        _issue_body(world),
        token=coordinator,
        headers={"Idempotency-Key": key},
    )
    assert raised.status == 201, raised.body
    assert raised.body["project"] == "SJ-001" and raised.body["lead_unit"]["id"] == world.sj_bureau.pk
    assert raised.body["status"] == "open" and raised.body["severity"] == 2
    assert raised.headers["Location"] == f"/api/v1/issues/{raised.body['id']}"
    retried = http(
        "POST",
        f"{BASE}/projects/SJ-001/issues",
        _issue_body(world),
        token=coordinator,
        headers={"Idempotency-Key": key},
    )
    assert retried.status == 201 and retried.body["id"] == raised.body["id"]
    assert Issue.objects.count() == 1

    # The assigned unit sees the issue and says what it did.
    unit = token_for(world.unit_member)
    listed = http("GET", f"{BASE}/issues", token=unit)
    assert [i["id"] for i in listed.body["results"]] == [raised.body["id"]]
    issue_id = raised.body["id"]
    answered = http("POST", f"{BASE}/issues/{issue_id}/responses", {"text": "已与两户达成协议"}, token=unit)
    assert answered.status == 201, answered.body
    assert answered.body["status"] == "in_progress"
    assert [r["text"] for r in answered.body["responses"]] == ["已与两户达成协议"]
    assert answered.body["responses"][0]["unit"]["id"] == world.sj_bureau.pk
    detail = http("GET", f"{BASE}/issues/{issue_id}", token=coordinator)
    assert detail.status == 200 and detail.body["description"] == "东侧地块仍有两户未签约。"


def test_issue_refusals(world, http, token_for):
    issue = IssueFactory(project=world.sj_project, lead_unit=world.sj_bureau)
    other = token_for(world.mh_coordinator)
    assert http("GET", f"{BASE}/issues/{issue.pk}", token=other).status == 404
    assert http("GET", f"{BASE}/issues/999999", token=other).status == 404
    assert http("POST", f"{BASE}/projects/SJ-001/issues", _issue_body(world), token=other).status == 404
    assert http("POST", f"{BASE}/issues/{issue.pk}/responses", {"text": "x"}, token=other).status == 404
    assert http("GET", f"{BASE}/issues", token=other).body["count"] == 0

    viewer = token_for(world.viewer)
    assert http("GET", f"{BASE}/issues/{issue.pk}", token=viewer).status == 200
    forbidden = http("POST", f"{BASE}/projects/SJ-001/issues", _issue_body(world), token=viewer)
    assert forbidden.status == 403 and forbidden.headers["Content-Type"].startswith("application/problem+json")
    assert http("POST", f"{BASE}/issues/{issue.pk}/responses", {"text": "x"}, token=viewer).status == 403

    coordinator = token_for(world.sj_coordinator)
    unknown = http("POST", f"{BASE}/projects/SJ-001/issues", _issue_body(world, category="nope"), token=coordinator)
    assert unknown.status == 422 and "category" in unknown.body["errors"]
    early = _issue_body(world, deadline=(TODAY() - datetime.timedelta(days=30)).isoformat())
    assert http("POST", f"{BASE}/projects/SJ-001/issues", early, token=coordinator).status == 422
    for field, value in (("co_units", [2**70]), ("lead_unit", 2**70), ("responsible_person", 0)):
        absurd = http("POST", f"{BASE}/projects/SJ-001/issues", _issue_body(world, **{field: value}), token=coordinator)
        assert absurd.status == 422 and any(key.startswith(field) for key in absurd.body["errors"]), absurd.body
    assert Issue.objects.count() == 1 and not IssueResponse.objects.exists()


def test_issue_list_filters_like_the_board(world, http, token_for):
    late = IssueFactory(project=world.sj_project, deadline=TODAY() - datetime.timedelta(days=2), severity=3)
    IssueFactory(project=world.sj_project, status="closed")
    IssueFactory(project=world.mh_project)
    token = token_for(world.coordinator)
    assert http("GET", f"{BASE}/issues", token=token).body["count"] == 3
    overdue = http("GET", f"{BASE}/issues?overdue=true", token=token)
    assert [i["id"] for i in overdue.body["results"]] == [late.pk] and overdue.body["results"][0]["overdue"] is True
    closed = http("GET", f"{BASE}/issues?status=closed", token=token)
    assert [i["status"] for i in closed.body["results"]] == ["closed"]
    of_project = http("GET", f"{BASE}/issues?project=MH-001", token=token)
    assert [i["project"] for i in of_project.body["results"]] == ["MH-001"]
    gravest = http("GET", f"{BASE}/issues?sort=-severity&limit=1", token=token)
    assert gravest.body["results"][0]["id"] == late.pk and gravest.body["count"] == 3


def test_an_issue_goes_only_to_the_units_its_form_offers(world, http, token_for):
    """The Songjiang coordinator's form offers Songjiang's and the city's government units and the
    project's own units; the API refuses the others, as the form does, and writes nothing."""
    from tests.factories import UnitFactory

    stranger = UnitFactory(name="外省某建设公司", kind="enterprise", area=world.minhang)
    coordinator = token_for(world.sj_coordinator)
    for field, value in (("lead_unit", stranger.pk), ("co_units", [world.enterprise.pk, stranger.pk])):
        refused = http(
            "POST", f"{BASE}/projects/SJ-001/issues", _issue_body(world, **{field: value}), token=coordinator
        )
        assert refused.status == 422 and field in refused.body["errors"], refused.body
        assert "government unit" in str(refused.body["errors"][field])
    # Another district's government unit is not in Songjiang's chain either.
    other = http(
        "POST", f"{BASE}/projects/SJ-001/issues", _issue_body(world, lead_unit=world.mh_bureau.pk), token=coordinator
    )
    assert other.status == 422 and "lead_unit" in other.body["errors"]
    assert not Issue.objects.exists()
    # The project's owner (an enterprise) and the city's headquarters are offered.
    body = _issue_body(world, lead_unit=world.enterprise.pk, co_units=[world.hq.pk])
    raised = http("POST", f"{BASE}/projects/SJ-001/issues", body, token=coordinator)
    assert raised.status == 201, raised.body
    assert [u["id"] for u in raised.body["co_units"]] == [world.hq.pk]
