"""Rendering: Arabic shaped and ordered right to left, exact paper widths, PNG and PDF."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QGuiApplication, QImage, QPainter

from pos import receipts, refunds, settings
from pos.db import Store
from pos.models import SaleLine, User
from pos.printing.fonts import ARABIC_FAMILY, covers, receipt_font
from pos.printing.render import (
    MARGIN,
    SIZES,
    Renderer,
    _layout,
    _settle,
    arabic_runs,
    render,
)
from pos.printing.samples import (
    PRODUCTS,
    SAMPLE_HASH,
    sample_day_report,
    sample_refund,
    sample_sale,
)
from pos.receipts import (
    PDI,
    RLI,
    Columns,
    Direction,
    Document,
    Shop,
    Size,
    Spacer,
    Text,
    characters,
    sale_receipt,
    z_report,
)
from tests.helpers import ring

WORD = "سلام"  # four letters that join: initial, medial, medial, final forms


def _doc(*blocks: Text | Columns | Spacer) -> Document:
    return Document(kind="test", title="t", language="ar", blocks=blocks)


def _ink_columns(raster_data: bytes, stride: int) -> set[int]:
    cols = set()
    for i, byte in enumerate(raster_data):
        for bit in range(8):
            if byte & (0x80 >> bit):
                cols.add((i % stride) * 8 + bit)
    return cols


@pytest.mark.parametrize("width", [384, 512, 576])
def test_image_is_exactly_the_paper_width(gui: QGuiApplication, shop: Shop, width: int) -> None:
    raster = render(receipts.test_page(shop, "both", width_dots=width), width)
    assert raster.width == width and raster.stride * 8 == width
    assert len(raster.data) == raster.stride * raster.height
    image = raster.to_image()
    assert (image.width(), image.height()) == (width, raster.height)


def test_arabic_is_shaped_like_qt_shapes_it(gui: QGuiApplication) -> None:
    renderer = Renderer(384)
    ours = renderer.render(_doc(Text(WORD, direction="rtl")))
    # Qt's own layout of the word, drawn the same way, gives the same dots
    font = receipt_font(SIZES["normal"])
    layout = _layout(WORD, font, renderer.inner, "rtl", "start")
    _settle(layout, renderer._face("normal", False))  # its line where a receipt puts it
    canvas = QImage(384, ours.height, QImage.Format.Format_Grayscale8)
    canvas.fill(0xFFFFFFFF)
    painter = QPainter(canvas)
    layout.draw(painter, QPointF(MARGIN, 4))
    painter.end()
    grey = canvas.constBits().tobytes()
    stride = canvas.bytesPerLine()
    for y in range(ours.height):
        row = ours.row(y)
        for x in range(384):
            black = bool(row[x // 8] & (0x80 >> (x % 8)))
            assert black == (grey[y * stride + x] <= 150), (x, y)
    # and joined letters are not the isolated ones laid side by side
    apart = renderer.render(_doc(Text("\u200c".join(WORD), direction="rtl")))
    assert apart.data != ours.data


def test_arabic_glyphs_are_contextual_forms(gui: QGuiApplication) -> None:
    font = receipt_font(40)
    layout = _layout(WORD, font, 1000, "rtl", "start")
    runs = layout.glyphRuns()
    shaped = [g for run in runs for g in run.glyphIndexes()]
    arabic = next(r.rawFont() for r in runs if r.rawFont().familyName() == ARABIC_FAMILY)
    isolated = arabic.glyphIndexesForString(WORD)
    assert len(shaped) == len(WORD)
    assert 0 not in shaped  # never a missing glyph box
    assert set(shaped) != set(isolated)  # joining forms, not the isolated letters
    joined = sum(a.x() for a in arabic.advancesForGlyphIndexes(shaped))
    alone = sum(a.x() for a in arabic.advancesForGlyphIndexes(isolated))
    assert joined < alone


def test_right_to_left_rows_put_the_amount_on_the_left(gui: QGuiApplication) -> None:
    renderer = Renderer(384)
    rtl = renderer.render(_doc(Columns("", "12,00", direction="rtl")))
    ltr = renderer.render(_doc(Columns("", "12,00", direction="ltr")))
    assert max(_ink_columns(rtl.data, rtl.stride)) < 192
    assert min(_ink_columns(ltr.data, ltr.stride)) > 192
    label = renderer.render(_doc(Columns("المجموع", "", direction="rtl")))
    assert min(_ink_columns(label.data, label.stride)) > 192


@pytest.mark.parametrize("lang", ["ar", "fr", "both", "en", "ar_en"])
def test_every_character_has_a_glyph(gui: QGuiApplication, shop: Shop, lang: str) -> None:
    docs = [
        sale_receipt(sample_sale(15), shop, lang, journal_hash=SAMPLE_HASH, duplicate=True),
        z_report(sample_day_report(), shop, lang),
        receipts.test_page(shop, lang),
    ]
    for doc in docs:
        assert "?" not in doc.plain_text().replace("[QR", "")
        assert render(doc, 384).missing == frozenset()


def test_arabic_runs() -> None:
    assert arabic_runs("Total / المجموع الجزئي 12") == [(8, 14)]
    assert arabic_runs("abc") == []
    assert arabic_runs("زيت 2 عسل") == [(0, 3), (6, 3)]


def test_png_and_pdf_copies(gui: QGuiApplication, shop: Shop, tmp_path: Path) -> None:
    raster = render(sale_receipt(sample_sale(3), shop, "both", journal_hash=SAMPLE_HASH), 384)
    raster.save_png(tmp_path / "r.png")
    back = QImage(str(tmp_path / "r.png"))
    assert (back.width(), back.height()) == (384, raster.height)
    raster.save_pdf(tmp_path / "r.pdf")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert raster.to_pil().size == (384, raster.height)


def test_logo_is_drawn(gui: QGuiApplication, tmp_path: Path) -> None:
    logo = QImage(200, 100, QImage.Format.Format_RGB32)
    logo.fill(0xFF808080)
    logo.save(str(tmp_path / "logo.png"))
    with_logo = render(sale_receipt(sample_sale(1), Shop(logo=str(tmp_path / "logo.png")), "fr",
                                    journal_hash=SAMPLE_HASH))  # fmt: skip
    without = render(sale_receipt(sample_sale(1), Shop(logo=str(tmp_path / "none.png")), "fr",
                                  journal_hash=SAMPLE_HASH))  # fmt: skip
    assert with_logo.height > without.height


def _visual(text: str, direction: Direction, keep: str) -> str:
    """The characters of ``keep`` in ``text`` as printed, from left to right."""
    layout = _layout(text, receipt_font(SIZES["normal"]), 1000, direction, "start")
    glyphs = []
    for run in layout.glyphRuns():
        raw = run.rawFont()
        names = {raw.glyphIndexesForString(c)[0]: c for c in set(text) if c in keep}
        glyphs += [(p.x(), names[g]) for g, p in zip(run.glyphIndexes(), run.positions(),
                                                       strict=True) if g in names]  # fmt: skip
    # (the isolate marks are set as empty glyphs, the space's, at either end)
    return "".join(c for _, c in sorted(glyphs)).strip()


def test_arabic_refund_lines_print_the_minus_before_the_digits(
    gui: QGuiApplication, shop: Shop
) -> None:
    doc = sale_receipt(sample_refund(), shop, "ar", journal_hash=SAMPLE_HASH)
    rows = [b for b in doc.blocks if isinstance(b, Columns) and b.near and "×" in b.label]
    printed = [_visual(row.label, row.direction, "0123456789,-×") for row in rows]
    # read from the right: quantity (with its unit), ×, unit price
    assert printed == ["120,00×-2", "65,00×-1", "300,00×-1,25", "45,00×-1"]
    values = [_visual(row.value, "ltr", "0123456789,-") for row in rows]
    assert values == ["-240,00", "-65,00", "-375,00", "-45,00"]


def test_a_french_name_keeps_its_order_on_an_arabic_receipt(
    gui: QGuiApplication, shop: Shop
) -> None:
    doc = sale_receipt(sample_refund(), shop, "ar", journal_hash=SAMPLE_HASH)
    name = next(b for b in doc.blocks if isinstance(b, Text) and "savons" in b.text)
    latin = "".join(sorted(set("2 savons beldi (lot) Huile d'argan 100 ml.")))
    assert _visual(name.text, name.direction, latin) == "2 savons beldi (lot)"
    other = receipts._Words("ar").name("", "Huile d'argan 100 ml.")
    assert isinstance(other, Text)
    assert _visual(other.text, other.direction, latin) == "Huile d'argan 100 ml."
    # still set at the Arabic side: its ink ends at the right margin
    raster = render(_doc(name), 384)
    assert max(_ink_columns(raster.data, raster.stride)) >= 384 - MARGIN - 4
    assert min(_ink_columns(raster.data, raster.stride)) > 384 // 3


def test_a_wrapped_arabic_name_stays_at_the_right_edge(gui: QGuiApplication) -> None:
    width = 576
    name = "زيت أركان غذائي محمص تقليديا من تعاونية نسائية في منطقة الصويرة 250 مل"
    raster = render(_doc(Columns("Huile d'argan alimentaire 250 ml", name)), width)
    inked = [y for y in range(raster.height) if any(raster.row(y))]
    assert inked[-1] - inked[0] > 3 * SIZES["normal"]  # label, then the name on two lines
    last = b"".join(raster.row(y) for y in range(inked[-1] - 12, inked[-1] + 1))
    columns = _ink_columns(last, raster.stride)
    assert max(columns) >= width - MARGIN - 4  # the second line ends at the right margin
    assert min(columns) > width // 2  # and is short: "الصويرة 250 مل"


def _ink_rows(raster: object) -> list[int]:
    return [y for y in range(raster.height) if any(raster.row(y))]  # type: ignore[attr-defined]


def test_a_bilingual_label_too_long_beside_its_amount_is_set_smaller_not_wrapped(
    gui: QGuiApplication,
) -> None:
    """On 58 mm paper "Remboursements / الاسترجاعات (1)" does not fit beside "-120,00" in
    the row's size: the label is set a size smaller and the amount stays on its line; a
    label that fits keeps its size, and one too long even smaller still wraps."""
    label = "Remboursements / الاسترجاعات (1)"
    row = render(_doc(Columns(label, "-120,00")), 384)
    assert _ink_rows(row)[-1] - _ink_rows(row)[0] < 1.5 * SIZES["normal"]  # one line
    columns = _ink_columns(b"".join(map(row.row, range(row.height))), row.stride)
    assert min(columns) <= MARGIN + 2 and max(columns) >= 384 - MARGIN - 4  # both, whole
    short = render(_doc(Columns("Ventes / المبيعات (38)", "4 218,50")), 384)
    plain = render(_doc(Text("Ventes / المبيعات (38)")), 384)
    assert _ink_rows(short)[-1] - _ink_rows(short)[0] == _ink_rows(plain)[-1] - _ink_rows(plain)[0]
    longer = render(_doc(Columns("Remises accordées aux clients / التخفيضات الممنوحة", "61,50")),
                    384)
    assert _ink_rows(longer)[-1] - _ink_rows(longer)[0] > 1.5 * SIZES["normal"]


def test_covers_asks_the_bundled_fonts_only(gui: QGuiApplication) -> None:
    for char in "→✓ⵜ":
        assert not covers(char), char
    for char in "سلامكلغ٠١٢ء،" + "àâçéèêëîïôûùüÿœæÀÇÉŒ" + "0123456789" + "×·–%:/()'.":
        assert covers(char), char


@pytest.mark.parametrize("lang", ["ar", "fr", "both", "en", "ar_en"])
def test_reports_use_only_characters_of_the_bundled_fonts(
    gui: QGuiApplication, shop: Shop, lang: str
) -> None:
    report = sample_day_report()
    for doc in (z_report(report, shop, lang), receipts.x_report(report, shop, lang)):
        assert {c for c in characters(doc) if not covers(c)} == set()
    span = "T03-001201 – T03-001240"
    assert span in z_report(report, shop, lang).plain_text()


def test_a_character_without_a_bundled_glyph_is_reported_not_borrowed(
    gui: QGuiApplication,
) -> None:
    arrow = render(_doc(Text("T1 → T2")))
    tick = render(_doc(Text("T1 ✓ T2")))
    assert arrow.missing == {"→"} and tick.missing == {"✓"}
    # no font of this computer draws them: both are the bundled face's empty box
    assert arrow.data == tick.data
    assert render(_doc(Text("T1 – T2"))).missing == frozenset()


def test_arabic_refunds_and_voids_from_the_database_print_the_minus_first(
    gui: QGuiApplication, store: Store, open_day: int, staff: tuple[User, User]
) -> None:
    """The receipts the till prints for a refund of a bottle and 111 g of almonds, and for
    the void of the rest, as the printer draws them: "-1 × 120,00", "-0,111 كلغ × 120,00"."""
    sale = ring(store, [("ARG-250", 1000), ("ALM-KG", 111)])
    other = ring(store, [("ARG-250", 2000)])
    with store.write() as s:
        settings.put(s, settings.RECEIPT_LANGUAGE, "ar")
        back = refunds.refund(s, sale.id, quantities=None, reason="x", manager=staff[0])
        voided = refunds.void(s, other.id, reason="x", manager=staff[0])
    printed = {}
    for reversal in (back, voided):
        with store.read() as s:
            doc = receipts.load_sale_receipt(s, reversal.id)
        rows = [b for b in doc.blocks if isinstance(b, Columns) and b.near and "×" in b.label]
        printed[reversal.kind] = [(_visual(row.label, row.direction, "0123456789,-×"),
                                   _visual(row.value, "ltr", "0123456789,-")) for row in rows]
        assert render(doc, 384).missing == frozenset()
    # read from the right: the quantity (minus first, then its unit), ×, the unit price
    assert printed == {"refund": [("120,00×-1", "-120,00"), ("120,00×-0,111", "-13,32")],
                       "void": [("120,00×-2", "-240,00")]}


def _line_bands(raster: object) -> list[tuple[int, int]]:
    """(first, last) ink row of each printed line: runs of ink rows at most 3 rows apart."""
    bands: list[tuple[int, int]] = []
    for y in _ink_rows(raster):
        if bands and y - bands[-1][1] <= 3:
            bands[-1] = (bands[-1][0], y)
        else:
            bands.append((y, y))
    return bands


def _band_width(raster: object, band: tuple[int, int]) -> int:
    rows = b"".join(raster.row(y) for y in range(band[0], band[1] + 1))  # type: ignore[attr-defined]
    columns = _ink_columns(rows, raster.stride)  # type: ignore[attr-defined]
    return max(columns) - min(columns)


def test_a_wrapped_footer_leaves_no_word_alone_on_its_line(gui: QGuiApplication) -> None:
    """A cooperative's footer too long for 58 mm paper: in French it takes two lines set a
    size smaller rather than three with "visite !" alone; in Arabic, still two lines, it is
    split evenly rather than leaving "زيارتكم" alone under a full line."""
    french = "Les produits alimentaires ne sont ni repris ni échangés. Merci de votre visite !"
    fr = render(_doc(Text(french, align="center")), 384)
    assert len(_line_bands(fr)) == 2
    arabic = "المواد الغذائية لا ترد ولا تستبدل. شكرا على زيارتكم"
    ar = render(_doc(Text(arabic, direction="rtl", align="center")), 384)
    first, last = _line_bands(ar)
    assert _band_width(ar, last) > 0.6 * _band_width(ar, first)
    # still centred on the paper
    columns = _ink_columns(b"".join(map(ar.row, range(ar.height))), ar.stride)
    assert abs((min(columns) + max(columns)) / 2 - 384 / 2) < 12


def test_a_long_arabic_name_with_its_size_alone_on_a_line_is_set_smaller(
    gui: QGuiApplication,
) -> None:
    """"زيت الأركان التجميلي المعصور على البارد 250 مل" on 58 mm paper: one line a size
    smaller (still the VAT lines' size), not "250 مل" alone on a second line; on an
    Arabic receipt and under its French name on a receipt in two languages. A name that
    fits keeps the normal size."""
    name = "زيت الأركان التجميلي المعصور على البارد 250 مل"
    alone = render(_doc(Text(name, direction="rtl")), 384)
    assert len(_line_bands(alone)) == 1
    both = render(_doc(Columns("Huile d'argan cosmétique pressée à froid 250 ml", name)), 384)
    assert len(_line_bands(both)) == 3  # the French name on two lines, the Arabic on one
    short = render(_doc(Text("زيت الأركان 250 مل", direction="rtl")), 384)
    small = render(_doc(Text("زيت الأركان 250 مل", direction="rtl", size="small")), 384)
    (band,) = _line_bands(short)
    (small_band,) = _line_bands(small)
    assert _band_width(short, band) > _band_width(small, small_band)


def test_a_bilingual_label_that_wraps_above_its_value_keeps_its_words_together(
    gui: QGuiApplication,
) -> None:
    """"Remboursement du ticket / استرجاع الوصل" beside "T03-000123" does not fit on
    58 mm paper: the label takes one line a size smaller, the number the line under it,
    rather than "الوصل" alone on a second line and the number on a third."""
    label = f"Remboursement du ticket / {RLI}استرجاع الوصل{PDI}"
    row = render(_doc(Columns(label, "T03-000123")), 384)
    assert len(_line_bands(row)) == 2


def _first_word_group(raster: object, band: tuple[int, int], gap: int = 12) -> int:
    """The width of the ink at the left of ``band`` up to the first blank stretch of more
    than ``gap`` columns: the French name of a row whose Arabic name is at the right."""
    rows = b"".join(raster.row(y) for y in range(band[0], band[1] + 1))  # type: ignore[attr-defined]
    columns = sorted(_ink_columns(rows, raster.stride))  # type: ignore[attr-defined]
    end = columns[0]
    for x in columns[1:]:
        if x - end > gap:
            break
        end = x
    return end - columns[0]


@pytest.mark.parametrize("width", [384, 576])
def test_the_names_of_a_receipt_in_two_languages_are_all_one_size(
    gui: QGuiApplication, width: int
) -> None:
    """Every French name of a receipt in two languages is printed at the size of the
    others, whether its Arabic name shares its line or not: a pair too long for one line
    at that size ("Safran de Taliouine 1 g" beside "زعفران تالوين 1 غ" on 58 mm paper)
    takes two lines, the French name above the Arabic, rather than a smaller French."""
    words = receipts._Words("both")
    doc = sale_receipt(sample_sale(15), Shop(), "both", journal_hash=SAMPLE_HASH)
    names = [b for b in doc.blocks if isinstance(b, Columns) and not b.near
             and b.label in {p[1] for p in PRODUCTS}]
    assert len(names) == len(PRODUCTS)
    lines = {}
    for name in names:
        row = render(_doc(name), width)
        alone = render(_doc(Text(name.label)), width)
        (french,) = _line_bands(alone)
        bands = _line_bands(row)
        lines[name.label] = len(bands)
        assert abs(_first_word_group(row, bands[0]) - _band_width(alone, french)) <= 1, name
    assert words.name("زعفران تالوين 1 غ", "Safran de Taliouine 1 g") in names
    if width == 384:
        assert lines["Safran de Taliouine 1 g"] == lines["Savon beldi à l'argan"] == 2
        assert lines["Miel de thym"] == 1
    else:
        assert set(lines.values()) == {1}


def _refund_total(lang: str, amount: int = 0) -> Columns:
    """The total row of the sample refund, ``amount`` centimes more refunded (a carpet)."""
    refund = sample_refund()
    if amount:
        refund.lines.append(SaleLine(
            position=9, sku="S91", name_ar="زربية كبيرة", name_fr="Grand tapis", category="",
            member="", unit="piece", unit_price=amount, list_price=amount, quantity=-1000,
            discount=0, cart_discount=0, total=-amount, tax_rate=20))  # fmt: skip
        refund.subtotal -= amount
        refund.total -= amount
    doc = sale_receipt(refund, Shop(), lang, journal_hash=SAMPLE_HASH, original_number=123)
    return next(b for b in doc.blocks if isinstance(b, Columns) and b.size == "large")


@pytest.mark.parametrize("lang", ["both", "ar_en", "ar", "fr"])
@pytest.mark.parametrize("amount", [0, 1_162_717])  # refunds of 718,50 and 12 345,67 DH
def test_a_refunds_total_stays_on_one_line_of_58_mm_paper(
    gui: QGuiApplication, lang: str, amount: int
) -> None:
    """The total of a refund, its words in two languages and the amount given back, is
    one line on 58 mm paper, up to 12 345,67 DH, both its ends printed whole."""
    total = _refund_total(lang, amount)
    assert ("12" in total.value) == bool(amount)
    row = render(_doc(total), 384)
    assert len(_line_bands(row)) == 1, total
    columns = _ink_columns(b"".join(map(row.row, range(row.height))), row.stride)
    assert min(columns) <= MARGIN + 2 and max(columns) >= 384 - MARGIN - 4


#: Arabic words whose marks, dots, hamzas and descenders reach far over and under their
#: letters, one above the other (each one with a tall top under one that goes down low),
#: and Latin words with accents and descenders between them
TALL_AND_DEEP = ["أُمٌّ", "يجيء", "إِنَّ", "جِنّ", "لُؤْلُؤ", "فِيِّ", "ﷲ", "gypse", "آمين",
                 "الباقي", "Île", "شَدَّةٌ", "بِئْرٌ", "Été", "لِلْأَرْكَانِ", "جِئْ"]  # fmt: skip


def _lines_on_half(raster: object, right: bool, apart: int = 10) -> list[tuple[int, int]]:
    """(first, last) ink row of each line printed on the right or left half of the paper:
    runs of ink rows at most ``apart`` blank rows apart (a mark over or under a letter is
    nearer its letter)."""
    stride = raster.stride  # type: ignore[attr-defined]
    half = slice(stride // 2, stride) if right else slice(0, stride // 2)
    lines: list[tuple[int, int]] = []
    for y in range(raster.height):  # type: ignore[attr-defined]
        if any(raster.row(y)[half]):  # type: ignore[attr-defined]
            if lines and y - lines[-1][1] <= apart + 1:
                lines[-1] = (lines[-1][0], y)
            else:
                lines.append((y, y))
    return lines


@pytest.mark.parametrize("size", ["small", "normal", "large"])
@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("kind", [Text, Columns])
def test_arabic_lines_are_set_close_but_their_ink_never_comes_within_3_dots(
    gui: QGuiApplication, size: Size, bold: bool, kind: type[Text | Columns]
) -> None:
    """Lines holding Arabic are set by their ink: one under the other, words with tall
    marks (shadda, hamza, madda, ﷲ) under words with deep descenders and marks under them
    (ي ج, kasra), and Latin words beside them, the ink of two lines always keeps at least
    3 blank dots between them, none is cut at the paper's ends, and each prints whole;
    as paragraphs and as the labels of rows.

    The lines alternate between the right and the left half of the paper, so that the
    ink of each is told apart on the image."""
    words = TALL_AND_DEEP

    def line(i: int, word: str) -> Text | Columns:
        if kind is Columns:  # a label at the start of a row whose value is blank
            return Columns(word, "", direction="rtl" if i % 2 == 0 else "ltr", size=size,
                           bold=bold)  # fmt: skip
        return Text(word, direction="rtl", align="start" if i % 2 == 0 else "end", size=size,
                    bold=bold)  # fmt: skip

    raster = render(_doc(*(line(i, w) for i, w in enumerate(words))), 384)
    right, left = _lines_on_half(raster, True), _lines_on_half(raster, False)
    assert (len(right), len(left)) == ((len(words) + 1) // 2, len(words) // 2)
    lines = [(right if i % 2 == 0 else left)[i // 2] for i in range(len(words))]
    for i, (upper, lower) in enumerate(itertools.pairwise(lines)):
        assert lower[0] - upper[1] - 1 >= 3, (words[i], words[i + 1], upper, lower)
    assert lines[0][0] >= 3 and lines[-1][1] <= raster.height - 4  # the paper's ends
    for i, word in enumerate(words):  # each line whole: as tall as when set with room
        alone = render(_doc(Spacer(2), line(i, word), Spacer(2)), 384)
        (band,) = _lines_on_half(alone, i % 2 == 0)
        # (a dot more or less: a mark's ink as its baseline falls between two dots)
        assert abs((lines[i][1] - lines[i][0]) - (band[1] - band[0])) <= 1, word


@pytest.mark.parametrize("width", [384, 576])
def test_an_arabic_receipt_takes_little_more_paper_than_the_french_one(
    gui: QGuiApplication, shop: Shop, width: int
) -> None:
    """The receipt of a sale of 15 products in Arabic is hardly longer than in French:
    the lines holding Arabic no longer keep room for marks and descenders few words have
    (the Naskh font's own line height)."""
    sale = sample_sale(15)
    ar = render(sale_receipt(sale, shop, "ar", journal_hash=SAMPLE_HASH), width)
    fr = render(sale_receipt(sale, shop, "fr", journal_hash=SAMPLE_HASH), width)
    assert ar.height / fr.height < 1.15
