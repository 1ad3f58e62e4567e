"""Receipt documents: what a sale, refund, void, X/Z report and test page say."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from pos import checkout, receipts, refunds, settings
from pos.cart import Cart, Discount, PaymentSpec, cash
from pos.cldr import LRM, RLM
from pos.db import Store
from pos.i18n import tr
from pos.models import BusinessDay, JournalEntry, Product, Sale, User
from pos.printing.samples import SAMPLE_HASH, sample_day_report, sample_refund, sample_sale
from pos.receipts import (
    DUPLICATE_MARK,
    LRI,
    PDI,
    RLI,
    Columns,
    QrCode,
    Shop,
    Text,
    isolate,
    load_sale_receipt,
    qr_payload,
    sale_receipt,
    strong_direction,
    x_report,
    z_report,
)
from pos.reports import day_report
from tests.helpers import drawn_order, ring

RTL = Qt.LayoutDirection.RightToLeft

SHOP = Shop(name_ar="تعاونية", name_fr="Coopérative", ice="0012", city="Fès", stand="7",
            device_prefix="T03")  # fmt: skip


def test_qr_payload_is_compact_and_checkable() -> None:
    payload = qr_payload("3f2a9c1e-8b7d-4e21-9a55-0c6d2b1f7e44", "T03-000123", 69150, "ab" * 32)
    assert payload == "SOUK1:3F2A9C1E-8B7D-4E21-9A55-0C6D2B1F7E44:T03-000123:69150:ABABABABABABABAB"
    assert set(payload) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


@pytest.mark.parametrize("lang", ["ar", "fr", "both"])
def test_sale_receipt_says_what_was_sold(lang: str) -> None:
    doc = sale_receipt(sample_sale(3), SHOP, lang, journal_hash=SAMPLE_HASH)
    text = doc.plain_text()
    assert "T03-000123" in text and "12/05/2025 14:32" in text and "Fatima" in text
    if lang != "ar":
        assert "Huile d'argan alimentaire 250 ml" in text and "TOTAL" in text
    if lang != "fr":
        assert "زيت أركان غذائي 250 مل" in text and "المجموع" in text
    assert any(isinstance(b, QrCode) and b.payload.endswith(SAMPLE_HASH[:16].upper())
               for b in doc.blocks)  # fmt: skip
    assert doc.open_drawer and DUPLICATE_MARK not in text
    rtl = [b for b in doc.blocks if isinstance(b, Columns) and b.direction == "rtl"]
    assert bool(rtl) == (lang == "ar")


@pytest.mark.parametrize("lang", ["en", "ar_en"])
def test_english_receipts_for_visitors(lang: str) -> None:
    sale = sample_sale(15)
    doc = sale_receipt(sale, SHOP, lang, journal_hash=SAMPLE_HASH)
    rows = {b.label: b.value for b in doc.blocks if isinstance(b, Columns)}
    text = doc.plain_text()
    # English words and English numbers, the products by their Latin names
    total = "TOTAL" if lang == "en" else f"TOTAL / {RLI}المجموع{PDI}"
    assert rows[total] == "MAD\u00a01,861.00"
    assert "RECEIPT" in text and "Thank you for your visit" in text
    assert "1.25 kg × 300.00\t375.00" in text and "Huile d'argan alimentaire 250 ml" in text
    assert "TICKET DE CAISSE" not in text and "Espèces" not in text
    assert ("زيت أركان غذائي 250 مل" in text) == (lang == "ar_en")
    assert ("شكرا على زيارتكم" in text) == (lang == "ar_en")
    assert doc.language == lang
    copy = sale_receipt(sale, SHOP, lang, journal_hash=SAMPLE_HASH, duplicate=True)
    assert "COPY / نسخة" in copy.plain_text() and not copy.open_drawer


def test_an_english_receipt_keeps_the_cooperatives_own_footer() -> None:
    shop = dataclasses.replace(SHOP, footer={"ar": "مرحبا", "fr": "Échange sous 7 jours"})
    text = sale_receipt(sample_sale(1), shop, "en", journal_hash="").plain_text()
    assert "Échange sous 7 jours" in text and "مرحبا" not in text
    shop = dataclasses.replace(shop, footer={"fr": "Échange sous 7 jours", "en": "7-day returns"})
    text = sale_receipt(sample_sale(1), shop, "en", journal_hash="").plain_text()
    assert "7-day returns" in text and "Échange" not in text


@pytest.mark.parametrize("lang", ["en", "ar_en"])
def test_the_receipt_language_setting_reaches_the_receipt(store: Store, lang: str) -> None:
    with store.write() as s:
        settings.put(s, settings.RECEIPT_LANGUAGE, lang)
    with store.read() as s:
        assert receipts.receipt_language(s) == lang


def test_reprint_is_marked_and_keeps_the_drawer_shut() -> None:
    doc = sale_receipt(sample_sale(2), SHOP, "fr", journal_hash=SAMPLE_HASH, duplicate=True)
    assert DUPLICATE_MARK in doc.plain_text() and not doc.open_drawer
    mark = next(b for b in doc.blocks if isinstance(b, Text) and b.text == DUPLICATE_MARK)
    assert mark.inverse


def test_amounts_and_taxes_add_up() -> None:
    sale = sample_sale(15)
    doc = sale_receipt(sale, SHOP, "fr", journal_hash=SAMPLE_HASH)
    rows = {b.label: b.value for b in doc.blocks if isinstance(b, Columns)}
    assert rows["TOTAL"] == "1\u00a0861,00\u00a0DH"
    assert rows["Sous-total"] == "1\u00a0882,50" and rows["Remises articles"] == "-21,50"
    assert rows["dont TVA 20 %"] == "132,25"
    assert rows["Rendu"] == "39,00"
    assert "0,75 kg × 110,00" in rows


def test_arabic_negative_amounts_keep_their_sign_in_front() -> None:
    """An amount with its currency is a column's value, laid out in its own direction:
    below zero it stays right-to-left (its right-to-left mark first), its minus drawn
    before the digits and the currency at their left, as above zero."""
    words = receipts._Words("ar")
    assert words.money(-2150) == f"{RLM}{LRM}-21,50\u00a0د.م."
    assert words.money(2150) == "21,50\u00a0د.م."
    assert strong_direction(words.money(-2150)) == strong_direction(words.money(2150)) == "rtl"
    assert drawn_order(words.money(-2150), RTL) == ".م.د-21,50"


def test_refund_lines_keep_their_minus_before_the_digits_in_arabic() -> None:
    def details(lang: str) -> list[str]:
        doc = sale_receipt(sample_refund(), SHOP, lang, journal_hash=SAMPLE_HASH)
        return [b.label for b in doc.blocks if isinstance(b, Columns) and b.near]

    # an Arabic row isolates a negative quantity (left to right inside the row, its minus
    # before its digits) so that the price after it keeps its place; the unit follows the
    # number, as Arabic reads
    assert details("ar")[:4] == [
        f"{LRI}{LRM}-2{PDI} × 120,00", f"{LRI}{LRM}-1{PDI} × 65,00", "تخفيض",
        f"{LRI}{LRM}-1,25{PDI} كلغ × 300,00",
    ]  # fmt: skip
    # drawn as a sale's line is (the quantity at the right), the minus before the digits
    assert drawn_order(details("ar")[0], RTL) == "120,00×-2"
    assert drawn_order("2 × 120,00", RTL) == "120,00×2"
    expected = ["-2 × 120,00", "-1 × 65,00", "Remise", "-1,25 kg × 300,00"]
    assert details("fr")[:4] == expected
    assert details("both")[:4] == [*expected[:2], f"Remise / {RLI}تخفيض{PDI}", expected[3]]
    words = receipts._Words("ar")
    assert words.amount(-4500) == f"{LRM}-45,00" and words.amount(4500) == "45,00"
    assert words.quantity(-1250, "kg") == f"{LRI}{LRM}-1,25{PDI}"


def test_names_written_the_other_way_keep_their_own_order() -> None:
    ar, fr = receipts._Words("ar"), receipts._Words("fr")
    # a product with no Arabic name, on an Arabic receipt: kept left to right, at the right
    assert ar.name("", "2 savons beldi (lot)") == Text(
        f"{LRI}2 savons beldi (lot){PDI}", direction="rtl"
    )
    assert ar.name("عسل", "Miel") == Text("عسل", direction="rtl")
    assert fr.name("زيت أركان", "") == Text(f"{RLI}زيت أركان{PDI}")
    assert fr.name("زيت أركان", "Huile d'argan 100 ml.") == Text("Huile d'argan 100 ml.")
    # so are the texts put into messages: a French reason on an Arabic receipt
    assert ar("receipt.reason", reason="flacon cassé").endswith(f"{LRI}flacon cassé{PDI}")
    both = receipts._Words("both")("receipt.reason", reason="مكسور")
    assert both.startswith(f"Motif : {RLI}مكسور{PDI}") and f"{RLI}السبب" in both
    doc = sale_receipt(sample_refund(), SHOP, "ar", journal_hash=SAMPLE_HASH)
    assert f"{LRI}2 savons beldi (lot){PDI}" in doc.plain_text()



def test_a_reference_in_groups_of_digits_reads_as_typed_on_an_arabic_receipt(
    store: Store, open_day: int
) -> None:
    """A right-to-left line would set the groups of ``4521 8890`` from the right (``8890
    4521``): isolated, the reference is printed as the card terminal gave it."""
    sale = ring(store, [("AML-250", 1000)], payments=[PaymentSpec("card", 6500, None,
                                                                  "4521 8890")])
    with store.read() as s:
        arabic = load_sale_receipt(s, sale.id, lang="ar")
        both = load_sale_receipt(s, sale.id, lang="both")
        french = load_sale_receipt(s, sale.id, lang="fr")
    [line] = [b for b in arabic.blocks if isinstance(b, Text) and "4521" in b.text]
    assert line == Text(f"المرجع {LRI}4521 8890{PDI}", direction="rtl", size="small")
    assert drawn_order(line.text, RTL) == "45218890عجرملا"  # from the right: المرجع, the digits
    # left to right already where the line is: written as typed, in its column of two languages
    assert Columns(f"Réf. / {RLI}المرجع{PDI}", "4521 8890", size="small") in both.blocks
    assert "Réf. 4521 8890" in french.plain_text()


def test_direction_of_a_text_is_its_first_strong_letter_outside_isolates() -> None:
    assert strong_direction("2 savons") == "ltr"
    assert strong_direction("250 مل زيت") == "rtl"
    assert strong_direction("-12,00", "rtl") == "rtl"
    assert strong_direction(f"{LRI}Miel{PDI} عسل") == "rtl"
    assert isolate(isolate("Miel 1 kg.", "rtl"), "rtl") == f"{LRI}Miel 1 kg.{PDI}"
    assert isolate("T03-000001", "ltr") == "T03-000001"


def test_refund_and_void_receipts_from_the_database(
    store: Store, open_day: int, staff: tuple[User, User]
) -> None:
    sale = ring(store, [("ARG-250", 1000)], payments=[PaymentSpec("card", 12000, None, "A1")])
    with store.write() as s:
        settings.put(s, settings.RECEIPT_LANGUAGE, "fr")
        settings.put(s, settings.DEVICE_PREFIX, "T09")
        back = refunds.refund(s, sale.id, quantities=None, reason="cassé", manager=staff[0])
    with store.read() as s:
        doc = load_sale_receipt(s, back.id)
        original = load_sale_receipt(s, sale.id)
        entry = s.get(JournalEntry, s.get(Sale, back.id).journal_seq)  # type: ignore[union-attr]
    text = doc.plain_text()
    assert doc.kind == "refund" and "REMBOURSEMENT" in text
    assert "Remboursement du ticket T09-000001" in text and "Motif : cassé" in text
    assert "REMBOURSÉ" in text and "-120,00\u00a0DH" in text
    assert entry is not None and entry.hash[:16].upper() in doc.metadata["hash"].upper()
    assert "Réf. A1" in original.plain_text() and not original.open_drawer
    with store.read() as s, pytest.raises(LookupError):
        load_sale_receipt(s, "nope")


def test_z_report_has_the_cash_count() -> None:
    report = sample_day_report()
    text = z_report(report, SHOP, "fr").plain_text()
    assert "RAPPORT Z N° 7" in text
    assert "5 × 200,00\t1\u00a0000,00" in text
    assert "Écart\t-0,50" in text and "Compté\t1\u00a0774,00" in text
    assert "T03-001201 – T03-001240" in text
    ar = z_report(report, SHOP, "ar").plain_text()
    assert "تقرير Z رقم 7" in ar and "الفرق" in ar
    open_day = dataclasses.replace(report, status="open", closed_at=None, z_number=None,
                                   cash=dataclasses.replace(report.cash, counted=None,
                                                            difference=None))  # fmt: skip
    x = x_report(open_day, SHOP, "both").plain_text()
    assert "RAPPORT X" in x and "Compté" not in x and "تقرير X" in x


def test_the_x_and_z_say_what_each_members_products_took(
        store: Store, products: dict[str, Product], open_day: int) -> None:
    """Oil of one member, honey of another, a jar of theirs given back, a product of no
    member: each member's takings, the most first, then those of no member, adding up to
    the day's net; a stall whose products name no member prints none of it."""
    a = ring(store, [("ARG-250", 2000), ("HNY-THY", 1000)])
    ring(store, [("HNY-THY", 2000)])
    with store.write() as s:
        s.get_one(Product, products["TAJ-M"].id).member = ""
    ring(store, [("TAJ-M", 1000)])
    with store.write() as s:
        manager = s.scalars(select(User).where(User.role == "manager")).first()
        assert manager is not None
        line = next(ln for ln in a.lines if ln.sku == "ARG-250")
        refunds.refund(s, a.id, quantities={line.id: 1000}, reason="x", manager=manager)
        report = day_report(s, s.get_one(BusinessDay, open_day))
    oil, honey = products["ARG-250"], products["HNY-THY"]
    text = x_report(report, SHOP, "fr").plain_text()
    part = text[text.index("Par membre"):].splitlines()[1:4]
    assert part == [f"{honey.member}\t450,00", f"{oil.member}\t120,00", "Sans membre\t150,00"]
    assert report.net == 450_00 + 120_00 + 150_00  # the rows add up to the net
    arabic = z_report(report, SHOP, "ar").plain_text()
    assert "حسب العضو(ة)" in arabic and f"{LRI}{oil.member}{PDI}\t120,00" in arabic
    unnamed = dataclasses.replace(report, members=tuple(
        dataclasses.replace(m, member="") for m in report.members))
    assert "Par membre" not in x_report(unnamed, SHOP, "fr").plain_text()


