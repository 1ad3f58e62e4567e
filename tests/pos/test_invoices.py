"""Invoices for business customers: the document in Arabic, French and English, its
total in words, one invoice per sale, gapless numbers that restart each year, the journal
record that ``verify`` checks, and the command line."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, Qt
from sqlalchemy import select
from sqlalchemy.orm import Session

from pos import day, invoices, journal, receipts, refunds, settings, users
from pos.amount_words import in_words
from pos.cart import Discount, PaymentSpec
from pos.db import DB_FILENAME, Store
from pos.errors import InputError, RuleError
from pos.i18n import tr
from pos.models import BusinessDay, JournalEntry, PrintJob, Product, Sale, User
from pos.money import format_amount, format_money
from pos.printing import a4, queue
from pos.printing.escpos_out import PrinterSettings
from pos.printing.render import render
from pos.reports import day_report, last_seq, summary
from tests.helpers import drawn_order, drawn_shapes, ring
from tests.pos.conftest import run

HOTEL = invoices.Customer("Hôtel Zalagh", "001234567000089", "Route d'Immouzzer, Fès")


def _seller(s: Session) -> None:
    """The cooperative's name and ICE, which an invoice must carry."""
    settings.put(s, settings.COOPERATIVE, {
        "name_ar": "تعاونية أركان الأطلس", "name_fr": "Coopérative Argan Atlas",
        "ice": "002345678000041", "city": "Essaouira", "city_ar": "الصويرة"})


def _shop(store: Store) -> None:
    with store.write() as s:
        _seller(s)
        settings.put(s, settings.MARKET, {"name_ar": "السوق المتنقل", "name_fr":
                                          "Marché itinérant", "city": "Fès", "city_ar": "فاس"})
        settings.put(s, settings.DEVICE_PREFIX, "T03")
        for sku, rate in (("SAV-BLD", 20), ("HNY-THY", 10)):
            product = s.scalar(select(Product).where(Product.sku == sku))
            assert product is not None
            product.tax_rate = rate


def _sale(store: Store) -> str:
    """1 honey (10 % VAT), 2 soaps (20 %) and 1 argan oil (no VAT), 5 DH off the cart."""
    _shop(store)
    sale = ring(store, [("HNY-THY", 1000), ("SAV-BLD", 2000), ("ARG-250", 1000)],
                discount=Discount("amount", 500))
    return sale.id


def _invoices(store: Store) -> list[str]:
    with store.read() as s:
        return [json.loads(r)["data"]["label"] for r in s.scalars(
            select(JournalEntry.record).where(JournalEntry.kind == "invoice")
            .order_by(JournalEntry.seq))]


def _verdict(store: Store) -> journal.Verdict:
    with closing(sqlite3.connect(store.path)) as conn:
        return journal.verify(conn)


@contextmanager
def _opened(path: Path) -> Iterator[Store]:
    """The stall's database at ``path``, open for the ``with`` block."""
    store = Store.open(path)
    try:
        yield store
    finally:
        store.close()


# --- the total in words ----------------------------------------------------------------------


@pytest.mark.parametrize(("centimes", "lang", "words"), [
    (186150, "fr", "mille huit cent soixante et un dirhams et cinquante centimes"),
    (186150, "ar", "ألف وثمانمائة وواحد وستون درهما وخمسون سنتيما"),
    (186150, "en", "one thousand, eight hundred and sixty-one dirhams and fifty centimes"),
    (100, "fr", "un dirham"), (100, "ar", "درهم واحد"), (100, "en", "one dirham"),
    (200, "ar", "درهمان"), (500, "ar", "خمسة دراهم"), (1500, "ar", "خمسة عشر درهما"),
    (10000, "ar", "مائة درهم"), (200000, "ar", "ألفا درهم"),
    (250000, "ar", "ألفان وخمسمائة درهم"), (300000, "ar", "ثلاثة آلاف درهم"),
    (1100000, "ar", "أحد عشر ألف درهم"), (1250000, "ar", "اثنا عشر ألفا وخمسمائة درهم"),
    (8003, "ar", "ثمانون درهما وثلاثة سنتيمات"), (1, "ar", "سنتيم واحد"),
    (50, "fr", "cinquante centimes"), (8001, "fr", "quatre-vingts dirhams et un centime"),
    (100000000, "fr", "un million de dirhams"), (100000000, "ar", "مليون درهم"),
    (0, "fr", "zéro dirham"),
])
def test_the_total_in_words_as_moroccan_invoices_write_it(centimes: int, lang: str,
                                                          words: str) -> None:
    assert in_words(centimes, lang) == words


# --- the document ---------------------------------------------------------------------------


def test_the_invoice_says_who_sells_to_whom_what_and_for_how_much(
    store: Store, open_day: int
) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        invoice, made = invoices.issue(s, sale_id, HOTEL)
    assert made and invoice.label == f"T03-F{invoice.year}-00001"
    with store.read() as s:
        french = receipts.load_invoice(s, sale_id, lang="fr")
        arabic = receipts.load_invoice(s, sale_id, lang="ar")
        english = receipts.load_invoice(s, sale_id, lang="en")
        both = receipts.load_invoice(s, sale_id, lang="both")
    text = french.plain_text()
    for said in ("Coopérative Argan Atlas", "ICE 002345678000041", "FACTURE",
                 f"Facture n°\t{invoice.label}", "Ticket T03-000001 du ", "Client",
                 "Hôtel Zalagh", "ICE\t001234567000089", "Route d'Immouzzer, Fès",
                 "Qté × P.U. HT · TVA\tMontant HT", "Total HT\t", "TVA 0 %\t0,00",
                 "TVA 10 %\t", "TVA 20 %\t", f"TOTAL TTC\t{format_money(32500, 'fr')}",
                 "Espèces\t325,00",
                 "Arrêtée la présente facture à la somme de : trois cent vingt-cinq "
                 "dirhams."):
        assert said in text, said
    assert "DUPLICATA" not in text
    # 325 DH: 150 honey at 10 %, 60 of soap at 20 %, 120 of oil at 0 %, 5 DH off the cart
    lines = dict(line.split("\t") for line in text.splitlines() if "\t" in line)
    total_ht = int(lines["Total HT"].replace(",", ""))
    vat = sum(int(lines[f"TVA {r} %"].replace(",", "")) for r in (0, 10, 20))
    assert total_ht + vat == 32500
    line_amounts = [v for k, v in (ln.split("\t") for ln in text.splitlines() if "\t" in ln)
                    if k[0].isdigit() or k == "Remise"]
    assert sum(int(v.replace(",", "")) for v in line_amounts) == total_ht

    atext = arabic.plain_text()
    for said in ("تعاونية أركان الأطلس", "فاتورة", "رقم الفاتورة", "الزبون", "المجموع دون رسوم",
                 "ض.ق.م 20%", f"المجموع مع الرسوم\t{format_money(32500, 'ar')}", "نقدا",
                 "حُصِرت هذه الفاتورة في مبلغ: ثلاثمائة وخمسة وعشرون درهما."):
        assert said in atext, said
    assert arabic.language == "ar" and "Total" not in atext

    etext = english.plain_text()
    for said in ("INVOICE", f"Invoice No.\t{invoice.label}", "Customer", "Total excl. VAT",
                 "VAT 20%", f"TOTAL incl. VAT\t{format_money(32500, 'en')}",
                 "This invoice is closed at the sum of: three hundred and twenty-five dirhams."):
        assert said in etext, said

    btext = both.plain_text()  # French first, the Arabic beside it; the words in both
    assert "FACTURE\nفاتورة" in btext
    assert "trois cent vingt-cinq dirhams" in btext and "ثلاثمائة وخمسة وعشرون درهما" in btext
    assert french.metadata["label"] == invoice.label and french.kind == "invoice"
    assert not french.open_drawer


