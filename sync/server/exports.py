"""CSV and XLSX exports of the per-cooperative, per-day and per-product tables.

CSV starts with a UTF-8 byte order mark so that Excel shows Arabic; in French and Arabic
it uses ``;`` between fields and a decimal comma, as Excel does with those locales.
XLSX holds real numbers (dirhams with two decimals, quantities in their unit, which the
next column names), real dates and times (which Excel sorts and filters as such) and runs
right to left in Arabic. Times are in Morocco's time, and their column says so.

A text that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return: a cooperative named ``=HYPERLINK(...)``) is written as
text: in CSV behind a single quote, in XLSX as a string cell marked as quoted. Amounts and
counts stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from sync.server.i18n import CURRENCY, Translator, market_time
from sync.server.queries import NOT_JOINED, CoopRow, ProductRow, RestoredSums, in_market

MONEY, INT, QUANTITY, TEXT, DATE, TIME = "money", "int", "quantity", "text", "date", "time"
NUMBER_FORMATS = {MONEY: "#,##0.00", DATE: "yyyy-mm-dd", TIME: "yyyy-mm-dd hh:mm"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WIDTHS = (10, 60)  # an XLSX column's narrowest and widest, in characters


def is_formula_like(value: object) -> bool:
    """Whether a spreadsheet could take this text for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value: Any) -> Any:
    """A text cell for CSV, quoted with ``'`` if it could be read as a formula."""
    return f"'{value}" if is_formula_like(value) else value


@dataclass(frozen=True)
class Column:
    header: str
    kind: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Any]


def _money_header(t: Translator, key: str) -> str:
    return f"{t(key)} ({CURRENCY[t.lang]})"


def _synced(row: CoopRow) -> dt.datetime | None:
    """A cooperative's last contact in Morocco's time, to the minute (None: never)."""
    if row.last_sync is None:
        return None
    utc = dt.datetime.fromisoformat(row.last_sync.removesuffix("Z"))
    return market_time(utc).replace(second=0, microsecond=0)


def _received(row: CoopRow) -> dt.datetime | None:
    """When the day's figures came from the cooperative, in Morocco's time (None: not)."""
    return None if row.received is None else dt.datetime.fromisoformat(row.received)


def cooperatives_table(t: Translator, rows: Sequence[CoopRow]) -> Table:
    """The cooperatives as the dashboard's table shows them for its chosen day: that day's
    sales and tickets (named as on screen), then the edition's figures, named so; when
    the day's figures came and whether the day is closed, the till's last contact, what
    needs the organisers' eye as the dashboard flags it (late, its day not opened on a till
    in contact or an earlier day still open on it, nothing received for a day gone by, its
    figures refused) and whether its figures are refused, and why (at the time of the
    export, whatever the day). A cooperative not in the market yet that day (set up later,
    with no figures of it) is a row that says so, as the page's greyed row: its day's
    sales and tickets empty (it had no stand that day), its edition's figures those of the
    days since it joined."""
    yes_no = {True: t("yes"), False: t("no")}
    columns = [
        Column(t("stand"), TEXT, lambda r: r.stand),
        Column(f"{t('cooperative')} (ar)", TEXT, lambda r: r.name_ar),
        Column(f"{t('cooperative')} (fr)", TEXT, lambda r: r.name_fr),
        Column(t("sector"), TEXT, lambda r: t.sector(r.sector)),
        Column(t("province"), TEXT,
               lambda r: r.province_ar if t.lang == "ar" else r.province),
        Column(t("origin"), TEXT,
               lambda r: t("inside_region") if r.inside else t("outside_region")),
        Column(t("led_by_women"), TEXT, lambda r: yes_no[r.women_led]),  # (one cooperative's)
        Column(t("led_by_youth"), TEXT, lambda r: yes_no[r.youth_led]),
        Column(t("members"), INT, lambda r: r.members),
        Column(_money_header(t, "day_sales"), MONEY,
               lambda r: r.day_net if in_market(r) else None),
        Column(t("day_tickets"), INT, lambda r: r.day_tickets if in_market(r) else None),
        Column(_money_header(t, "edition_sales"), MONEY, lambda r: r.edition_net),
        Column(t("edition_tickets"), INT, lambda r: r.edition_tickets),
        Column(_money_header(t, "edition_refunds"), MONEY, lambda r: r.edition_refunds),
        Column(t("days_closed"), INT, lambda r: r.days_closed),
        Column(f"{t('day_received')} ({t.zone})", TIME, _received),
        Column(t("day_closed_column"), TEXT,
               lambda r: yes_no[r.day_closed] if r.received else None),
        Column(f"{t('last_contact')} ({t.zone})", TIME, _synced),
        Column(t("attention_column"), TEXT, lambda r: _attention(t, r)),
        Column(t("conflicts"), INT, lambda r: r.conflicts),
        Column(t("refused_column"), TEXT, lambda r: _refused(t, r)),
    ]
    return Table(t("sheet_cooperatives"), columns, rows)