def test_a_z_number_marked_by_a_restore_reads_the_same_in_every_language() -> None:
    """After a restore that could not read the lost database, the Z number carries its
    mark (``R2-7``): in an Arabic title it keeps its order, mark first."""
    report = dataclasses.replace(sample_day_report(), z_label="R2-7")
    title = z_report(report, SHOP, "ar").blocks
    (ar,) = [b.text for b in title if isinstance(b, Text) and "تقرير Z" in b.text]
    assert drawn_order(ar, RTL).startswith("R2-7")  # drawn at the left end of the line
    both = z_report(report, SHOP, "both")
    assert both.metadata["z"] == "R2-7" and "RAPPORT Z N° R2-7" in both.plain_text()


@pytest.mark.parametrize("lang", ["fr", "ar", "both", "ar_en"])
def test_the_ice_is_written_once_as_moroccan_documents_write_it(lang: str) -> None:
    """Moroccan documents print the label "ICE" in Arabic as in French: one label and the
    number once, in every receipt language (never "ICE / ICE", never mirrored)."""
    line = "ICE 001234567000089"
    shop = dataclasses.replace(SHOP, ice="001234567000089")
    for doc in (z_report(sample_day_report(), shop, lang),
                sale_receipt(sample_sale(1), shop, lang, journal_hash=SAMPLE_HASH)):
        lines = doc.plain_text().splitlines()
        assert [t for t in lines if "001234567000089" in t] == [line]


