"""Import of project rows: one row per project, matched by its code.

A row whose code is new creates the project (in the stage given, reserve when blank); a row with
the code of a project in the user's scope updates the columns present in the file. A blank cell
clears an optional value; a column missing from the file leaves that value alone. Stages only move
forward here, dated today; moving back needs a reason and is done on the project page.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.exchange import values
from groundbreak.exchange.columns import PROJECT_SHEET
from groundbreak.exchange.importing import CREATE, UNCHANGED, UPDATE, Operation, Planner, Row
from groundbreak.exchange.matching import Lookups
from groundbreak.org.permissions import has_perm, sees_everything
from groundbreak.portfolio.actions import (
    BulkItemError,
    change_stage,
    change_stages,
    create_project,
    create_projects,
    update_project,
    update_projects,
)
from groundbreak.portfolio.choices import STAGE_ORDER, Category, Stage, Status
from groundbreak.portfolio.models import Project

TEXT_FIELDS = ("name", "name_en", "industry", "address", "description")
REFERENCES = {
    "area": "areas",
    "zone": "areas",
    "owner_unit": "units",
    "lead_leader": "leaders",
    "responsible_unit": "units",
    "responsible_person": "people",
}
FOREIGN_KEYS = (*REFERENCES, "parent")
REQUIRED = ("name", "category", "area")
SCOPE_FIELDS = ("area", "owner_unit", "responsible_unit", "lead_leader")
MODEL_FIELDS = {f.name: f for f in Project._meta.concrete_fields}
# SQLite allows 999 variables in a query on old builds; stay well below.
CHUNK = 500


class NewParent:
    """A parent that is a new project of the same file, created before its phases."""

    def __init__(self, code: str):
        self.code = code

    def __eq__(self, other):
        return isinstance(other, NewParent) and other.code == self.code

    def __hash__(self):
        return hash(self.code)


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def scoped_projects(user):
    """The projects an import by `user` may touch; all of them for the system (user None)."""
    return Project.objects.all() if user is None else Project.objects.for_user(user)


def _fingerprint(value):
    if isinstance(value, NewParent):
        return f"new:{value.code}"
    return getattr(value, "pk", value) if value is not None else None


class ProjectPlanner(Planner):
    def prepare(self, table):
        self.lookups = Lookups()
        self.readers = self._readers(table)
        self.row_codes = {values.code(table.cell(cells, "code")) for _, cells in table.rows} - {""}
        referenced = set(self.row_codes)
        if table.has("parent"):
            referenced |= {values.code(table.cell(cells, "parent")) for _, cells in table.rows} - {""}
        self.existing: dict[str, Project] = {}
        self.visible: set[int] = set()
        for chunk in chunks(sorted(referenced)):
            self.existing.update((p.code, p) for p in Project.objects.filter(code__in=chunk))
            self.visible.update(scoped_projects(self.user).filter(code__in=chunk).values_list("pk", flat=True))
        self.seen: dict[str, int] = {}
        self.created: dict[str, Project] = {}
        self.today = timezone.localdate()
        self.may = {
            perm: self.user is None or has_perm(self.user, perm)
            for perm in ("project.create", "project.change", "project.change_stage")
        }

    # --- reading a row ------------------------------------------------------------------------

    def plan_row(self, row: Row, plan) -> Operation | None:
        code = values.code(row.raw("code"))
        if not code:
            row.error("code", _("Give the project's code."))
            return None
        if code in self.seen:
            row.error(
                "code", _("The code %(code)s is already in row %(row)s.") % {"code": code, "row": self.seen[code]}
            )
            return None
        self.seen[code] = row.number
        project = self.existing.get(code)
        if project is not None and project.pk not in self.visible:
            row.error("code", _("Project %(code)s was not found in your scope.") % {"code": code})
            return None
        fields = self._read_fields(row, code)
        stage = self._read_stage(row)
        if project is None:
            return self._plan_create(row, code, fields, stage)
        return self._plan_update(row, project, fields, stage)

    def _read_fields(self, row: Row, code: str) -> dict:
        fields = {}
        for key, read in self.readers:
            value = read(row, key, code)
            if key not in row.failed:
                fields[key] = value
        return fields

    def _readers(self, table) -> list:
        """(column key, reader) for the file's columns that set fields, chosen once per file."""
        readers = []
        for column in PROJECT_SHEET.columns:
            key = column.key
            if key in ("code", "stage") or not table.has(key):
                continue
            if key in TEXT_FIELDS:
                read = _read_text
            elif key == "investment_code":
                read = _read_code
            elif key == "category":
                read = self._read_category
            elif key in REFERENCES:
                read = self._read_reference
            elif key in PARSERS:
                read = _read_parsed
            else:  # parent
                read = self._read_parent
            readers.append((key, read))
        return readers

    def _read_category(self, row: Row, key: str, code: str) -> str:
        choice = row.find(key, self.lookups.categories)
        return choice.value if choice else ""

    def _read_reference(self, row: Row, key: str, code: str):
        return row.find(key, getattr(self.lookups, REFERENCES[key]))

    def _read_parent(self, row: Row, key: str, code: str):
        parent_code = values.code(row.raw("parent"))
        if not parent_code:
            return None
        if parent_code == code:
            row.error("parent", _("A project cannot be its own phase."))
            return None
        parent = self.existing.get(parent_code)
        if parent is not None and parent.pk in self.visible:
            return parent
        if parent is None and parent_code in self.row_codes:
            return NewParent(parent_code)
        row.error("parent", _("No project with code %(code)s in your scope or in this file.") % {"code": parent_code})
        return None

    def _read_stage(self, row: Row):
        if not row.has("stage"):
            return None
        choice = row.find("stage", self.lookups.stages)
        return choice.value if choice else None

    # --- checks -----------------------------------------------------------------------------------

    def _in_scope(self, state: dict) -> bool:
        """Whether a project with these values is within the user's scope.

        Mirrors org.scoping.scope_q for a project that is not saved yet: the action checks the
        same after its write, this only tells the user at preview time.
        """
        user = self.user
        if user is None or sees_everything(user):
            return True
        area = state.get("area")
        if user.scope_area_id and area is not None and area.path.startswith(user.scope_area.path):
            return True
        units = {getattr(state.get("owner_unit"), "pk", None), getattr(state.get("responsible_unit"), "pk", None)}
        if user.scope_unit_id and user.scope_unit_id in units:
            return True
        leader = state.get("lead_leader")
        return leader is not None and leader.user_id == user.pk

    def _check_state(self, row: Row, state: dict, changed: set[str]) -> None:
        """Checks of the project as it would be after the row: scope, dates, coordinates, model rules."""
        readable = state.get("area") is not None and not set(SCOPE_FIELDS) & row.failed
        if changed & set(SCOPE_FIELDS) and readable and not self._in_scope(state):
            key = "area" if "area" in changed else next(k for k in SCOPE_FIELDS if k in changed)
            area = state.get("area")
            row.error(
                key,
                _("%(area)s is outside your scope.") % {"area": self.lookups.areas.label(area)}
                if key == "area" and area is not None
                else _("With this value the project would be outside your scope."),
            )
        start, end = state.get("planned_start"), state.get("planned_end")
        if start and end and end < start and {"planned_start", "planned_end"} & changed:
            row.error("planned_end", _("The planned completion cannot be before the planned start."))
        latitude, longitude = state.get("latitude"), state.get("longitude")
        coordinates = {"latitude", "longitude"}
        if (latitude is None) != (longitude is None) and coordinates & changed and not coordinates & row.failed:
            row.error("longitude" if longitude is None else "latitude", _("Give both latitude and longitude."))

    def _field_check(self, row: Row, fields: dict) -> None:
        """The model's own rules (formats, lengths, digits) for the values the row sets.

        Field by field rather than `full_clean`: no query per row and no model instance, which on
        ten thousand rows is most of the preview's time. The action's `full_clean` checks the
        whole record again when it writes.
        """
        if self.cells_checked:
            return
        for key, value in fields.items():
            if key in FOREIGN_KEYS or key in row.failed or value in (None, ""):
                continue
            try:
                MODEL_FIELDS[key].clean(value, None)
            except ValidationError as error:
                for message in error.messages:
                    row.error(key, message)

    # --- plan ---------------------------------------------------------------------------------------

    def _plan_create(self, row: Row, code: str, fields: dict, stage: str | None) -> Operation | None:
        if not self.may["project.create"]:
            row.error(None, _("You may not create projects."))
            return None
        for key in REQUIRED:
            if key not in row.failed and not fields.get(key):
                row.error(key, _("A new project needs this column."))
        fields = {k: v for k, v in fields.items() if v not in (None, "")}
        self._check_state(row, fields, set(fields) | {"area"})
        self._field_check(row, {"code": code, **fields})
        parent = fields.pop("parent", None)
        payload = {
            "fields": fields,
            "stage": stage or Stage.RESERVE,
            "parent": parent,
        }
        fingerprint = (tuple(sorted((k, _fingerprint(v)) for k, v in fields.items())), _fingerprint(parent), stage)
        return Operation(row.number, CREATE, code, fields.get("name", ""), payload=payload, fingerprint=fingerprint)

    def _plan_update(self, row: Row, project: Project, fields: dict, stage: str | None) -> Operation:
        changes = {}
        for key, new in fields.items():
            if key in REQUIRED and new in (None, ""):
                row.error(key, _("This column cannot be blank."))
            elif self._differs(project, key, new):
                changes[key] = new
        move = None
        if stage and stage != project.stage:
            move = stage
            if project.status == Status.CANCELLED:
                row.error("stage", _("A cancelled project does not change stage."))
            elif STAGE_ORDER.index(stage) < STAGE_ORDER.index(project.stage):
                row.error("stage", _("A stage moves back only on the project page, with a reason."))
            elif not self.may["project.change_stage"]:
                row.error("stage", _("You may not change the stage of projects."))
        if changes and not self.may["project.change"]:
            row.error(None, _("You may not change projects."))
        operation = Operation(row.number, UNCHANGED, project.code, project.name)
        if not changes and not move:
            return operation
        state = {key: self._current(project, key) for key in (*SCOPE_FIELDS, "planned_start", "planned_end")}
        state["latitude"], state["longitude"] = project.latitude, project.longitude
        state.update(changes)
        self._check_state(row, state, set(changes))
        self._field_check(row, changes)
        operation.action = UPDATE
        operation.changes = [
            (row.table.header(key), self._display(key, self._current(project, key)), self._display(key, value))
            for key, value in changes.items()
        ]
        if move:
            operation.changes.append(
                (row.table.header("stage"), str(Stage(project.stage).label), str(Stage(move).label))
            )
        operation.payload = {"project": project, "changes": changes, "stage": move}
        operation.fingerprint = (tuple(sorted((k, _fingerprint(v)) for k, v in changes.items())), move)
        return operation

    def _current(self, project: Project, key: str):
        """The project's value of `key`, related records taken from the lookups (no query)."""
        if key in REFERENCES:
            pk = getattr(project, f"{key}_id")
            return getattr(self.lookups, REFERENCES[key]).by_pk.get(pk) if pk else None
        if key == "parent":
            return project.parent_id
        return getattr(project, key)

    def _differs(self, project: Project, key: str, new) -> bool:
        if key in FOREIGN_KEYS:
            if isinstance(new, NewParent):
                return True
            return getattr(project, f"{key}_id") != (new.pk if new is not None else None)
        old = getattr(project, key)
        if isinstance(old, str):
            return old.strip() != (new or "")
        return old != new

    def _display(self, key: str, value) -> str:
        if value is None or value == "":
            return ""
        if key in REFERENCES:
            return getattr(self.lookups, REFERENCES[key]).label(value)
        if key == "parent":
            if isinstance(value, NewParent):
                return value.code
            if isinstance(value, int):
                return self._code_of(value)
            return value.code
        if key == "category":
            return str(Category(value).label)
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return f"{value:,f}"
        return values.shown(value)

    def _code_of(self, pk: int) -> str:
        # Only rows that move a project to another parent show the old one: a query each is fine.
        return Project.objects.filter(pk=pk).values_list("code", flat=True).first() or f"#{pk}"

    # --- across rows -------------------------------------------------------------------------------

    def finish(self, plan, rows):
        """Refuse rows that would make a project a phase of its own phases."""
        edges = {}
        parent_rows = {}
        for op in plan.operations:
            if op.action == CREATE:
                node, parent = ("new", op.key), op.payload["parent"]
            elif op.action == UPDATE and "parent" in op.payload["changes"]:
                node, parent = ("old", op.payload["project"].pk), op.payload["changes"]["parent"]
            else:
                continue
            edges[node] = _node(parent)
            parent_rows[node] = op.payload["row"]
        if not any(node[0] == "old" for node in parent_rows) and not any(
            parent is not None and parent[0] == "new" for parent in edges.values()
        ):
            return
        existing = dict(Project.objects.values_list("pk", "parent_id"))
        for node, row in parent_rows.items():
            seen, current = {node}, edges.get(node)
            while current is not None:
                if current in seen:
                    row.error("parent", _("A project cannot be a phase of one of its own phases."))
                    break
                seen.add(current)
                if current in edges:
                    current = edges[current]
                elif current[0] == "old":
                    parent_pk = existing.get(current[1])
                    current = ("old", parent_pk) if parent_pk else None
                else:
                    current = None

    def ordered(self, operations):
        """Creates first, each parent before its phases; then updates (which may name new parents)."""
        creates = {op.key: op for op in operations if op.action == CREATE}
        ordered, placed = [], set()
        for op in creates.values():
            chain, keys = [], set()
            while op is not None and op.key not in placed and op.key not in keys:
                chain.append(op)
                keys.add(op.key)
                parent = op.payload["parent"]
                op = creates.get(parent.code) if isinstance(parent, NewParent) else None
            for item in reversed(chain):
                placed.add(item.key)
                ordered.append(item)
        return ordered + [op for op in operations if op.action == UPDATE]

    # --- apply ---------------------------------------------------------------------------------------

    def apply_all(self, operations, progress):
        """All creates with one `create_projects`, then field changes with one `update_projects`,
        then stage moves with one `change_stages`: the checks, rows and change-log entries of
        `apply_operation` row by row, in a bounded number of queries."""
        creates = [op for op in operations if op.action == CREATE]
        updates = [op for op in operations if op.action == UPDATE]
        index = {op.key: i for i, op in enumerate(creates)}
        items = []
        for op in creates:
            item = {"code": op.key, "stage": op.payload["stage"], **op.payload["fields"]}
            parent = op.payload["parent"]
            if isinstance(parent, NewParent):
                item["parent_index"] = index[parent.code]
            elif parent is not None:
                item["parent"] = parent
            items.append(item)
        total, done = len(operations), 0
        if creates:
            created = self._bulk(creates, lambda: create_projects(by=self.user, items=items))
            self.created.update((op.key, project) for op, project in zip(creates, created, strict=True))
            done += len(creates)
            progress(done, total)
        changing = [op for op in updates if op.payload["changes"]]
        if changing:
            pairs = []
            for op in changing:
                changes = dict(op.payload["changes"])
                if isinstance(changes.get("parent"), NewParent):
                    changes["parent"] = self.created[changes["parent"].code]
                pairs.append((op.payload["project"], changes))
            self._bulk(changing, lambda: update_projects(by=self.user, updates=pairs))
        moving = [op for op in updates if op.payload["stage"]]
        if moving:
            note = _("Stage set by a spreadsheet import.")
            moves = [(op.payload["project"], op.payload["stage"]) for op in moving]
            self._bulk(moving, lambda: change_stages(by=self.user, moves=moves, on=self.today, note=note))
        progress(total, total)

    def _bulk(self, operations, action):
        """Run a bulk action; a refused item becomes the error of its row."""
        try:
            return action()
        except BulkItemError as failure:
            raise self.refused(operations[failure.index], failure.error) from failure.error
        except PermissionDenied as error:
            raise self.refused(operations[0], error) from error
        except DatabaseError as error:
            # Which row of the batch the database refused is not known: name the batch's first.
            raise self.refused(operations[0], error) from error

    def apply_operation(self, operation: Operation) -> None:
        payload = operation.payload
        if operation.action == CREATE:
            fields = dict(payload["fields"])
            parent = payload["parent"]
            if parent is not None:
                fields["parent"] = self.created[parent.code] if isinstance(parent, NewParent) else parent
            self.created[operation.key] = create_project(
                by=self.user, code=operation.key, stage=payload["stage"], **fields
            )
            return
        project = payload["project"]
        changes = dict(payload["changes"])
        if isinstance(changes.get("parent"), NewParent):
            changes["parent"] = self.created[changes["parent"].code]
        if changes:
            project = update_project(project=project, by=self.user, changes=changes)
        if payload["stage"]:
            change_stage(
                project=project,
                to_stage=payload["stage"],
                on=self.today,
                note=_("Stage set by a spreadsheet import."),
                by=self.user,
            )

    def field_columns(self) -> dict[str, str]:
        names = {c.key: c.key for c in PROJECT_SHEET.columns}
        return {**names, "to_stage": "stage", "on": "stage"}


PARSERS = {
    "latitude": (values.parse_coordinate, 90),
    "longitude": (values.parse_coordinate, 180),
    "total_investment": (values.parse_money,),
    "planned_start": (values.parse_date,),
    "planned_end": (values.parse_date,),
}


def _read_text(row: Row, key: str, code: str) -> str:
    return values.text(row.raw(key))


def _read_code(row: Row, key: str, code: str) -> str:
    return values.code(row.raw(key))


def _read_parsed(row: Row, key: str, code: str):
    return row.read(key, *PARSERS[key])


def _node(parent):
    if parent is None:
        return None
    if isinstance(parent, NewParent):
        return ("new", parent.code)
    return ("old", parent.pk)
