"""The REST API under /api/v1/: every operation (by operationId) and the schema pages."""

from tests.factories import category, kind, reason
from tests.security.access import OK, Operation, Page, scoped, who
from tests.security.access import builders as b
from tests.security.access.dates import iso, soon


def api(default, **overrides):
    return who(default, **({"anonymous": 401} | overrides))


def api_scoped(allowed=("admin", "coordinator")):
    return scoped(allowed=allowed, anonymous=401)


READ = api(200, mh_coordinator=404)
LIST = api(200)
REPORTERS = ("admin", "coordinator", "unit_member", "owner")
FILLERS = ("admin", "unit_member", "owner")
CODE = lambda w: {"code": w.sj_project.code}  # noqa: E731
NODE = lambda w: {"code": w.sj_project.code, "milestone_id": b.milestone(w).pk}  # noqa: E731

OPERATIONS = {
    "me": Operation(api(200)),
    "list_projects": Operation(LIST),
    "create_project": Operation(
        api(403, admin=OK, coordinator=OK, mh_coordinator=OK),
        # In the caller's own area: Minhang for the Minhang coordinator, the city for the others.
        body=lambda w: {"code": "NEW-1", "name": "新项目", "category": _category(), "area": w.minhang.pk},
    ),
    "get_project": Operation(READ, kwargs=CODE),
    "update_project": Operation(api_scoped(), kwargs=CODE, body=lambda w: {"name": "改名"}),
    "change_project_stage": Operation(api_scoped(), kwargs=CODE, body=lambda w: {"to_stage": "landed", "on": iso()}),
    "pause_project": Operation(
        api_scoped(), kwargs=CODE, body=lambda w: {"reason": "资金", "expected_resume_on": iso(soon())}
    ),
    "resume_project": Operation(api_scoped(), kwargs=CODE, body=lambda w: {"note": ""}),
    "list_key_lists": Operation(LIST),
    "get_key_list": Operation(READ, kwargs=lambda w: {"key_list_id": b.key_list(w).pk}),
    "list_key_list_memberships": Operation(READ, kwargs=lambda w: {"key_list_id": b.key_list(w).pk}),
    "list_areas": Operation(LIST),
    "get_area": Operation(READ, kwargs=lambda w: {"area_id": w.songjiang.pk}),
    "list_units": Operation(LIST),
    "get_unit": Operation(READ, kwargs=lambda w: {"unit_id": w.sj_bureau.pk}),
    "list_people": Operation(LIST),
    "get_person": Operation(READ, kwargs=lambda w: {"person_id": w.leader.pk}),
    "list_milestone_kinds": Operation(LIST),
    "list_replan_reasons": Operation(LIST),
    "list_milestones": Operation(LIST),
    "list_project_milestones": Operation(READ, kwargs=CODE),
    "add_milestone": Operation(
        api_scoped(), kwargs=CODE, body=lambda w: {"kind": kind().code, "planned_date": iso(soon())}
    ),
    "get_milestone": Operation(READ, kwargs=NODE),
    "complete_milestone": Operation(
        api_scoped(REPORTERS), kwargs=NODE, body=lambda w: {"actual_date": iso()}, encoding="form"
    ),
    "replan_milestone": Operation(
        api_scoped(REPORTERS), kwargs=NODE, body=lambda w: {"new_date": iso(soon(90)), "reason": reason().code}
    ),
    "list_pending_replans": Operation(api(403, admin=200, coordinator=200, mh_coordinator=200)),
    "decide_replan": Operation(
        api_scoped(), kwargs=lambda w: {"replan_id": b.replan(w).pk}, body=lambda w: {"approve": True, "note": ""}
    ),
    # Key lists, publication, light overrides (api/portfolio_writes.py).
    "set_key_list_membership": Operation(
        api_scoped(),
        kwargs=lambda w: {"key_list_id": b.key_list(w).pk, "code": w.sj_project.code},
        body=lambda w: {"annual_investment_plan": "100.00", "note": ""},
    ),
    "remove_key_list_membership": Operation(
        api_scoped(), kwargs=lambda w: {"key_list_id": b.key_list(w).pk, "code": w.sj_project.code}
    ),
    "set_project_publication": Operation(api_scoped(), kwargs=CODE, body=lambda w: {"public": True}),
    "override_project_light": Operation(
        api_scoped(), kwargs=CODE, body=lambda w: {"light": "red", "reason": "停工", "expires_on": iso(soon())}
    ),
    "withdraw_project_light_override": Operation(
        api_scoped(), kwargs=lambda w: {"code": w.sj_project.code, "override_id": b.override(w).pk}
    ),
    # Issues (api/issues.py): the permission is checked by the business action, after the scoped lookup.
    "list_issues": Operation(LIST),
    "get_issue": Operation(READ, kwargs=lambda w: {"issue_id": b.issue(w).pk}),
    "raise_project_issue": Operation(
        api_scoped(("admin", "coordinator", "unit_member", "owner")),
        kwargs=CODE,
        body=lambda w: {"title": "用地", "category": category().code},
    ),
    "respond_to_issue": Operation(
        api_scoped(("admin", "coordinator", "unit_member")),  # the lead unit (Songjiang's bureau), coordinators
        kwargs=lambda w: {"issue_id": b.issue(w).pk},
        body=lambda w: {"text": "已协调"},
    ),
    # Engagements (api/engagements.py): recorded by coordinators, as on the "Record engagement" page.
    "list_engagements": Operation(LIST),
    "get_engagement": Operation(READ, kwargs=lambda w: {"engagement_id": b.engagement(w).pk}),
    "record_engagement": Operation(
        # Of a project each of them sees (Minhang's), as the page's expectation does.
        api(403, admin=OK, coordinator=OK, mh_coordinator=OK),
        body=lambda w: {
            "kind": "office_meeting",
            "title": "现场办公会",
            "date": iso(),
            "projects": [w.mh_project.code],
        },
    ),
    # Reports (api/reports.py): filled in by the project's owner and responsible unit.
    "list_reports": Operation(LIST),
    "get_report": Operation(READ, kwargs=lambda w: {"report_id": b.report(w).pk}),
    "fill_report": Operation(
        api_scoped(FILLERS), kwargs=lambda w: {"report_id": b.report(w).pk}, body=lambda w: {"investment": "100.00"}
    ),
    "submit_report": Operation(api_scoped(FILLERS), kwargs=lambda w: {"report_id": b.report(w).pk}),
}

PAGES = {
    # The schema and its page describe the API, not its data; they are public like any API description.
    "api:openapi-json": Page(get=who(200, anonymous=200)),
    "api:openapi-view": Page(get=who(200, anonymous=200)),
    "api:api-root": Page(get=who(404, anonymous=404)),
    # Whatever the API does not route is a 404 problem document, for everyone.
    "api/v1/^(?P<rest>.*)$": Page(get=who(404, anonymous=404), url=lambda w: "/api/v1/no-such-thing"),
}


def _category():
    from groundbreak.portfolio.choices import Category

    return Category.values[0]