def test_the_receipts_first_offered_follow_the_app_language() -> None:
    """Arabic on every receipt (the market's customers read it), with French beside it
    unless the till speaks English."""
    assert receipts.RECEIPT_LANGUAGE_FOR == {"ar": "both", "fr": "both", "en": "ar_en"}
    assert set(receipts.RECEIPT_LANGUAGE_FOR.values()) <= set(receipts.RECEIPT_LANGUAGES)


def test_day_report_from_the_database(store: Store, open_day: int) -> None:
    ring(store, [("ARG-250", 1000)])
    with store.read() as s:
        doc = receipts.load_day_report(s, open_day, "x")
    assert tr("fr", "receipt.report.title.x") in doc.plain_text() or "RAPPORT X" in doc.plain_text()
    assert "120,00" in doc.plain_text()


def test_the_day_reports_count_the_items_sold_as_pieces(store: Store, open_day: int) -> None:
    """Three bottles and two boxes sold read "5" on the X and Z reports, not the
    thousandths the quantities are kept in."""
    ring(store, [("ARG-250", 3000), ("SAF-1G", 2000)])
    with store.read() as s:
        fr = receipts.load_day_report(s, open_day, "x", lang="fr").plain_text()
        ar = receipts.load_day_report(s, open_day, "x", lang="ar").plain_text()
    assert "Articles vendus\t5" in fr.splitlines()
    assert "المواد المبيعة\t5" in ar.splitlines()


