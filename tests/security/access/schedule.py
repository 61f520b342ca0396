"""Time nodes (milestones), their evidence and re-plans."""

from tests.factories import kind, reason
from tests.security.access import Page, scoped, who
from tests.security.access import builders as b
from tests.security.access.dates import iso, soon

# Those who report on a project's nodes: its responsible unit and its owner, besides coordinators.
REPORTERS = ("admin", "coordinator", "unit_member", "owner")


def _node(w):
    return {"code": w.sj_project.code, "pk": b.milestone(w).pk}


def _with_evidence(w):
    from django.core.files.base import ContentFile

    from tests.security.helpers import PDF

    m = b.milestone(w)
    m.evidence.save("approval.pdf", ContentFile(PDF))
    return {"code": w.sj_project.code, "pk": m.pk}


PAGES = {
    "schedule:milestone-add": Page(
        get=who(405),
        post=scoped(),
        kwargs=lambda w: {"code": w.sj_project.code},
        data=lambda w: {"kind": kind().pk, "planned_date": iso(soon())},
    ),
    "schedule:template-apply": Page(
        get=who(405),
        post=scoped(),
        kwargs=lambda w: {"code": w.sj_project.code},
        data=lambda w: {"template": _template(w)},
    ),
    "schedule:milestone-complete": Page(
        get=who(405), post=scoped(allowed=REPORTERS), kwargs=_node, data=lambda w: {"actual_date": iso()}
    ),
    "schedule:milestone-reopen": Page(
        get=who(405), post=scoped(allowed=REPORTERS), kwargs=_node, data=lambda w: {"reason": "误报"}
    ),
    "schedule:milestone-replan": Page(
        get=who(405),
        post=scoped(allowed=REPORTERS),
        kwargs=_node,
        data=lambda w: {"new_date": iso(soon(90)), "reason": reason().pk, "note": ""},
    ),
    "schedule:milestone-evidence": Page(get=who(200, mh_coordinator=404), kwargs=_with_evidence),
    "schedule:replan-queue": Page(get=who(403, admin=200, coordinator=200, mh_coordinator=200)),
    "schedule:replan-decide": Page(
        get=who(405),
        post=scoped(),
        kwargs=lambda w: {"pk": b.replan(w).pk},
        data=lambda w: {"approve": "true", "note": ""},
    ),
}


def _template(w):
    from groundbreak.schedule.models import MilestoneTemplate

    template = MilestoneTemplate.objects.first()
    return template.pk if template else ""
