"""Engagements (on-site meetings, visits), issues (difficulties), instructions, the supervision board."""

from tests.factories import category
from tests.security.access import OK, Page, scoped, who
from tests.security.access import builders as b
from tests.security.access.dates import iso, soon

READ = who(200, mh_coordinator=404)
# Those who answer for an issue of the Songjiang bureau: the bureau, and coordinators.
RESPONDERS = ("admin", "coordinator", "unit_member")


def _engagement(w):
    return {"pk": b.engagement(w).pk}


def _issue(w):
    return {"pk": b.issue(w).pk}


def _issue_write(allowed, data):
    return Page(get=who(405), post=scoped(allowed=allowed), kwargs=_issue, data=data)


PAGES = {
    "coordination:engagement-list": Page(get=who(200)),
    "coordination:engagement-calendar": Page(get=who(200)),
    "coordination:engagement-create": Page(
        get=who(403, admin=200, coordinator=200, mh_coordinator=200),
        post=who(403, admin=OK, coordinator=OK, mh_coordinator=OK),
        data=lambda w: {"kind": "office_meeting", "title": "现场办公会", "date": iso(), "projects": [w.mh_project.pk]},
    ),
    "coordination:engagement-detail": Page(get=READ, kwargs=_engagement),
    "coordination:engagement-edit": Page(
        get=scoped(200),
        post=scoped(),
        kwargs=_engagement,
        data=lambda w: {"kind": "office_meeting", "title": "改", "date": iso(), "projects": [w.sj_project.pk]},
    ),
    "coordination:engagement-outcomes": Page(
        get=who(405),
        post=scoped(),
        kwargs=_engagement,
        data=lambda w: {
            "issues-TOTAL_FORMS": "0",
            "issues-INITIAL_FORMS": "0",
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
        },
    ),
    "coordination:engagement-attach": Page(get=who(405), post=scoped(), kwargs=_engagement, data=lambda w: {}),
    "coordination:engagement-attachment": Page(
        get=READ, kwargs=lambda w: {"pk": b.engagement(w).pk, "attachment": b.engagement_attachment(w).pk}
    ),
    "coordination:engagement-attachment-delete": Page(
        get=scoped(200),  # asks to confirm
        post=scoped(),
        kwargs=lambda w: {"pk": b.engagement(w).pk, "attachment": b.engagement_attachment(w).pk},
    ),
    "coordination:decision-issue": Page(
        get=scoped(200),
        post=scoped(),
        kwargs=lambda w: {"pk": b.engagement(w).pk, "decision": b.decision(w).pk},
        data=lambda w: {
            "project": w.sj_project.pk,
            "title": "管线迁改",
            "category": category().pk,
            "severity": "2",
            "lead_unit": w.sj_bureau.pk,
            "deadline": iso(soon()),
        },
    ),
    "coordination:decision-milestone": Page(
        get=scoped(200),
        post=scoped(),
        kwargs=lambda w: {"pk": b.engagement(w).pk, "decision": b.decision(w).pk},
        data=lambda w: {"project": w.sj_project.pk, "kind": _kind(), "planned_date": iso(soon())},
    ),
    "coordination:issue-create": Page(
        get=who(200, leader=403, viewer=403),
        post=who(403, admin=OK, coordinator=OK, mh_coordinator=200, unit_member=OK, owner=OK),
        data=lambda w: {
            "project": w.sj_project.pk,
            "title": "用地",
            "category": category().pk,
            "severity": "2",
            "source": "unit",
            "lead_unit": w.sj_bureau.pk,
            "deadline": iso(soon()),
        },
    ),
    "coordination:issue-detail": Page(get=READ, kwargs=_issue),
    "coordination:issue-assign": _issue_write(
        ("admin", "coordinator"), lambda w: {"lead_unit": w.sj_bureau.pk, "deadline": iso(soon()), "note": ""}
    ),
    "coordination:issue-respond": _issue_write(RESPONDERS, lambda w: {"text": "已协调", "on": iso()}),
    "coordination:issue-resolve": _issue_write(RESPONDERS, lambda w: {"resolution": "已解决", "on": iso()}),
    "coordination:issue-verify": _issue_write(("admin", "coordinator"), lambda w: {"note": ""}),
    "coordination:issue-return": _issue_write(("admin", "coordinator"), lambda w: {"reason": "缺证明"}),
    "coordination:issue-deadline": _issue_write(
        ("admin", "coordinator"), lambda w: {"new_deadline": iso(soon(40)), "reason": "延期"}
    ),
    "coordination:issue-instruct": _issue_write(
        ("admin", "coordinator", "leader"),
        lambda w: {"leader": w.leader.pk, "text": "抓紧", "target_unit": w.sj_bureau.pk, "given_on": iso()},
    ),
    "coordination:issue-attachment": Page(
        get=READ, kwargs=lambda w: {"pk": b.issue(w).pk, "attachment": b.issue_attachment(w).pk}
    ),
    "coordination:project-instruct": Page(
        get=scoped(200, allowed=("admin", "coordinator", "leader")),
        post=scoped(allowed=("admin", "coordinator", "leader")),
        kwargs=lambda w: {"code": w.sj_project.code},
        data=lambda w: {"leader": w.leader.pk, "text": "抓紧", "target_unit": w.sj_bureau.pk, "given_on": iso()},
    ),
    "coordination:project-engagements": Page(get=READ, kwargs=lambda w: {"code": w.sj_project.code}),
    "coordination:board": Page(get=who(200)),
    "coordination:inbox": Page(get=who(200)),
    "coordination:leader-detail": Page(get=READ, kwargs=lambda w: {"pk": w.leader.pk}),
}


def _kind():
    from tests.factories import kind

    return kind().pk
