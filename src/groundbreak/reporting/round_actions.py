"""Business actions on reporting rounds: open one for an area, close it (freezing its snapshot),
send it up to the next level, and accept or return what a lower level sent up.

Same contract as `actions`: keyword-only, role and scope checked, one transaction; `by=None` is
the system.
"""

import calendar
import datetime

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.org.models import Area
from groundbreak.org.permissions import require_perm
from groundbreak.portfolio.choices import Stage, Status
from groundbreak.portfolio.models import Project
from groundbreak.reporting import adapters, snapshots
from groundbreak.reporting.choices import AWAITING_REVIEW, Frequency, RoundStatus, SubmissionStatus
from groundbreak.reporting.models import Report, ReportingPolicy, ReportingRound, RoundSubmission
from groundbreak.reporting.workflow import area_in_scope

# Projects report from the start of construction until they produce; one with phases is
# reported by its phases.
REPORTING_STAGES = (Stage.CONSTRUCTION, Stage.COMPLETED, Stage.PRODUCTION)
DEFAULT_DUE_DAYS = 5


def _check_area(by, perm: str, area: Area) -> None:
    """Role must grant `perm` and the area must lie in the user's area scope."""
    if by is None:
        return
    require_perm(by, perm)
    if not area_in_scope(by, area):
        raise ObjectDoesNotExist("area outside the user's scope")


def policy_for(area: Area) -> ReportingPolicy:
    """The policy of the nearest area at or above `area`; monthly, due after 5 days, otherwise."""
    ids = [int(part) for part in area.path.strip("/").split("/") if part]
    policy = ReportingPolicy.objects.filter(area_id__in=ids).order_by("-area__depth").first()
    return policy or ReportingPolicy(area=area, frequency=Frequency.MONTHLY, due_days=DEFAULT_DUE_DAYS)


def next_period(area: Area, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date, datetime.date]:
    """The period a new round of `area` would cover by its policy: the one after its latest round,
    or the last full period before today. Returns start, end and due date."""
    policy = policy_for(area)
    months = 3 if policy.frequency == Frequency.QUARTERLY else 1
    latest = area.reporting_rounds.order_by("-period_end").values_list("period_end", flat=True).first()
    if latest is not None:
        start = latest + datetime.timedelta(days=1)
    else:
        today = today or timezone.localdate()
        first_of_period = datetime.date(today.year, (today.month - 1) // months * months + 1, 1)
        index = first_of_period.year * 12 + first_of_period.month - 1 - months
        start = datetime.date(index // 12, index % 12 + 1, 1)
    index = start.year * 12 + start.month - 1 + months - 1
    year, month = divmod(index, 12)
    end = datetime.date(year, month + 1, calendar.monthrange(year, month + 1)[1])
    return start, end, end + datetime.timedelta(days=policy.due_days)


def reportable_projects(area: Area):
    """Active projects of the area's subtree (by district or zone) between construction and production."""
    return Project.objects.filter(
        Q(area__path__startswith=area.path) | Q(zone__path__startswith=area.path),
        status=Status.ACTIVE,
        stage__in=REPORTING_STAGES,
    ).exclude(Exists(Project.objects.filter(parent=OuterRef("pk"))))


def open_round(
    *,
    area: Area,
    by,
    period_start: datetime.date,
    period_end: datetime.date,
    due_on: datetime.date | None = None,
    projects=None,
) -> ReportingRound:
    """Open a round for an area's projects: one report to fill in per project expected to report.

    A project already expected in an overlapping round (of an area above or below) is left out:
    a project reports once per period. `projects` (the system only) names the expected projects.
    """
    _check_area(by, "round.manage", area)
    if projects is not None and by is not None:
        raise TypeError("only the system chooses the expected projects")
    due_on = due_on or period_end + datetime.timedelta(days=policy_for(area).due_days)
    with transaction.atomic():
        round = ReportingRound(area=area, period_start=period_start, period_end=period_end, due_on=due_on, opened_by=by)
        round.full_clean()
        overlapping = ReportingRound.objects.filter(period_start__lte=period_end, period_end__gte=period_start)
        if overlapping.filter(area=area).exists():
            raise ValidationError({"period_start": _("A round of this area already covers part of this period.")})
        round.save()
        expected = (
            reportable_projects(area) if projects is None else Project.objects.filter(pk__in=[p.pk for p in projects])
        )
        covered = Report.objects.filter(round__in=overlapping.exclude(pk=round.pk)).values("project")
        for project in expected.exclude(pk__in=covered).order_by("code"):
            Report.objects.create(round=round, project=project)
    return round


def close_round(*, round: ReportingRound, by) -> ReportingRound:
    """Close a round: its figures are frozen in a snapshot with a checksum, and what is still
    missing stays missing. Reports still under review must be accepted or returned first."""
    _check_area(by, "round.manage", round.area)
    with transaction.atomic():
        current = ReportingRound.objects.select_for_update(of=("self",)).select_related("area").get(pk=round.pk)
        if current.status != RoundStatus.OPEN:
            raise ValidationError(_("This round is already closed."))
        pending = current.reports.filter(status__in=AWAITING_REVIEW).count()
        if pending:
            raise ValidationError(
                _("%(n)d reports are still under review: accept or return them before closing the round.")
                % {"n": pending}
            )
        snapshot = snapshots.freeze(current, by=by)
        current.status = RoundStatus.CLOSED
        current.closed_at = timezone.now()
        current.closed_by = by
        current.save()
        adapters.append_to_chain(
            "reporting.round_closed",
            {
                "round": current.pk,
                "area": current.area.path,
                "period": [current.period_start.isoformat(), current.period_end.isoformat()],
                "checksum": snapshot.checksum,
            },
            obj=current,
        )
    return current


def submit_round(*, round: ReportingRound, by, note: str = "") -> RoundSubmission:
    """Send a closed round up to the area above (a district's to its city) for acceptance."""
    _check_area(by, "round.manage", round.area)
    with transaction.atomic():
        current = ReportingRound.objects.select_for_update(of=("self",)).select_related("area").get(pk=round.pk)
        if current.status != RoundStatus.CLOSED:
            raise ValidationError(_("Close the round before sending it up: the level above accepts frozen figures."))
        if current.area.parent_id is None:
            raise ValidationError(_("This area has no level above it."))
        if current.submissions.filter(status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]).exists():
            raise ValidationError(_("This round has already been sent up."))
        submission = RoundSubmission.objects.create(
            round=current,
            to_area_id=current.area.parent_id,
            checksum=current.snapshot.checksum,
            note=note,
            submitted_by=by,
        )
    return submission


def decide_submission(*, submission: RoundSubmission, accept: bool, by, reason: str = "") -> RoundSubmission:
    """Accept a round sent up from below, or return it with a reason."""
    _check_area(by, "report.accept", submission.to_area)
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the round is returned.")})
    with transaction.atomic():
        current = RoundSubmission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        if current.status != SubmissionStatus.SUBMITTED:
            raise ValidationError(_("This submission has already been decided."))
        current.status = SubmissionStatus.ACCEPTED if accept else SubmissionStatus.RETURNED
        current.reason = reason
        current.decided_by = by
        current.decided_at = timezone.now()
        current.save()
    return current
