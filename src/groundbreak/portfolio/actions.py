"""Business actions on projects, key lists and lights: one function per action.

Each checks the acting user's role and scope, validates, writes in one transaction (the change log
is written by the audit signals in that same transaction) and returns what it changed. Pages, the
API, imports and the worker call these, never the models directly. `by=None` means the system
(commands, demo loading) and skips the permission checks.
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.core.errors import ConflictError
from groundbreak.org.permissions import require_perm, sees_everything
from groundbreak.portfolio.choices import STAGE_ORDER, Light, Stage, Status
from groundbreak.portfolio.models import (
    KeyFigure,
    KeyList,
    KeyListMembership,
    LightOverride,
    Project,
    StageChange,
)

EDITABLE_FIELDS = (
    "code",
    "investment_code",
    "name",
    "name_en",
    "category",
    "industry",
    "area",
    "zone",
    "address",
    "latitude",
    "longitude",
    "owner_unit",
    "lead_leader",
    "responsible_unit",
    "responsible_person",
    "total_investment",
    "planned_start",
    "planned_end",
    "description",
    "parent",
)


def _check(by, perm: str, project: Project | None = None) -> None:
    """Role must grant `perm`, and the project must stay within the user's scope."""
    if by is None:
        return
    require_perm(by, perm)
    if project is not None and project.pk and not Project.objects.for_user(by).filter(pk=project.pk).exists():
        raise ObjectDoesNotExist("project outside the user's scope")


def _today() -> datetime.date:
    return timezone.localdate()


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _check_history_date(project: Project, on: datetime.date, field: str = "on") -> None:
    """A dated history entry happens today or earlier, and not before the last one."""
    if on > _today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    last = project.stage_changes.order_by("-on", "-id").first()
    if last is not None and on < last.on:
        raise ValidationError(
            {
                field: _("The date cannot be before the previous entry of the history (%(date)s).")
                % {"date": last.on.isoformat()}
            }
        )


def _check_no_phase_loop(project: Project) -> None:
    seen = {project.pk}
    parent = project.parent
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError({"parent": _("A project cannot be a phase of one of its own phases.")})
        seen.add(parent.pk)
        parent = parent.parent


def _editable_values(project: Project) -> dict:
    """The stored form of the editable fields (ids for relations), to tell a change from a no-op."""
    return {name: Project._meta.get_field(name).value_from_object(project) for name in EDITABLE_FIELDS}


