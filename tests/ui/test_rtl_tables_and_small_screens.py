"""Arabic tables read from the right (each label at the right of its amount), the figures
screen and the first-run wizard fit a 1024x600 screen in every language, the hour chart
speaks each language, a negative stock keeps its minus before the digits in Arabic, and
the products table leaves room for the names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QPushButton
from sqlalchemy import select

from pos import day, settings
from pos.cart import PaymentMethod, PaymentSpec, cash
from pos.db import DB_FILENAME, Store
from pos.i18n import tr, tr_count
from pos.models import Product
from pos.money import NBSP, format_amount, format_quantity
from pos.reports import day_report
from tests.helpers import painted_shapes
from tests.ui.conftest import click_tile, tile_row
from tests.ui.test_language_and_layout import problems
from ui.theme import DANGER

LEFT = Qt.MouseButton.LeftButton
SMALL = (1024, 600)
#: six products and three ways of paying: the figures screen at its fullest
SOLD: tuple[tuple[str, PaymentMethod], ...] = (
    ("RUG-L", "cash"), ("RUG-S", "card"), ("ARG-250", "mobile"), ("HNY-THY", "cash"),
    ("SAF-5G", "card"), ("TAJ-M", "cash"))


def settle() -> None:
    """Let the layouts catch up: a label's new text asks its parents, one level per round
    of events, to lay out again (and a window to grow when its screen needs more room)."""
    for _ in range(12):
        QApplication.processEvents()


def sell(qtbot: Any, window: Any, sku: str, method: PaymentMethod) -> int:
    """Ring up one ``sku`` and take the payment; the sale's total."""
    click_tile(qtbot, window, tile_row(window, sku))
    total = window.sale.cart.totals().total
    payment = (cash(total) if method == "cash"
               else PaymentSpec(method, total, None, f"REF{len(sku)}{total}"))
    assert window.sale.complete([payment])
    return int(total)


# --- where a table's cells are drawn ------------------------------------------------------
def _ink(label: QLabel, html: str) -> tuple[int, int]:
    """The first and last columns of dark pixels of ``html`` drawn as ``label`` draws it."""
    probe = QLabel()
    probe.setTextFormat(Qt.TextFormat.RichText)
    probe.setWordWrap(label.wordWrap())
    probe.setFont(label.font())
    probe.setLayoutDirection(label.layoutDirection())
    probe.setContentsMargins(label.contentsMargins())
    probe.setAlignment(label.alignment())
    probe.setStyleSheet("background: white; color: black;")
    probe.setFixedSize(label.size())
    probe.setText(html)
    image = probe.grab().toImage()
    columns = [x for x in range(image.width())
               if any(image.pixelColor(x, y).lightness() < 110 for y in range(image.height()))]
    assert columns, f"nothing drawn for {html!r}"
    return columns[0], columns[-1]


