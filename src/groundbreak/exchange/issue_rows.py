"""Import and export of issues (difficulties): one row per issue, matched by its number.

- A row without an issue number raises a new issue through `coordination.actions.raise_issue`,
  on a project in the user's scope; with a lead unit and a deadline it is assigned at once (which
  takes a coordinator), without them it waits on the board. A row with the project, summary and
  date raised of an existing issue is refused rather than raising it twice.
- A row with the number of an issue the user sees is checked against it. The only change an
  import makes to an existing issue is its assignment, through `assign_issue` as on the issue
  page: lead unit, co-units and responsible person, and the deadline of an issue that has none
  yet. Everything else — summary, category, severity, source, date raised, details, a deadline
  already set (moving it needs a reason), the status (responses, resolution and verification) —
  is done on the issue page: a row that differs there is an error, so nothing is silently ignored.

The status column is checked, not written: for an existing issue a status other than its
current one means the file is out of date.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.coordination.actions import assign_issue, raise_issue
from groundbreak.coordination.choices import OPEN_STATUSES, IssueSource, IssueStatus, Severity
from groundbreak.coordination.filters import IssueFilter
from groundbreak.coordination.models import Issue
from groundbreak.coordination.queries import visible_issues
from groundbreak.exchange import values
from groundbreak.exchange.importing import CREATE, UNCHANGED, UPDATE, Operation, Planner, Row
from groundbreak.exchange.matching import Lookups, MatchError
from groundbreak.exchange.project_rows import chunks, scoped_projects
from groundbreak.org.permissions import has_perm

CO_UNIT_SEPARATORS = ("、", ";", "；", "\n")
TITLE_LIMIT = Issue._meta.get_field("title").max_length


# ---- export ---------------------------------------------------------------------------------------


def filtered_issues(user, params=None):
    """The issues of the supervision board with these filters: the user's scope, unclosed ones
    unless a status is asked for, as the board lists them. The system (no user) gets every issue."""
    if user is None and not params:
        return Issue.objects.all()
    issues = Issue.objects.all() if user is None else visible_issues(user)
    issue_filter = IssueFilter(params or None, queryset=issues, user=user)
    filtered = issue_filter.qs if issue_filter.is_bound and issue_filter.is_valid() else issues
    statuses = params.getlist("status") if hasattr(params, "getlist") else (params or {}).get("status")
    return filtered if statuses else filtered.exclude(status=IssueStatus.CLOSED)


def issue_rows(issues, lookups: Lookups):
    issues = (
        issues.select_related("project", "category", "lead_unit", "responsible_person")
        .prefetch_related("co_units")
        .order_by("pk")
    )
    for issue in issues.iterator(chunk_size=2000):
        co_units = sorted(issue.co_units.all(), key=lambda unit: unit.pk)
        yield {
            "number": str(issue.pk),
            "project": issue.project.code,
            "project_name": issue.project.display_name,
            "title": issue.title,
            "category": lookups.issue_categories.label(issue.category),
            "severity": str(Severity(issue.severity).label),
            "source": str(IssueSource(issue.source).label),
            "raised_on": issue.raised_on,
            "description": issue.description,
            "lead_unit": lookups.units.label(issue.lead_unit) if issue.lead_unit_id else "",
            "co_units": "、".join(lookups.units.label(unit) for unit in co_units),
            "responsible_person": lookups.people.label(issue.responsible_person) if issue.responsible_person_id else "",
            "deadline": issue.deadline,
            "status": str(IssueStatus(issue.status).label),
        }


# ---- import ---------------------------------------------------------------------------------------


def _split_units(text: str) -> list[str]:
    for separator in CO_UNIT_SEPARATORS[1:]:
        text = text.replace(separator, CO_UNIT_SEPARATORS[0])
    return [name.strip() for name in text.split(CO_UNIT_SEPARATORS[0]) if name.strip()]


class IssuePlanner(Planner):
    def prepare(self, table):
        self.lookups = Lookups()
        self.today = timezone.localdate()
        codes = sorted({values.code(table.cell(cells, "project")) for _, cells in table.rows} - {""})
        self.projects = {}
        for chunk in chunks(codes):
            self.projects.update((p.code, p) for p in scoped_projects(self.user).filter(code__in=chunk))
        numbers = set()
        if table.has("number"):
            for _, cells in table.rows:
                number = values.code(table.cell(cells, "number")).lstrip("#")
                if number.isdigit():
                    numbers.add(int(number))
        visible = Issue.objects.all() if self.user is None else visible_issues(self.user)
        self.issues: dict[int, Issue] = {}
        for chunk in chunks(sorted(numbers)):
            self.issues.update(
                (issue.pk, issue)
                for issue in visible.filter(pk__in=chunk)
                .select_related("project", "category", "lead_unit", "responsible_person")
                .prefetch_related("co_units")
            )
        # Issues already raised, so importing a file of new issues twice does not raise them twice.
        self.raised: dict[tuple, int] = {}
        for chunk in chunks(sorted(p.pk for p in self.projects.values())):
            for pk, project_id, title, raised_on in Issue.objects.filter(project_id__in=chunk).values_list(
                "pk", "project_id", "title", "raised_on"
            ):
                self.raised.setdefault((project_id, title.strip(), raised_on), pk)
        self.may = {perm: self.user is None or has_perm(self.user, perm) for perm in ("issue.create", "issue.assign")}
        self.numbered: dict[int, int] = {}  # issue number → the row that names it
        self.new_rows: dict[tuple, int] = {}  # (project, title, raised on) of a new issue → its row

    # -- reading --

    def _read(self, row: Row) -> dict:
        data = {"title": values.text(row.raw("title"))}
        if len(data["title"]) > TITLE_LIMIT:
            row.error(
                "title",
                _("At most %(limit)s characters (this has %(n)s).") % {"limit": TITLE_LIMIT, "n": len(data["title"])},
            )
        if row.has("category"):
            data["category"] = row.find("category", self.lookups.issue_categories)
        if row.has("severity"):
            choice = row.find("severity", self.lookups.severities)
            data["severity"] = choice.value if choice is not None else Severity.NORMAL
        if row.has("source"):
            choice = row.find("source", self.lookups.issue_sources)
            data["source"] = choice.value if choice is not None else IssueSource.UNIT
        if row.has("raised_on"):
            data["raised_on"] = row.read("raised_on", values.parse_date)
        if row.has("description"):
            data["description"] = values.text(row.raw("description"))
        if row.has("lead_unit"):
            data["lead_unit"] = row.find("lead_unit", self.lookups.units)
        if row.has("co_units"):
            data["co_units"] = self._co_units(row)
        if row.has("responsible_person"):
            data["responsible_person"] = row.find("responsible_person", self.lookups.people)
        if row.has("deadline"):
            data["deadline"] = row.read("deadline", values.parse_date)
        if row.has("status"):
            choice = row.find("status", self.lookups.issue_statuses)
            data["status"] = choice.value if choice is not None else None
        return data

    def _co_units(self, row: Row) -> list:
        units = []
        for name in _split_units(values.text(row.raw("co_units"))):
            try:
                unit = self.lookups.units.find(name)
            except MatchError as error:
                row.error("co_units", error.message)
                continue
            if unit not in units:
                units.append(unit)
        return units

    def plan_row(self, row: Row, plan) -> Operation | None:
        number = values.code(row.raw("number")).lstrip("#") if row.has("number") else ""
        code = values.code(row.raw("project"))
        if not code:
            row.error("project", _("Give the project's code."))
        data = self._read(row)
        if not data["title"]:
            row.error("title", _("Give the issue a title."))
        if number and not number.isdigit():
            row.error("number", _("An issue number is a whole number, as the export writes it."))
            return None
        if number:
            return self._plan_existing(row, int(number), code, data)
        return self._plan_new(row, code, data)

    # -- new issues --

    def _plan_new(self, row: Row, code: str, data: dict) -> Operation | None:
        project = self.projects.get(code)
        if code and project is None:
            row.error("project", _("No project %(code)s in your scope.") % {"code": code})
        if not self.may["issue.create"]:
            row.error(None, _("You may not raise issues."))
        if data.get("category") is None and "category" not in row.failed:
            row.error("category", _("Choose a category."))
        if data.get("source") == IssueSource.ENGAGEMENT:
            row.error("source", _("Issues raised at an engagement are recorded on the engagement's page."))
        status = data.get("status")
        if status not in (None, IssueStatus.OPEN):
            row.error("status", _("A new issue starts open: its status moves on the issue page."))
        raised_on = data.get("raised_on") or self.today
        if raised_on > self.today:
            row.error("raised_on", _("The date cannot be in the future."))
        lead, deadline = data.get("lead_unit"), data.get("deadline")
        if (lead is not None or deadline is not None) and not self.may["issue.assign"]:
            row.error(
                "lead_unit" if lead is not None else "deadline",
                _("Assigning an issue takes a coordinator: leave the lead unit and the deadline blank."),
            )
        elif lead is not None or deadline is not None:
            self._check_assignment(row, lead, deadline, raised_on)
        if data.get("co_units") and lead is None and "lead_unit" not in row.failed:
            row.error("co_units", _("Co-units work with a lead unit: name the lead unit too."))
        if row.errors or project is None:
            return None
        key = (project.pk, data["title"], raised_on)
        if key in self.raised:
            row.error(
                "title",
                _(
                    "Issue %(number)s of this project has this summary and date already: write its number in the "
                    "issue number column, or change the summary."
                )
                % {"number": self.raised[key]},
            )
            return None
        if key in self.new_rows:
            row.error("title", _("The same issue as row %(row)s.") % {"row": self.new_rows[key]})
            return None
        self.new_rows[key] = row.number
        payload = {
            "project": project,
            "title": data["title"],
            "category": data["category"],
            "description": data.get("description", ""),
            "severity": data.get("severity", Severity.NORMAL),
            "source": data.get("source", IssueSource.UNIT),
            "raised_on": raised_on,
            "lead_unit": lead,
            "co_units": data.get("co_units", []),
            "responsible_person": data.get("responsible_person"),
            "deadline": deadline,
        }
        fingerprint = tuple(
            (name, getattr(value, "pk", value)) for name, value in payload.items() if name != "co_units"
        )
        return Operation(
            row.number,
            CREATE,
            project.code,
            data["title"],
            payload=payload,
            fingerprint=(*fingerprint, tuple(unit.pk for unit in payload["co_units"])),
        )

    def _check_assignment(self, row: Row, lead, deadline, raised_on) -> None:
        if lead is None and "lead_unit" not in row.failed:
            row.error("lead_unit", _("Choose the unit that leads the work."))
        if deadline is None and "deadline" not in row.failed:
            row.error("deadline", _("Give a deadline: every assigned issue has one."))
        elif deadline is not None and raised_on is not None and deadline < raised_on:
            row.error("deadline", _("The deadline cannot be before the day the issue was raised."))

    # -- existing issues --

    def _plan_existing(self, row: Row, number: int, code: str, data: dict) -> Operation | None:
        issue = self.issues.get(number)
        if issue is None:
            row.error("number", _("No issue %(number)s in your scope.") % {"number": number})
            return None
        if number in self.numbered:
            row.error("number", _("The same issue as row %(row)s.") % {"row": self.numbered[number]})
            return None
        self.numbered[number] = row.number
        if code and code != issue.project.code:
            row.error(
                "project",
                _("Issue %(number)s belongs to project %(code)s.") % {"number": number, "code": issue.project.code},
            )
        self._check_unchangeable(row, issue, data)
        status = data.get("status")
        if status is not None and status != issue.status:
            row.error(
                "status",
                _(
                    "The issue is now “%(status)s”: the file may be out of date. Responses, resolution and "
                    "verification are recorded on the issue page."
                )
                % {"status": IssueStatus(issue.status).label},
            )
        changes, assignment = self._assignment(row, issue, data)
        if row.errors:
            return None
        action = UPDATE if changes else UNCHANGED
        fingerprint = (
            issue.pk,
            issue.version,
            tuple((name, getattr(value, "pk", value)) for name, value in assignment.items() if name != "co_units"),
            tuple(unit.pk for unit in assignment.get("co_units", ())),
        )
        return Operation(
            row.number,
            action,
            f"#{issue.pk} {issue.project.code}",
            issue.title,
            changes,
            payload={"issue": issue, **assignment},
            fingerprint=fingerprint,
        )

    def _check_unchangeable(self, row: Row, issue: Issue, data: dict) -> None:
        current = {
            "title": issue.title.strip(),
            "category": issue.category,
            "severity": issue.severity,
            "source": issue.source,
            "raised_on": issue.raised_on,
            "description": issue.description.strip(),
        }
        for name, before in current.items():
            if name not in data or name in row.failed:
                continue
            after = data[name]
            if name == "raised_on" and after is None:
                after = self.today
            if after != before:
                row.error(
                    name,
                    _("An import does not change the %(column)s of an existing issue: do it on the issue page.")
                    % {"column": row.table.header(name)},
                )

    def _assignment(self, row: Row, issue: Issue, data: dict) -> tuple[list, dict]:
        """The changes of the issue's assignment the row asks for (checked), and assign_issue's arguments."""
        if row.failed & {"lead_unit", "co_units", "responsible_person", "deadline"}:
            return [], {}  # already wrong: one error says it
        current_co = sorted(issue.co_units.all(), key=lambda unit: unit.pk)
        lead = data["lead_unit"] if "lead_unit" in data else issue.lead_unit
        co_units = data["co_units"] if "co_units" in data else current_co
        co_units = sorted((unit for unit in co_units if lead is None or unit.pk != lead.pk), key=lambda u: u.pk)
        person = data["responsible_person"] if "responsible_person" in data else issue.responsible_person
        changes = []
        header = row.table.header
        units = self.lookups.units
        if getattr(lead, "pk", None) != issue.lead_unit_id and "lead_unit" not in row.failed:
            changes.append(
                (
                    header("lead_unit"),
                    units.label(issue.lead_unit) if issue.lead_unit_id else "",
                    units.label(lead) if lead else "",
                )
            )
        if [u.pk for u in co_units] != [u.pk for u in current_co] and "co_units" not in row.failed:
            changes.append(
                (
                    header("co_units"),
                    "、".join(units.label(u) for u in current_co),
                    "、".join(units.label(u) for u in co_units),
                )
            )
        if getattr(person, "pk", None) != issue.responsible_person_id and "responsible_person" not in row.failed:
            people = self.lookups.people
            changes.append(
                (
                    header("responsible_person"),
                    people.label(issue.responsible_person) if issue.responsible_person_id else "",
                    people.label(person) if person else "",
                )
            )
        deadline = None
        if "deadline" in data and "deadline" not in row.failed and data["deadline"] != issue.deadline:
            if issue.deadline is not None:
                row.error(
                    "deadline",
                    _("The deadline is %(date)s: moving it needs a reason, given on the issue page.")
                    % {"date": issue.deadline.isoformat()},
                )
            else:
                deadline = data["deadline"]
                changes.append((header("deadline"), "", deadline.isoformat()))
        if not changes:
            return [], {}
        column = next(key for key in ("lead_unit", "co_units", "responsible_person", "deadline") if row.has(key))
        if not self.may["issue.assign"]:
            row.error(column, _("You may not assign issues."))
        elif issue.status not in OPEN_STATUSES:
            row.error(column, _("Only an issue that is still being worked on can be assigned."))
        elif issue.project.code not in self.projects:
            row.error(
                column,
                _("Project %(code)s is outside your scope: you may not assign its issues.")
                % {"code": issue.project.code},
            )
        else:
            if lead is None:
                row.error("lead_unit", _("Choose the unit that leads the work."))
            if issue.deadline is None:
                self._check_assignment(row, lead, deadline, issue.raised_on)
        assignment = {"lead_unit": lead, "co_units": co_units, "responsible_person": person, "deadline": deadline}
        return changes, assignment

    # -- writing --

    def apply_operation(self, operation: Operation) -> None:
        payload = operation.payload
        if operation.action == CREATE:
            raise_issue(
                by=self.user,
                **{name: value for name, value in payload.items() if name != "row"},
            )
        else:
            assign_issue(
                issue=payload["issue"],
                by=self.user,
                lead_unit=payload["lead_unit"],
                co_units=payload["co_units"],
                responsible_person=payload["responsible_person"],
                deadline=payload["deadline"],
                note=_("Assigned by a spreadsheet import."),
            )

    def field_columns(self) -> dict[str, str]:
        return {
            "project": "project",
            "title": "title",
            "category": "category",
            "severity": "severity",
            "source": "source",
            "engagement": "source",
            "raised_on": "raised_on",
            "description": "description",
            "lead_unit": "lead_unit",
            "responsible_person": "responsible_person",
            "deadline": "deadline",
            "new_deadline": "deadline",
        }
