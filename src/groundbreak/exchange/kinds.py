"""The kinds of rows that can be imported and exported as spreadsheets.

Adding one means a Sheet in `columns`, a Planner, an export row function, the list it exports
(`select`: the records of a list page, scoped and filtered like that page) and an entry here;
pages, commands, jobs and templates pick it up from this registry.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from groundbreak.exchange.columns import ISSUE_SHEET, MILESTONE_SHEET, PROJECT_SHEET, REPORT_SHEET, Sheet
from groundbreak.org.permissions import has_perm


@dataclass(frozen=True)
class TabularKind:
    key: str
    label: Promise
    sheet: Sheet
    planner: Callable  # (user) -> importing.Planner
    export_rows: Callable | None  # (records of `select`, Lookups) -> rows
    import_perms: tuple[str, ...]  # any one of them lets a user import this kind
    select: Callable  # (user or None, list filters) -> the queryset `export_rows` writes
    page: str = "projects"  # the list page whose export links offer this kind

    def may_import(self, user) -> bool:
        return user is None or any(has_perm(user, perm) for perm in self.import_perms)


def _project_planner(user):
    from groundbreak.exchange.project_rows import ProjectPlanner

    return ProjectPlanner(user)


def _milestone_planner(user):
    from groundbreak.exchange.milestone_rows import MilestonePlanner

    return MilestonePlanner(user)


def _project_rows(projects, lookups):
    from groundbreak.exchange.exporting import project_rows

    return project_rows(projects, lookups)


def _milestone_rows(projects, lookups):
    from groundbreak.exchange.exporting import milestone_rows

    return milestone_rows(projects, lookups)


def _projects(user, params):
    from groundbreak.exchange.exporting import filtered_projects

    return filtered_projects(user, params)


def _report_planner(user):
    from groundbreak.exchange.report_rows import ReportPlanner

    return ReportPlanner(user)


def _report_rows(reports, lookups):
    from groundbreak.exchange.report_rows import report_rows

    return report_rows(reports, lookups)


def _reports(user, params):
    from groundbreak.exchange.report_rows import filtered_reports

    return filtered_reports(user, params)


def _issue_planner(user):
    from groundbreak.exchange.issue_rows import IssuePlanner

    return IssuePlanner(user)


def _issue_rows(issues, lookups):
    from groundbreak.exchange.issue_rows import issue_rows

    return issue_rows(issues, lookups)


def _issues(user, params):
    from groundbreak.exchange.issue_rows import filtered_issues

    return filtered_issues(user, params)


KINDS: dict[str, TabularKind] = {
    kind.key: kind
    for kind in (
        TabularKind(
            "projects",
            _("Projects"),
            PROJECT_SHEET,
            _project_planner,
            _project_rows,
            ("project.create", "project.change"),
            _projects,
        ),
        TabularKind(
            "milestones",
            _("Time nodes"),
            MILESTONE_SHEET,
            _milestone_planner,
            _milestone_rows,
            ("milestone.create", "milestone.replan", "milestone.complete"),
            _projects,
        ),
        TabularKind(
            "reports",
            _("Reports"),
            REPORT_SHEET,
            _report_planner,
            _report_rows,
            ("report.fill",),
            _reports,
            page="reports",
        ),
        TabularKind(
            "issues",
            _("Issues"),
            ISSUE_SHEET,
            _issue_planner,
            _issue_rows,
            ("issue.create", "issue.assign"),
            _issues,
            page="issues",
        ),
    )
}


def get_kind(key: str) -> TabularKind:
    """The kind named `key`; LookupError for an unknown one."""
    try:
        return KINDS[key]
    except KeyError:
        raise LookupError(key) from None


def importable_kinds(user) -> list[TabularKind]:
    return [kind for kind in KINDS.values() if kind.may_import(user)]


def page_kinds(page: str) -> list[TabularKind]:
    """The kinds the export links of a list page offer."""
    return [kind for kind in KINDS.values() if kind.page == page and kind.export_rows is not None]