def cell_spans(label: QLabel, name: str, figure: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Where the row named ``name`` of ``label``'s table draws its name and its ``figure``
    (each drawn alone, the other cells in white)."""
    html = label.text()
    cells = list(re.finditer(r"(<td[^>]*>)(.*?)(</td>)", html))
    row = next(r for r in re.finditer(r"<tr>.*?</tr>", html) if name in r.group())
    mine = [i for i, c in enumerate(cells) if row.start() <= c.start() < row.end()]
    name_cell = next(i for i in mine if name in cells[i].group(2))
    figure_cell = next(i for i in mine if figure in cells[i].group(2) and i != name_cell)

    def only(keep: int) -> str:
        """``html`` with every cell but ``keep`` written in white."""
        out, at = [], 0
        for i, c in enumerate(cells):
            out.append(html[at:c.start()])
            inner = c.group(2) if i == keep else f"<span style='color:#ffffff'>{c.group(2)}</span>"
            out.append(c.group(1) + inner + c.group(3))
            at = c.end()
        return "".join(out) + html[at:]

    return _ink(label, only(name_cell)), _ink(label, only(figure_cell))


def assert_reads(label: QLabel, name: str, figure: str, lang: str) -> None:
    """In Arabic the name is drawn to the right of its figure, otherwise to the left."""
    (name_left, name_right), (fig_left, fig_right) = cell_spans(label, name, figure)
    if lang == "ar":
        assert name_left > fig_right, (name, figure, (name_left, name_right), (fig_left,
                                                                               fig_right))
    else:
        assert name_right < fig_left, (name, figure, (name_left, name_right), (fig_left,
                                                                              fig_right))


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_tables_put_each_label_on_the_reading_side(qtbot: Any, make_window: Any,
                                                   lang: str) -> None:
    window = make_window(lang=lang)
    t = window.ctx.t
    total = sell(qtbot, window, "RUG-L", "cash")
    other = sell(qtbot, window, "SAF-5G", "card")
    window.show_screen("day")
    settle()
    assert_reads(window.day.summary, t("report.float"), format_amount(50000, lang), lang)
    assert_reads(window.day.summary, t("report.net"), format_amount(total + other, lang), lang)

    window.show_screen("figures")
    settle()
    assert_reads(window.figures.methods, t("payment.cash"), format_amount(total, lang), lang)
    assert_reads(window.figures.methods, t("payment.card"), "%", lang)
    rug = next(p for p in window.sale.products if p.sku == "RUG-L")
    name = window.ctx.name_of(rug.name_ar, rug.name_fr)
    assert_reads(window.figures.top, name, format_amount(total, lang), lang)

    window.show_screen("sales")
    window.sales.select_number(1)
    settle()
    detail = window.sales.detail
    assert_reads(detail, name, format_amount(total, lang), lang)
    assert_reads(detail, t("ui.cart.total"), format_amount(total, lang), lang)
    assert_reads(detail, t("payment.cash"), format_amount(total, lang), lang)


# --- a 1024x600 screen ----------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_figures_fit_a_small_screen(qtbot: Any, make_window: Any, lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    for sku, method in SOLD:
        sell(qtbot, window, sku, method)
    window.show_screen("figures")
    screen = window.figures
    for button in (screen.today_btn, screen.edition_btn):
        qtbot.mouseClick(button, LEFT)
        settle()
        assert screen.top.text().count("<tr>") == 6
        assert screen.methods.text().count("<tr>") == 3
        assert window.minimumSizeHint().height() <= SMALL[1]
        assert (window.width(), window.height()) == SMALL
        bar = window.statusBar()
        assert bar.isVisible()
        assert window.rect().contains(bar.geometry())
        # everything shows at once: the figures need no scrolling
        assert screen.scroller.verticalScrollBar().maximum() == 0
        assert problems(window) == []
    window.show_screen("sale")
    settle()
    assert window.height() == SMALL[1]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_wizard_fits_a_small_screen(qtbot: Any, tmp_path: Path, lang: str) -> None:
    from ui.app import application, build
    from ui.context import AppContext

    app = application()
    ctx = AppContext.open(tmp_path / "blank", lang)
    holder = build(ctx)
    qtbot.addWidget(holder)
    holder.resize(*SMALL)
    holder.show()
    qtbot.waitExposed(holder)
    wizard: Any = holder.centralWidget()
    try:
        seen = []
        for step in range(5):
            if step in (1, 2):  # each form page once with its error shown
                qtbot.mouseClick(wizard.next, LEFT)
                assert wizard.banner.isVisible()
            settle()
            seen.append((step, holder.width(), holder.height(), problems(holder)))
            if step == 1:
                wizard.name_fr.setText("Coopérative Amal")
            if step == 2:
                wizard.manager_name.setText("Khadija")
                wizard.pin.setText("2468")
                wizard.pin2.setText("2468")
            if step < 4:
                qtbot.mouseClick(wizard.next, LEFT)
        assert seen == [(step, *SMALL, []) for step in range(5)]
    finally:
        holder.close()
        ctx.store.close()
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


# --- the hour chart ---------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "hour", "value"), [
    ("fr", "{h} h", f"2{NBSP}400{NBSP}DH"), ("en", "{h}:00", f"MAD{NBSP}2,400"),
    ("ar", "{h}:00", f"2{NBSP}400{NBSP}د.م."),
])
def test_hour_chart_labels(qtbot: Any, make_window: Any, lang: str, hour: str,
                           value: str) -> None:
    window = make_window(lang=lang)
    sell(qtbot, window, "RUG-L", "cash")
    window.show_screen("figures")
    bars = [(name, text) for name, amount, text in window.figures.chart.bars if amount]
    with window.ctx.read() as s:
        current = day.current_day(s)
        assert current is not None
        hours = [h.hour for h in day_report(s, current).hours]
    assert bars == [(hour.format(h=hours[0]), value)]


def test_whole_dirhams_round_to_the_nearest_dirham() -> None:
    from ui.figures import whole_dirhams

    assert whole_dirhams(567_749, "en") == "5,677"
    assert whole_dirhams(567_750, "en") == "5,678"
    assert whole_dirhams(567_700, "fr") == f"5{NBSP}677"
    assert whole_dirhams(100_000_000, "en") == "1,000,000"
    assert whole_dirhams(0, "ar") == "0"


def test_whole_money_writes_the_currency() -> None:
    from pos.money import format_money

    def whole_money(centimes: int, lang: str) -> str:
        return format_money(centimes, lang, whole=True)

    assert whole_money(567_750, "fr") == f"5{NBSP}678{NBSP}DH"
    assert whole_money(567_749, "en") == f"MAD{NBSP}5,677"
    assert whole_money(100_000, "ar") == f"1{NBSP}000{NBSP}د.م."


# --- the products table -----------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_negative_stock_keeps_its_minus_before_the_digits(qtbot: Any, make_window: Any,
                                                            data_dir: Path, lang: str) -> None:
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        product = s.scalar(select(Product).where(Product.sku == "TAJ-M"))
        assert product is not None
        product.stock = -25000  # sold past what was counted in
    store.close()
    window = make_window(lang=lang)
    window.show_screen("products")
    screen = window.products
    qtbot.keyClicks(screen.search, "TAJ-M")
    table = screen.table
    index = table.model().index(0, 5)
    shown = str(index.data())
    assert shown == format_quantity(-25000, "piece", lang)  # in Arabic the CLDR's minus
    # as the table paints it: the minus at the left of the 2 and the 5
    assert painted_shapes(table.viewport(), table.visualRect(index)) == "-##"


def test_the_names_have_room_on_a_small_screen(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="fr", size=SMALL)
    window.show_screen("products")
    settle()
    table = window.products.table
    header = table.horizontalHeader()
    widths = [header.sectionSize(c) for c in range(header.count())]
    assert widths[1] == max(widths)
    metrics = table.fontMetrics()
    names = [str(table.model().index(r, 1).data()) for r in range(table.model().rowCount())]
    whole = [n for n in names if metrics.horizontalAdvance(n) + 12 <= widths[1]]
    assert len(whole) >= 0.8 * len(names), sorted(set(names) - set(whole))
    assert sum(widths) <= table.viewport().width()


def _column_widths(table: Any) -> list[int]:
    """The widths of the columns but the name's (which takes what the scroll bar leaves)."""
    header = table.horizontalHeader()
    return [header.sectionSize(c) for c in range(header.count()) if c != 1]


def _cut_cells(table: Any) -> list[str]:
    """The texts of the SKU, category, price, unit and stock cells that their column cuts
    short: wider, as the table's own delegate lays them out, than the cell (the column
    less its grid line)."""
    model = table.model()
    return [str(index.data()) for column in (0, 2, 3, 4, 5) for row in range(model.rowCount())
            if table.sizeHintForIndex(index := model.index(row, column)).width() + 1
            > table.columnWidth(column)]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_product_columns_show_every_text_and_hold_still_while_searching(
        qtbot: Any, make_window: Any, lang: str) -> None:
    from pos import catalogue
    from pos.catalogue import ProductData

    window = make_window(lang=lang)
    window.show_screen("products")
    settle()
    screen = window.products
    table = screen.table
    assert _cut_cells(table) == []
    widths = _column_widths(table)
    qtbot.keyClicks(screen.search, "TAJ-M")  # one row, with a short SKU
    settle()
    assert table.model().rowCount() == 1
    assert _column_widths(table) == widths
    screen.search.clear()
    settle()
    assert _column_widths(table) == widths
    # a product with a longer SKU and a bigger price widens those columns
    with window.ctx.write() as s:
        catalogue.add_or_update(s, ProductData(
            sku="COFFRET-CADEAU-ARGAN-XXL", name_ar="علبة هدايا", name_fr="Coffret cadeau",
            price=12_345_600, stock=-1_234_000))
    window.ctx.catalogue_changed.emit()
    settle()
    assert _cut_cells(table) == []
    wider = _column_widths(table)
    assert wider[0] > widths[0] and wider[2] > widths[2], (widths, wider)  # SKU and price


# --- translated file filters and the printer example ----------------------------------------
def test_file_filters_and_printer_example_are_translated(qtbot: Any, make_window: Any,
                                                         tmp_path: Path,
                                                         monkeypatch: Any) -> None:
    from ui.app import build
    from ui.context import AppContext
    from ui.products import ProductDialog

    asked: list[str] = []

    def pick(_parent: Any, _caption: str, _folder: str, filters: str) -> tuple[str, str]:
        asked.append(filters)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(pick))
    window = make_window(lang="ar")
    dialog = ProductDialog(window.ctx, window, window.products.photos)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.findChild(QPushButton, "productChoosePhoto"), LEFT)
    window.show_screen("settings")
    example = window.settings.printer_address.placeholderText()

    ctx = AppContext.open(tmp_path / "blank", "ar")
    holder = build(ctx)
    qtbot.addWidget(holder)
    wizard: Any = holder.centralWidget()
    try:
        qtbot.mouseClick(wizard.findChild(QPushButton, "setupLogoChoose"), LEFT)
        assert wizard.printer_address.placeholderText() == example != ""
    finally:
        holder.close()
        ctx.store.close()
    assert asked == ["الصور (*.png *.jpg *.jpeg)", "الصور (*.png *.jpg *.jpeg *.bmp)"]