@pytest.mark.parametrize("lang", receipts.RECEIPT_LANGUAGES)
@pytest.mark.parametrize("kind", ["invoice", "credit_note"])
def test_an_invoice_or_credit_note_prints_every_character_it_says(
    store: Store, open_day: int, kind: str, lang: str, tmp_path: Path
) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        invoices.issue(s, sale_id, invoices.Customer("مطعم الياقوت", "", "حي الرياض، فاس"))
    ref = sale_id if kind == "invoice" else _refund(store, sale_id, 0, 1000).id
    load = receipts.load_invoice if kind == "invoice" else receipts.load_credit_note
    with store.read() as s:
        document = load(s, ref, lang=lang, duplicate=True)
    raster = render(document, 576)
    assert raster.missing == frozenset()
    raster.save_png(tmp_path / f"{kind}-{lang}.png")
    assert (tmp_path / f"{kind}-{lang}.png").stat().st_size > 0


# --- one invoice per sale, numbered by year ------------------------------------------------


def test_asking_again_gives_the_same_invoice_marked_duplicata(store: Store, open_day: int
                                                              ) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        first, made = invoices.issue(s, sale_id, HOTEL)
    with store.write() as s:
        again, made_again = invoices.issue(s, sale_id, invoices.Customer("Autre client"))
    assert made and not made_again
    assert again == first and again.customer == HOTEL
    assert _invoices(store) == [first.label]
    with store.read() as s:
        copy = receipts.load_invoice(s, sale_id, duplicate=True, lang="fr")
    assert receipts.DUPLICATE_MARK in copy.plain_text()
    assert first.label in copy.plain_text()
    assert _verdict(store).ok


def test_numbers_are_gapless_and_start_again_each_year(store: Store, open_day: int) -> None:
    _shop(store)
    sales = [ring(store, [("SAV-BLD", 1000)]).id for _ in range(5)]
    moments = [  # (UTC time, the till's offset in minutes)
        (dt.datetime(2026, 12, 30, 10, 0), 60),
        (dt.datetime(2026, 12, 31, 22, 30), 60),  # 23:30 in Morocco: still 2026
        (dt.datetime(2026, 12, 31, 23, 30), 60),  # 00:30 on 1 January 2027
        (dt.datetime(2027, 1, 2, 9, 0), 60),
        (dt.datetime(2028, 3, 1, 9, 0), 0),
    ]
    for sale_id, (at, offset) in zip(sales, moments, strict=True):
        with store.write() as s:
            invoices.issue(s, sale_id, HOTEL, at=at, offset_minutes=offset)
    assert _invoices(store) == ["T03-F2026-00001", "T03-F2026-00002", "T03-F2027-00001",
                                "T03-F2027-00002", "T03-F2028-00001"]
    assert _verdict(store).ok


def test_an_invoice_changes_no_figure(store: Store, open_day: int) -> None:
    sale_id = _sale(store)
    with store.read() as s:
        before = summary(s, day_report(s, s.get_one(BusinessDay, open_day)))
        version = last_seq(s, s.get_one(BusinessDay, open_day))
    with store.write() as s:
        invoices.issue(s, sale_id, HOTEL)
    with store.read() as s:
        after = summary(s, day_report(s, s.get_one(BusinessDay, open_day)))
        entry = s.scalar(select(JournalEntry).where(JournalEntry.kind == "invoice"))
        assert entry is not None and entry.amount == 0 and entry.day_id is None
        assert last_seq(s, s.get_one(BusinessDay, open_day)) == version
    assert after == before  # what is synced, its version (journal head) too: nothing is sent


# --- what cannot be invoiced, and bad input ---------------------------------------------------


def _manager(store: Store) -> User:
    with store.read() as s:
        manager = users.require_manager(s, "1234")
        s.expunge(manager)
        return manager


def test_refunds_voids_and_refunded_sales_get_no_invoice(store: Store, open_day: int) -> None:
    sale_id = _sale(store)
    other = ring(store, [("SAV-BLD", 1000)]).id
    manager = _manager(store)
    with store.write() as s:
        line = s.get_one(Sale, sale_id).lines[1]
        refund = refunds.refund(s, sale_id, quantities={line.id: 1000}, reason="cassé",
                                manager=manager)
        voided = refunds.void(s, other, reason="erreur", manager=manager)
    for target, key in ((sale_id, "invoice.refunded"), (other, "invoice.voided"),
                        (refund.id, "invoice.not_a_sale"), (voided.id, "invoice.not_a_sale")):
        with pytest.raises(RuleError) as caught, store.write() as s:
            invoices.issue(s, target, HOTEL)
        assert caught.value.key == key
    assert caught.value.message("fr").startswith("Seule une vente se facture")
    assert _invoices(store) == []


@pytest.mark.parametrize("missing", ["name", "ice"])
def test_no_invoice_without_the_sellers_name_and_ice(store: Store, open_day: int,
                                                      missing: str) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        seller = dict(settings.get(s, settings.COOPERATIVE))
        for key in ("name_ar", "name_fr") if missing == "name" else ("ice",):
            seller[key] = " "
        settings.put(s, settings.COOPERATIVE, seller)
    with pytest.raises(RuleError) as caught, store.write() as s:
        invoices.issue(s, sale_id, HOTEL)
    assert caught.value.message("en") == (
        "No invoice can be made: the cooperative's name or ICE is not set, and every invoice "
        "must carry them. Set them in Settings → Cooperative.")
    assert _invoices(store) == []


