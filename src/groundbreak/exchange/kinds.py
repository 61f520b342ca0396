"""The kinds of rows that can be imported and exported as spreadsheets.

Adding one (reports, issues) means a Sheet in `columns`, a Planner, an export row function and an
entry here; pages, commands, jobs and templates pick it up from this registry.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from groundbreak.exchange.columns import MILESTONE_SHEET, PROJECT_SHEET, Sheet
from groundbreak.org.permissions import has_perm


@dataclass(frozen=True)
class TabularKind:
    key: str
    label: Promise
    sheet: Sheet
    planner: Callable  # (user) -> importing.Planner
    export_rows: Callable | None  # (projects queryset, Lookups) -> rows
    import_perms: tuple[str, ...]  # any one of them lets a user import this kind

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
        ),
        TabularKind(
            "milestones",
            _("Time nodes"),
            MILESTONE_SHEET,
            _milestone_planner,
            _milestone_rows,
            ("milestone.create", "milestone.replan", "milestone.complete"),
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
