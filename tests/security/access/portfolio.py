"""Areas, units, people, projects and key lists."""

from tests.security.access import OK, Page, scoped, who
from tests.security.access import builders as b
from tests.security.access.dates import iso, soon

READ = who(200, mh_coordinator=404)
LIST = who(200)


def _code(w):
    return {"code": b.project(w).code}


def _project_write(data):
    """A write on the Songjiang project reserved to coordinators (and the administrator)."""
    return Page(get=who(405), post=scoped(), kwargs=_code, data=data)


PAGES = {
    "portfolio:area-list": Page(get=LIST),
    "portfolio:area-detail": Page(get=READ, kwargs=lambda w: {"pk": w.songjiang.pk}),
    "portfolio:unit-list": Page(get=LIST),
    "portfolio:unit-detail": Page(get=READ, kwargs=lambda w: {"pk": w.sj_bureau.pk}),
    "portfolio:person-list": Page(get=LIST),
    "portfolio:person-detail": Page(get=READ, kwargs=lambda w: {"pk": w.leader.pk}),
    "portfolio:project-list": Page(get=LIST),
    # Options for a project picker: only the visible projects matching a search (tests/portfolio/test_pickers.py).
    "portfolio:project-choices": Page(get=LIST),
    "portfolio:project-create": Page(
        get=who(403, admin=200, coordinator=200, mh_coordinator=200),
        # A district coordinator may create, but only in their own district: a form error, nothing made.
        post=who(403, admin=OK, coordinator=OK, mh_coordinator=200),
        data=lambda w: {"code": "SJ-NEW", "name": "新项目", "area": w.songjiang.pk, "stage": "reserve"},
    ),
    "portfolio:keylist-list": Page(get=LIST),
    "portfolio:keylist-detail": Page(get=READ, kwargs=lambda w: {"pk": b.key_list(w).pk}),
    "portfolio:project-detail": Page(get=READ, kwargs=_code),
    "portfolio:project-edit": Page(
        get=scoped(200),
        post=scoped(),
        kwargs=_code,
        data=lambda w: {
            "code": w.sj_project.code,
            "name": "改名",
            "area": w.songjiang.pk,
            "stage": w.sj_project.stage,
            "figures-TOTAL_FORMS": "0",
            "figures-INITIAL_FORMS": "0",
        },
    ),
    "portfolio:project-stage": _project_write(lambda w: {"to_stage": "landed", "on": iso(), "note": ""}),
    "portfolio:project-pause": _project_write(lambda w: {"reason": "资金", "expected_resume_on": iso(soon())}),
    "portfolio:project-pause-update": _project_write(lambda w: {"note": "进展", "expected_resume_on": ""}),
    "portfolio:project-resume": _project_write(lambda w: {"note": ""}),
    "portfolio:project-cancel": _project_write(lambda w: {"reason": "撤销"}),
    "portfolio:project-override": _project_write(
        lambda w: {"light": "red", "reason": "停工", "expires_on": iso(soon())}
    ),
    "portfolio:project-override-withdraw": Page(
        get=who(405),
        post=scoped(),
        kwargs=lambda w: {"code": w.sj_project.code, "pk": b.override(w).pk},
    ),
    "portfolio:project-membership": _project_write(
        lambda w: {"key_list": b.city_key_list(w).pk, "annual_investment_plan": "100", "target_stage": "", "note": ""}
    ),
    "portfolio:project-membership-remove": Page(
        get=who(405),
        post=scoped(),
        kwargs=lambda w: {"code": w.sj_project.code, "pk": b.membership(w).pk},
    ),
}