def test_the_day_reports_count_each_methods_sales_apart_from_its_refunds(
    store: Store, open_day: int, staff: tuple[User, User]
) -> None:
    """Four cash sales and one of them refunded in cash: the cash line of the X report
    says 4 sales and 1 refund (not "Espèces (5)"), its amount net of the refund; the
    amounts per method add up to the day's net, as the journal has it."""
    sold = [ring(store, [("ARG-250", 1000)]) for _ in range(4)]  # 4 × 120,00 cash
    ring(store, [("RUG-S", 1000)], payments=[PaymentSpec("card", 85000, None, "T1")])
    with store.write() as s:
        settings.put(s, settings.RECEIPT_LANGUAGE, "fr")
        refunds.refund(s, sold[0].id, quantities=None, reason="cassé", manager=staff[0])
    with store.read() as s:
        report = day_report(s, s.get(BusinessDay, open_day))  # type: ignore[arg-type]
        journal_net = sum(e.amount for e in s.scalars(select(JournalEntry)))
        docs = {lang: receipts.load_day_report(s, open_day, "x", lang=lang).plain_text()
                for lang in ("fr", "ar", "en", "both")}
    cash, card = (next(p for p in report.payments if p.method == m) for m in ("cash", "card"))
    assert (cash.amount, cash.sales, cash.refunds, cash.voids, cash.count) == (36000, 4, 1, 0, 5)
    assert (card.amount, card.sales, card.refunds) == (85000, 1, 0)
    assert sum(p.amount for p in report.payments) == report.net == journal_net == 121000
    fr = docs["fr"].splitlines()
    assert fr[fr.index("Espèces\t360,00") + 1] == "4\u00a0ventes, 1\u00a0remboursement"
    assert fr[fr.index("Carte\t850,00") + 1] == "1\u00a0vente"
    assert not any(line.startswith("Espèces (") for line in fr)
    assert "4\u00a0عمليات بيع، استرجاع واحد" in docs["ar"].splitlines()
    assert "4\u00a0sales, 1\u00a0refund" in docs["en"].splitlines()
    assert "4\u00a0ventes, 1\u00a0remboursement / \u20674\u00a0عمليات بيع، استرجاع واحد\u2069" in (
        docs["both"].splitlines())


