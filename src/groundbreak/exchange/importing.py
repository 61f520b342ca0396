"""Preview and apply of an import, whatever the kind of rows.

A planner (one per kind: projects, milestones, later reports and issues) reads every row against
the database as it is now and makes a Plan: operations to create or update, and row errors. The
preview shows the plan; apply makes the plan again (the data may have changed since), refuses
when it differs from the preview, and runs the operations through the business actions in one
transaction, so any failure leaves nothing written.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from groundbreak.audit.context import acting_as
from groundbreak.exchange.matching import MatchError
from groundbreak.exchange.reading import Table
from groundbreak.exchange.values import CellError, is_blank, shown, text
from groundbreak.exchange.values import code as project_code

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
# Preview pages and stored previews list this many rows of each table; counts are always exact.
PREVIEW_LIMIT = 500
PROGRESS_EVERY = 100

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    pass


@dataclass
class RowError:
    row: int
    column: str  # the header as written in the file; "" for the row as a whole
    letter: str
    value: str
    message: str
    key: str = ""  # the column's key, for ordering

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "value": self.value,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row}
        if self.column:
            where += f" · {self.letter} {self.column}"
        return f"{where}: {self.message}"


@dataclass
class Operation:
    row: int
    action: str
    key: str
    label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, before, after) as shown
    payload: dict = field(default_factory=dict)  # what apply needs; never stored
    fingerprint: tuple = ()

    def as_dict(self) -> dict:
        return {"row": self.row, "key": self.key, "label": self.label, "changes": self.changes}


@dataclass
class Plan:
    kind: str
    total_rows: int = 0
    operations: list[Operation] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    def of(self, action: str) -> list[Operation]:
        return [op for op in self.operations if op.action == action]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return any(op.action != UNCHANGED for op in self.operations)

    def counts(self) -> dict:
        return {
            "rows": self.total_rows,
            "create": len(self.of(CREATE)),
            "update": len(self.of(UPDATE)),
            "unchanged": len(self.of(UNCHANGED)),
            "errors": len(self.errors),
            "error_rows": len({e.row for e in self.errors}),
        }

    def digest(self) -> str:
        """What apply would do, condensed: a changed database between preview and apply shows here."""
        h = hashlib.sha256()
        for op in self.operations:
            h.update(repr((op.row, op.action, op.key, op.fingerprint)).encode())
        return h.hexdigest()

    def summary(self, limit: int = PREVIEW_LIMIT) -> dict:
        """The preview as stored with the job and shown on the page."""
        return {
            "kind": self.kind,
            "counts": self.counts(),
            "creates": [op.as_dict() for op in self.of(CREATE)[:limit]],
            "updates": [op.as_dict() for op in self.of(UPDATE)[:limit]],
            "errors": [e.as_dict() for e in self.errors[:limit]],
            "ignored_headers": self.ignored_headers,
            "limit": limit,
        }


class Row:
    """One spreadsheet row being read: typed values out, errors (with row and column) collected."""

    def __init__(self, table: Table, number: int, cells: tuple):
        self.table, self.number, self.cells = table, number, cells
        self.errors: list[RowError] = []
        self.failed: set[str] = set()

    def has(self, key: str) -> bool:
        return self.table.has(key)

    def raw(self, key: str):
        return self.table.cell(self.cells, key)

    def error(self, key: str | None, message: str, *, value=None) -> None:
        if key and key in self.table.columns:
            self.errors.append(
                RowError(
                    self.number,
                    self.table.header(key),
                    self.table.letter(key),
                    shown(self.raw(key) if value is None else value),
                    message,
                    key,
                )
            )
            self.failed.add(key)
        else:
            # A column the file lacks, or the row as a whole.
            column = self.table.header(key) if key else ""
            self.errors.append(RowError(self.number, column, "", "", message, key or ""))
            if key:
                self.failed.add(key)

    def read(self, key: str, parse, *args):
        """`parse(raw)` of the cell, or None after recording its CellError."""
        try:
            return parse(self.raw(key), *args)
        except CellError as error:
            self.error(key, error.message)
            return None

    def find(self, key: str, lookup):
        """The record a name cell names (None when blank), or None after recording why not."""
        raw = self.raw(key)
        if is_blank(raw):
            return None
        try:
            return lookup.find(text(raw))
        except MatchError as error:
            self.error(key, error.message)
            return None

    def validation_errors(self, error: ValidationError, columns: dict[str, str]) -> None:
        """Record a model's or action's ValidationError against the columns its fields came from."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                key = columns.get(name) if name != NON_FIELD_ERRORS else None
                for message in messages:
                    self.error(key, message)
        else:
            for message in error.messages:
                self.error(None, message)


