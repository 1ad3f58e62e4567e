"""The sales of a day or of the market as a spreadsheet: one row per ticket line, for the
cooperative's accountant and for sharing the takings among its members.

Sales, refunds and voids are all there, each line with its sign, so that the lines of a
period add up to its net takings to the centime, as the Z reports and the Figures screen
give them; a column of members, one of categories, one of payment methods are what a
pivot table needs."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos import journal, settings
from pos.errors import InputError
from pos.i18n import category_label, tr, tr_count
from pos.models import BusinessDay, Payment, Sale, SaleLine
from pos.money import format_money, format_quantity, unit_name
from pos.spreadsheet import amount_cell, code_cell, csv_dialect, text_cell, write_csv

#: the columns, each titled in the file's language (``sales_csv.col_<name>``)
COLUMNS = ("date", "time", "ticket", "kind", "original", "cashier", "sku", "name_ar",
           "name_fr", "category", "member", "quantity", "unit", "unit_price", "discount",
           "ticket_discount", "total", "tax_rate", "payment", "reason")


@dataclass(frozen=True)
class Exported:
    """What an export wrote: its lines, its tickets (sales, refunds and voids) and the net
    its lines add up to."""

    lines: int
    tickets: int
    net: int

    def text(self, lang: str, path: str | Path) -> str:
        """``312 lignes de 140 tickets enregistrées dans … ; elles totalisent 12 345,00 DH``."""
        return tr(lang, "sales_csv.written",
                  lines=tr_count(lang, "sales_csv.lines", self.lines),
                  tickets=tr_count(lang, "sales_csv.tickets", self.tickets),
                  path=str(path), net=format_money(self.net, lang))


def days_between(session: Session, first: dt.date, last: dt.date) -> list[BusinessDay]:
    """The business days opened from ``first`` to ``last`` (both included), oldest first;
    a date closed early and opened again gives both."""
    if last < first:
        raise InputError("sales_csv.dates_reversed", first=first.isoformat(),
                         last=last.isoformat())
    return list(session.scalars(
        select(BusinessDay).where(BusinessDay.date.between(first, last))
        .order_by(BusinessDay.id)))


def days_of(session: Session, ids: Sequence[int]) -> list[BusinessDay]:
    """The business days of ``ids``, oldest first."""
    return list(session.scalars(
        select(BusinessDay).where(BusinessDay.id.in_(ids)).order_by(BusinessDay.id)))


def _payments(payments: Sequence[tuple[str, int]], lang: str, point: str) -> str:
    """``Espèces`` for a ticket paid one way; ``Carte 100,00 + Espèces 50,00`` for one paid
    several ways."""
    if len(payments) == 1:
        return tr(lang, f"payment.{payments[0][0]}")
    return " + ".join(f"{tr(lang, f'payment.{method}')} {amount_cell(amount, point)}"
                      for method, amount in payments)


def sales_csv(session: Session, days: Sequence[BusinessDay], lang: str) -> tuple[str, Exported]:
    """The lines of the tickets of ``days`` as CSV text in ``lang``'s conventions
    (:func:`pos.spreadsheet.csv_dialect`), titled in ``lang``, by ticket number; and what it
    holds. A ticket's time is the till's clock when it was rung; a refund names the ticket
    it gives back."""
    delimiter, point = csv_dialect(lang)
    number_lang = "en" if point == "." else "fr"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([tr(lang, f"sales_csv.col_{c}") for c in COLUMNS])
    prefix = settings.device_prefix(session)
    marks = journal.ticket_marks(journal.driver_connection(session))

    def label(number: int) -> str:
        return settings.ticket_label(prefix, number, journal.mark_at(marks, number))

    dates = {d.id: d.date for d in days}
    # plain rows, not ORM objects: a whole edition is tens of thousands of lines
    sales = session.execute(
        select(Sale.id, Sale.number, Sale.kind, Sale.day_id, Sale.created_at,
               Sale.utc_offset_minutes, Sale.cashier_name, Sale.reverses, Sale.reason)
        .where(Sale.day_id.in_(dates)).order_by(Sale.number)).all()
    numbers = dict(session.execute(
        select(Sale.id, Sale.number)
        .where(Sale.id.in_({s.reverses for s in sales if s.reverses}))).all())
    paid: dict[str, list[tuple[str, int]]] = {}
    for sale_id, method, amount in session.execute(
            select(Payment.sale_id, Payment.method, Payment.amount)
            .join(Sale, Sale.id == Payment.sale_id).where(Sale.day_id.in_(dates))
            .order_by(Payment.sale_id, Payment.position)):
        paid.setdefault(sale_id, []).append((method, amount))
    lines_of: dict[str, list[Any]] = {}
    for line in session.execute(
            select(SaleLine.sale_id, SaleLine.sku, SaleLine.name_ar, SaleLine.name_fr,
                   SaleLine.category, SaleLine.member, SaleLine.quantity, SaleLine.unit,
                   SaleLine.unit_price, SaleLine.discount, SaleLine.cart_discount,
                   SaleLine.total, SaleLine.tax_rate)
            .join(Sale, Sale.id == SaleLine.sale_id).where(Sale.day_id.in_(dates))
            .order_by(SaleLine.sale_id, SaleLine.position)):
        lines_of.setdefault(line.sale_id, []).append(line)
    categories: dict[str, str] = {}
    lines = net = 0
    for sale in sales:
        at = sale.created_at + dt.timedelta(minutes=sale.utc_offset_minutes)
        ticket = [dates[sale.day_id].isoformat(), at.strftime("%H:%M"),
                  code_cell(label(sale.number)), tr(lang, f"sales_csv.kind_{sale.kind}"),
                  code_cell(label(numbers[sale.reverses])) if sale.reverses else "",
                  text_cell(sale.cashier_name)]
        payment = text_cell(_payments(paid.get(sale.id, []), lang, point))
        for line in lines_of.get(sale.id, []):
            if line.category not in categories:
                categories[line.category] = text_cell(category_label(line.category, lang))
            writer.writerow([
                *ticket, code_cell(line.sku), text_cell(line.name_ar),
                text_cell(line.name_fr), categories[line.category],
                text_cell(line.member), format_quantity(line.quantity, line.unit, number_lang),
                unit_name(line.unit, lang), amount_cell(line.unit_price, point),
                amount_cell(line.discount, point), amount_cell(line.cart_discount, point),
                amount_cell(line.total, point), str(line.tax_rate), payment,
                text_cell(sale.reason)])
            lines += 1
            net += line.total
    return out.getvalue(), Exported(lines, len(sales), net)


def export_sales(session: Session, path: Path, days: Sequence[BusinessDay],
                 lang: str) -> Exported:
    """Write the sales of ``days`` to ``path`` (:func:`sales_csv`), whole or not at all
    (:func:`pos.spreadsheet.write_csv`); a period without a ticket writes no file, and
    says so."""
    text, exported = sales_csv(session, days, lang)
    if not exported.tickets:
        raise InputError("sales_csv.none")
    write_csv(path, text)
    return exported


def file_name(first: dt.date, last: dt.date, lang: str) -> str:
    """The name offered for the file: ``ventes-2026-12-01.csv`` for a day,
    ``ventes-2026-11-27_2026-12-01.csv`` for several."""
    dates = first.isoformat() if first == last else f"{first.isoformat()}_{last.isoformat()}"
    return f"{tr(lang, 'sales_csv.file_name')}-{dates}.csv"
