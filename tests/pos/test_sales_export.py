"""The sales as a spreadsheet for the cooperative's accountant and its members: a row per
ticket line, refunds and voids with their sign, adding up to the Z's net to the centime."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from pos import day, refunds, sales_export
from pos.cart import Discount, PaymentSpec, cash
from pos.db import DB_FILENAME, Store
from pos.errors import InputError
from pos.models import BusinessDay, Product, User
from pos.reports import day_report
from tests.helpers import ring
from tests.pos.conftest import run


def _read(path: Path, delimiter: str = ";") -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the byte order mark to show Arabic"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


def _number(cell: str) -> Decimal:
    return Decimal(cell.replace(",", "."))


@pytest.fixture
def market_day(store: Store, staff: tuple[User, User], products: dict[str, Product],
               open_day: int) -> BusinessDay:
    """A day of the stand: a cash sale, a sale paid by card and cash with a discount
    bargained, dates sold by weight, a refund of one jar, a void."""
    a = ring(store, [("ARG-250", 2000), ("HNY-THY", 1000)])
    ring(store, [("SAF-1G", 3000), ("AML-250", 1000)], discount=Discount("amount", 1000),
         payments=[PaymentSpec("card", 10000, None, "CB-4471"), cash(6000)])
    ring(store, [("DAT-KG", 1250)])
    c = ring(store, [("HNY-THY", 1000)])
    manager = staff[0]
    with store.write() as s:
        line = next(ln for ln in a.lines if ln.sku == "ARG-250")
        refunds.refund(s, a.id, quantities={line.id: 1000}, reason="Pot fêlé", manager=manager)
        refunds.void(s, c.id, reason="Erreur de saisie", manager=manager)
        return s.get_one(BusinessDay, open_day)


def test_the_lines_add_up_to_the_days_net_and_each_members_share(
        store: Store, market_day: BusinessDay, tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv"
    with store.read() as s:
        report = day_report(s, market_day)
        exported = sales_export.export_sales(s, path, [market_day], "fr")
    rows = _read(path)
    assert len(rows) == exported.lines == 2 + 2 + 1 + 1 + 1 + 1
    assert exported.tickets == 6
    total = sum(_number(r["Montant"]) for r in rows)
    assert total * 100 == report.net == exported.net
    by_member: dict[str, Decimal] = {}
    for r in rows:
        by_member[r["Membre"]] = by_member.get(r["Membre"], Decimal(0)) + _number(r["Montant"])
    assert {m: v * 100 for m, v in by_member.items() if v} == {
        m.member: m.amount for m in report.members if m.amount}
    assert exported.text("fr", path) == (
        f"8 lignes de 6 tickets enregistrées dans {path}\u00a0; elles totalisent "
        f"{format_net(report.net)}.")


def format_net(centimes: int) -> str:
    from pos.money import format_money
    return format_money(centimes, "fr")


def test_a_refund_names_its_ticket_and_reason_with_its_amount_below_zero(
        store: Store, market_day: BusinessDay, tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv"
    with store.read() as s:
        sales_export.export_sales(s, path, [market_day], "fr")
    rows = _read(path)
    refund = next(r for r in rows if r["Type"] == "Remboursement")
    assert refund["Ticket d'origine"] == '="T01-000001"'
    assert refund["Ticket"] == '="T01-000005"'
    assert (refund["Code"], refund["Quantité"], refund["Montant"]) == ('="ARG-250"', "-1",
                                                                      "-120,00")
    assert refund["Motif"] == "Pot fêlé"
    voided = [r for r in rows if r["Type"] == "Annulation"]
    assert [(r["Ticket d'origine"], r["Montant"], r["Motif"]) for r in voided] == [
        ('="T01-000004"', "-150,00", "Erreur de saisie")]
    split = [r for r in rows if r["Ticket"] == '="T01-000002"']
    assert {r["Paiement"] for r in split} == {"Carte 100,00 + Espèces 60,00"}
    assert sum(_number(r["Part de la remise sur le ticket"]) for r in split) == 10
    dates = next(r for r in rows if r["Code"] == '="DAT-KG"')
    assert (dates["Quantité"], dates["Unité"], dates["Prix unitaire"], dates["Montant"]) == (
        "1,25", "kg", "140,00", "175,00")
    assert all(r["Date"] == market_day.date.isoformat() for r in rows)
    assert all(len(r["Heure"]) == 5 and r["Heure"][2] == ":" for r in rows)


def test_in_arabic_and_in_english(store: Store, market_day: BusinessDay, tmp_path: Path) -> None:
    with store.read() as s:
        sales_export.export_sales(s, tmp_path / "ar.csv", [market_day], "ar")
        sales_export.export_sales(s, tmp_path / "en.csv", [market_day], "en")
    arabic = _read(tmp_path / "ar.csv")
    assert {r["النوع"] for r in arabic} == {"بيع", "إرجاع", "إلغاء"}
    assert any(r["الاسم بالعربية"] == "زيت أركان غذائي 250 مل" for r in arabic)
    assert next(r for r in arabic if r["الرمز"] == '="DAT-KG"')["الكمية"] == "1,25"
    english = _read(tmp_path / "en.csv", ",")
    assert next(r for r in english if r["Code"] == '="DAT-KG"')["Amount"] == "175.00"
    assert {r["Payment"] for r in english} >= {"Cash", "Card 100.00 + Cash 60.00"}


def test_days_between_takes_each_business_day_of_the_dates(
        store: Store, staff: tuple[User, User], products: dict[str, Product]) -> None:
    manager = staff[0]
    first = dt.datetime(2026, 11, 27, 9, 0)
    for n in range(3):
        with store.write() as s:
            day.open_day(s, 0, user=manager, at=first + dt.timedelta(days=n))
        ring(store, [("ARG-250", 1000)])
        with store.write() as s:
            day.close_day(s, {}, manager=manager, at=first + dt.timedelta(days=n, hours=9))
    with store.read() as s:
        dates = [d.date for d in sales_export.days_between(s, dt.date(2026, 11, 28),
                                                           dt.date(2026, 11, 29))]
        assert dates == [dt.date(2026, 11, 28), dt.date(2026, 11, 29)]
        with pytest.raises(InputError) as refused:
            sales_export.days_between(s, dt.date(2026, 11, 29), dt.date(2026, 11, 28))
    assert refused.value.message("fr") == (
        "La date de début, 2026-11-29, est après celle de fin, 2026-11-28\u00a0: donnez "
        "d'abord la plus ancienne.")


def test_a_period_without_tickets_or_a_file_that_cannot_be_written_writes_nothing(
        store: Store, open_day: int, tmp_path: Path) -> None:
    with store.read() as s:
        empty = s.get_one(BusinessDay, open_day)
        with pytest.raises(InputError) as none:
            sales_export.export_sales(s, tmp_path / "ventes.csv", [empty], "ar")
    assert none.value.message("ar") == "لا توجد أي تذكرة في هذه الفترة: لم يُكتب أي ملف."
    assert not (tmp_path / "ventes.csv").exists()
    ring(store, [("ARG-250", 1000)])
    (tmp_path / "folder.csv").mkdir()
    with store.read() as s, pytest.raises(InputError):
        sales_export.export_sales(s, tmp_path / "folder.csv", [empty], "fr")
    assert list((tmp_path / "folder.csv").iterdir()) == []


def test_a_name_a_spreadsheet_would_take_for_a_formula_stays_text(
        store: Store, open_day: int, products: dict[str, Product], tmp_path: Path) -> None:
    with store.write() as s:
        s.get_one(Product, products["ARG-250"].id).name_fr = "=SOMME(A1:A9)"
    ring(store, [("ARG-250", 1000)])
    with store.read() as s:
        sales_export.export_sales(s, tmp_path / "v.csv", [s.get_one(BusinessDay, open_day)],
                                  "fr")
    assert _read(tmp_path / "v.csv")[0]["Nom en français"] == "'=SOMME(A1:A9)"


def test_souk_pos_sales_export_writes_a_day_or_a_period(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``souk-pos sales export FILE.csv``: the open day or the last one, ``--day``, or
    ``--from``/``--to``; one line says what was written, or why nothing was."""
    assert run(capsys, "--data-dir", str(data), "demo-sales", "--days", "3",
               "--sales-per-day", "4")[0] == 0
    store = Store.open(data / DB_FILENAME)
    with store.read() as s:
        days = sorted(day.days(s), key=lambda d: d.date)
        nets = {d.date: day_report(s, d).net for d in days}
    store.close()
    first, last = min(nets), max(nets)
    out_file = tmp_path / "ventes.csv"
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "sales", "export",
                         str(out_file))
    assert code == 0, err
    rows = _read(out_file)
    assert {r["Date"] for r in rows} == {last.isoformat()}
    assert sum(_number(r["Montant"]) for r in rows) * 100 == nets[last]
    assert out.startswith(f"{len(rows)} lignes de ") and str(out_file) in out
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "ar", "sales", "export",
                         str(out_file), "--from", first.isoformat(), "--to",
                         (last - dt.timedelta(days=1)).isoformat())
    assert code == 0, err
    rows = _read(out_file)
    assert sum(_number(r["المبلغ"]) for r in rows) * 100 == sum(
        v for d, v in nets.items() if d < last)
    assert out.startswith("حُفظ ")
    code, _, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "sales", "export",
                       str(out_file), "--day", first.isoformat(), "--to", last.isoformat())
    assert code == 2 and "soit --day, soit --from et/ou --to" in err
    code, _, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "sales", "export",
                       str(tmp_path / "x.csv"), "--day", "2020-01-01")
    assert code == 2 and "Aucun ticket sur cette période" in err
    assert not (tmp_path / "x.csv").exists()
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "typo"), "--lang", "fr", "sales",
                       "export", str(tmp_path / "x.csv"))
    assert code == 2 and "ne contient aucune caisse" in err
    assert not (tmp_path / "typo").exists()
