"""Business actions on reports: fill in, submit, approve at a level, return, correct, photos, and
a project's indicators. Round actions (open, close, send up) are in `round_actions`.

Same contract as `portfolio.actions`: keyword-only, role and scope checked, one transaction, the
change log written by the audit signals inside it; `by=None` is the system (demo, imports).
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.org.permissions import has_perm, require_perm
from groundbreak.portfolio.models import Project
from groundbreak.reporting import adapters
from groundbreak.reporting.choices import OPEN_FOR_FILLING, RoundStatus
from groundbreak.reporting.models import Indicator, IndicatorValue, Report, ReportPhoto, ReportVersion
from groundbreak.reporting.workflow import awaited, levels_for, may_act, may_return, require, transition

try:
    from groundbreak.audit.recording import remember_locked
except ImportError:  # no change log installed (see `adapters`)

    def remember_locked(instance) -> None:
        pass


VERSION_FIELDS = ("investment", "physical_progress", "workers_on_site", "progress", "next_steps", "difficulties")
INDICATOR_FIELDS = ("name", "name_en", "unit", "target", "year", "target_date", "order")


def _visible(by, project: Project) -> None:
    """Out of the user's scope reads as "not found", like a missing record."""
    if by is not None and not Project.objects.for_user(by).filter(pk=project.pk).exists():
        raise ObjectDoesNotExist("project outside the user's scope")


def _check_fill(by, report: Report) -> None:
    if by is None:
        return
    require_perm(by, "report.fill")
    _visible(by, report.project)


def _check_reviewer(by, report: Report) -> None:
    if by is None:
        return
    if not (has_perm(by, "report.review") or has_perm(by, "report.accept")):
        raise PermissionDenied("report.review")
    _visible(by, report.project)


def _locked(report: Report) -> Report:
    # Only the report row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("round", "project__area", "project__zone", "working", "accepted")
        .get(pk=report.pk)
    )


def _locked_for_submit(pk: int, by) -> Report:
    """The report locked, with what a submission reads, in one query that also checks the user's
    scope (out of scope raises DoesNotExist, as `_visible` does). Its change-log snapshot is taken
    from the locked row: the save needs no second read of it."""
    reports = Report.objects.select_for_update(of=("self",)).select_related(
        "round", "project__area", "project__zone", "project__responsible_unit", "working"
    )
    if by is not None:
        reports = reports.filter(project__in=Project.objects.for_user(by))
    current = reports.get(pk=pk)
    remember_locked(current)
    return current


def _require_open(report: Report) -> None:
    """A closed round's figures are frozen; only a correction of an accepted report goes on."""
    if report.round.status != RoundStatus.OPEN and not report.is_correction:
        raise ValidationError(_("The round is closed: its reports can only be corrected once accepted."))


def _check_indicator_values(report: Report, values: dict) -> None:
    for indicator in values:
        if indicator.project_id != report.project_id or indicator.year != report.round.year:
            raise ValidationError(_("That indicator is not one of this project's targets for the year."))


def save_report(*, report: Report, by, values: dict, indicator_values: dict | None = None) -> ReportVersion:
    """Fill in or change the figures and texts of a report that lies with its owner (a draft or a
    returned report). `indicator_values` maps the project's indicators of the year to what this
    period achieved; None clears a value given before, an indicator left out keeps its value."""
    _check_fill(by, report)
    unknown = set(values) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"not a report figure: {sorted(unknown)}")
    indicator_values = dict(indicator_values or {})
    with transaction.atomic():
        current = _locked(report)
        if current.status not in OPEN_FOR_FILLING:
            raise ValidationError(_("Only a draft or a returned report can be changed."))
        _require_open(current)
        _check_indicator_values(current, indicator_values)
        version = current.working or ReportVersion(report=current, number=1, created_by=by)
        for name, value in values.items():
            setattr(version, name, value)
        version.full_clean(exclude=["report"])
        version.save()
        if current.working_id is None:
            current.working = version
            current.save()
        existing = {v.indicator_id: v for v in version.indicator_values.all()}
        for indicator, value in indicator_values.items():
            if value is None:
                if indicator.pk in existing:
                    existing[indicator.pk].delete()
                continue
            entry = existing.get(indicator.pk) or IndicatorValue(version=version, indicator=indicator)
            if entry.pk is None or entry.value != value:
                entry.value = value
                entry.full_clean(exclude=["version", "indicator"])
                entry.save()
    return version


def submit_report(*, report: Report | int, by) -> Report:
    """Send a draft or returned report (or the report of that id) up to its first level of review."""
    if by is not None:
        require_perm(by, "report.fill")
    with transaction.atomic():
        current = _locked_for_submit(report if isinstance(report, int) else report.pk, by)
        _require_open(current)
        version = current.working
        errors = {}
        if version is None or version.investment is None:
            errors["investment"] = _("Give the investment completed this period (0 if none).")
        if version is None or version.physical_progress is None:
            errors["physical_progress"] = _("Give the physical progress.")
        require(current, "submit")
        if errors:
            raise ValidationError(errors)
        project = current.project
        transition(current, "submit", by=by)
        current.step = 0
        current.awaiting, current.awaiting_unit_id = awaited(levels_for(project)[0], project)
        if current.awaiting_unit_id is not None and current.awaiting_unit_id == project.responsible_unit_id:
            # The unit is at hand: the change log names it without fetching it.
            current.awaiting_unit = project.responsible_unit
        today = timezone.localdate()
        current.first_submitted_on = current.first_submitted_on or today
        current.submitted_on = today
        current.return_reason = ""
        current.save()
    return current


