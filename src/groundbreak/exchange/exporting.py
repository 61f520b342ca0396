"""Export of projects, time nodes, reports and issues to xlsx and CSV, in the import's columns.

Values are written the way the importer reads them back — names through the same lookups, in the
active language, qualified where a plain name would be ambiguous — so exporting a list and
importing the file again changes nothing.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from groundbreak.exchange.columns import Sheet
from groundbreak.exchange.kinds import get_kind
from groundbreak.exchange.matching import Lookups
from groundbreak.exchange.templates_xlsx import build_workbook, drop_down_lists
from groundbreak.exchange.values import guard_formula, plain_decimal
from groundbreak.portfolio.choices import Category, Stage
from groundbreak.portfolio.filters import ProjectFilter
from groundbreak.portfolio.models import Project
from groundbreak.portfolio.queries import visible_projects
from groundbreak.schedule.models import Milestone

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def filtered_projects(user, params=None):
    """The projects of the list page with these filters: the user's scope, or all for the system."""
    if user is None:
        return Project.objects.all()
    base = visible_projects(user)
    project_filter = ProjectFilter(params or None, queryset=base, user=user)
    # Like the list page: filters that do not validate are left out rather than refused.
    return project_filter.qs if project_filter.is_bound and project_filter.is_valid() else base


def project_rows(projects, lookups: Lookups) -> Iterator[dict]:
    projects = projects.select_related(
        "area", "zone", "owner_unit", "lead_leader", "responsible_unit", "responsible_person", "parent"
    ).order_by("code")
    for p in projects.iterator(chunk_size=2000):
        yield {
            "code": p.code,
            "name": p.name,
            "name_en": p.name_en,
            "investment_code": p.investment_code,
            "category": str(Category(p.category).label) if p.category else "",
            "industry": p.industry,
            "area": lookups.areas.label(p.area),
            "zone": lookups.areas.label(p.zone) if p.zone_id else "",
            "address": p.address,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "owner_unit": lookups.units.label(p.owner_unit) if p.owner_unit_id else "",
            "lead_leader": _leader_label(lookups, p.lead_leader) if p.lead_leader_id else "",
            "responsible_unit": lookups.units.label(p.responsible_unit) if p.responsible_unit_id else "",
            "responsible_person": lookups.people.label(p.responsible_person) if p.responsible_person_id else "",
            "stage": str(Stage(p.stage).label),
            "total_investment": p.total_investment,
            "planned_start": p.planned_start,
            "planned_end": p.planned_end,
            "description": p.description,
            "parent": p.parent.code if p.parent_id else "",
        }


def _leader_label(lookups: Lookups, person) -> str:
    if person.pk in lookups.leaders.by_pk:
        return lookups.leaders.label(person)
    # A lead leader no longer marked as a leader: written by name, which the import will question.
    return lookups.people.label(person)


def milestone_rows(projects, lookups: Lookups) -> Iterator[dict]:
    milestones = (
        Milestone.objects.filter(project__in=projects.order_by().values("pk"))
        .select_related("project", "kind", "responsible_unit")
        .order_by("project__code", "order", "baseline_date", "pk")
    )
    for m in milestones.iterator(chunk_size=2000):
        yield {
            "project": m.project.code,
            "kind": lookups.kinds.label(m.kind),
            "name": m.name,
            "baseline_date": m.baseline_date,
            "planned_date": m.planned_date,
            "actual_date": m.actual_date,
            "responsible_unit": lookups.units.label(m.responsible_unit) if m.responsible_unit_id else "",
            "document_number": m.document_number,
        }


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return guard_formula(str(value))


def write_csv(sheet: Sheet, rows: Iterable[dict], stream) -> None:
    """CSV in UTF-8 with a BOM (so Excel opens it as UTF-8), headers in the active language."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(sheet.headers())
    for row in rows:
        writer.writerow([_csv_value(row.get(c.key)) for c in sheet.columns])
    stream.write(text.getvalue().encode("utf-8-sig"))


def write_xlsx(sheet: Sheet, rows: Iterable[dict], stream, *, user=None, lookups: Lookups) -> None:
    build_workbook(sheet, drop_down_lists(user, lookups, sheet), rows).save(stream)


def export(kind: str, fmt: str, stream, *, user=None, params=None) -> None:
    """Write `kind` of its filtered list (projects and time nodes: the project list; reports,
    issues: their own lists) to `stream` as `fmt`.

    `user=None` is the system: every record. Otherwise the user's scope and the list filters.
    """
    spec = get_kind(kind)
    if spec.export_rows is None or fmt not in FORMATS:
        raise ValueError(f"cannot export {kind} as {fmt}")
    lookups = Lookups()
    rows = spec.export_rows(spec.select(user, params), lookups)
    if fmt == "csv":
        write_csv(spec.sheet, rows, stream)
    else:
        write_xlsx(spec.sheet, rows, stream, user=user, lookups=lookups)


def file_name(kind: str, fmt: str) -> str:
    from django.utils import timezone

    return f"{kind}-{timezone.localdate():%Y%m%d}.{fmt}"
