"""Import and export of reports: one row per report, matched by project code + period.

Reports are created when a round opens, so an import never creates one: a row names an existing
report of a project in the user's scope by its project code and period (and the round's area, when
the project reports for that period in more than one round). What a row can change:

- the figures and texts of a report that lies with its owner (a draft or a returned report of an
  open round, or a correction under way), through `reporting.actions.save_report`, as the report
  page does; a blank cell clears a value, a column missing from the file leaves it alone;
- nothing else: a report that was submitted, reviewed or accepted is not changed by an import
  ("already submitted": a row that differs from it is an error, a row that matches is unchanged);
  submitting and reviewing stay on the report page, and so do the indicator values and photos.

The status column is checked, not written: a status other than the report's current one says the
file is out of date, which is an error too.
"""

import calendar
import datetime
import re
import unicodedata
from decimal import Decimal

from django.utils.translation import gettext as _

from groundbreak.exchange import values
from groundbreak.exchange.importing import UNCHANGED, UPDATE, Operation, Planner, Row
from groundbreak.exchange.matching import Lookups
from groundbreak.exchange.project_rows import chunks, scoped_projects
from groundbreak.org.permissions import has_perm
from groundbreak.reporting.actions import VERSION_FIELDS, save_report
from groundbreak.reporting.choices import OPEN_FOR_FILLING, ReportStatus, RoundStatus
from groundbreak.reporting.filters import ReportFilter
from groundbreak.reporting.models import Report, ReportVersion
from groundbreak.reporting.queries import visible_reports

NUMBERS = ("investment", "physical_progress", "workers_on_site")
TEXTS = ("progress", "next_steps", "difficulties")
INVESTMENT_LIMIT = Decimal(10) ** 14  # the column holds 16 digits, two of them after the point


# ---- export ---------------------------------------------------------------------------------------


def filtered_reports(user, params=None):
    """The reports of the report list with these filters (a round's list when `round` is given):
    the user's scope, or all for the system."""
    reports = Report.objects.all() if user is None else visible_reports(user)
    params = params or {}
    round_id = str(params.get("round") or "")
    if round_id.isdigit():
        reports = reports.filter(round_id=int(round_id))
    report_filter = ReportFilter(params or None, queryset=reports)
    # Like the list page: filters that do not validate are left out rather than refused.
    return report_filter.qs if report_filter.is_bound and report_filter.is_valid() else reports


def report_rows(reports, lookups: Lookups):
    reports = reports.select_related("round__area", "project", "working").order_by(
        "round__period_end", "round__area__path", "project__code", "pk"
    )
    for report in reports.iterator(chunk_size=2000):
        version = report.working
        row = {
            "project": report.project.code,
            "project_name": report.project.display_name,
            "period": report.round.label,
            "round_area": lookups.areas.label(report.round.area),
            "status": str(ReportStatus(report.status).label),
        }
        for name in VERSION_FIELDS:
            row[name] = getattr(version, name) if version is not None else None
        yield row


# ---- reading cells --------------------------------------------------------------------------------

_MONTH = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_QUARTER = (
    re.compile(r"^(\d{4})[-/.]?Q([1-4])$", re.IGNORECASE),
    re.compile(r"^(\d{4})年?第?([1-4一二三四])季度?$"),
)
_RANGE = re.compile(r"^(.+?)(?:–|—|~|至|到)(.+)$")
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(raw) -> tuple[datetime.date, datetime.date] | None:
    """A reporting period as (start, end): 2025-03, 2025年3月, 202503, 2025Q1, or two dates."""
    if values.is_blank(raw):
        return None
    problem = values.CellError(
        _("“%(value)s” is not a period; write it like 2025-03, or as two dates for a quarter.")
        % {"value": values.shown(raw)}
    )
    if isinstance(raw, datetime.date):
        # Excel turns a typed 2025-03 into the date 2025-03-01.
        day = raw.date() if isinstance(raw, datetime.datetime) else raw
        if day.day != 1:
            raise problem
        return day, _month_end(day.year, day.month)
    value = unicodedata.normalize("NFKC", values.text(raw)).replace(" ", "")
    for pattern in _MONTH:
        match = pattern.match(value)
        if match:
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise problem
            return datetime.date(year, month, 1), _month_end(year, month)
    for pattern in _QUARTER:
        match = pattern.match(value)
        if match:
            year, quarter = int(match[1]), _CHINESE_DIGITS.get(match[2]) or int(match[2])
            return datetime.date(year, quarter * 3 - 2, 1), _month_end(year, quarter * 3)
    match = _RANGE.match(value)
    if match:
        try:
            start, end = values.parse_date(match[1]), values.parse_date(match[2])
        except values.CellError:
            raise problem from None
        if start and end and start <= end:
            return start, end
    raise problem


def period_label(period: tuple[datetime.date, datetime.date]) -> str:
    start, end = period
    if start.day == 1 and end == _month_end(start.year, start.month):
        return f"{start:%Y-%m}"
    return f"{start.isoformat()} – {end.isoformat()}"


def parse_percent(raw) -> Decimal | None:
    """A percentage from 0 to 100, with or without a % sign, rounded to two places."""
    if isinstance(raw, str):
        raw = unicodedata.normalize("NFKC", raw).strip().removesuffix("%")
    number = values.parse_decimal(raw)
    if number is None:
        return None
    if not 0 <= number <= 100:
        raise values.CellError(_("“%(value)s” is not between 0 and 100.") % {"value": values.shown(raw)})
    return number.quantize(Decimal("0.01"))