# --- a long ticket on a 1024x600 screen -----------------------------------------------------
EIGHT = ("ARG-250", "AML-250", "HNY-THY", "SAF-1G", "GHS-200", "ROS-200", "TAJ-M", "OLV-1L")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_an_eight_line_ticket_and_its_refund_fit_a_small_screen(qtbot: Any, make_window: Any,
                                                                lang: str) -> None:
    from tests.ui.conftest import MANAGER_PIN, type_pin
    from tests.ui.test_sale_guards import on_modal

    window = make_window(lang=lang, size=SMALL)
    for sku in EIGHT:
        click_tile(qtbot, window, tile_row(window, sku))
    assert window.sale.complete([cash(window.sale.cart.totals().total)])
    window.show_screen("sales")
    screen = window.sales
    screen.select_number(1)
    settle()
    assert screen.detail.text().count("<tr>") == 8 + 2  # the lines, the total, the payment
    assert window.minimumSizeHint().height() <= SMALL[1]
    assert (window.width(), window.height()) == SMALL
    assert problems(window) == []
    for btn in (screen.reprint_btn, screen.refund_btn, screen.void_btn):
        assert window.rect().contains(QRect(btn.mapTo(window, QPoint(0, 0)), btn.size()))
    bar = screen.detail_area.verticalScrollBar()
    assert bar.maximum() > 0  # the ticket's end is reached by scrolling its card
    seen: list[tuple[int, int, bool, bool]] = []

    def refund(dialog: Any) -> None:
        settle()
        ok = QRect(dialog.ok.mapTo(dialog, QPoint(0, 0)), dialog.ok.size())
        last = list(dialog.fields.values())[-1]
        dialog.lines_area.ensureWidgetVisible(last)
        settle()
        shown = dialog.lines_area.viewport().rect()
        at = QRect(last.mapTo(dialog.lines_area.viewport(), QPoint(0, 0)), last.size())
        seen.append((dialog.height(), len(problems(dialog)), dialog.rect().contains(ok),
                     shown.contains(at)))
        dialog.fill_all()
        dialog.reason.setCurrentIndex(0)
        on_modal(qtbot, "pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "refundDialog", refund)
    qtbot.mouseClick(screen.refund_btn, LEFT)
    assert seen and seen[0][0] <= SMALL[1] - 60, seen  # room for a title bar and a panel
    assert seen[0][1:] == (0, True, True)  # nothing cut, the button and the last line reached
    with window.ctx.read() as s:
        from pos.models import Sale

        assert s.scalars(select(Sale).where(Sale.kind == "refund")).one().total < 0
    settle()
    assert (window.width(), window.height()) == SMALL


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_long_status_ends_with_an_ellipsis_not_in_a_word(qtbot: Any, make_window: Any,
                                                             lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    words = {"fr": "Synchro : hors ligne - 2 journées en attente · 1 journée mise de côté · "
                   "dernier envoi à 14:05",
             "ar": "المزامنة: غير متصل - يومان في الانتظار · يوم واحد موقوف · "
                   "آخر إرسال الساعة 14:05 · " + "ملاحظة " * 8}[lang]
    label = window.sync_status
    label.setText(words)
    label.set_short("")  # words with no short form (the sync's are "Sync: offline"...)
    qtbot.waitUntil(lambda: label.width() < label.sizeHint().width())  # too narrow for it
    shown = label.shown_text()
    assert shown.endswith("…") and words.startswith(shown[:-1])
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert window.statusBar().geometry().bottom() < SMALL[1]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_printer_status_and_retry_are_whole_on_a_small_screen(
        qtbot: Any, make_window: Any, tmp_path: Path, lang: str) -> None:
    """A printer that does not answer, on a 1024x600 screen: the status bar says so in a
    few words, whole and in red, with "Retry printing" whole beside the receipts waiting
    (the labels around give way); what to do is above the sale screen and in the
    tooltip. With no printer set up the bar says, whole, what the seller can do."""
    from tests.pos.printing.conftest import FakePrinter
    from tests.ui.test_printing import sell_cash, use_printer
    from ui.printing import make_config

    off = FakePrinter()
    off.close()  # nothing listens there: the printer is off
    window = make_window(lang=lang, size=SMALL)
    use_printer(window, off.port)
    window.printer.start()
    sell_cash(qtbot, window)
    message = tr(lang, "printing.error.offline")
    bar = window.printer_bar
    qtbot.waitUntil(lambda: bar.isVisible() and window.printer.detail == message)
    settle()
    status = window.printer_status
    words = tr(lang, "ui.status.printer", state=tr(lang, "ui.printer.cause_offline"))
    assert status.text() == words and status.shown_text() == words  # whole
    assert status.palette().color(status.foregroundRole()) == QColor(DANGER)
    assert status.toolTip() == f"{words} — {message}"  # what to do, whole
    banner = window.sale.banner  # and above the sale screen, where the seller looks
    assert banner.isVisible() and banner.text() == message
    assert tr(lang, "ui.printer.retry") in message
    retry = bar.retry
    assert retry.text() == tr(lang, "ui.printer.retry") + "  (Ctrl+P)"
    assert retry.width() >= retry.sizeHint().width()  # the button is whole
    assert window.rect().contains(QRect(retry.mapTo(window, QPoint(0, 0)), retry.size()))
    waiting = {"ar": "وصل واحد في انتظار الطباعة", "fr": "1 ticket en attente d'impression",
               "en": "1 receipt waiting for the printer"}[lang]
    short = {"ar": "وصل واحد في الانتظار", "fr": "1 ticket en attente",
             "en": "1 receipt waiting"}[lang]
    assert bar.waiting.text() == waiting and bar.waiting.shown_text() in (waiting, short)
    assert bar.waiting.toolTip() == waiting
    assert window.statusBar().geometry().right() < SMALL[0]
    assert (window.width(), window.height()) == SMALL
    window.grab().save(str(tmp_path / f"printer-error-{lang}.png"))
    # no printer now: the receipt is kept; no button that cannot print; what to do, whole
    with window.ctx.write() as s:
        settings.put(s, settings.PRINTER, make_config({}, "none", "", 384))
    window.ctx.settings_changed.emit()
    settle()
    kept = tr_count(lang, "ui.printer.waiting_none", 1)
    assert kept.startswith({"ar": "وصل واحد لم يُطبع", "fr": "1 ticket non imprimé",
                            "en": "1 receipt not printed"}[lang])
    assert not retry.isVisible() and bar.waiting.isVisible()
    assert bar.waiting.text() == kept and bar.waiting.shown_text() == kept
    assert status.shown_text() == status.text() == tr(
        lang, "ui.status.printer", state=tr(lang, "ui.printer.none"))
    assert (window.width(), window.height()) == SMALL
    window.grab().save(str(tmp_path / f"printer-none-{lang}.png"))