def test_test_page_and_shop_from_settings(store: Store) -> None:
    with store.write() as s:
        settings.put(s, settings.COOPERATIVE, {"name_fr": "Coop", "footer": {"fr": "Bonne route"}})
        settings.put(s, settings.MARKET, {"name_fr": "Souk", "stand": 4})
    with store.read() as s:
        shop = Shop.from_settings(s)
        lang = receipts.receipt_language(s)
    assert (shop.name_fr, shop.stand, lang) == ("Coop", "4", "both")
    page = receipts.test_page(shop, "both", printer="USB 0416:5011", width_dots=384)
    assert "PAGE DE TEST" in page.plain_text() and "صفحة اختبار" in page.plain_text()
    footer = sale_receipt(sample_sale(1), shop, "fr", journal_hash="").plain_text()
    assert "Bonne route" in footer


@pytest.mark.parametrize(("lang", "words", "others"), [
    ("en", ["PRINTER TEST", "Printer\tUSB 0416:5011", "Width (dots)\t576", "COPY / نسخة",
            "If this page is complete and straight, printing works."],
     ["PAGE DE TEST", "Imprimante", "Largeur", "صفحة اختبار", "DUPLICATA"]),
    ("fr", ["PAGE DE TEST", "Imprimante\tUSB 0416:5011", "Largeur (points)\t576"],
     ["PRINTER TEST", "Printer", "صفحة اختبار", "الطابعة"]),
    ("ar", ["صفحة اختبار", "الطابعة\tUSB 0416:5011", "العرض (نقط)\t576"],
     ["PAGE DE TEST", "PRINTER TEST", "Imprimante", "Printer", "Width", "Largeur"]),
    ("ar_en", ["PRINTER TEST", "صفحة اختبار", f"Printer / {RLI}الطابعة{PDI}\tUSB 0416:5011"],
     ["PAGE DE TEST", "Imprimante", "Largeur"]),
])
def test_the_test_page_speaks_the_receipt_language(lang: str, words: list[str],
                                                   others: list[str]) -> None:
    page = receipts.test_page(Shop(name_fr="Coop"), lang, printer="USB 0416:5011",
                              width_dots=576)
    text = page.plain_text()
    assert [w for w in words if w not in text] == []
    assert [w for w in others if w in text] == []
    # both scripts are still printed, whatever the language
    assert "àâçéèêëîïôûùüÿœæ" in text and "٠١٢٣٤٥٦٧٨٩" in text


