"""Reading an uploaded .xlsx or .csv into rows of raw cells keyed by column.

The header row is recognised in either language; row numbers are the spreadsheet's own
(header = row 1, or the row the header is on when a title sits above it), so an error points at
the row the user sees.
"""

import codecs
import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from groundbreak.exchange.columns import Column, Sheet, column_letter, normalize_header
from groundbreak.exchange.values import is_blank

# Government spreadsheets often carry a title line or two above the header.
HEADER_SEARCH_ROWS = 10
XLSX, CSV = "xlsx", "csv"


class FileError(Exception):
    """The file as a whole cannot be read; the message says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 50_000)


@dataclass
class Table:
    sheet: Sheet
    # column key → (0-based index in the file, header as written there)
    columns: dict[str, tuple[int, str]]
    rows: list[tuple[int, tuple]]  # (spreadsheet row number, raw cells)
    ignored_headers: list[str] = field(default_factory=list)
    english: bool = False

    def has(self, key: str) -> bool:
        return key in self.columns

    def cell(self, cells: tuple, key: str):
        """The raw cell of column `key` in a row's `cells`; None when the file lacks the column."""
        column = self.columns.get(key)
        if column is None:
            return None
        return cells[column[0]] if column[0] < len(cells) else None

    def header(self, key: str) -> str:
        if key in self.columns:
            return self.columns[key][1]
        return self.sheet.column(key).header()

    def letter(self, key: str) -> str:
        return column_letter(self.columns[key][0]) if key in self.columns else ""


def file_format(name: str, head: bytes) -> str:
    lowered = (name or "").lower()
    if head.startswith(b"PK\x03\x04") or lowered.endswith((".xlsx", ".xlsm")):
        return XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0") or lowered.endswith(".xls"):
        raise FileError(_("Old Excel .xls files cannot be read: save the file as Excel Workbook (.xlsx) or CSV."))
    return CSV


def read_table(sheet: Sheet, file, name: str = "") -> Table:
    """The rows of `file` (an open binary file) as cells of `sheet`'s columns."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if file_format(name, head) == XLSX:
        rows = _xlsx_rows(file)
    else:
        rows = _csv_rows(file.read())
    return _table(sheet, rows)


def count_rows(file, name: str = "") -> int:
    """A quick count of the data rows, to decide whether the file is checked in the background."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if file_format(name, head) == CSV:
        data = file.read()
        file.seek(0)
        return max(0, data.count(b"\n") - (0 if data.endswith(b"\n") else -1) - 1)
    try:
        worksheet = _data_sheet(file)
        # The sheet's extent: its last row with data, blank rows above the header included.
        end = worksheet.end
        return max(0, (end[0] + 1 if end else 0) - 1)
    finally:
        file.seek(0)


def _data_sheet(file):
    """The first visible sheet: templates and exports keep their data there and lists on a hidden one."""
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(file)
        visible = [
            index
            for index, sheet in enumerate(workbook.sheets_metadata)
            if sheet.visible == python_calamine.SheetVisibleEnum.Visible
        ]
        return workbook.get_sheet_by_index(visible[0] if visible else 0)
    except (python_calamine.CalamineError, OSError, ValueError) as error:
        raise FileError(_("The file could not be read as an Excel workbook (.xlsx).")) from error


def _row_limit() -> int:
    return max_rows() + HEADER_SEARCH_ROWS + 1


def _too_many_rows() -> FileError:
    return FileError(_("The file has more than %(max)s rows; split it into several files.") % {"max": max_rows()})


def _xlsx_rows(file):
    # Read with calamine (Rust): several times faster than openpyxl on a 10,000-row sheet.
    # Stop early on a huge sheet rather than reading all of it to refuse it afterwards.
    limit = _row_limit()
    rows = [tuple(map(_cell, row)) for row in _data_sheet(file).to_python(skip_empty_area=False, nrows=limit + 1)]
    if len(rows) > limit:
        raise _too_many_rows()
    return rows


def _cell(value):
    """A cell as openpyxl gives it: None when empty, whole numbers as int (calamine gives floats)."""
    if value == "":
        return None
    if type(value) is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def decode_csv(data: bytes) -> str:
    """CSV text from UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or GB18030."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(_("The file's characters could not be read: save it as CSV UTF-8 or as .xlsx."))


def _csv_rows(data: bytes):
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    # Chinese Excel writes commas; "Unicode text" writes tabs; some European setups semicolons.
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(tuple(cell if cell.strip() else None for cell in row))
            if len(rows) > _row_limit():
                raise _too_many_rows()
        return rows
    except csv.Error as error:
        raise FileError(_("The CSV file could not be read: %(error)s") % {"error": error}) from error


def _table(sheet: Sheet, rows: list[tuple]) -> Table:
    lookup = sheet.header_lookup()
    header_index, matches = _find_header(rows, lookup, sheet)
    if header_index is None:
        expected = "、".join(sheet.column(k).header() for k in sheet.key_columns)
        raise FileError(
            _("No header row found: the first row must hold the column names, including %(columns)s.")
            % {"columns": expected}
        )
    columns: dict[str, tuple[int, str]] = {}
    ignored = []
    english = 0
    for index, raw in enumerate(rows[header_index]):
        if is_blank(raw):
            continue
        header = str(raw).strip()
        column: Column | None = lookup.get(normalize_header(header))
        if column is None:
            ignored.append(header)
            continue
        if column.key in columns:
            raise FileError(
                _("The column “%(header)s” appears twice (%(first)s and %(second)s).")
                % {
                    "header": header,
                    "first": column_letter(columns[column.key][0]),
                    "second": column_letter(index),
                }
            )
        columns[column.key] = (index, header)
        english += normalize_header(header) == normalize_header(column.en)
    missing = [sheet.column(k).header() for k in sheet.key_columns if k not in columns]
    if missing:
        raise FileError(_("The file lacks the column(s) %(columns)s.") % {"columns": "、".join(missing)})
    data = [
        (number, cells)
        for number, cells in enumerate(rows[header_index + 1 :], start=header_index + 2)
        if not all(is_blank(c) for c in cells)
    ]
    if len(data) > max_rows():
        raise FileError(
            _("The file has %(rows)s rows; at most %(max)s can be imported at once. Split it into several files.")
            % {"rows": len(data), "max": max_rows()}
        )
    return Table(sheet, columns, data, ignored, english=english * 2 > len(columns))


def _find_header(rows, lookup, sheet):
    """The first row among the top ones that names the sheet's key columns."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {lookup[k].key for k in (normalize_header(c) for c in row if not is_blank(c)) if k in lookup}
        if all(k in keys for k in sheet.key_columns):
            return index, keys
    return None, set()
