"""Excel workbooks of a sheet's columns: the blank import templates and the xlsx exports.

Both are built here so an export is itself a template: the same headers with their explanations
as cell comments, the same drop-down lists (kept on a hidden sheet, as they can be long), the
same date and number formats. Validations warn rather than refuse, so a name typed in another
spelling that the importer still recognises (traditional characters, the English name) can be kept.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from groundbreak.exchange.columns import COORDINATE, COUNT, DATE, MONEY, PERCENT, Sheet, column_letter
from groundbreak.exchange.matching import Lookups
from groundbreak.org.permissions import sees_everything

LIST_SHEET = "lists"
LAST_ROW = 1_048_576  # validations cover the whole column, however many rows are added
DATE_FORMAT = "yyyy-mm-dd"
NUMBER_FORMATS = {DATE: DATE_FORMAT, MONEY: "#,##0.00", COORDINATE: "0.000000", PERCENT: "0.00", COUNT: "0"}
TEXT_FORMAT = "@"  # keeps codes such as 001 or long document numbers as typed
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
REQUIRED_FILL = PatternFill("solid", fgColor="F6D5D1")


def drop_down_lists(user, lookups: Lookups, sheet: Sheet | None = None) -> dict[str, list[str]]:
    """The values offered in drop-downs: areas of the user's scope, all units, leaders, choices.

    With a `sheet`, only the lists its columns use are loaded.
    """
    wanted = {c.choices for c in sheet.columns if c.choices} if sheet is not None else set(_LISTS)
    return {name: _LISTS[name](user, lookups) for name in _LISTS if name in wanted}


def _areas(user, lookups: Lookups) -> list[str]:
    areas = lookups.areas.records
    if user is not None and not sees_everything(user) and user.scope_area_id:
        path = user.scope_area.path
        areas = [a for a in areas if a.path.startswith(path)]
    return [lookups.areas.label(a) for a in areas]


_LISTS = {
    "stage": lambda user, lookups: lookups.stages.labels(),
    "category": lambda user, lookups: lookups.categories.labels(),
    "area": _areas,
    "unit": lambda user, lookups: sorted(lookups.units.labels()),
    "leader": lambda user, lookups: sorted(lookups.leaders.labels()),
    "kind": lambda user, lookups: lookups.kinds.labels(),
    "issue_category": lambda user, lookups: lookups.issue_categories.labels(),
    "severity": lambda user, lookups: lookups.severities.labels(),
    "issue_source": lambda user, lookups: lookups.issue_sources.labels(),
    "issue_status": lambda user, lookups: lookups.issue_statuses.labels(),
    "report_status": lambda user, lookups: lookups.report_statuses.labels(),
}


def _list_title(name: str) -> str:
    return {
        "stage": _("Stages"),
        "category": _("Categories"),
        "area": _("Areas"),
        "unit": _("Units"),
        "leader": _("Leaders"),
        "kind": _("Node kinds"),
        "issue_category": _("Issue categories"),
        "severity": _("Severities"),
        "issue_source": _("Sources"),
        "issue_status": _("Issue statuses"),
        "report_status": _("Report statuses"),
    }.get(name, name)


def build_workbook(sheet: Sheet, lists: dict[str, list[str]], rows: Iterable[dict] = ()) -> Workbook:
    """A workbook with `sheet`'s header, explanations, drop-downs and formats, and `rows` as data."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet.title()
    _write_header(worksheet, sheet)
    count = _write_rows(worksheet, sheet, rows)
    _add_lists(workbook, worksheet, sheet, lists)
    _add_validations(worksheet, sheet)
    worksheet.freeze_panes = "B2"
    worksheet.auto_filter.ref = f"A1:{column_letter(len(sheet.columns) - 1)}{count + 1}"
    return workbook


def _write_header(worksheet, sheet: Sheet) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=column.header())
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        comment = Comment(column.comment(), "Groundbreak")
        comment.width, comment.height = 320, 200
        cell.comment = comment
        dimension = worksheet.column_dimensions[column_letter(index - 1)]
        dimension.width = column.width
        dimension.number_format = NUMBER_FORMATS.get(column.type, TEXT_FORMAT)
    worksheet.row_dimensions[1].height = 32


def _cell_value(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _write_rows(worksheet, sheet: Sheet, rows: Iterable[dict]) -> int:
    formats = [NUMBER_FORMATS.get(c.type, TEXT_FORMAT) for c in sheet.columns]
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, column in enumerate(sheet.columns):
            value = _cell_value(row.get(column.key))
            if value is None or value == "":
                continue
            cell = worksheet.cell(row=count + 1, column=index + 1, value=value)
            if isinstance(value, str) and value.startswith("="):
                # openpyxl would write it as a formula; a project name must stay text.
                cell.data_type = "s"
            if isinstance(value, datetime.date | Decimal | int | float):
                cell.number_format = formats[index]
            else:
                cell.number_format = TEXT_FORMAT
    return count


def _add_lists(workbook, worksheet, sheet: Sheet, lists: dict[str, list[str]]) -> None:
    used = [name for name in dict.fromkeys(c.choices for c in sheet.columns if c.choices) if lists.get(name)]
    if not used:
        return
    hidden = workbook.create_sheet(LIST_SHEET)
    hidden.sheet_state = "hidden"
    ranges = {}
    for index, name in enumerate(used):
        letter = column_letter(index)
        hidden.cell(row=1, column=index + 1, value=_list_title(name)).font = Font(bold=True)
        for offset, value in enumerate(lists[name], start=2):
            cell = hidden.cell(row=offset, column=index + 1, value=_cell_value(value))
            cell.data_type = "s"
        ranges[name] = f"'{LIST_SHEET}'!${letter}$2:${letter}${len(lists[name]) + 1}"
    for index, column in enumerate(sheet.columns):
        if column.choices in ranges:
            validation = DataValidation(
                type="list",
                formula1=ranges[column.choices],
                allow_blank=True,
                errorStyle="warning",
                errorTitle=column.header(),
                error=_("Choose a value from the list (another spelling of the same name is accepted too)."),
            )
            _cover_column(worksheet, validation, index)


def _add_validations(worksheet, sheet: Sheet) -> None:
    for index, column in enumerate(sheet.columns):
        if column.type == DATE:
            validation = DataValidation(type="date", operator="greaterThan", formula1="1")
            validation.error = _("Enter a date such as 2025-03-01.")
        elif column.type == MONEY:
            validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            validation.error = _("Enter an amount in yuan, not negative.")
        elif column.type == COORDINATE:
            limit = 90 if column.key == "latitude" else 180
            validation = DataValidation(type="decimal", operator="between", formula1=str(-limit), formula2=str(limit))
            validation.error = _("Enter decimal degrees between -%(limit)s and %(limit)s.") % {"limit": limit}
        elif column.type == PERCENT:
            validation = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
            validation.error = _("Enter a number from 0 to 100.")
        elif column.type == COUNT:
            validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
            validation.error = _("Enter a whole number, not negative.")
        else:
            continue
        validation.allow_blank = True
        validation.errorStyle = "warning"
        validation.errorTitle = column.header()
        _cover_column(worksheet, validation, index)


def _cover_column(worksheet, validation: DataValidation, index: int) -> None:
    letter = column_letter(index)
    validation.add(f"{letter}2:{letter}{LAST_ROW}")
    worksheet.add_data_validation(validation)


def template_workbook(sheet: Sheet, user) -> Workbook:
    """The blank import template of `sheet` for `user` (drop-downs narrowed to their scope)."""
    return build_workbook(sheet, drop_down_lists(user, Lookups(), sheet))
