"""Import of time nodes: one row per node, matched by project code + node kind.

How a row maps onto the schedule's actions:

- a new node is added with its baseline date (the planned date when the baseline is blank); when
  the planned date differs from the baseline it is then re-planned to it, with the reason "other"
  and a note saying it came from an import, so the history shows both dates;
- an existing node whose planned date differs is re-planned the same way (where re-plans need a
  coordinator's approval, it waits as a request);
- an actual date on a node not yet met completes it, with the document number of the row; nodes
  whose kind needs a photo or document as evidence are completed on the project page instead;
- a baseline date never changes, and a recorded completion is never withdrawn or moved by an import:
  those rows are errors, as are changes to an existing node's name, unit or document number,
  which no action changes.

When a project has several nodes of one kind, the baseline date tells them apart.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.exchange import values
from groundbreak.exchange.importing import CREATE, UNCHANGED, UPDATE, Operation, Planner, Row
from groundbreak.exchange.matching import Lookups
from groundbreak.exchange.project_rows import chunks, scoped_projects
from groundbreak.org.permissions import has_perm
from groundbreak.portfolio.models import Project
from groundbreak.schedule.actions import add_milestone, complete_milestone, replan_milestone
from groundbreak.schedule.choices import Evidence, ReplanStatus
from groundbreak.schedule.models import Milestone, Replan, ReplanReason

IMPORT_REASON = "other"


@dataclass
class NodeRow:
    row: Row
    project: Project
    kind: object
    name: str | None
    baseline: object
    planned: object
    actual: object
    unit: object
    unit_given: bool
    document_number: str | None


class MilestonePlanner(Planner):
    def prepare(self, table):
        self.lookups = Lookups()
        codes = sorted({values.code(table.cell(cells, "project")) for _, cells in table.rows} - {""})
        self.projects: dict[str, Project] = {}
        for chunk in chunks(codes):
            self.projects.update((p.code, p) for p in scoped_projects(self.user).filter(code__in=chunk))
        ids = sorted(p.pk for p in self.projects.values())
        self.existing: dict[tuple[int, int], list[Milestone]] = defaultdict(list)
        self.pending: set[int] = set()
        for chunk in chunks(ids):
            for milestone in Milestone.objects.filter(project_id__in=chunk).order_by("pk"):
                self.existing[(milestone.project_id, milestone.kind_id)].append(milestone)
            self.pending.update(
                Replan.objects.filter(status=ReplanStatus.PENDING, milestone__project_id__in=chunk).values_list(
                    "milestone_id", flat=True
                )
            )
        self.reason = (
            ReplanReason.objects.filter(code=IMPORT_REASON).first() or ReplanReason.objects.order_by("order").first()
        )
        self.nodes: list[NodeRow] = []
        self.today = timezone.localdate()
        self.may = {
            perm: self.user is None or has_perm(self.user, perm)
            for perm in ("milestone.create", "milestone.replan", "milestone.complete")
        }

    def plan_row(self, row: Row, plan):
        """Read the row; matching waits for `finish`, as several rows may name one kind of node."""
        project = self.project_of(row, self.projects)
        kind = row.find("kind", self.lookups.kinds)
        if kind is None and "kind" not in row.failed:
            row.error("kind", _("Give the node kind."))
        node = NodeRow(
            row=row,
            project=project,
            kind=kind,
            name=values.text(row.raw("name")) if row.has("name") else None,
            baseline=row.read("baseline_date", values.parse_date),
            planned=row.read("planned_date", values.parse_date),
            actual=row.read("actual_date", values.parse_date),
            unit=row.find("responsible_unit", self.lookups.units),
            unit_given=row.has("responsible_unit"),
            document_number=values.text(row.raw("document_number")) if row.has("document_number") else None,
        )
        if node.planned is None and "planned_date" not in row.failed:
            row.error("planned_date", _("A node needs a planned date."))
        for key, text in (("name", node.name), ("document_number", node.document_number)):
            limit = Milestone._meta.get_field(key).max_length
            if text and len(text) > limit:
                row.error(key, _("At most %(limit)s characters (this has %(n)s).") % {"limit": limit, "n": len(text)})
        # Rows already wrong stay out of matching, so one error does not cause others.
        if project is not None and kind is not None and not row.errors:
            self.nodes.append(node)
        return None

    def finish(self, plan, rows):
        groups: dict[tuple[int, int], list[NodeRow]] = defaultdict(list)
        for node in self.nodes:
            groups[(node.project.pk, node.kind.pk)].append(node)
        for key, nodes in groups.items():
            existing = self.existing.get(key, [])
            if len(nodes) == 1:
                self._match_single(plan, nodes[0], existing)
            else:
                self._match_several(plan, nodes, existing)
        plan.operations.sort(key=lambda op: op.row)

    def _match_single(self, plan, node: NodeRow, existing: list[Milestone]) -> None:
        if not existing:
            self._add(plan, self._plan_create(node))
        elif len(existing) == 1:
            self._add(plan, self._plan_update(node, existing[0]))
        else:
            same = [m for m in existing if node.baseline and m.baseline_date == node.baseline]
            if same:
                self._add(plan, self._plan_update(node, same[0]))
            else:
                node.row.error(
                    "kind",
                    _("The project has %(n)s nodes of this kind: give the baseline date of the one you mean.")
                    % {"n": len(existing)},
                )

    def _match_several(self, plan, nodes: list[NodeRow], existing: list[Milestone]) -> None:
        claimed: set[int] = set()
        first_row: dict = {}
        for node in nodes:
            if node.baseline is None:
                if "baseline_date" not in node.row.failed:
                    node.row.error(
                        "kind", _("Several rows name this kind of node of the project: give each its baseline date.")
                    )
                continue
            if node.baseline in first_row:
                node.row.error("kind", _("The same node as row %(row)s.") % {"row": first_row[node.baseline]})
                continue
            first_row[node.baseline] = node.row.number
            match = next((m for m in existing if m.baseline_date == node.baseline and m.pk not in claimed), None)
            if match is None:
                self._add(plan, self._plan_create(node))
            else:
                claimed.add(match.pk)
                self._add(plan, self._plan_update(node, match))

    def _add(self, plan, operation: Operation | None) -> None:
        if operation is not None:
            plan.operations.append(operation)

    def _label(self, node: NodeRow) -> tuple[str, str]:
        kind = self.lookups.kinds.label(node.kind)
        return f"{node.project.code} · {kind}", node.name or kind

    def _check_completion(self, node: NodeRow, milestone: Milestone | None) -> None:
        row = node.row
        if node.actual > self.today:
            row.error("actual_date", _("A node cannot be met in the future."))
        if not self.may["milestone.complete"]:
            row.error("actual_date", _("You may not record that nodes are met."))
        kind = node.kind
        if kind.evidence in (Evidence.DOCUMENT, Evidence.PHOTO) and not (milestone and milestone.evidence):
            row.error(
                "actual_date",
                _("This node counts as met only with a document or photo: record it on the project page."),
            )
        number = node.document_number or (milestone.document_number if milestone else "")
        if kind.evidence == Evidence.APPROVAL_NUMBER and not number:
            row.error(
                "document_number" if row.has("document_number") else "actual_date",
                _("This node counts as met only with its approval number."),
            )

    def _plan_create(self, node: NodeRow) -> Operation | None:
        row = node.row
        if not self.may["milestone.create"]:
            row.error(None, _("You may not add nodes."))
            return None
        if node.planned is None:
            return None
        baseline = node.baseline or node.planned
        if baseline != node.planned:
            self._check_replan(row)
        if node.actual:
            self._check_completion(node, None)
        elif node.document_number:
            row.error("document_number", _("A document number is recorded when the node is met: give the actual date."))
        key, label = self._label(node)
        payload = {
            "row": row,
            "project": node.project,
            "kind": node.kind,
            "name": node.name or "",
            "baseline": baseline,
            "planned": node.planned,
            "actual": node.actual,
            "unit": node.unit,
            "document_number": node.document_number or "",
        }
        fingerprint = (
            None,
            baseline,
            node.planned,
            node.actual,
            getattr(node.unit, "pk", None),
            node.name,
            node.document_number,
        )
        return Operation(row.number, CREATE, key, label, payload=payload, fingerprint=fingerprint)

    def _check_replan(self, row: Row, milestone: Milestone | None = None) -> None:
        if not self.may["milestone.replan"]:
            row.error("planned_date", _("You may not re-plan nodes."))
        elif self.reason is None:
            row.error("planned_date", _("No re-plan reason is set up; ask an administrator to add one."))
        elif milestone is not None and milestone.pk in self.pending:
            row.error("planned_date", _("A re-plan of this node is already awaiting approval."))

    def _plan_update(self, node: NodeRow, milestone: Milestone) -> Operation:
        row = node.row
        key, label = self._label(node)
        changes, replan, complete = [], None, None
        if node.baseline and node.baseline != milestone.baseline_date:
            row.error(
                "baseline_date",
                _("The baseline date of an existing node does not change (it is %(date)s); change the planned date.")
                % {"date": milestone.baseline_date.isoformat()},
            )
        if node.planned and node.planned != milestone.planned_date:
            if milestone.actual_date:
                row.error("planned_date", _("A node that is met cannot be re-planned."))
            else:
                self._check_replan(row, milestone)
                replan = node.planned
                changes.append(
                    (row.table.header("planned_date"), milestone.planned_date.isoformat(), node.planned.isoformat())
                )
        if row.has("actual_date") and "actual_date" not in row.failed:
            if node.actual is None and milestone.actual_date:
                row.error("actual_date", _("Withdrawing a completion needs a reason: do it on the project page."))
            elif node.actual and milestone.actual_date and node.actual != milestone.actual_date:
                row.error(
                    "actual_date",
                    _("The node was met on %(date)s; an import does not change that.")
                    % {"date": milestone.actual_date.isoformat()},
                )
            elif node.actual and not milestone.actual_date:
                self._check_completion(node, milestone)
                complete = node.actual
                changes.append((row.table.header("actual_date"), "", node.actual.isoformat()))
        if node.name is not None and node.name != milestone.name.strip():
            row.error("name", _("The name of an existing node cannot be changed by an import."))
        if node.unit_given and "responsible_unit" not in row.failed:
            if getattr(node.unit, "pk", None) != milestone.responsible_unit_id:
                row.error(
                    "responsible_unit", _("The responsible unit of an existing node cannot be changed by an import.")
                )
        if node.document_number is not None and not complete:
            if node.document_number != milestone.document_number.strip():
                row.error(
                    "document_number", _("The document number is recorded when the node is met, not changed later.")
                )
        action = UPDATE if replan or complete else UNCHANGED
        payload = {
            "row": row,
            "milestone": milestone,
            "replan": replan,
            "complete": complete,
            "document_number": node.document_number or "",
        }
        return Operation(
            row.number, action, key, label, changes, payload=payload, fingerprint=(milestone.pk, replan, complete)
        )

    def apply_operation(self, operation: Operation) -> None:
        payload = operation.payload
        if operation.action == CREATE:
            milestone = add_milestone(
                project=payload["project"],
                kind=payload["kind"],
                planned_date=payload["baseline"],
                name=payload["name"],
                responsible_unit=payload["unit"],
                order=payload["kind"].order,
                by=self.user,
            )
            planned, actual = payload["planned"], payload["actual"]
        else:
            milestone, planned, actual = payload["milestone"], payload["replan"], payload["complete"]
        if planned and planned != milestone.planned_date:
            replan = replan_milestone(
                milestone=milestone,
                new_date=planned,
                reason=self.reason,
                note=_("Date set by a spreadsheet import."),
                by=self.user,
            )
            if replan.status == ReplanStatus.PENDING:
                self.results["pending_replans"] = self.results.get("pending_replans", 0) + 1
        if actual:
            complete_milestone(
                milestone=milestone, actual_date=actual, document_number=payload["document_number"], by=self.user
            )

    def field_columns(self) -> dict[str, str]:
        return {
            "planned_date": "planned_date",
            "new_date": "planned_date",
            "baseline_date": "baseline_date",
            "actual_date": "actual_date",
            "document_number": "document_number",
            "evidence": "actual_date",
            "name": "name",
            "responsible_unit": "responsible_unit",
            "kind": "kind",
            "project": "project",
        }
