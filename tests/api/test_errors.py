"""Every error is RFC 9457 problem details, whichever layer produced it."""

import pytest

from tests.api.conftest import ApiClient

PROBLEM = "application/problem+json"


def assert_problem(answer, status):
    assert answer.status == status, answer.body
    assert answer.content_type.startswith(PROBLEM)
    assert {"type", "title", "status", "detail"} <= set(answer.body)
    assert answer.body["status"] == status
    assert answer.body["type"] == "about:blank" or answer.body["type"].startswith("urn:groundbreak:problem:")
    return answer.body


def test_401_403_404(world, api, client):
    assert_problem(ApiClient(client).get("/projects"), 401)
    assert_problem(api(world.viewer).post("/projects/SJ-001/stage", {"to_stage": "signed"}), 403)
    body = assert_problem(api(world.mh_coordinator).get("/projects/SJ-001"), 404)
    # Out of scope and missing read the same, so scoping does not reveal what exists.
    assert body["detail"] == assert_problem(api(world.mh_coordinator).get("/projects/NOPE"), 404)["detail"]
    assert_problem(api(world.coordinator).get("/no-such-endpoint"), 404)


def test_405_names_the_allowed_methods(world, api):
    client = api(world.coordinator)
    answer = client.call("DELETE", "/projects/SJ-001")
    assert_problem(answer, 405)
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


def test_422_for_bad_input_lists_field_errors(world, api):
    client = api(world.sj_coordinator)
    ninja_level = assert_problem(client.get("/projects", limit="many", light="purple"), 422)
    assert set(ninja_level["errors"]) == {"limit", "light"}
    body_level = assert_problem(client.post("/projects/SJ-001/stage", {"to_stage": "moon"}), 422)
    assert list(body_level["errors"]) == ["to_stage"]
    action_level = assert_problem(client.post("/projects/SJ-001/stage", {"to_stage": "reserve"}), 422)
    assert action_level["errors"] == {"to_stage": ["The project is already at this stage."]}
    assert action_level["type"] == "urn:groundbreak:problem:validation-failed"


def test_400_for_a_body_that_is_not_json(world, api):
    answer = api(world.sj_coordinator).post("/projects/SJ-001/stage", "{not json", content_type="application/json")
    assert_problem(answer, 400)


def test_nul_characters_are_refused_before_reaching_the_database(world, api):
    client = api(world.sj_coordinator)
    assert_problem(client.get("/projects", q="a\x00b"), 400)
    assert_problem(client.post("/projects/SJ-001/pause", {"reason": "x\x00", "expected_resume_on": "2099-01-01"}), 422)


def test_413_for_a_body_above_the_limit(world, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    answer = api(world.sj_coordinator).post(
        "/projects/SJ-001/pause", {"reason": "x" * 2000, "expected_resume_on": "2099-01-01"}
    )
    assert_problem(answer, 413)


def test_429_when_the_rate_is_exceeded(world, api, settings):
    settings.GROUNDBREAK_API_RATE = "3/min"
    client = api(world.viewer)
    assert [client.get("/me").status for _ in range(3)] == [200, 200, 200]
    answer = client.get("/me")
    assert_problem(answer, 429)
    assert 0 < int(answer.headers["Retry-After"]) <= 60
    # The limit counts per token: another token of the same user has its own.
    assert api(world.viewer).get("/me").status == 200


@pytest.mark.parametrize("header", ['W/"99"', "garbage"])
def test_412_is_problem_details_too(world, api, header):
    body = assert_problem(
        api(world.sj_coordinator).patch("/projects/SJ-001", {"industry": "x"}, headers={"If-Match": header}), 412
    )
    assert body["type"] == "urn:groundbreak:problem:precondition-failed"
