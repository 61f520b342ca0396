"""Reading one cell's value as typed by a person in Excel or a CSV file, and writing it back.

Cells arrive as the xlsx reader gives them (str, int, float, date, datetime …) or as CSV text. Parsers raise
CellError with a message for the user; nothing here touches the database.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

# A CSV cell starting with one of these is taken for a formula by Excel; exports put an
# apostrophe in front (as Excel itself does) and imports take it away again. The apostrophe is
# in the list so that a text that starts with one survives the round trip too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


class CellError(Exception):
    """A cell that cannot be read; the message is for the person who filled it in."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text(raw) -> str:
    """The cell as text, trimmed; numbers Excel stored as numbers come back without '.0'."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, datetime.datetime):
        return raw.date().isoformat() if raw.time() == datetime.time() else raw.isoformat(sep=" ")
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    value = str(raw).strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        value = value[1:]
    return value


def guard_formula(value: str) -> str:
    """Text for a CSV cell that Excel shows as text instead of running it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def code(raw) -> str:
    """An identifier: full-width letters and digits (typed with a Chinese input method) folded."""
    return unicodedata.normalize("NFKC", text(raw)).strip()


def shown(raw) -> str:
    """A cell's value as quoted back to the user in an error message."""
    value = text(raw)
    return value if len(value) <= 60 else value[:57] + "…"


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(raw) -> datetime.date | None:
    """A date from a date cell or text such as 2025-03-01, 2025/3/1, 2025.3.1 or 2025年3月1日."""
    if is_blank(raw):
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    value = unicodedata.normalize("NFKC", text(raw)).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise CellError(_("“%(value)s” is not a date; write it like 2025-03-01.") % {"value": shown(raw)})


_MULTIPLIERS = (("亿元", 100_000_000), ("亿", 100_000_000), ("万元", 10_000), ("万", 10_000), ("元", 1))


def parse_decimal(raw) -> Decimal | None:
    """A number from a number cell or text; thousands separators and full-width digits allowed."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": shown(raw)})
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        # repr gives the shortest text that reads back as the same float: what Excel showed.
        return Decimal(repr(raw))
    value = unicodedata.normalize("NFKC", text(raw)).replace(",", "").replace(" ", "")
    multiplier = 1
    for suffix, factor in _MULTIPLIERS:
        if value.endswith(suffix):
            value, multiplier = value[: -len(suffix)], factor
            break
    try:
        number = Decimal(value) * multiplier
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": shown(raw)}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": shown(raw)})
    return number


def parse_money(raw) -> Decimal | None:
    """An amount in yuan, not negative, rounded to the fen."""
    number = parse_decimal(raw)
    if number is None:
        return None
    if number < 0:
        raise CellError(_("An amount cannot be negative."))
    return number.quantize(Decimal("0.01"))


def parse_coordinate(raw, limit: int) -> Decimal | None:
    """Decimal degrees within ±limit, rounded to the six places stored."""
    number = parse_decimal(raw)
    if number is None:
        return None
    if not -limit <= number <= limit:
        raise CellError(
            _("“%(value)s” is outside -%(limit)s to %(limit)s degrees.") % {"value": shown(raw), "limit": limit}
        )
    return number.quantize(Decimal("0.000001"))


def plain_decimal(value: Decimal | None) -> str:
    """A decimal as CSV text: no exponent, no grouping."""
    return "" if value is None else f"{value:f}"
