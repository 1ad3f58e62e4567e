"""A busy day at the stand on a 1024x600 laptop. Typed as a seller types, the keys go
where the focus is: choosing "Amount in DH" for a discount leaves the digits and Enter to
the discount, and the reason of a void is typed over the usual one, in a dialog wide
enough to read it. The day's reports open with their buttons in sight. A percentage
reads "10%" in Arabic, never mirrored into "% 10". With the printer off and receipts
waiting, the status bar still names the seller at the till. The sale just recorded never
starts a line with its colon. The refund's reason and method are one above the other."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import select

from pos.i18n import tr
from pos.models import Sale
from tests.pos.printing.conftest import FakePrinter
from tests.ui.conftest import MANAGER_PIN, click_tile, tile_row, type_pin
from tests.ui.test_day_and_refunds import ring
from tests.ui.test_sale_guards import on_modal

LEFT = Qt.MouseButton.LeftButton
SMALL = (1024, 600)


def type_where_the_focus_is(qtbot: Any, text: str) -> str:
    """Type ``text`` into the focused widget, then Enter; the widget's name."""
    widget = QApplication.focusWidget()
    assert widget is not None
    name = widget.objectName()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    return name


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_an_amount_discount_is_typed_after_choosing_amount(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    window = make_window(lang=lang, size=SMALL)
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {}

    def discount(dialog: Any) -> None:
        qtbot.mouseClick(dialog.amount, LEFT)  # "Amount in DH", then the digits
        seen["typed into"] = type_where_the_focus_is(qtbot, "5")
        seen["open"] = dialog.isVisible()

    on_modal(qtbot, "cartDiscountDialog", discount)
    qtbot.keyClick(sale.search, Qt.Key.Key_F9)
    assert seen == {"typed into": "cartDiscountDialogInput", "open": False}
    assert sale.cart.totals().total == 6000


def test_a_percent_chosen_again_takes_the_digits_too(qtbot: Any, make_window: Any) -> None:
    window = make_window(size=SMALL)
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: list[str] = []

    def discount(dialog: Any) -> None:
        qtbot.mouseClick(dialog.amount, LEFT)
        qtbot.mouseClick(dialog.percent, LEFT)  # no: ten per cent
        seen.append(type_where_the_focus_is(qtbot, "10"))

    on_modal(qtbot, "lineDiscountDialog", discount)
    qtbot.keyClick(sale.search, Qt.Key.Key_F8)
    assert seen == ["lineDiscountDialogInput"]
    assert sale.cart.totals().total == 5850


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_reason_of_a_void_is_typed_over_the_usual_one(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    window = make_window(lang=lang, size=SMALL)
    ring(qtbot, window, ["ROS-200"], (5000,))
    window.show_screen("sales")
    screen = window.sales
    screen.select_number(1)
    seen: dict[str, Any] = {}

    def void(dialog: Any) -> None:
        title = dialog.title
        seen["title whole"] = title.height() >= title.heightForWidth(title.width())
        seen["one line"] = (title.heightForWidth(title.width())
                            < 2 * title.fontMetrics().lineSpacing())
        reason = dialog.reason
        seen["reason whole"] = (reason.fontMetrics().horizontalAdvance(reason.text())
                                < reason.width())
        on_modal(qtbot, "pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        seen["typed into"] = type_where_the_focus_is(qtbot, "double ticket")

    on_modal(qtbot, "voidDialog", void)
    qtbot.mouseClick(screen.void_btn, LEFT)
    assert seen == {"title whole": True, "one line": True, "reason whole": True,
                    "typed into": "voidReason"}
    with window.ctx.read() as s:
        voids = [x.reason for x in s.scalars(select(Sale).where(Sale.kind == "void"))]
    assert voids == ["double ticket"]


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_report_opens_with_its_buttons_in_sight(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    window = make_window(lang=lang, size=SMALL)
    ring(qtbot, window, ["ROS-200"], (5000,))
    window.show_screen("day")
    seen: dict[str, Any] = {}

    def look(dialog: Any) -> None:
        seen["height"] = dialog.height()
        inside = dialog.rect()
        seen["buttons"] = {
            btn.objectName(): inside.contains(btn.geometry().translated(
                btn.parentWidget().mapTo(dialog, btn.parentWidget().rect().topLeft())))
            for btn in dialog.findChildren(QPushButton)}
        dialog.close()

    on_modal(qtbot, "receiptDialog", look)
    qtbot.mouseClick(window.day.x_btn, LEFT)  # the X report, shown on screen
    assert seen["height"] <= window.height() <= 600
    assert seen["buttons"] == {"receiptSavePng": True, "receiptSavePdf": True,
                               "receiptClose": True}


def drawn(widget: Any, text: str) -> str:
    """``text`` as ``widget`` draws it, left to right on the screen (spaces left out)."""
    layout = QTextLayout(text, widget.font())
    option = QTextOption()
    option.setTextDirection(widget.layoutDirection())
    layout.setTextOption(option)
    layout.beginLayout()
    layout.createLine().setLineWidth(1000)
    layout.endLayout()
    where = {i: layout.glyphRuns(i, 1)[0].boundingRect().x()
             for i, ch in enumerate(text) if not ch.isspace()}
    return "".join(text[i] for i in sorted(where, key=where.__getitem__))


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_percentage_reads_the_right_way_round(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    window = make_window(lang=lang, size=SMALL)
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    seen: list[str] = []

    def look(dialog: Any) -> None:
        for pct in (5, 10, 15, 20):
            btn = dialog.findChild(QPushButton, f"lineDiscountDialogQuick{pct}")
            seen.append(drawn(btn, btn.text()))
        dialog.reject()

    on_modal(qtbot, "lineDiscountDialog", look)
    qtbot.keyClick(window.sale.search, Qt.Key.Key_F8)
    assert seen == ["5%", "10%", "15%", "20%"]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_with_receipts_waiting_the_status_bar_still_names_the_seller(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    from tests.ui.test_printing import use_printer

    off = FakePrinter()
    off.close()  # nothing listens there: the printer is off
    window = make_window(lang=lang, size=SMALL)
    use_printer(window, off.port)
    window.printer.start()
    for _ in range(3):
        ring(qtbot, window, ["ROS-200"], (5000,))
        window.activateWindow()  # back from the payment dialog
        qtbot.waitUntil(window.isActiveWindow)
    bar = window.printer_bar
    qtbot.waitUntil(lambda: bar.isVisible() and window.printer.waiting == 3)
    qtbot.waitUntil(lambda: window.printer.state == "error")
    assert window.size().toTuple() == SMALL
    printer = window.printer_status
    qtbot.waitUntil(lambda: printer.shown_text() == printer.text())  # "not answering", whole
    assert bar.retry.isVisible() and bar.retry.width() >= bar.retry.sizeHint().width()
    assert window.user_status.shown_text() in (window.user_status.text(), "Aicha")
    day = window.day_status
    assert day.shown_text() in (day.text(), "● " + tr(lang, "ui.status.day_open_short"))
    assert day.text() in day.toolTip()  # the day's date, when it has no room


def lines_of(label: Any) -> list[str]:
    """The lines of a word-wrapped label as it lays them out in its present width."""
    text = label.text()
    layout = QTextLayout(text, label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    option.setTextDirection(label.layoutDirection())
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(label.contentsRect().width())
        lines.append(text[line.textStart():line.textStart() + line.textLength()].strip())
    layout.endLayout()
    return lines


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_sale_just_recorded_never_starts_a_line_with_its_colon(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    window = make_window(lang=lang, size=SMALL)
    ring(qtbot, window, ["ROS-200"], (5000,))
    label = window.sale.last_sale
    assert label.isVisible()
    lines = lines_of(label)
    assert len(lines) == 2  # the 1024 px cart is too narrow for one
    assert not any(line.startswith(":") for line in lines), lines


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_refund_reason_and_method_are_one_above_the_other(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    window = make_window(lang=lang, size=SMALL)
    ring(qtbot, window, ["ROS-200"], (5000,))
    window.show_screen("sales")
    window.sales.select_number(1)
    edges: list[tuple[int, int]] = []

    def look(dialog: Any) -> None:
        for field in (dialog.reason, dialog.method):
            left = field.mapTo(dialog, field.rect().topLeft()).x()
            edges.append((left, left + field.width()))
        dialog.reject()

    on_modal(qtbot, "refundDialog", look)
    qtbot.mouseClick(window.sales.refund_btn, LEFT)
    (reason_left, reason_right), (method_left, method_right) = edges
    if lang == "ar":  # the fields start at the right
        assert reason_right == method_right
    else:
        assert reason_left == method_left