def test_sale_lookup_uses_journal(store: Store, open_day: int) -> None:
    sale = ring(store, [("ARG-250", 1000)])
    with store.read() as s:
        seq = s.scalar(select(Sale.journal_seq).where(Sale.id == sale.id))
        doc = load_sale_receipt(s, sale.id)
    assert seq and doc.metadata["label"].endswith("000001")


def test_a_bilingual_receipt_writes_the_reference_and_reason_once() -> None:
    """A phone payment's reference, a refund's reason and the ticket it refunds are said
    once beside the labels of both languages ("Réf. / المرجع  CIH-8842-1173"), not once in
    each half of the line; a receipt in one language keeps its sentence."""
    sale = sample_sale(2)
    sale.payments[0].method, sale.payments[0].reference = "mobile", "CIH-8842-1173"
    sale.payments[0].tendered, sale.payments[0].change = None, 0
    sale.reason = "client pressé"
    doc = sale_receipt(sale, SHOP, "both", journal_hash=SAMPLE_HASH)
    rows = {b.label: b.value for b in doc.blocks if isinstance(b, Columns)}
    assert rows[f"Réf. / {RLI}المرجع{PDI}"] == "CIH-8842-1173"
    assert rows[f"Motif / {RLI}السبب{PDI}"] == "client pressé"
    text = doc.plain_text()
    assert text.count("CIH-8842-1173") == 1 and text.count("client pressé") == 1
    french = sale_receipt(sale, SHOP, "fr", journal_hash=SAMPLE_HASH).plain_text()
    assert "Réf. CIH-8842-1173" in french and "Motif\u00a0: client pressé" in french
    refund = sale_receipt(sample_refund(), SHOP, "both", journal_hash=SAMPLE_HASH,
                          original_number=123)
    rows = {b.label: b.value for b in refund.blocks if isinstance(b, Columns)}
    assert rows[f"Remboursement du ticket / {RLI}استرجاع الوصل{PDI}"] == "T03-000123"
    assert refund.plain_text().count("T03-000123") == 1
    arabic = sale_receipt(sample_refund(), SHOP, "ar", journal_hash=SAMPLE_HASH,
                          original_number=123)
    assert f"استرجاع الوصل {LRI}T03-000123{PDI}" in arabic.plain_text()


