"""Objects of Songjiang for the matrix, built from the `world` fixture once per test.

Everything is in Songjiang (project SJ-001, led by the leader, under the Songjiang bureau, owned by
the enterprise): every persona sees it except the Minhang coordinator, the insider of another
district, who must get 404.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import Project
from tests.factories import EngagementFactory, IssueFactory, KeyListFactory, MilestoneFactory, month_end, reason
from tests.security.helpers import PDF


def mirror(w):
    """Move the matrix's records to Minhang: afterwards every builder makes them there, where the
    personas bound to Songjiang's project (its leader, its responsible unit, its owner) see nothing."""
    from groundbreak.org.choices import UnitKind
    from tests.factories import PersonFactory, UnitFactory

    enterprise = UnitFactory(name="闵行建设有限公司", kind=UnitKind.ENTERPRISE, area=w.minhang)
    leader = PersonFactory(name="李强", title="闵行区副区长", is_leader=True)
    Project.objects.filter(pk=w.mh_project.pk).update(owner_unit=enterprise, lead_leader=leader)
    w.mh_project.refresh_from_db()
    w.sj_project, w.songjiang, w.sj_bureau, w.enterprise, w.leader = (
        w.mh_project,
        w.minhang,
        w.mh_bureau,
        enterprise,
        leader,
    )
    return w


def _once(function):
    """Build at most once per world (a test may need the same object for kwargs and for data)."""
    attr = f"_built_{function.__name__}"

    def wrapper(w):
        if not hasattr(w, attr):
            setattr(w, attr, function(w))
        return getattr(w, attr)

    wrapper.__name__ = function.__name__
    return wrapper


def project(w):
    return w.sj_project


@_once
def under_construction(w):
    Project.objects.filter(pk=w.sj_project.pk).update(stage=Stage.CONSTRUCTION)
    w.sj_project.refresh_from_db()
    return w.sj_project


@_once
def key_list(w):
    from groundbreak.portfolio.models import KeyListMembership

    kl = KeyListFactory(area=w.songjiang)
    KeyListMembership.objects.create(key_list=kl, project=w.sj_project)
    return kl


@_once
def city_key_list(w):
    return KeyListFactory(area=w.city)


def membership(w):
    return key_list(w).memberships.get()


@_once
def override(w):
    from groundbreak.portfolio.models import LightOverride

    return LightOverride.objects.create(
        project=w.sj_project,
        light="red",
        reason="现场停工",
        expires_on=timezone.localdate() + datetime.timedelta(days=9),
    )


@_once
def milestone(w):
    return MilestoneFactory(project=w.sj_project)


@_once
def replan(w):
    from groundbreak.schedule.models import Replan

    m = milestone(w)
    return Replan.objects.create(
        milestone=m,
        old_date=m.planned_date,
        new_date=m.planned_date + datetime.timedelta(days=30),
        reason=reason(),
        status="pending",
        requested_by=w.unit_member,
    )


@_once
def engagement(w):
    return EngagementFactory(area=w.songjiang, chair=w.leader, projects=[w.sj_project])


@_once
def engagement_attachment(w):
    from groundbreak.coordination.models import Attachment

    return Attachment.objects.create(
        engagement=engagement(w),
        file=ContentFile(PDF, name="minutes.pdf"),
        name="minutes.pdf",
        kind="document",
        content_type="application/pdf",
        size=len(PDF),
    )


@_once
def decision(w):
    from groundbreak.coordination.models import Decision

    return Decision.objects.create(engagement=engagement(w), text="两周内完成管线迁改", project=w.sj_project)


@_once
def issue(w):
    return IssueFactory(project=w.sj_project, lead_unit=w.sj_bureau)


@_once
def issue_attachment(w):
    from groundbreak.coordination.models import Attachment, IssueResponse

    response = IssueResponse.objects.create(issue=issue(w), on=timezone.localdate(), text="已协调", by=w.unit_member)
    return Attachment.objects.create(
        response=response,
        file=ContentFile(PDF, name="evidence.pdf"),
        name="evidence.pdf",
        kind="document",
        content_type="application/pdf",
        size=len(PDF),
    )


@_once
def round(w):
    from groundbreak.reporting import round_actions

    under_construction(w)
    start = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    start = start.replace(day=1)
    end = month_end(start)
    return round_actions.open_round(
        area=w.songjiang, period_start=start, period_end=end, due_on=end + datetime.timedelta(days=5), by=None
    )


@_once
def closed_round(w):
    """A Songjiang round of the month before, closed: its figures frozen in a snapshot."""
    from groundbreak.reporting import round_actions

    under_construction(w)
    start = (round(w).period_start - datetime.timedelta(days=1)).replace(day=1)
    end = month_end(start)
    closed = round_actions.open_round(
        area=w.songjiang, period_start=start, period_end=end, due_on=end + datetime.timedelta(days=5), by=None
    )
    return round_actions.close_round(round=closed, by=None)


@_once
def report(w):
    return round(w).reports.get(project=w.sj_project)


@_once
def photo(w):
    from groundbreak.reporting.models import ReportPhoto

    return ReportPhoto.objects.create(report=report(w), image=ContentFile(b"\xff\xd8\xff\xd9", name="p.jpg"))


@_once
def submission(w):
    from groundbreak.reporting.models import RoundSubmission

    return RoundSubmission.objects.create(
        round=round(w), to_area=w.city, checksum="0" * 64, submitted_by=w.sj_coordinator
    )


@_once
def import_job(w):
    """An import uploaded by the Songjiang coordinator: nobody else's business."""
    from groundbreak.exchange.models import ImportJob

    return ImportJob.objects.create(
        kind="projects",
        file=ContentFile(b"x", name="projects.csv"),
        original_name="projects.csv",
        language="en",
        user=w.sj_coordinator,
    )


@_once
def notification(w):
    """A notification of the Songjiang coordinator: only they may open it."""
    from groundbreak.notify.models import Notification

    return Notification.objects.create(
        recipient=w.sj_coordinator,
        kind="issue.assigned",
        title="新问题",
        url=w.sj_project.get_absolute_url(),
        dedup_key="x",
    )


@_once
def webhook(w):
    from groundbreak.notify.models import Webhook

    return Webhook.objects.create(
        name="松江群", kind="wecom", url="https://127.0.0.1:9/cgi-bin/webhook/send?key=x", area=w.songjiang
    )


@_once
def token(w):
    """An API token of the Songjiang coordinator."""
    from groundbreak.api.models import ApiToken

    return ApiToken.objects.create(user=w.sj_coordinator, name="weekly export", key_hash="0" * 64, prefix="gbt_x")