#: what a row's ``missing`` says, as the dashboard's cell says it
_MISSING = {"not_opened": "day_not_opened", "nothing_sent": "nothing_for_day",
            NOT_JOINED: "not_yet_in_market"}


def _attention(t: Translator, row: CoopRow) -> str | None:
    """Why the dashboard flags the cooperative's row, as its cell says it ("en retard",
    "caisse en ligne, journée pas encore ouverte", "pas encore dans le marché"...), several
    joined by a middle dot (None: it is not flagged)."""
    said = [t("stale")] if row.stale else []
    if row.missing == "earlier_open" and row.open_day is not None:
        said.append(t("earlier_day_open",
                      day=t.short_date(dt.date.fromisoformat(row.open_day))))
    elif row.missing in _MISSING:
        said.append(t(_MISSING[row.missing]))
    if row.refused is not None:
        said.append(t("attention_refused"))
    return " · ".join(said) or None


def _refused(t: Translator, row: CoopRow) -> str | None:
    """Since when (in Morocco's time) and why the cooperative's till's figures are refused,
    as the dashboard says it (None: they are not)."""
    if row.refused is None:
        return None
    since = dt.datetime.fromisoformat(row.refused)
    return t("figures_refused", time=f"{t.short_date(since.date())} {since:%H:%M}",
             reason=t.refusal(row.refused_key, row.refused_params))


def days_table(t: Translator, rows: Sequence[dict[str, Any]],
               restored: Mapping[str, RestoredSums] | None = None) -> Table:
    """The edition's days; each says how many stands had it restored from a backup on their
    till and, summed over them, what their last restore replaced and what their tills say
    now (``restored``: :func:`sync.server.queries.restored_sums`; empty cells on a day
    without a restore), which a CSV file holds beside the day's figures;
    :func:`restored_table` details each restore."""
    restored = restored or {}

    def of_restored(field: str) -> Callable[[dict[str, Any]], int | None]:
        return lambda r: getattr(restored[r["day"]], field) if r["day"] in restored else None

    columns = [
        Column(t("day"), DATE, lambda r: dt.date.fromisoformat(r["day"])),
        Column(_money_header(t, "net_sales"), MONEY, lambda r: r["net"]),
        Column(_money_header(t, "refunds"), MONEY, lambda r: r["refunds"]),
        Column(t("tickets"), INT, lambda r: r["tickets"]),
        Column(t("devices_reporting"), INT, lambda r: r["devices"]),
        Column(t("closed"), INT, lambda r: r["closed"]),
        Column(t("restored_title"), INT,
               lambda r: restored[r["day"]].stands if r["day"] in restored else 0),
        Column(_money_header(t, "restored_days_held_net"), MONEY, of_restored("held_net")),
        Column(t("restored_days_held_tickets"), INT, of_restored("held_tickets")),
        Column(_money_header(t, "restored_days_till_net"), MONEY, of_restored("net")),
        Column(t("restored_days_till_tickets"), INT, of_restored("tickets")),
    ]
    return Table(t("sheet_days"), columns, rows)


def restored_table(t: Translator, rows: Sequence[dict[str, Any]]) -> Table:
    """The stands' days restored from a backup on their till (one row per restore): what
    the server held before, against what the till says now, as the dashboard's panel."""
    columns = [
        Column(t("day"), DATE, lambda r: dt.date.fromisoformat(r["day"])),
        Column(t("stand"), TEXT, lambda r: r["stand"]),
        Column(f"{t('cooperative')} (ar)", TEXT, lambda r: r["name_ar"]),
        Column(f"{t('cooperative')} (fr)", TEXT, lambda r: r["name_fr"]),
        Column(_money_header(t, "restored_held_net"), MONEY, lambda r: r["held_net"]),
        Column(t("restored_held_tickets"), INT, lambda r: r["held_tickets"]),
        Column(_money_header(t, "restored_till_net"), MONEY, lambda r: r["net"]),
        Column(t("restored_till_tickets"), INT, lambda r: r["tickets"]),
    ]
    return Table(t("sheet_restored"), columns, rows)