def create_project(*, by, stage_on: datetime.date | None = None, **fields) -> Project:
    """Create a project in stage `reserve` (or the given stage, recorded in its history as reached
    on `stage_on`, today by default)."""
    _check(by, "project.create")
    stage = fields.pop("stage", Stage.RESERVE)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if stage_on is not None and stage_on > _today():
        raise ValidationError({"stage_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        project = Project(**fields, stage=stage)
        project.full_clean()
        project.save()
        # Scope is checked after the write, inside the transaction, so nobody can create a
        # project in an area they cannot see.
        _check(by, "project.create", project)
        if stage != Stage.RESERVE:
            StageChange.objects.create(
                project=project,
                kind=StageChange.Kind.STAGE,
                from_stage=Stage.RESERVE,
                to_stage=stage,
                on=stage_on or _today(),
                note=_("Entered at this stage."),
                by=by,
            )
    return project


def update_project(*, project: Project, by, changes: dict, expected_version: int | None = None) -> Project:
    """Change a project's facts. A stale `expected_version` raises ConflictError and writes nothing."""
    _check(by, "project.change", project)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        current = _locked(project)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError()
        before = _editable_values(current)
        for name, value in changes.items():
            setattr(current, name, value)
        if current.parent_id and current.parent_id == current.pk:
            raise ValidationError({"parent": _("A project cannot be its own phase.")})
        _check_no_phase_loop(current)
        current.full_clean()
        if _editable_values(current) == before:
            # Nothing changes: no new version (an ETag stays valid) and nothing in the change log.
            return current
        current.version += 1
        current.save()
        _check(by, "project.change", current)
    return current


def change_stage(*, project: Project, to_stage: str, on: datetime.date, note: str = "", by) -> StageChange:
    """Move a project along the pipeline to a later stage (or one step back as a correction,
    which needs a note). The date is when it happened, not when it was recorded."""
    _check(by, "project.change_stage", project)
    if to_stage not in STAGE_ORDER:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    with transaction.atomic():
        current = _locked(project)
        if current.status == Status.CANCELLED:
            raise ValidationError(_("A cancelled project does not change stage."))
        old, new = STAGE_ORDER.index(current.stage), STAGE_ORDER.index(to_stage)
        if new == old:
            raise ValidationError({"to_stage": _("The project is already at this stage.")})
        kind = StageChange.Kind.STAGE
        if new < old:
            if new != old - 1:
                raise ValidationError({"to_stage": _("A stage can only be corrected one step back.")})
            if not note.strip():
                raise ValidationError({"note": _("Say why the stage is corrected back.")})
            kind = StageChange.Kind.CORRECTION
        _check_history_date(current, on)
        entry = StageChange.objects.create(
            project=current, kind=kind, from_stage=current.stage, to_stage=to_stage, on=on, note=note, by=by
        )
        current.stage = to_stage
        current.version += 1
        current.save()
    project.refresh_from_db()
    return entry


def pause_project(
    *, project: Project, reason: str, expected_resume_on: datetime.date, on: datetime.date | None = None, by
) -> StageChange:
    """Pause an active project with a reason and the date it is expected to resume."""
    _check(by, "project.pause", project)
    on = on or _today()
    errors = {}
    if not reason.strip():
        errors["reason"] = _("A pause needs a reason.")
    if expected_resume_on is None or expected_resume_on <= on:
        errors["expected_resume_on"] = _("The expected resume date must be after the pause date.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked(project)
        if current.status != Status.ACTIVE:
            raise ValidationError(_("Only an active project can be paused."))
        _check_history_date(current, on)
        current.status = Status.PAUSED
        current.pause_reason = reason
        current.expected_resume_on = expected_resume_on
        current.version += 1
        current.save()
        entry = StageChange.objects.create(
            project=current,
            kind=StageChange.Kind.PAUSE,
            from_stage=current.stage,
            to_stage=current.stage,
            on=on,
            note=reason,
            by=by,
        )
    project.refresh_from_db()
    return entry


def add_pause_update(
    *, project: Project, note: str, expected_resume_on: datetime.date | None = None, on: datetime.date | None = None, by
) -> StageChange:
    """The periodic news of a paused project; may move its expected resume date."""
    _check(by, "project.pause", project)
    if not note.strip():
        raise ValidationError({"note": _("Say what has happened since the last update.")})
    on = on or _today()
    with transaction.atomic():
        current = _locked(project)
        if current.status != Status.PAUSED:
            raise ValidationError(_("Only a paused project takes pause updates."))
        _check_history_date(current, on)
        if expected_resume_on is not None:
            if expected_resume_on <= on:
                raise ValidationError({"expected_resume_on": _("The expected resume date must be in the future.")})
            current.expected_resume_on = expected_resume_on
            current.version += 1
            current.save()
        entry = StageChange.objects.create(
            project=current,
            kind=StageChange.Kind.PAUSE_UPDATE,
            from_stage=current.stage,
            to_stage=current.stage,
            on=on,
            note=note,
            by=by,
        )
    project.refresh_from_db()
    return entry


def resume_project(*, project: Project, note: str = "", on: datetime.date | None = None, by) -> StageChange:
    """Resume a paused project; the pause and its reason stay in the history."""
    _check(by, "project.pause", project)
    on = on or _today()
    with transaction.atomic():
        current = _locked(project)
        if current.status != Status.PAUSED:
            raise ValidationError(_("Only a paused project can be resumed."))
        _check_history_date(current, on)
        current.status = Status.ACTIVE
        current.pause_reason = ""
        current.expected_resume_on = None
        current.version += 1
        current.save()
        entry = StageChange.objects.create(
            project=current,
            kind=StageChange.Kind.RESUME,
            from_stage=current.stage,
            to_stage=current.stage,
            on=on,
            note=note,
            by=by,
        )
    project.refresh_from_db()
    return entry


def cancel_project(*, project: Project, reason: str, on: datetime.date | None = None, by) -> StageChange:
    """Cancel a project for good, with a reason."""
    _check(by, "project.pause", project)
    if not reason.strip():
        raise ValidationError({"reason": _("A cancellation needs a reason.")})
    on = on or _today()
    with transaction.atomic():
        current = _locked(project)
        if current.status == Status.CANCELLED:
            raise ValidationError(_("The project is already cancelled."))
        _check_history_date(current, on)
        current.status = Status.CANCELLED
        current.version += 1
        current.save()
        entry = StageChange.objects.create(
            project=current,
            kind=StageChange.Kind.CANCEL,
            from_stage=current.stage,
            to_stage=current.stage,
            on=on,
            note=reason,
            by=by,
        )
    project.refresh_from_db()
    return entry


def override_light(*, project: Project, light: str, reason: str, expires_on: datetime.date, by) -> LightOverride:
    """Set a project's light by hand until `expires_on`; shown as an override, never as the rules' result."""
    _check(by, "project.override_light", project)
    errors = {}
    if light not in Light.values:
        errors["light"] = _("Choose green, yellow or red.")
    if not reason.strip():
        errors["reason"] = _("An override needs a reason.")
    if expires_on is None or expires_on < _today():
        errors["expires_on"] = _("The expiry date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return LightOverride.objects.create(project=project, light=light, reason=reason, expires_on=expires_on, by=by)


def withdraw_override(*, override: LightOverride, by) -> LightOverride:
    """End an override early; the rules decide the light again."""
    _check(by, "project.override_light", override.project)
    with transaction.atomic():
        override.withdrawn = True
        override.save()
    return override


def set_membership(
    *, key_list: KeyList, project: Project, by, annual_investment_plan=None, target_stage: str = "", note: str = ""
) -> KeyListMembership:
    """Put a project on a key list with the year's targets, or update its targets."""
    _check(by, "keylist.change", project)
    if by is not None and not sees_everything(by):
        # A district coordinator manages the lists of their own area, not the city's or a neighbour's.
        if not by.scope_area_id or not key_list.area.path.startswith(by.scope_area.path):
            raise ObjectDoesNotExist("key list outside the user's scope")
    with transaction.atomic():
        membership = KeyListMembership.objects.filter(key_list=key_list, project=project).first()
        membership = membership or KeyListMembership(key_list=key_list, project=project)
        membership.annual_investment_plan = annual_investment_plan
        membership.target_stage = target_stage
        membership.note = note
        membership.full_clean()
        membership.save()
    return membership


def remove_membership(*, membership: KeyListMembership, by) -> None:
    """Take a project off a key list (the change log keeps the targets it had)."""
    _check(by, "keylist.change", membership.project)
    if by is not None and not sees_everything(by):
        if not by.scope_area_id or not membership.key_list.area.path.startswith(by.scope_area.path):
            raise ObjectDoesNotExist("key list outside the user's scope")
    with transaction.atomic():
        membership.delete()


def save_key_figures(*, project: Project, figures: list[dict], delete: list[KeyFigure], by) -> None:
    """Add or change a project's key figures and remove the ones in `delete`, all or nothing.

    Each dict of `figures` holds the KeyFigure fields, with `instance` for an existing figure.
    """
    _check(by, "project.change", project)
    with transaction.atomic():
        for figure in delete:
            if figure.project_id != project.pk:
                raise ValidationError(_("That figure belongs to another project."))
            figure.delete()
        for order, values in enumerate(figures):
            values = dict(values)
            figure = values.pop("instance", None) or KeyFigure(project=project)
            if figure.project_id != project.pk:
                raise ValidationError(_("That figure belongs to another project."))
            for name, value in values.items():
                setattr(figure, name, value)
            figure.order = order
            figure.full_clean()
            figure.save()
