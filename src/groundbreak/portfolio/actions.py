"""Business actions on projects, key lists and lights: one function per action.

Each checks the acting user's role and scope, validates, writes in one transaction (the change log
is written by the audit signals in that same transaction) and returns what it changed. Pages, the
API, imports and the worker call these, never the models directly. `by=None` means the system
(commands, demo loading) and skips the permission checks.
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import models, transaction
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
from groundbreak.portfolio.stored_lights import refresh_lights

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


def _stage_move_kind(project, to_stage: str, note: str) -> str:
    """The kind of history entry a move to `to_stage` makes (forward, or one step back with a note);
    refuses any other move. Shared by `change_stage` and `change_stages`."""
    if project.status == Status.CANCELLED:
        raise ValidationError(_("A cancelled project does not change stage."))
    old, new = STAGE_ORDER.index(project.stage), STAGE_ORDER.index(to_stage)
    if new == old:
        raise ValidationError({"to_stage": _("The project is already at this stage.")})
    if new > old:
        return StageChange.Kind.STAGE
    if new != old - 1:
        raise ValidationError({"to_stage": _("A stage can only be corrected one step back.")})
    if not note.strip():
        raise ValidationError({"note": _("Say why the stage is corrected back.")})
    return StageChange.Kind.CORRECTION


def change_stage(*, project: Project, to_stage: str, on: datetime.date, note: str = "", by) -> StageChange:
    """Move a project along the pipeline to a later stage (or one step back as a correction,
    which needs a note). The date is when it happened, not when it was recorded."""
    _check(by, "project.change_stage", project)
    if to_stage not in STAGE_ORDER:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    with transaction.atomic():
        current = _locked(project)
        kind = _stage_move_kind(current, to_stage, note)
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


# --- many at once ------------------------------------------------------------------------------
#
# Imports create and change thousands of projects in one transaction. These actions do what the
# actions above do for each item — the same permission and scope checks, the same validation and
# messages, the same stored rows, stage history and change-log entries — with a bounded number of
# queries: related records are checked for existence per chunk instead of per row, and rows and
# change-log entries are written with bulk_create / bulk_update (which send no signals, so the
# entries are recorded explicitly through audit.recording.record_saves).

BULK_CHUNK = 500
_RELATIONS = tuple(name for name in EDITABLE_FIELDS if Project._meta.get_field(name).is_relation)
# Constraints checked in Python below; a new constraint on Project must be added there too.
KNOWN_CONSTRAINTS = frozenset({"project_end_after_start"})


class BulkItemError(Exception):
    """An item of a bulk action was refused; nothing was written. `index` says which, `error` why
    (a ValidationError, PermissionDenied or ObjectDoesNotExist as the one-by-one action raises)."""

    def __init__(self, index: int, error: Exception):
        super().__init__(f"item {index}: {error}")
        self.index = index
        self.error = error


def _chunks(items: list, size: int = BULK_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _clean(project: Project) -> None:
    """`full_clean` without its per-record queries (existence of related records, uniqueness and
    the check constraint are checked for all records at once by the callers)."""
    errors: dict = {}
    try:
        project.full_clean(exclude=_RELATIONS, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for name in _RELATIONS:
        field = Project._meta.get_field(name)
        raw = getattr(project, field.attname)
        if field.blank and raw in field.empty_values:
            continue
        try:
            # The checks of ForeignKey.validate before its query: null and blank.
            models.Field.validate(field, raw, project)
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.error_list)
    if project.planned_start and project.planned_end and project.planned_end < project.planned_start:
        constraint = next(c for c in Project._meta.constraints if c.name == "project_end_after_start")
        errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(constraint.get_violation_error_message()))
    if errors:
        raise ValidationError(errors)


def _check_references(projects: list[Project], names=_RELATIONS) -> None:
    """ForeignKey.validate for every record, one query per relation and chunk."""
    for name in names:
        field = Project._meta.get_field(name)
        wanted = {getattr(p, field.attname) for p in projects} - {None}
        manager = field.remote_field.model._base_manager
        found = set()
        for chunk in _chunks(sorted(wanted)):
            found.update(
                manager.filter(**{f"{field.remote_field.field_name}__in": chunk}).values_list(
                    field.remote_field.field_name, flat=True
                )
            )
        for index, project in enumerate(projects):
            value = getattr(project, field.attname)
            if value is not None and value not in found:
                error = ValidationError(
                    field.error_messages["invalid"],
                    code="invalid",
                    params={
                        "model": field.remote_field.model._meta.verbose_name,
                        "pk": value,
                        "field": field.remote_field.field_name,
                        "value": value,
                    },
                )
                raise BulkItemError(index, ValidationError({name: [error]}))


def _check_scope_after(by, projects: list[Project], perm: str) -> None:
    """The scope check the one-by-one actions make after their write, for all records at once."""
    if by is None:
        return
    visible = set()
    for chunk in _chunks([p.pk for p in projects]):
        visible.update(Project.objects.for_user(by).filter(pk__in=chunk).values_list("pk", flat=True))
    for index, project in enumerate(projects):
        if project.pk not in visible:
            raise BulkItemError(index, ObjectDoesNotExist("project outside the user's scope"))


def _locked_many(by, projects: list[Project], perm: str) -> list[Project]:
    """The current rows of `projects`, locked, after the scope check each action makes first."""
    pks = [p.pk for p in projects]
    current, visible = {}, set()
    for chunk in _chunks(pks):
        current.update(Project.objects.select_for_update().in_bulk(chunk))
        if by is not None:
            visible.update(Project.objects.for_user(by).filter(pk__in=chunk).values_list("pk", flat=True))
    for index, pk in enumerate(pks):
        if pk not in current or (by is not None and pk not in visible):
            raise BulkItemError(index, ObjectDoesNotExist("project outside the user's scope"))
    return [current[pk] for pk in pks]


def create_projects(*, by, items: list[dict], stage_on: datetime.date | None = None) -> list[Project]:
    """`create_project` for each of `items` (its keyword arguments, `stage` included), all or nothing.

    A project may be a phase of another of the same call: `parent_index` is the index of that
    earlier item. Returns the projects in the order of `items`; BulkItemError names the refused one.
    """
    from groundbreak.audit.recording import record_saves

    _check(by, "project.create")
    if stage_on is not None and stage_on > _today():
        raise ValidationError({"stage_on": _("The date cannot be in the future.")})
    projects, stages, parents = [], [], {}
    for index, item in enumerate(items):
        fields = dict(item)
        stage = fields.pop("stage", Stage.RESERVE)
        parent_index = fields.pop("parent_index", None)
        unknown = set(fields) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"not editable: {sorted(unknown)}")
        if parent_index is not None:
            if not 0 <= parent_index < index or "parent" in fields:
                raise ValueError(f"item {index}: parent_index must name an earlier item")
            parents[index] = parent_index
        project = Project(**fields, stage=stage)
        try:
            _clean(project)
        except ValidationError as error:
            raise BulkItemError(index, error) from error
        projects.append(project)
        stages.append(stage)
    codes: dict[str, int] = {}
    for index, project in enumerate(projects):
        if project.code in codes:
            raise BulkItemError(index, ValidationError({"code": [project.unique_error_message(Project, ("code",))]}))
        codes[project.code] = index
    for chunk in _chunks(sorted(codes)):
        taken = Project.objects.filter(code__in=chunk).values_list("code", flat=True).first()
        if taken is not None:
            project = projects[codes[taken]]
            raise BulkItemError(
                codes[taken], ValidationError({"code": [project.unique_error_message(Project, ("code",))]})
            )
    _check_references(projects, [name for name in _RELATIONS if name != "parent"])
    _check_references(projects, ["parent"])
    with transaction.atomic():
        # In the order of the items, as one by one; a phase whose parent is still waiting in the
        # batch sends the batch first, so that it can name its parent's id.
        pending = []
        for index, project in enumerate(projects):
            if index in parents:
                parent = projects[parents[index]]
                if parent.pk is None:
                    Project.objects.bulk_create(pending, batch_size=BULK_CHUNK)
                    pending = []
                project.parent = parent
            pending.append(project)
            if len(pending) == BULK_CHUNK:
                Project.objects.bulk_create(pending, batch_size=BULK_CHUNK)
                pending = []
        Project.objects.bulk_create(pending, batch_size=BULK_CHUNK)
        _check_scope_after(by, projects, "project.create")
        on = stage_on or _today()
        note = _("Entered at this stage.")
        StageChange.objects.bulk_create(
            [
                StageChange(
                    project=project,
                    kind=StageChange.Kind.STAGE,
                    from_stage=Stage.RESERVE,
                    to_stage=stage,
                    on=on,
                    note=note,
                    by=by,
                )
                for project, stage in zip(projects, stages, strict=True)
                if stage != Stage.RESERVE
            ],
            batch_size=BULK_CHUNK,
        )
        refresh_lights(project.pk for project in projects)
        record_saves([(project, None) for project in projects])
    return projects


def update_projects(*, by, updates: list[tuple[Project, dict]]) -> list[Project]:
    """`update_project` for each `(project, changes)`, all or nothing; no-ops change nothing.

    Returns the projects as stored; BulkItemError names the refused item.
    """
    from groundbreak.audit.recording import record_saves, snapshot

    _check(by, "project.change")
    for index, (_project, changes) in enumerate(updates):
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"item {index}: not editable: {sorted(unknown)}")
    with transaction.atomic():
        current = _locked_many(by, [project for project, _changes in updates], "project.change")
        befores, changed, changed_fields = [], [], set()
        for project, (_project, changes) in zip(current, updates, strict=True):
            befores.append((_editable_values(project), snapshot(project)))
            for name, value in changes.items():
                setattr(project, name, value)
        if any("parent" in changes for _project, changes in updates):
            _check_no_phase_loops(current)
        now = timezone.now()
        for index, project in enumerate(current):
            try:
                if project.parent_id and project.parent_id == project.pk:
                    raise ValidationError({"parent": _("A project cannot be its own phase.")})
                _clean(project)
            except ValidationError as error:
                raise BulkItemError(index, error) from error
            values = _editable_values(project)
            if values != befores[index][0]:
                changed_fields |= {name for name in values if values[name] != befores[index][0][name]}
                project.version += 1
                project.updated_at = now
                changed.append(index)
        rows = [current[i] for i in changed]
        try:
            _check_references(rows, sorted(changed_fields & set(_RELATIONS)))
        except BulkItemError as failure:
            raise BulkItemError(changed[failure.index], failure.error) from failure.error
        if rows:
            Project.objects.bulk_update(rows, [*sorted(changed_fields), "version", "updated_at"], batch_size=BULK_CHUNK)
        try:
            _check_scope_after(by, rows, "project.change")
        except BulkItemError as failure:
            raise BulkItemError(changed[failure.index], failure.error) from failure.error
        # Bulk writes send no signals: the lights of the changed projects, of the parents they
        # had and of the parents they have now are recomputed here.
        refresh_lights([*(current[i].pk for i in changed), *(befores[i][0].get("parent") for i in changed)])
        record_saves([(current[i], befores[i][1]) for i in changed])
    return current


def _check_no_phase_loops(projects: list[Project]) -> None:
    """`_check_no_phase_loop` for every project, against the parents as they are after the changes."""
    parents = dict(Project.objects.values_list("pk", "parent_id"))
    parents.update({p.pk: p.parent_id for p in projects})
    for index, project in enumerate(projects):
        seen, parent = {project.pk}, parents.get(project.pk)
        while parent is not None:
            if parent in seen:
                if parent == project.pk and project.parent_id == project.pk:
                    break  # reported as "its own phase"
                raise BulkItemError(
                    index, ValidationError({"parent": _("A project cannot be a phase of one of its own phases.")})
                )
            seen.add(parent)
            parent = parents.get(parent)


def change_stages(*, by, moves: list[tuple[Project, str]], on: datetime.date, note: str = "") -> list[StageChange]:
    """`change_stage` for each `(project, to_stage)`, all or nothing, all dated `on` with `note`.

    Returns the history entries; BulkItemError names the refused item.
    """
    from groundbreak.audit.recording import record_saves, snapshot

    _check(by, "project.change_stage")
    for index, (_project, to_stage) in enumerate(moves):
        if to_stage not in STAGE_ORDER:
            raise BulkItemError(index, ValidationError({"to_stage": _("Unknown stage.")}))
    with transaction.atomic():
        current = _locked_many(by, [project for project, _stage in moves], "project.change_stage")
        last_on = {}
        for chunk in _chunks([p.pk for p in current]):
            last_on.update(
                StageChange.objects.filter(project__in=chunk)
                .values("project")
                .annotate(last=models.Max("on"))
                .values_list("project", "last")
            )
        entries, befores, now = [], [], timezone.now()
        for index, (project, (_project, to_stage)) in enumerate(zip(current, moves, strict=True)):
            try:
                kind = _stage_move_kind(project, to_stage, note)
                if on > _today():
                    raise ValidationError({"on": _("The date cannot be in the future.")})
                last = last_on.get(project.pk)
                if last is not None and on < last:
                    raise ValidationError(
                        {
                            "on": _("The date cannot be before the previous entry of the history (%(date)s).")
                            % {"date": last.isoformat()}
                        }
                    )
            except ValidationError as error:
                raise BulkItemError(index, error) from error
            entries.append(
                StageChange(
                    project=project, kind=kind, from_stage=project.stage, to_stage=to_stage, on=on, note=note, by=by
                )
            )
            befores.append(snapshot(project))
            project.stage = to_stage
            project.version += 1
            project.updated_at = now
        StageChange.objects.bulk_create(entries, batch_size=BULK_CHUNK)
        Project.objects.bulk_update(current, ["stage", "version", "updated_at"], batch_size=BULK_CHUNK)
        refresh_lights(project.pk for project in current)
        record_saves(list(zip(current, befores, strict=True)))
    for (project, _stage), stored in zip(moves, current, strict=True):
        project.stage, project.version, project.updated_at = stored.stage, stored.version, stored.updated_at
    return entries