def _chain_payload(report: Report, version: ReportVersion) -> dict:
    values = {v.indicator_id: str(v.value) for v in version.indicator_values.all()}
    return {
        "report": report.pk,
        "project": report.project.code,
        "round": report.round_id,
        "period": [report.round.period_start.isoformat(), report.round.period_end.isoformat()],
        "version": version.number,
        "investment": str(version.investment),
        "physical_progress": str(version.physical_progress),
        "workers_on_site": version.workers_on_site,
        "indicators": {str(k): v for k, v in sorted(values.items())},
    }


def approve_report(*, report: Report, by, note: str = "") -> Report:
    """Approve a report at the level it waits for: it moves up to the next level (reviewed) or,
    at the last level, is accepted and its version comes into force."""
    _check_reviewer(by, report)
    with transaction.atomic():
        current = _locked(report)
        _require_open(current)
        require(current, "accept")
        if by is not None and not may_act(by, current):
            raise PermissionDenied("not this user's level of review")
        levels = levels_for(current.project)
        if current.step + 1 < len(levels):
            transition(current, "review", by=by, reason=note)
            current.step += 1
            current.awaiting, current.awaiting_unit_id = awaited(levels[current.step], current.project)
            current.save()
            return current
        transition(current, "accept", by=by, reason=note)
        version = current.working
        version.accepted_at = timezone.now()
        version.accepted_by = by
        version.save()
        current.accepted = version
        current.awaiting, current.awaiting_unit = "", None
        current.save()
        adapters.append_to_chain(
            "reporting.report_accepted", _chain_payload(current, version), obj=current, parent=current.project
        )
    return current


def return_report(*, report: Report, by, reason: str) -> Report:
    """Send a submitted report back to its owner with the reason; the owner fixes and resubmits it."""
    _check_reviewer(by, report)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is returned.")})
    with transaction.atomic():
        current = _locked(report)
        _require_open(current)
        require(current, "return")
        if by is not None and not may_return(by, current):
            raise PermissionDenied("not this user's level of review")
        transition(current, "return", by=by, reason=reason)
        current.return_reason = reason
        current.step = 0
        current.awaiting, current.awaiting_unit = "", None
        current.save()
    return current


def start_correction(*, report: Report, by, reason: str) -> ReportVersion:
    """Correct an accepted report: a new version, copied from the one in force, to change and send
    through review again. The accepted version stays in force until the correction is accepted."""
    _check_fill(by, report)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is corrected and why.")})
    with transaction.atomic():
        current = _locked(report)
        require(current, "correct")
        base = current.accepted
        version = ReportVersion(
            report=current,
            number=current.versions.order_by("-number").values_list("number", flat=True).first() + 1,
            correction_reason=reason,
            created_by=by,
            **{name: getattr(base, name) for name in VERSION_FIELDS},
        )
        version.save()
        for value in base.indicator_values.all():
            IndicatorValue.objects.create(version=version, indicator_id=value.indicator_id, value=value.value)
        current.working = version
        transition(current, "correct", by=by, reason=reason)
        current.step = 0
        current.return_reason = ""
        current.save()
    return version


def add_photo(*, report: Report, by, image, caption: str = "", keep_location: bool = False) -> ReportPhoto:
    """Attach a site photo to a report being filled in; it is checked and cleaned first."""
    _check_fill(by, report)
    cleaned = adapters.clean_photo(image, keep_location=keep_location)
    with transaction.atomic():
        current = _locked(report)
        if current.status not in OPEN_FOR_FILLING:
            raise ValidationError(_("Photos are added while the report is being filled in."))
        _require_open(current)
        photo = ReportPhoto(report=current, image=cleaned, caption=caption[:200], uploaded_by=by)
        photo.save()
    return photo


def remove_photo(*, photo: ReportPhoto, by) -> None:
    """Take a photo off a report that is still being filled in."""
    _check_fill(by, photo.report)
    with transaction.atomic():
        current = _locked(photo.report)
        if current.status not in OPEN_FOR_FILLING:
            raise ValidationError(_("Photos are removed while the report is being filled in."))
        _require_open(current)
        photo.delete()


def set_indicator(*, project: Project, by, indicator: Indicator | None = None, **fields) -> Indicator:
    """Add a target to a project ("650 mu of new forest in 2025") or change one."""
    if by is not None:
        require_perm(by, "project.change")
        _visible(by, project)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"not an indicator field: {sorted(unknown)}")
    if indicator is not None and indicator.project_id != project.pk:
        raise ValidationError(_("That indicator belongs to another project."))
    with transaction.atomic():
        indicator = indicator or Indicator(project=project)
        for name, value in fields.items():
            setattr(indicator, name, value)
        indicator.full_clean()
        indicator.save()
    return indicator