@pytest.mark.parametrize(("lang", "row", "sentence"), [
    ("both", f"Articles / {RLI}عدد المواد{PDI}", None),
    ("ar_en", f"Items / {RLI}عدد المواد{PDI}", None),
    ("fr", None, "Articles\u00a0: 21"),
    ("ar", None, "عدد المواد: 21"),
])
def test_the_item_count_is_written_once(lang: str, row: str | None, sentence: str | None) -> None:
    """On a receipt in two languages the number of items is written once, beside the
    labels of both ("Articles / عدد المواد  21"), as the ticket's number is; a receipt in
    one language keeps its sentence."""
    doc = sale_receipt(sample_sale(15), SHOP, lang, journal_hash=SAMPLE_HASH)
    lines = doc.plain_text().splitlines()
    counted = [line for line in lines if "Articles" in line or "Items" in line
               or "عدد المواد" in line]
    assert counted == [f"{row}\t21" if row else sentence]
    if row:
        (count,) = [b for b in doc.blocks if isinstance(b, Columns) and b.label == row]
        assert count.size == "small"


@pytest.mark.parametrize("lang", ["fr", "ar", "both", "en"])
def test_the_lines_and_the_tickets_discounts_are_told_apart(
    store: Store, open_day: int, products: dict[str, Product], staff: tuple[User, User],
    lang: str,
) -> None:
    """A customer adds up the discounts printed under the lines and finds them in the
    totals, on a line of their own; the discount bargained on the whole ticket has its
    own line and words; subtotal less both is the total, to the centime. A refund (whose
    lines carry their share of every discount) and a sale without a ticket discount show
    no ticket discount line."""
    oil, honey = products["ARG-250"], products["HNY-KG"]
    with store.write() as s:
        cart = Cart()
        bottles = cart.add(oil, 2000)
        bottles.discount = Discount("percent", 1000)
        kilo = cart.add(honey, 1000)
        kilo.discount = Discount("amount", 650)
        cart.discount = Discount("amount", 2000)
        total = cart.totals().total
        sale = checkout.complete(s, cart, [cash(total, total)], cashier=staff[1])
    with store.write() as s:
        settings.put(s, settings.RECEIPT_LANGUAGE, lang)
        back = refunds.refund(s, sale.id, quantities=None, reason="x", manager=staff[0])
    with store.read() as s:
        doc = load_sale_receipt(s, sale.id)
        refund = load_sale_receipt(s, back.id)
    words = receipts._Words(lang)
    gross = 2 * oil.price + honey.price
    under_lines = [words.amount(-(2 * oil.price // 10)), words.amount(-650)]
    rows = [(b.label, b.value) for b in doc.blocks if isinstance(b, Columns)]
    assert [v for k, v in rows if k == words("receipt.discount")] == under_lines
    totals = {k: v for k, v in rows}
    line_discounts = 2 * oil.price // 10 + 650
    assert totals[words("receipt.subtotal")] == words.amount(gross)
    assert totals[words("receipt.discount.lines")] == words.amount(-line_discounts)
    assert totals[words("receipt.discount.ticket")] == words.amount(-2000)
    assert totals[words("receipt.total")] == words.money(gross - line_discounts - 2000)
    assert words("receipt.discount.lines") != words("receipt.discount.ticket")
    labels = [k for k, _ in rows]
    assert labels.index(words("receipt.discount.lines")) < labels.index(
        words("receipt.discount.ticket")) < labels.index(words("receipt.total"))
    if lang == "fr":
        assert "Remises articles" in labels and "Remise sur le ticket" in labels
    back_rows = {b.label: b.value for b in refund.blocks if isinstance(b, Columns)}
    assert words("receipt.discount.ticket") not in back_rows
    given = sum(ln.discount for ln in back.lines)
    assert back_rows[words("receipt.discount.lines")] == words.amount(-given)
    assert back.subtotal - given == back.total  # the refund's figures add up too
    plain = sale_receipt(sample_sale(3), SHOP, lang, journal_hash=SAMPLE_HASH)
    plain_labels = {b.label for b in plain.blocks if isinstance(b, Columns)}
    assert words("receipt.discount.lines") in plain_labels
    assert words("receipt.discount.ticket") not in plain_labels


def test_the_cooperatives_city_is_written_in_arabic_on_arabic_receipts(store: Store) -> None:
    """The cooperative's city as it is set in Arabic ("الصويرة") on an Arabic receipt,
    after its Latin name on a receipt in two languages, in Latin letters alone on a French
    or English one; a cooperative stored before the Arabic city existed, or with none,
    keeps its Latin name everywhere."""
    with store.write() as s:
        settings.put(s, settings.COOPERATIVE, {"name_fr": "Coop", "city": "Essaouira"})
    with store.read() as s:
        before = Shop.from_settings(s)
    assert before.city_ar == ""

    def city_lines(shop: Shop, lang: str) -> list[str]:
        doc = sale_receipt(sample_sale(1), shop, lang, journal_hash=SAMPLE_HASH)
        return [b.text for b in doc.blocks
                if isinstance(b, Text) and ("Essaouira" in b.text or "الصويرة" in b.text)]

    assert city_lines(before, "ar") == city_lines(before, "both") == ["Essaouira"]
    with store.write() as s:
        coop = dict(settings.get(s, settings.COOPERATIVE))
        settings.put(s, settings.COOPERATIVE, {**coop, "city_ar": "الصويرة"})
    with store.read() as s:
        shop = Shop.from_settings(s)
    assert city_lines(shop, "ar") == ["الصويرة"]
    assert city_lines(shop, "both") == [f"Essaouira / {RLI}الصويرة{PDI}"]
    assert city_lines(shop, "ar_en") == [f"Essaouira / {RLI}الصويرة{PDI}"]
    assert city_lines(shop, "fr") == city_lines(shop, "en") == ["Essaouira"]
    (arabic,) = [b for b in sale_receipt(sample_sale(1), shop, "ar", journal_hash="").blocks
                 if isinstance(b, Text) and b.text == "الصويرة"]
    assert arabic.direction == "rtl" and arabic.align == "center"