def test_bad_customer_input_is_refused_in_the_users_language() -> None:
    with pytest.raises(InputError) as caught:
        invoices.check_customer("   ", "", "")
    assert caught.value.message("ar") == "اسم الزبون إلزامي في الفاتورة."
    with pytest.raises(InputError) as caught:
        invoices.check_customer("Hôtel", "00123456700008", "")  # 14 digits
    assert caught.value.message("fr") == "Un ICE compte 15 chiffres ; les espaces ne comptent pas."
    with pytest.raises(InputError):
        invoices.check_customer("Hôtel", "00123456700008X", "")
    with pytest.raises(InputError) as caught:
        invoices.check_customer("x" * (invoices.NAME_SIZE + 1))
    assert caught.value.key == "invoice.name_too_long"
    # a private person gives no ICE; Arabic-Indic digits and spaces are fine
    assert invoices.check_customer(" Aïcha  B. ") == invoices.Customer("Aïcha B.")
    assert invoices.check_customer("مقهى", "٠٠١ ٢٣٤ ٥٦٧ ٠٠٠ ٠٨٩").ice == "001234567000089"


# --- the journal ---------------------------------------------------------------------------------


def test_verify_accepts_an_invoice_and_catches_an_edited_one(store: Store, open_day: int) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        invoice, _ = invoices.issue(s, sale_id, HOTEL)
    assert _verdict(store).ok
    with closing(sqlite3.connect(store.path)) as conn:  # the customer's name changed afterwards
        conn.execute("UPDATE journal SET record = replace(record, 'Zalagh', 'Zalag') "
                     "WHERE seq = ?", (invoice.seq,))
        conn.commit()
        verdict = journal.verify(conn)
    assert not verdict.ok and verdict.problem == "journal.edited" and verdict.bad_seq == invoice.seq


def _forge(store: Store, sale_id: str, amount: int = 0, **changes: object) -> journal.Verdict:
    """Append, with a valid chain, an invoice record made by hand for ``sale_id``."""
    with store.read() as s:
        sale = s.get_one(Sale, sale_id)
        ticket, total = sale.number, sale.total
    data: dict[str, object] = {"number": 1, "year": 2026, "label": "T03-F2026-00001",
                               "ticket": ticket, "total": total, "offset": 60,
                               "customer": HOTEL.data()}
    return _append(store, "invoice", sale_id, amount, {**data, **changes})


def _append(store: Store, kind: str, ref: str, amount: int, data: dict[str, object]
            ) -> journal.Verdict:
    """Append a ``kind`` record of ``data`` for ``ref`` with a valid chain; what ``verify``
    then says."""
    with closing(sqlite3.connect(store.path)) as conn:
        journal.append(conn, kind=kind, ref=ref, day_id=None, amount=amount, data=data,
                       at=dt.datetime(2026, 11, 30, 10, 0))
        conn.commit()
        return journal.verify(conn)


@pytest.mark.parametrize(("changes", "problem"), [
    ({}, "journal.invoice_twice"),  # a second invoice of an invoiced sale
    ({"number": 3, "label": "T03-F2026-00003"}, "journal.invoice_numbers"),
    ({"number": 2, "label": "T03-F2026-00001"}, "journal.invoice"),  # the label says 1
    ({"total": 100}, "journal.invoice"),  # not the sale's total
    ({"amount": 32500}, "journal.invoice"),  # an invoice is not money
])
def test_verify_catches_a_forged_invoice(store: Store, open_day: int,
                                         changes: dict[str, object], problem: str) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        invoices.issue(s, sale_id, HOTEL, at=dt.datetime(2026, 11, 30, 9, 0), offset_minutes=60)
    target = sale_id
    if problem != "journal.invoice_twice":
        target = ring(store, [("SAV-BLD", 1000)]).id
        changes = {"number": 2, "label": "T03-F2026-00002", **changes}
    verdict = _forge(store, target, **changes)  # type: ignore[arg-type]
    assert not verdict.ok and verdict.problem == problem
    assert verdict.bad_seq is not None


def test_verify_catches_an_invoice_of_a_refund(store: Store, open_day: int) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        refund = refunds.void(s, sale_id, reason="erreur", manager=_manager(store))
    verdict = _forge(store, refund.id)
    assert not verdict.ok and verdict.problem == "journal.invoice"
    assert tr("fr", verdict.problem, **verdict.params).startswith(
        f"L'enregistrement {verdict.bad_seq} du journal, la facture T03-F2026-00001, ")


# --- the print queue ------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "question"), [
    ("invoice", "La facture {label} est-elle sortie en entier\u00a0?"),
    ("credit_note", "L'avoir {label} est-il sorti en entier\u00a0?"),
])
def test_an_invoice_or_credit_note_prints_from_the_queue_and_again_as_a_copy(
    store: Store, open_day: int, kind: str, question: str
) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        invoice, _ = invoices.issue(s, sale_id, HOTEL)
    ref, label = sale_id, invoice.label
    if kind == "credit_note":
        ref = _refund(store, sale_id, 2, 1000).id
        with store.read() as s:
            note = invoices.credit_note_of(s, ref)
        assert note is not None
        label = note.label
    with store.write() as s:
        job_id = queue.enqueue(s, kind, ref)
    with store.write() as s:
        job = s.get_one(PrintJob, job_id)
        document = queue.build_document(s, job, PrinterSettings())
        assert document.kind == kind and queue.document_label(document) == label
        assert not document.metadata["duplicate"]
        job.status = queue.UNSURE
    assert queue.question("fr", kind, label) == question.format(label=label)
    with store.write() as s:
        again = queue.settle(s, job_id, printed=False)
    with store.read() as s:
        copy = s.get_one(PrintJob, again)
        assert copy.kind == kind and copy.duplicate
        assert "DUPLICATA" in queue.build_document(s, copy, PrinterSettings()).plain_text()
    assert _verdict(store).ok


# --- the command line -------------------------------------------------------------------------


def _ticket_in(data: Path) -> None:
    with _opened(data / DB_FILENAME) as store:
        with store.write() as s:
            manager = s.scalars(select(User)).first()
            assert manager is not None
            day.open_day(s, 50000, user=manager)
            _seller(s)
        ring(store, [("SAV-BLD", 2000)])


