"""Monthly reports, reporting rounds, their snapshots and submissions upward, the roll-up."""

from tests.security.access import Page, scoped, who
from tests.security.access import builders as b

READ = who(200, mh_coordinator=404)
# Who fills a project's report: its owner and responsible unit (and the administrator).
FILLERS = ("admin", "unit_member", "owner")
ROUND_MANAGERS = ("admin", "coordinator")


def _report(w):
    return {"pk": b.report(w).pk}


def _round(w):
    return {"pk": b.round(w).pk}


PAGES = {
    "reporting:queue": Page(get=who(200)),
    "reporting:round-list": Page(get=who(200)),
    "reporting:round-create": Page(get=who(403, admin=200, coordinator=200, mh_coordinator=200)),
    "reporting:round-detail": Page(get=READ, kwargs=_round),
    "reporting:round-close": Page(
        get=scoped(200, allowed=ROUND_MANAGERS), post=scoped(allowed=ROUND_MANAGERS), kwargs=_round
    ),
    "reporting:round-snapshot": Page(get=READ, kwargs=lambda w: {"pk": b.closed_round(w).pk}),
    "reporting:round-submit": Page(get=who(405), post=scoped(allowed=ROUND_MANAGERS), kwargs=_round),
    "reporting:submission-decide": Page(
        get=who(405), post=scoped(), kwargs=lambda w: {"pk": b.submission(w).pk}, data=lambda w: {"accept": "true"}
    ),
    "reporting:rollup": Page(get=who(200)),
    "reporting:report-detail": Page(get=READ, kwargs=_report),
    "reporting:report-edit": Page(get=scoped(200, allowed=FILLERS), post=scoped(allowed=FILLERS), kwargs=_report),
    "reporting:report-submit": Page(get=who(405), post=scoped(allowed=FILLERS), kwargs=_report),
    "reporting:report-approve": Page(
        get=who(405), post=scoped(allowed=("admin", "coordinator", "unit_member")), kwargs=_report
    ),
    "reporting:report-return": Page(
        get=scoped(200, allowed=("admin", "coordinator", "unit_member")),
        post=scoped(allowed=("admin", "coordinator", "unit_member")),
        kwargs=_report,
        data=lambda w: {"reason": "数字不对"},
    ),
    "reporting:report-correct": Page(
        get=scoped(200, allowed=FILLERS),
        post=scoped(allowed=FILLERS),
        kwargs=_report,
        data=lambda w: {"reason": "更正"},
    ),
    "reporting:report-photo": Page(get=READ, kwargs=lambda w: {"pk": b.report(w).pk, "photo": b.photo(w).pk}),
    "reporting:photo-remove": Page(
        get=who(405), post=scoped(allowed=FILLERS), kwargs=lambda w: {"pk": b.report(w).pk, "photo": b.photo(w).pk}
    ),
    "reporting:indicator-add": Page(
        get=who(405),
        post=scoped(),
        kwargs=lambda w: {"code": w.sj_project.code},
        data=lambda w: {"name": "新增森林", "unit": "mu", "target": "650", "year": "2026"},
    ),
}