def parse_count(raw) -> int | None:
    """A whole number, not negative."""
    number = values.parse_decimal(raw)
    if number is None:
        return None
    if number < 0 or number != number.to_integral_value():
        raise values.CellError(_("“%(value)s” is not a whole number of at least 0.") % {"value": values.shown(raw)})
    return int(number)


_PARSERS = {"investment": values.parse_money, "physical_progress": parse_percent, "workers_on_site": parse_count}


# ---- import ---------------------------------------------------------------------------------------


class ReportPlanner(Planner):
    def prepare(self, table):
        self.lookups = Lookups()
        codes = sorted({values.code(table.cell(cells, "project")) for _, cells in table.rows} - {""})
        self.projects = {}
        for chunk in chunks(codes):
            self.projects.update((p.code, p) for p in scoped_projects(self.user).filter(code__in=chunk))
        self.reports: dict[int, list[Report]] = {}
        ids = sorted(p.pk for p in self.projects.values())
        for chunk in chunks(ids):
            for report in (
                Report.objects.filter(project_id__in=chunk).select_related("round__area", "working").order_by("pk")
            ):
                self.reports.setdefault(report.project_id, []).append(report)
        self.may_fill = self.user is None or has_perm(self.user, "report.fill")
        self.claimed: dict[int, int] = {}  # report pk → the row that names it

    def plan_row(self, row: Row, plan) -> Operation | None:
        project = self.project_of(row, self.projects)
        period = row.read("period", parse_period)
        if period is None and "period" not in row.failed:
            row.error("period", _("Give the period, like 2025-03."))
        area = row.find("round_area", self.lookups.areas)
        status = row.find("status", self.lookups.report_statuses)
        new = {}
        for name in NUMBERS:
            if row.has(name):
                new[name] = row.read(name, _PARSERS[name])
        for name in TEXTS:
            if row.has(name):
                new[name] = values.text(row.raw(name))
        if new.get("investment") is not None and new["investment"] >= INVESTMENT_LIMIT:
            row.error("investment", _("The amount is too large."))
        if row.errors or project is None or period is None:
            return None
        report = self._match(row, project, period, area)
        if report is None:
            return None
        if status is not None and status.value != report.status:
            row.error(
                "status",
                _(
                    "The report is now “%(status)s”: the file may be out of date. Reports are submitted and reviewed on "
                    "the report page."
                )
                % {"status": ReportStatus(report.status).label},
            )
        version = report.working
        changes, changed = [], {}
        for name, value in new.items():
            before = self._current(version, name)
            if value != before:
                changed[name] = value
                changes.append((row.table.header(name), self._shown(before), self._shown(value)))
        if changed:
            self._check_change(row, report, next(iter(changed)))
        label = f"{project.code} · {report.round.label}"
        action = UPDATE if changed else UNCHANGED
        return Operation(
            row.number,
            action,
            label,
            project.display_name,
            changes,
            payload={"report": report, "values": changed},
            fingerprint=(report.pk, report.status, tuple(sorted((k, str(v)) for k, v in changed.items()))),
        )

    def _match(self, row: Row, project, period, area) -> Report | None:
        found = [
            r
            for r in self.reports.get(project.pk, [])
            if (r.round.period_start, r.round.period_end) == period and (area is None or r.round.area_id == area.pk)
        ]
        if not found:
            row.error(
                "period",
                _("Project %(code)s has no report for %(period)s: reports are created when a round opens.")
                % {"code": project.code, "period": period_label(period)},
            )
            return None
        if len(found) > 1:
            areas = "、".join(self.lookups.areas.label(r.round.area) for r in found)
            row.error(
                "round_area" if row.has("round_area") else "period",
                _("The project reports for this period in several rounds (%(areas)s): give the round area.")
                % {"areas": areas},
            )
            return None
        report = found[0]
        if report.pk in self.claimed:
            row.error("period", _("The same report as row %(row)s.") % {"row": self.claimed[report.pk]})
            return None
        self.claimed[report.pk] = row.number
        return report

    def _check_change(self, row: Row, report: Report, column: str) -> None:
        if report.status not in OPEN_FOR_FILLING:
            row.error(
                column,
                _(
                    "The report was already submitted (it is “%(status)s”): an import does not change it; an accepted "
                    "report is corrected on its page."
                )
                % {"status": ReportStatus(report.status).label},
            )
        elif report.round.status != RoundStatus.OPEN and not report.is_correction:
            row.error(column, _("The round is closed: its reports can only be corrected once accepted."))
        elif not self.may_fill:
            row.error(column, _("You may not fill in reports."))

    @staticmethod
    def _current(version: ReportVersion | None, name: str):
        value = getattr(version, name) if version is not None else None
        if name in TEXTS:
            return (value or "").strip()
        return value

    @staticmethod
    def _shown(value) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return values.plain_decimal(value)
        return values.shown(value)

    def apply_operation(self, operation: Operation) -> None:
        payload = operation.payload
        save_report(report=payload["report"], by=self.user, values=payload["values"])

    def field_columns(self) -> dict[str, str]:
        return {name: name for name in VERSION_FIELDS}
