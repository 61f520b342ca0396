"""Field work's rows of the authorisation matrix (tests/security/access/): safety inspections,
snap-and-report, the triage queue. Everything is built in Songjiang, so the Minhang coordinator
is the insider of another district and gets 404.

`tests/fieldwork/test_access.py` runs these rows; to run them inside the matrix as well, a module
`tests/security/access/fieldwork.py` holding `from tests.fieldwork.access import PAGES` and a
"fieldwork" entry in that package's MODULES are all it takes.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.security.access import OK, Page, scoped, who
from tests.security.access.builders import _once
from tests.security.access.dates import iso, soon

READ = who(200, mh_coordinator=404)
# May send snaps: every role that may raise an issue; not leaders, not read-only viewers.
SENDERS = who(200, leader=403, viewer=403)
COORDINATORS = who(403, admin=200, coordinator=200, mh_coordinator=200)


def _jpeg():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 120, 120)).save(out, "JPEG")
    return SimpleUploadedFile("现场.jpg", out.getvalue(), content_type="image/jpeg")


def _checklist():
    from groundbreak.fieldwork.models import Checklist

    return Checklist.objects.get(code="site-safety")


@_once
def inspection(w):
    from groundbreak.fieldwork.actions import start_inspection

    return start_inspection(by=None, project=w.sj_project, checklist=_checklist())


@_once
def snap(w):
    from groundbreak.fieldwork.actions import report_snap

    return report_snap(by=None, project=w.sj_project, text="围挡破损", photo=_jpeg(), latitude=31.0, longitude=121.2)


def _all_pass(w):
    return {f"result_{item.pk}": "pass" for item in _checklist().items.all()}


def _snap(w):
    return {"pk": snap(w).pk}


PAGES = {
    "fieldwork:inspection-list": Page(get=who(200)),
    "fieldwork:inspection-create": Page(
        get=COORDINATORS,
        # The Minhang coordinator's form does not offer a Songjiang project: refused as a field error.
        post=who(403, admin=OK, coordinator=OK, mh_coordinator=200),
        data=lambda w: {"project": w.sj_project.pk, "checklist": _checklist().pk, "date": iso()},
    ),
    "fieldwork:inspection-detail": Page(
        get=READ, post=scoped(), kwargs=lambda w: {"pk": inspection(w).pk}, data=_all_pass
    ),
    "fieldwork:snap": Page(
        get=SENDERS,
        post=who(OK, leader=403, viewer=403, mh_coordinator=200),
        data=lambda w: {"text": "围挡破损", "photo": _jpeg(), "project_other": w.sj_project.pk},
    ),
    "fieldwork:snap-nearby": Page(get=SENDERS, query="lat=31.0&lon=121.2"),
    "fieldwork:triage": Page(get=COORDINATORS),
    "fieldwork:snap-detail": Page(get=READ, kwargs=_snap),
    "fieldwork:snap-photo": Page(get=READ, kwargs=_snap),
    "fieldwork:snap-triage": Page(
        get=who(405),
        post=scoped(),
        kwargs=_snap,
        data=lambda w: {"category": _category(), "lead_unit": w.sj_bureau.pk, "deadline": iso(soon())},
    ),
    "fieldwork:snap-reject": Page(get=who(405), post=scoped(), kwargs=_snap, data=lambda w: {"reason": "重复上报"}),
}


def _category():
    from groundbreak.coordination.models import IssueCategory

    return IssueCategory.objects.get(code="safety").pk