class ImportFailed(Exception):
    """Apply stopped: nothing was written. `errors` say which row and why."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class Planner:
    """Base of a kind's planner: reads all rows into a Plan and applies it."""

    def __init__(self, user):
        self.user = user
        # Set when the same file's preview was confirmed: checks that depend only on the cells
        # (formats, lengths) gave no error then and cannot give one now; the actions check again.
        self.cells_checked = False

    def prepare(self, table: Table) -> None:
        """Load, once, everything rows are checked against (no per-row queries)."""

    def plan_row(self, row: Row, plan: Plan) -> Operation | None:
        raise NotImplementedError

    def project_of(self, row: Row, projects: dict):
        """The project the row's "project" column names among `projects` (the user's, by code), or
        None with the row's error: a missing code and one outside the scope read the same way."""
        code = project_code(row.raw("project"))
        project = projects.get(code)
        if not code:
            row.error("project", _("Give the project's code."))
        elif project is None:
            row.error("project", _("No project %(code)s in your scope.") % {"code": code})
        return project

    def finish(self, plan: Plan, rows: dict[int, Row]) -> None:
        """Checks across rows (duplicates, references between new rows)."""

    def ordered(self, operations: list[Operation]) -> list[Operation]:
        return operations

    def apply_operation(self, operation: Operation) -> None:
        raise NotImplementedError

    def plan(self, table: Table, progress: Progress = _no_progress) -> Plan:
        plan = Plan(kind=table.sheet.kind, total_rows=len(table.rows), ignored_headers=list(table.ignored_headers))
        self.prepare(table)
        rows: dict[int, Row] = {}
        for done, (number, cells) in enumerate(table.rows, start=1):
            row = Row(table, number, cells)
            rows[number] = row
            operation = self.plan_row(row, plan)
            if operation is not None:
                operation.payload["row"] = row
                plan.operations.append(operation)
            if done % PROGRESS_EVERY == 0:
                progress(done, plan.total_rows)
        self.finish(plan, rows)
        order = {c.key: i for i, c in enumerate(table.sheet.columns)}
        for row in rows.values():
            plan.errors.extend(row.errors)
        plan.errors.sort(key=lambda e: (e.row, order.get(e.key, -1)))
        bad_rows = {e.row for e in plan.errors}
        plan.operations = [op for op in plan.operations if op.row not in bad_rows]
        progress(plan.total_rows, plan.total_rows)
        return plan

    def apply(self, plan: Plan, progress: Progress = _no_progress) -> dict:
        """Run the plan's operations in one transaction; ImportFailed (nothing written) on any error."""
        if not plan.ok:
            raise ImportFailed(plan.errors)
        operations = self.ordered([op for op in plan.operations if op.action != UNCHANGED])
        self.results: dict = {}
        with acting_as(self.user, source="import"):
            try:
                with transaction.atomic():
                    self.apply_all(operations, progress)
            except _RowFailed as failure:
                raise ImportFailed([failure.error]) from failure.__cause__
        progress(len(operations), len(operations))
        return {**plan.counts(), **self.results}

    def apply_all(self, operations: list[Operation], progress: Progress) -> None:
        """Write the operations, in order, inside the apply's transaction: one by one here; a kind
        with bulk actions (projects) overrides this and maps a refused item with `refused`."""
        for done, operation in enumerate(operations, start=1):
            try:
                self.apply_operation(operation)
            except (ValidationError, PermissionDenied, ObjectDoesNotExist, DatabaseError) as error:
                raise self.refused(operation, error) from error
            if done % PROGRESS_EVERY == 0:
                progress(done, len(operations))

    def refused(self, operation: Operation, error: Exception) -> "_RowFailed":
        """The row error for an action's refusal of `operation` (raise it from the refusal)."""
        row: Row = operation.payload["row"]
        if isinstance(error, ValidationError):
            row.errors = []
            row.validation_errors(error, self.field_columns())
            return _RowFailed(row.errors[0] if row.errors else RowError(row.number, "", "", "", str(error)))
        if isinstance(error, PermissionDenied):
            return _RowFailed(RowError(row.number, "", "", "", _("You may not make this change.")))
        if isinstance(error, ObjectDoesNotExist):
            return _RowFailed(RowError(row.number, "", "", "", _("Not found in your scope.")))
        return _RowFailed(
            RowError(row.number, "", "", "", _("The database refused the row: %(error)s") % {"error": error})
        )

    def field_columns(self) -> dict[str, str]:
        """Model or action field name → the column it comes from, for mapping errors back."""
        return {}


class _RowFailed(Exception):
    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


def planner_for(kind: str, user) -> Planner:
    """The planner of an import kind."""
    from groundbreak.exchange.kinds import get_kind

    return get_kind(kind).planner(user)


def preview(kind: str, table: Table, *, user, progress: Progress = _no_progress) -> Plan:
    """What importing `table` would do, without writing anything."""
    return planner_for(kind, user).plan(table, progress)


def apply(
    kind: str,
    table: Table,
    *,
    user,
    expected_digest: str | None = None,
    check_progress: Progress = _no_progress,
    write_progress: Progress = _no_progress,
):
    """Plan again and apply; returns (plan, result counts).

    Raises PlanChanged when the new plan has errors or differs from the preview the user confirmed
    (`expected_digest`), and ImportFailed when an action refuses a row: nothing is written then.
    """
    planner = planner_for(kind, user)
    planner.cells_checked = expected_digest is not None
    plan = planner.plan(table, check_progress)
    if not plan.ok or (expected_digest and plan.digest() != expected_digest):
        raise PlanChanged(plan)
    return plan, planner.apply(plan, write_progress)


class PlanChanged(Exception):
    """The database changed since the preview: the user must look at the new preview."""

    def __init__(self, plan: Plan):
        super().__init__("plan changed since the preview")
        self.plan = plan