def products_table(t: Translator, rows: Sequence[ProductRow], day: dt.date | None = None
                   ) -> Table:
    """The edition's products, or (``day``) that day's, one row per cooperative, product
    and unit: the quantity a number, its unit beside it (empty when the stall did not say
    it). A day's sheet is named after it (a sheet's name cannot hold a ``/``: the date
    is written yyyy-mm-dd)."""
    def unit(r: ProductRow) -> str:
        return t(f"unit_name_{r.unit}") if r.unit else ""

    columns = [
        Column(t("stand"), TEXT, lambda r: r.stand),
        Column(f"{t('cooperative')} (ar)", TEXT, lambda r: r.cooperative_ar),
        Column(f"{t('cooperative')} (fr)", TEXT, lambda r: r.cooperative_fr),
        Column(t("product_code"), TEXT, lambda r: r.product_id),
        Column(f"{t('product')} (ar)", TEXT, lambda r: r.name_ar),
        Column(f"{t('product')} (fr)", TEXT, lambda r: r.name_fr),
        Column(t("quantity"), QUANTITY, lambda r: r.quantity),
        Column(t("unit"), TEXT, unit),
        Column(_money_header(t, "amount"), MONEY, lambda r: r.amount),
    ]
    title = t("sheet_day_products", day=day.isoformat()) if day else t("sheet_products")
    return Table(title, columns, rows)


def _decimal(centimes: int, comma: bool) -> str:
    sign = "-" if centimes < 0 else ""
    units, cents = divmod(abs(centimes), 100)
    return f"{sign}{units}{',' if comma else '.'}{cents:02d}"


def _thousandths(milli: int, comma: bool) -> str:
    """``3500`` -> ``3,5`` (``3.5``): no grouping, trailing zeros dropped, as a
    spreadsheet reads a number."""
    sign = "-" if milli < 0 else ""
    units, rest = divmod(abs(milli), 1000)
    decimals = f"{rest:03d}".rstrip("0")
    return f"{sign}{units}" + (f"{',' if comma else '.'}{decimals}" if decimals else "")


def _csv_cell(column: Column, row: Any, comma: bool) -> Any:
    value = column.value(row)
    if value is None:  # nothing to say (a day without a restore, a stand never synced)
        return ""
    if column.kind == MONEY:
        return _decimal(value, comma)
    if column.kind == QUANTITY:
        return _thousandths(value, comma)
    if column.kind == DATE:
        return value.isoformat()
    if column.kind == TIME:
        return f"{value:%Y-%m-%d %H:%M}"
    return csv_text(value) if column.kind == TEXT else value


def to_csv(table: Table, lang: str) -> bytes:
    comma = lang != "en"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if comma else ",", lineterminator="\r\n")
    writer.writerow([csv_text(c.header) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(c, row, comma) for c in table.columns])
    return "\ufeff".encode() + out.getvalue().encode()


def _xlsx_value(column: Column, row: Any) -> Any:
    """A cell's value: money in dirhams, quantities in units (a real number each)."""
    value = column.value(row)
    if value is None:
        return None
    if column.kind == MONEY:
        return value / 100
    if column.kind == QUANTITY:
        return value / 1000
    return value


def as_text(cell: Any) -> None:
    """Keep an XLSX cell's text a string, never a formula, even once edited in Excel."""
    cell.data_type = "s"
    cell.quotePrefix = True


def _fill_sheet(sheet: Any, table: Table, lang: str) -> None:
    sheet.title = table.title[:31]
    sheet.sheet_view.rightToLeft = lang == "ar"
    sheet.append([c.header for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_xlsx_value(c, row) for c in table.columns])
    for cells in sheet.iter_rows():
        for cell in cells:
            if is_formula_like(cell.value):
                as_text(cell)
    for index, column in enumerate(table.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = _width(column, table.rows)
        if column.kind in NUMBER_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = NUMBER_FORMATS[column.kind]
    sheet.freeze_panes = "A2"


def _shown_length(column: Column, row: Any) -> int:
    """How many characters a cell shows (an amount as its number format writes it)."""
    value = column.value(row)
    if value is None:
        return 0
    if column.kind == MONEY:
        return len(f"{value / 100:,.2f}")
    if column.kind == TIME:
        return 16  # yyyy-mm-dd hh:mm
    return len(str(value))


def _width(column: Column, rows: Sequence[Any]) -> int:
    """A column as wide as its header and its longest cell (a cooperative's whole name),
    within :data:`WIDTHS`."""
    longest = max((_shown_length(column, row) for row in rows), default=0)
    return max(WIDTHS[0], min(WIDTHS[1], max(len(column.header), longest) + 2))


def to_xlsx(table: Table, lang: str, *more: Table) -> bytes:
    """A workbook of ``table``, and of each of ``more`` on a sheet of its own after it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    _fill_sheet(sheet, table, lang)
    for other in more:
        _fill_sheet(book.create_sheet(), other, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