def _take_back(data: Path, number: int, *, void: bool = False) -> None:
    """Refund the whole of ticket ``number`` of the stall in ``data`` (or void it), as its
    manager."""
    with _opened(data / DB_FILENAME) as store, store.write() as s:
        manager = s.scalars(select(User)).first()
        assert manager is not None
        sale = s.scalar(select(Sale).where(Sale.number == number))
        assert sale is not None
        if void:
            refunds.void(s, sale.id, reason="erreur", manager=manager)
        else:
            refunds.refund(s, sale.id, quantities=None, reason="retour", manager=manager)


def test_the_command_makes_the_invoice_then_gives_it_again(
    data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _ticket_in(data)
    base = ("--data-dir", str(data), "--lang", "fr", "invoice")
    code, out, err = run(capsys, *base, "T01-000001", "--ice", "001234567000089")
    assert (code, out) == (2, "")
    assert "Le nom du client est obligatoire" in err
    code, out, err = run(capsys, *base, "1", "--name", "Riad Fès", "--ice", "12345")
    assert code == 2 and "15 chiffres" in err
    code, out, err = run(capsys, *base, "99", "--name", "Riad Fès")
    assert code == 2 and "Aucun ticket 99" in err
    with _opened(data / DB_FILENAME) as store:
        assert _invoices(store) == []

    pdf = tmp_path / "facture.pdf"
    code, out, err = run(capsys, *base, "١", "--name", "Riad Fès", "--ice",
                         "001234567000089", "--pdf", str(pdf))
    assert code == 0, err
    year = dt.date.today().year
    assert out.splitlines()[0] == (f"Facture T01-F{year}-00001 établie pour le ticket "
                                   "T01-000001 (Riad Fès).")
    assert pdf.read_bytes().startswith(b"%PDF")
    code, out, err = run(capsys, *base, "T01-000001", "--name", "Autre", "--receipt-lang", "ar")
    assert code == 0, err
    assert "déjà sa facture" in out and "Riad Fès" in out
    assert "فاتورة" in out and "DUPLICATA" in out
    code, out, _ = run(capsys, "--data-dir", str(data), "--lang", "fr", "verify")
    assert code == 0


# --- after a restore of a backup -----------------------------------------------------------


def test_after_a_restore_no_invoice_number_is_given_twice(store: Store, open_day: int,
                                                          tmp_path: Path) -> None:
    from pos import backup

    _shop(store)
    sales = [ring(store, [("SAV-BLD", 1000)]).id for _ in range(4)]
    at = dt.datetime(2026, 11, 30, 10, 0)
    with store.write() as s:
        invoices.issue(s, sales[0], HOTEL, at=at, offset_minutes=60)
    saved = backup.make_backup(store.path)
    with store.write() as s:  # given after the backup: the restore loses it
        invoices.issue(s, sales[1], HOTEL, at=at, offset_minutes=60)
    store.close()
    backup.restore(store.path, saved)  # the journal set aside is read: numbers go on after it
    with _opened(store.path) as restored:
        with restored.write() as s:
            invoice, _ = invoices.issue(s, sales[2], HOTEL, at=at, offset_minutes=60)
        assert invoice.label == "T03-F2026-00003"
        assert _invoices(restored) == ["T03-F2026-00001", "T03-F2026-00003"]
        assert _verdict(restored).ok
    # a new laptop does not know how far the numbers went: the labels say the restore
    laptop = tmp_path / "laptop" / DB_FILENAME
    assert backup.restore(laptop, saved) is None
    with _opened(laptop) as other:
        with other.write() as s:
            invoice, _ = invoices.issue(s, sales[3], HOTEL, at=at, offset_minutes=60)
        assert invoice.label == "T03-R1-F2026-00002"
        assert _verdict(other).ok


# --- credit notes ------------------------------------------------------------------------------


def _credit_notes(store: Store) -> list[dict[str, object]]:
    with store.read() as s:
        return [json.loads(r) for r in s.scalars(
            select(JournalEntry.record).where(JournalEntry.kind == "credit_note")
            .order_by(JournalEntry.seq))]


def _refund(store: Store, sale_id: str, line_index: int, quantity: int) -> Sale:
    with store.write() as s:
        line = s.get_one(Sale, sale_id).lines[line_index]
        done = refunds.refund(s, sale_id, quantities={line.id: quantity}, reason="cassé",
                              manager=_manager(store))
    with store.read() as s:
        refund = s.get_one(Sale, done.id)
        s.expunge(refund)
        return refund


def test_a_refund_of_an_invoiced_sale_gets_its_credit_note(store: Store, open_day: int
                                                           ) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        invoice, _ = invoices.issue(s, sale_id, HOTEL)
    with store.read() as s:
        before = summary(s, day_report(s, s.get_one(BusinessDay, open_day)))
    refund = _refund(store, sale_id, 1, 1000)  # one of the two soaps (20 % VAT)
    assert refund.total < 0
    with store.read() as s:
        note = invoices.credit_note_of(s, refund.id)
        assert note is not None
        entry = s.get_one(JournalEntry, note.seq)
        assert entry.amount == 0 and entry.day_id is None
        assert note.seq == refund.journal_seq + 1  # in the refund's own transaction
        # the credit note is no figure: the day's version is the refund's record
        assert last_seq(s, s.get_one(BusinessDay, open_day)) == refund.journal_seq
        french = receipts.load_credit_note(s, refund.id, lang="fr")
        arabic = receipts.load_credit_note(s, refund.id, lang="ar")
    assert note.label == f"T03-A{note.year}-00001"
    assert note.customer == HOTEL and note.invoice_label == invoice.label
    assert note.total == refund.total and note.ticket == refund.number

    text = french.plain_text()
    for said in ("FACTURE D'AVOIR", f"Avoir n°\t{note.label}",
                 f"Sur la facture\t{invoice.label}", "Ticket de remboursement T03-000002 du ",
                 "Motif : cassé".replace(" :", "\u00a0:"), "Hôtel Zalagh",
                 "ICE\t001234567000089", "Total HT", "TVA 20 %",
                 f"TOTAL TTC\t{format_money(refund.total, 'fr')}", "Rendu au client",
                 "Arrêté le présent avoir à la somme de\u00a0: "):
        assert said in text, said
    lines = dict(line.split("\t") for line in text.splitlines() if "\t" in line)
    total_ht = int(lines["Total HT"].replace(",", "").replace("\u202f", "").replace(" ", ""))
    vat = int(lines["TVA 20 %"].replace(",", ""))
    assert total_ht + vat == refund.total and vat < 0  # the soap's VAT is given back
    assert french.kind == "credit_note" and french.metadata["label"] == note.label
    assert in_words(refund.total, "fr") in text
    atext = arabic.plain_text()
    for said in ("إشعار دائن", "رقم الإشعار الدائن", "الفاتورة المعنية", "وصل الاسترجاع",
                 "حُصِر هذا الإشعار الدائن في مبلغ: " + in_words(refund.total, "ar")):
        assert said in atext, said
    with store.read() as s:  # the figures are the refund's, nothing more
        after = summary(s, day_report(s, s.get_one(BusinessDay, open_day)))
    assert after != before
    assert _verdict(store).ok


def test_a_sale_without_invoice_gets_no_credit_note(store: Store, open_day: int) -> None:
    sale_id = _sale(store)
    _refund(store, sale_id, 0, 1000)
    assert _credit_notes(store) == []
    assert _verdict(store).ok


def test_each_refund_and_a_void_get_their_own_numbers_and_the_invoice_lists_them(
    store: Store, open_day: int
) -> None:
    sale_id = _sale(store)
    other = ring(store, [("SAV-BLD", 3000)]).id
    with store.write() as s:
        invoices.issue(s, sale_id, HOTEL)
        second, _ = invoices.issue(s, other, invoices.Customer("Riad Fès"))
    first_refund = _refund(store, sale_id, 1, 1000)
    _refund(store, sale_id, 1, 1000)  # the other soap, later
    with store.write() as s:
        voided = refunds.void(s, other, reason="erreur", manager=_manager(store))
    notes = _credit_notes(store)
    year = notes[0]["data"]["year"]  # type: ignore[index]
    assert [n["data"]["label"] for n in notes] == [  # type: ignore[index]
        f"T03-A{year}-00001", f"T03-A{year}-00002", f"T03-A{year}-00003"]
    with store.read() as s:
        void_note = invoices.credit_note_of(s, voided.id)
        assert void_note is not None and void_note.customer.name == "Riad Fès"
        assert void_note.total == -s.get_one(Sale, other).total  # the whole sale
        assert void_note.invoice_label == second.label
        copy = receipts.load_invoice(s, sale_id, duplicate=True, lang="fr")
        void_doc = receipts.load_credit_note(s, voided.id, lang="fr")
    text = copy.plain_text()
    assert receipts.DUPLICATE_MARK in text
    assert "Avoirs sur cette facture\u00a0:" in text
    assert f"T03-A{year}-00001 · " in text and f"T03-A{year}-00002 · " in text
    assert f"T03-A{year}-00003" not in text  # the void's is another invoice's
    assert "Ticket d'annulation T03-000005 du " in void_doc.plain_text()
    assert first_refund.number == 3
    assert _verdict(store).ok


def _forge_credit(store: Store, refund_id: str, amount: int = 0, **changes: object
                  ) -> journal.Verdict:
    """Append, with a valid chain, a credit note record made by hand for ``refund_id``."""
    with store.read() as s:
        refund = s.get_one(Sale, refund_id)
        invoice = invoices.invoice_of(s, refund.reverses or refund.id)
        ticket, total = refund.number, refund.total
    data: dict[str, object] = {
        "number": 1, "year": 2026, "label": "T03-A2026-00001", "ticket": ticket, "total": total,
        "offset": 60, "invoice": invoice.label if invoice else "T03-F2026-00001",
        "invoice_seq": invoice.seq if invoice else 1, "customer": HOTEL.data()}
    return _append(store, "credit_note", refund_id, amount, {**data, **changes})


@pytest.mark.parametrize(("changes", "problem"), [
    ({}, ""),  # made as the till makes it: nothing to say
    ({"number": 2, "label": "T03-A2026-00002"}, "journal.credit_note_numbers"),
    ({"number": 2, "label": "T03-A2026-00001"}, "journal.credit_note"),  # the label says 1
    ({"label": "T03-F2026-00001"}, "journal.credit_note"),  # an invoice's number
    ({"total": -100}, "journal.credit_note"),  # not the refund's total
    ({"ticket": 1}, "journal.credit_note"),  # not the refund's ticket
    ({"invoice": "T03-F2026-00009"}, "journal.credit_note"),  # no such invoice
    ({"customer": {"name": "Autre", "ice": "", "address": ""}}, "journal.credit_note"),
    ({"amount": -2400}, "journal.credit_note"),  # a credit note is not money
])
def test_verify_catches_a_forged_credit_note(store: Store, open_day: int,
                                             monkeypatch: pytest.MonkeyPatch,
                                             changes: dict[str, object], problem: str
                                             ) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        invoices.issue(s, sale_id, HOTEL, at=dt.datetime(2026, 11, 30, 9, 0), offset_minutes=60)
    with monkeypatch.context() as patch:  # the refund recorded without its credit note
        patch.setattr(invoices, "credit", lambda *_a, **_k: None)
        refund = _refund(store, sale_id, 1, 1000)
    assert _credit_notes(store) == [] and _verdict(store).ok
    verdict = _forge_credit(store, refund.id, **changes)  # type: ignore[arg-type]
    assert verdict.problem == problem and verdict.ok == (not problem)


def test_verify_catches_a_credit_note_of_a_sale_without_invoice(
    store: Store, open_day: int
) -> None:
    sale_id = _sale(store)
    refund = _refund(store, sale_id, 0, 1000)  # the sale had no invoice
    verdict = _forge_credit(store, refund.id)
    assert not verdict.ok and verdict.problem == "journal.credit_note"
    assert tr("fr", verdict.problem, **verdict.params).startswith(
        f"L'enregistrement {verdict.bad_seq} du journal, l'avoir T03-A2026-00001, ")


def test_verify_catches_a_second_credit_note_of_a_refund(store: Store, open_day: int) -> None:
    sale_id = _sale(store)
    with store.write() as s:
        invoices.issue(s, sale_id, HOTEL)
    refund = _refund(store, sale_id, 1, 1000)
    note = _credit_notes(store)[0]["data"]
    verdict = _forge_credit(store, refund.id, number=2,  # type: ignore[arg-type]
                            year=note["year"],  # type: ignore[index]
                            label=f"T03-A{note['year']}-00002")  # type: ignore[index]
    assert not verdict.ok and verdict.problem == "journal.credit_note_twice"


def test_the_command_gives_a_refunds_credit_note_again(
    data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _ticket_in(data)
    base = ("--data-dir", str(data), "--lang", "fr", "invoice")
    code, out, err = run(capsys, *base, "1", "--name", "Riad Fès")
    assert code == 0, err
    with _opened(data / DB_FILENAME) as store:
        ring(store, [("SAV-BLD", 1000)])  # ticket 2, never invoiced
    _take_back(data, 1)  # ticket 3
    _take_back(data, 2, void=True)  # ticket 4
    year = dt.date.today().year
    code, out, err = run(capsys, *base, "T01-000003")
    assert code == 0, err
    assert out.splitlines()[0] == (
        f"Le ticket T01-000003 rembourse une vente facturée\u00a0; son avoir est "
        f"T01-A{year}-00001 (Riad Fès)\u00a0: le voici en duplicata.")
    assert "FACTURE D'AVOIR" in out and "DUPLICATA" in out and f"T01-F{year}-00001" in out
    png = tmp_path / "avoir.png"
    code, out, err = run(capsys, *base, "3", "--receipt-lang", "ar", "--png", str(png))
    assert code == 0, err
    assert png.stat().st_size > 0
    code, out, err = run(capsys, *base, "T01-000004")  # the void of a sale with no invoice
    assert code != 0 and out == ""
    assert "Le ticket T01-000004 rembourse ou annule une vente sans facture" in err
    code, out, err = run(capsys, *base, "1")  # the invoice again: it lists its credit note
    assert code == 0, err
    assert f"T01-A{year}-00001" in out
    code, out, _ = run(capsys, "--data-dir", str(data), "--lang", "fr", "verify")
    assert code == 0


def test_after_a_restore_no_credit_note_number_is_given_twice(store: Store, open_day: int,
                                                              tmp_path: Path) -> None:
    from pos import backup

    _shop(store)
    sales = [ring(store, [("SAV-BLD", 2000)]).id for _ in range(3)]
    with store.write() as s:
        for sale_id in sales:
            invoices.issue(s, sale_id, HOTEL)
    _refund(store, sales[0], 0, 1000)
    saved = backup.make_backup(store.path)
    _refund(store, sales[1], 0, 1000)  # after the backup: the restore loses it
    store.close()
    backup.restore(store.path, saved)  # the journal set aside is read: numbers go on after it
    with _opened(store.path) as restored:
        refund = _refund(restored, sales[2], 0, 1000)
        with restored.read() as s:
            note = invoices.credit_note_of(s, refund.id)
        assert note is not None and note.label == f"T03-A{note.year}-00003"
        assert _verdict(restored).ok
    # a new laptop does not know how far the numbers went: the labels say the restore
    laptop = tmp_path / "laptop" / DB_FILENAME
    assert backup.restore(laptop, saved) is None
    with _opened(laptop) as other:
        refund = _refund(other, sales[1], 0, 1000)
        with other.read() as s:
            note = invoices.credit_note_of(s, refund.id)
        assert note is not None and note.label == f"T03-R1-A{note.year}-00002"
        assert _verdict(other).ok


# --- the year's list, credit notes made late, A4 pages --------------------------------------


def test_the_years_invoices_and_credit_notes_are_listed_newest_first(store: Store,
                                                                    open_day: int) -> None:
    _shop(store)
    sales = [ring(store, [("SAV-BLD", 1000)]).id for _ in range(3)]
    with store.write() as s:
        invoices.issue(s, sales[0], HOTEL, at=dt.datetime(2025, 12, 31, 22, 0),
                       offset_minutes=60)  # 31/12/2025 23:00 in Morocco: of 2025
        invoices.issue(s, sales[1], HOTEL, at=dt.datetime(2025, 12, 31, 23, 30),
                       offset_minutes=60)  # 1/1/2026 00:30: the first of 2026
        invoices.issue(s, sales[2], invoices.Customer("Riad Fès"),
                       at=dt.datetime(2026, 3, 2, 10, 0), offset_minutes=60)
    refund = _refund(store, sales[1], 0, 1000)
    with store.read() as s:
        of_2026 = invoices.of_year(s, 2026)
        of_2025 = invoices.of_year(s, 2025)
        note = invoices.credit_note_of(s, refund.id)
        assert invoices.of_year(s, 2024) == []
    assert note is not None
    assert [d.label for d in of_2025] == ["T03-F2025-00001"]
    assert [d.label for d in of_2026] == [note.label, "T03-F2026-00002", "T03-F2026-00001"]
    assert of_2026[0] == note and of_2026[1].customer.name == "Riad Fès"


def test_credit_notes_are_found_through_their_own_index(store: Store) -> None:
    """Measured on a journal of 200,000 records: a refund's credit note, or the lack of one
    (most refunds), took 38 ms read by a scan of the journal, 0.02 ms through the index."""
    with closing(sqlite3.connect(store.path)) as conn:
        for query, args in ((invoices._CREDIT_BY_REFUND, ("x",)),
                            (invoices._CREDITS_OF_INVOICE, (1,)),
                            (invoices._LAST_CREDIT_OF_YEAR, (2026,)),
                            (invoices._OF_YEAR.format(kind="credit_note"), (2026,)),
                            (invoices._OF_YEAR.format(kind="invoice"), (2026,))):
            plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}", args))
            assert "USING INDEX ix_journal_" in plan, (query, plan)


def _refund_before_credit_notes(store: Store, monkeypatch: pytest.MonkeyPatch) -> Sale:
    """An invoiced sale, then its refund recorded as the till did before credit notes were
    made (none), then another sale; the refund."""
    sale_id = _sale(store)
    with store.write() as s:
        invoices.issue(s, sale_id, HOTEL)
    with monkeypatch.context() as patch:
        patch.setattr(invoices, "credit", lambda *_a, **_k: None)
        refund = _refund(store, sale_id, 1, 1000)
    ring(store, [("SAV-BLD", 1000)])
    assert _credit_notes(store) == [] and _verdict(store).ok
    return refund


def test_a_refund_made_before_credit_notes_gets_its_credit_note_now_and_once(
    store: Store, open_day: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    refund = _refund_before_credit_notes(store, monkeypatch)
    later = refund.created_at + dt.timedelta(days=3)
    monkeypatch.setattr(invoices, "utcnow", lambda: later)
    with store.write() as s:
        note, new = invoices.owed_credit(s, refund.id)
    assert new and note is not None
    assert note.label == f"T03-A{later.year}-00001" and note.created_at == later
    assert note.seq > refund.journal_seq + 1  # a new record, after what came since
    assert note.customer == HOTEL and note.total == refund.total
    with store.write() as s:
        again, new_again = invoices.owed_credit(s, refund.id)
    assert (again, new_again) == (note, False)
    assert len(_credit_notes(store)) == 1
    with store.read() as s:
        text = receipts.load_credit_note(s, refund.id, lang="fr").plain_text()
    refund_local = refund.created_at + dt.timedelta(minutes=refund.utc_offset_minutes)
    assert f"Date\t{note.local_time:%d/%m/%Y}" in text  # dated now...
    assert f"Ticket de remboursement T03-000002 du {refund_local:%d/%m/%Y %H:%M}" in text
    assert _verdict(store).ok
    other = _refund(store, ring(store, [("SAV-BLD", 1000)]).id, 0, 1000)  # no invoice
    with store.write() as s:
        assert invoices.owed_credit(s, other.id) == (None, False)


def test_the_command_lists_the_years_invoices_and_credit_notes(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _ticket_in(data)
    base = ("--data-dir", str(data), "--lang", "fr", "invoice")
    year = dt.date.today().year
    code, out, _ = run(capsys, *base, "--list")
    assert (code, out) == (0, f"Aucune facture ni aucun avoir en {year}.\n")
    code, out, err = run(capsys, *base, "1", "--name", "Riad Fès", "--ice", "001234567000089")
    assert code == 0, err
    _take_back(data, 1)
    code, out, err = run(capsys, *base, "--list")
    assert code == 0, err
    today = dt.date.today().strftime("%d/%m/%Y")
    lines = out.splitlines()
    assert lines[0].split() == ["Numéro", "Date", "Client", "ICE", "Total", "TTC", "Ticket"]
    assert lines[1].split() == [f"T01-A{year}-00001", today, "Riad", "Fès", "001234567000089",
                                *format_money(-6000, "fr").split(), "T01-000002"]
    assert lines[2].startswith(f"T01-F{year}-00001  {today}  Riad Fès")
    code, out, err = run(capsys, *base, "--list", "--json", "--year", str(year))
    assert code == 0, err
    listed = json.loads(out)
    assert [(d["kind"], d["number"], d["total"], d["ticket"]) for d in listed] == [
        ("credit_note", f"T01-A{year}-00001", -6000, "T01-000002"),
        ("invoice", f"T01-F{year}-00001", 6000, "T01-000001")]
    assert listed[0]["invoice"] == f"T01-F{year}-00001"
    assert listed[1]["customer"] == {"name": "Riad Fès", "ice": "001234567000089",
                                     "address": ""}
    assert listed[1]["date"] == dt.date.today().isoformat()
    code, out, _ = run(capsys, *base, "--list", "--json", "--year", str(year - 1))
    assert (code, json.loads(out)) == (0, [])
    for argv, said in ((("--list", "1"), "ne lui donnez pas de ticket"),
                       ((), "Indiquez le ticket"),
                       (("1", "--json"), "ne vont qu'avec --list"),
                       (("--list", "--year", "26"), "26")):
        code, out, err = run(capsys, *base, *argv)
        assert code == 2 and out == "" and said in err, (argv, err)


def test_the_command_makes_the_credit_note_a_refund_made_before_them_lacks(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ticket_in(data)
    base = ("--data-dir", str(data), "--lang", "fr", "invoice")
    code, out, err = run(capsys, *base, "1", "--name", "Riad Fès")
    assert code == 0, err
    with monkeypatch.context() as patch:
        patch.setattr(invoices, "credit", lambda *_a, **_k: None)
        _take_back(data, 1)
    year, today = dt.date.today().year, dt.date.today().strftime("%d/%m/%Y")
    code, out, err = run(capsys, *base, "T01-000002")
    assert code == 0, err
    assert out.splitlines()[0] == (
        f"Le ticket T01-000002 du {today} rembourse une vente facturée et date d'avant les "
        f"avoirs\u00a0: son avoir T01-A{year}-00001 (Riad Fès) est établi maintenant.")
    assert "FACTURE D'AVOIR" in out and "DUPLICATA" not in out
    code, out, err = run(capsys, *base, "2")
    assert code == 0, err
    assert "le voici en duplicata" in out and "DUPLICATA" in out
    code, out, _ = run(capsys, "--data-dir", str(data), "--lang", "fr", "verify")
    assert code == 0


def _page_mm(pdf: Path) -> tuple[int, int]:
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert box is not None
    return (round(float(box[1]) * 25.4 / 72), round(float(box[2]) * 25.4 / 72))


def test_the_command_saves_the_invoice_as_an_a4_pdf_or_as_wide_as_the_receipt(
    data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _ticket_in(data)
    page, narrow = tmp_path / "facture.pdf", tmp_path / "ticket.pdf"
    code, _out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "invoice", "1",
                          "--name", "Riad Fès", "--pdf", str(page), "--receipt-pdf", str(narrow))
    assert code == 0, err
    assert _page_mm(page) == (210, 297)
    assert _page_mm(narrow) == (72, _page_mm(narrow)[1])  # 576 dots of 80 mm paper


def _invoiced_then_refunded(store: Store) -> tuple[str, invoices.Invoice, Sale]:
    """The sale of :func:`_sale` invoiced to the hotel, then one of its soaps refunded
    (29,55 DH); the sale's id, its invoice and the refund."""
    sale_id = _sale(store)
    with store.write() as s:
        invoice, _ = invoices.issue(s, sale_id, HOTEL)
    return sale_id, invoice, _refund(store, sale_id, 1, 1000)


@pytest.mark.parametrize("lang", ["fr", "ar", "both", "en"])
def test_the_a4_invoice_has_what_an_accountant_files(store: Store, open_day: int,
                                                     tmp_path: Path, lang: str) -> None:
    sale_id, invoice, _refund_of_a_soap = _invoiced_then_refunded(store)
    with store.read() as s:
        sheet = a4.load_sheet(s, receipts.load_invoice(s, sale_id, lang=lang, duplicate=True))
    text = sheet.plain_text()
    words = {
        "fr": ["FACTURE", "Désignation", "Qté", "P.U. HT", "Montant HT", "Miel de thym",
               "TVA 10 %", "TOTAL TTC", "Espèces", "Avoirs sur cette facture",
               tr("fr", "receipt.invoice.words", amount=in_words(32500, "fr"))],
        "ar": ["فاتورة", "البيان", "الكمية", "ثمن الوحدة دون رسوم", "المجموع مع الرسوم",
               "عسل الزعتر", "نقدا", tr("ar", "receipt.invoice.words",
                                        amount=in_words(32500, "ar"))],
        "en": ["INVOICE", "Description", "Unit price excl. VAT", "TOTAL incl. VAT", "Cash",
               "This invoice is closed at the sum of: three hundred and twenty-five dirhams."],
    }
    wanted = words.get(lang, words["fr"] + words["ar"][:5])
    for said in (*wanted, "Coopérative Argan Atlas", "تعاونية أركان الأطلس", "002345678000041",
                 "Hôtel Zalagh", "001234567000089", "Route d'Immouzzer, Fès", invoice.label,
                 f"{invoice.local_time:%d/%m/%Y}", "T03-000001",
                 "COPY" if lang == "en" else "DUPLICATA", "-2.06" if lang == "en" else "-2,06"):
        assert said.replace("\u00a0", " ") in text, said  # Qt gives no-break spaces as spaces
    city = {"ar": "الصويرة", "fr": "Essaouira", "en": "Essaouira"}.get(lang, "Essaouira / الصويرة")
    assert city in text.replace("\u2067", "").replace("\u2069", "")  # the seller's city
    assert ("Essaouira" in text) == (lang != "ar")
    assert sheet.rtl == (lang == "ar") and sheet.pages() == 1
    assert a4.save_pdf(sheet, tmp_path / f"facture-{lang}.pdf") == 1
    assert _page_mm(tmp_path / f"facture-{lang}.pdf") == (210, 297)
    (image,) = a4.page_images(sheet, 50)
    assert (image.width(), image.height()) == (414, 585)  # A4 at 50 dpi
    assert image.pixelColor(20, 20).name() == "#ffffff"  # the margin is blank


def test_an_a4_credit_note_names_its_invoice_and_a_long_one_takes_more_pages(
    store: Store, open_day: int, tmp_path: Path
) -> None:
    _sale_id, invoice, refund = _invoiced_then_refunded(store)
    with store.read() as s:
        sheet = a4.load_sheet(s, receipts.load_credit_note(s, refund.id, lang="fr"))
        note = invoices.credit_note_of(s, refund.id)
    assert note is not None
    text = sheet.plain_text()
    for said in ("FACTURE D'AVOIR", note.label, invoice.label, "Motif\u00a0: cassé",
                 "Ticket de remboursement T03-000002 du ", "Rendu au client",
                 format_money(refund.total, "fr"), "Arrêté le présent avoir"):
        assert said.replace("\u00a0", " ") in text, said
    assert "DUPLICATA" not in text
    with store.read() as s:  # a line of each product of the catalogue
        skus = list(s.scalars(select(Product.sku)))
    many = ring(store, [(sku, 1000) for sku in skus])
    with store.write() as s:
        invoices.issue(s, many.id, HOTEL)
    with store.read() as s:
        long_sheet = a4.load_sheet(s, receipts.load_invoice(s, many.id, lang="both"))
    pages = long_sheet.pages()
    assert pages >= 2
    assert a4.save_pdf(long_sheet, tmp_path / "longue.pdf") == pages
    assert len(a4.page_images(long_sheet, 40)) == pages



def _digits_as_drawn(sheet: a4.Sheet, needle: str) -> str:
    """The digits of the sheet's paragraph or table cell holding ``needle`` in the order
    the sheet's own layout draws them, left to right."""
    doc = a4._document(sheet)
    doc.pageCount()  # laid out
    block = doc.begin()
    while block.isValid() and needle not in block.text():
        block = block.next()
    assert block.isValid(), needle
    layout = block.layout()
    drawn = [(runs[0].positions()[0].x(), ch) for i, ch in enumerate(block.text())
             if ch.isdigit() and (runs := layout.glyphRuns(i, 1))]
    return "".join(ch for _x, ch in sorted(drawn))


def test_a_payment_reference_in_groups_of_digits_reads_as_typed_on_an_arabic_invoice(
    store: Store, open_day: int
) -> None:
    """A right-to-left line would set the groups of ``4521 8890`` from the right (``8890
    4521``), on the invoice as wide as the receipt and on the A4 sheet."""
    _shop(store)
    sale = ring(store, [("HNY-THY", 1000)],  # 150,00
                payments=[PaymentSpec("card", 15000, None, "4521 8890")])
    with store.write() as s:
        invoices.issue(s, sale.id, HOTEL)
    with store.read() as s:
        ticket = receipts.load_invoice(s, sale.id, lang="ar")
        sheet = a4.load_sheet(s, receipts.load_invoice(s, sale.id, lang="ar"))
        french = a4.load_sheet(s, receipts.load_invoice(s, sale.id, lang="fr"))
    [line] = [b for b in ticket.blocks if isinstance(b, receipts.Text) and "4521" in b.text]
    assert drawn_order(line.text, Qt.LayoutDirection.RightToLeft) == "45218890عجرملا"
    [cell] = [said for said, _page, _box in sheet.boxes() if "4521" in said]
    assert f"({receipts.LRI}4521 8890{receipts.PDI})" in cell
    assert _digits_as_drawn(sheet, "4521") == "45218890"
    assert "Carte (4521 8890)" in french.plain_text()


@pytest.mark.parametrize("lang", ["ar", "fr", "both"])
def test_the_a4_amounts_carry_their_currency_and_a_credit_notes_minus_stands_before_its_digits(
    store: Store, open_day: int, lang: str
) -> None:
    _sale_id, _invoice, refund = _invoiced_then_refunded(store)
    with store.read() as s:
        sheet = a4.load_sheet(s, receipts.load_credit_note(s, refund.id, lang=lang))
    number_lang = "ar" if lang == "ar" else "fr"  # a sheet in two languages writes "DH"
    currency = "د.م." if lang == "ar" else "DH"
    text = sheet.plain_text()
    for heading in ("receipt.a4.unit_price", "receipt.invoice.amount_ht"):  # the lines' columns
        assert f"{tr(number_lang, heading)} ({currency})" in text, heading
    dpi = 200  # a minus is some five pixels thick
    (page,) = a4.page_images(sheet, dpi)
    scale = dpi / a4.UNITS_PER_INCH
    drawn: dict[str, list[str]] = {}  # each amount with its currency: its marks, left to right
    for said, _page, box in sheet.boxes():
        if currency in said and any(ch.isdigit() for ch in said):
            rect = QRectF(box.topLeft() * scale, box.size() * scale).toAlignedRect()
            drawn.setdefault(said.strip("\u200e\u200f"), []).append(
                drawn_shapes(page.copy(rect), stroke=5))
    # the total excluding VAT, the VAT, the total, what was paid back (the total again)
    amounts = [-2462, -493, -2955, -2955]
    assert sorted(map(len, drawn.values())) == [1, 1, 2]
    for centimes in amounts:
        marks = drawn[format_money(centimes, number_lang).strip("\u200e\u200f")]
        digits = len(format_amount(-centimes))  # "24,62": four digits and a comma
        # in Arabic the currency at the left, then the minus just before the digits (as on
        # the receipts: "د.م. -29,55", read from the right); in French "-29,55 DH"
        shape = rf"#+-#{{{digits}}}" if lang == "ar" else rf"-#{{{digits}}}#+"
        assert all(re.fullmatch(shape, m) for m in marks), (centimes, marks)
