"""Printable notices (提示单、督办单、联系单、报告单): the list, a notice and its documents, issuing one,
a unit's report, marking replied, an issue's notices.

To be listed in MODULES (tests/security/access/__init__.py) as "notices".
"""

from tests.security.access import OK, Page, scoped, who
from tests.security.access import builders as b
from tests.security.access.dates import iso, soon

READ = who(200, mh_coordinator=404)
# Reminders, supervision orders and liaison notes are the coordinators' (the role, wherever they are).
COORDINATORS = dict(admin=200, coordinator=200, mh_coordinator=200)


def notice(w):
    """A supervision order to the Songjiang bureau on its issue (built once per world)."""
    if not hasattr(w, "_built_notice"):
        from groundbreak.coordination.notice_actions import issue_notice

        w._built_notice = issue_notice(
            kind="supervision", addressee=w.sj_bureau, issues=[b.issue(w)], reply_by=soon(), by=None, issuer_unit=w.hq
        )
    return w._built_notice


def _notice(w):
    return {"pk": notice(w).pk}


PAGES = {
    "coordination:notice-list": Page(get=who(200)),
    "coordination:notice-create": Page(
        get=who(403, **COORDINATORS),
        # Minhang's coordinator is offered only Minhang's issues: the Songjiang one is not a valid choice.
        post=who(403, admin=OK, coordinator=OK, mh_coordinator=200),
        data=lambda w: {
            "kind": "supervision",
            "addressee": w.sj_bureau.pk,
            "reply_by": iso(soon()),
            "issues": [b.issue(w).pk],
        },
    ),
    # A report is written by a unit: only logins attached to one (the bureau, the owner's enterprise).
    "coordination:notice-report": Page(
        get=who(403, unit_member=200, owner=200),
        # The enterprise has no issue of its own to report on: its form refuses the bureau's issue.
        post=who(403, unit_member=OK, owner=200),
        data=lambda w: {"addressee": w.hq.pk, "issues": [b.issue(w).pk], "subject": "报告", "body": "已完成"},
    ),
    "coordination:notice-detail": Page(get=READ, kwargs=_notice),
    "coordination:notice-docx": Page(get=READ, kwargs=_notice),
    "coordination:notice-pdf": Page(get=READ, kwargs=_notice),
    "coordination:notice-replied": Page(
        get=who(405), post=scoped(), kwargs=_notice, data=lambda w: {"on": iso(), "note": "电话答复"}
    ),
    "coordination:issue-notices": Page(get=READ, kwargs=lambda w: {"pk": b.issue(w).pk}),
}
