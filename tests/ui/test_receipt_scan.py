"""A customer comes back with a receipt: the seller scans its QR code with a 2D scanner,
wherever the focus is, and today's tickets screen shows that ticket, ready to refund,
invoice or print again; a receipt the journal does not hold as printed is said so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from pos.db import DB_FILENAME, Store
from tests.helpers import ring
from tests.pos.test_witness import printed_code

RETURN = Qt.Key.Key_Return


def scan(qtbot: Any, code: str) -> None:
    """What a scanner does: the characters and Enter, key after key without a pause, into
    whatever has the focus."""
    focus = QApplication.focusWidget()
    assert focus is not None
    qtbot.keyClicks(focus, code)
    qtbot.keyClick(focus, RETURN)


def two_sales(data_dir: Path) -> list[str]:
    """Ring two sales on the till of ``data_dir``: the QR codes of their receipts."""
    store = Store.open(data_dir / DB_FILENAME)
    try:
        return [printed_code(store, ring(store, [(sku, 1000)])) for sku in ("THY-50",
                                                                              "AML-250")]
    finally:
        store.close()


def test_scanning_a_receipt_shows_its_ticket(qtbot: Any, make_window: Any,
                                             data_dir: Path) -> None:
    window = make_window()
    first, _second = two_sales(data_dir)
    typed = QApplication.focusWidget()
    assert isinstance(typed, QLineEdit) and typed.text() == ""  # the sale screen's search
    scan(qtbot, first)
    qtbot.waitUntil(lambda: window.current_screen() == "sales")
    sales = window.sales
    qtbot.waitUntil(lambda: sales.selected() is not None)
    assert sales.label_of(sales.selected().number) == "T01-000001"
    assert sales.search.text() == "T01-000001"
    assert sales.banner.isHidden()
    assert typed.text() == ""  # the code went into no field


def test_a_receipt_that_does_not_match_the_journal_is_said_so(qtbot: Any, make_window: Any,
                                                               data_dir: Path) -> None:
    window = make_window(lang="en")
    first, _second = two_sales(data_dir)
    prefix, sale_id, label, total, digest = first.split(":")
    scan(qtbot, ":".join((prefix, sale_id, label, str(int(total) * 10), digest)))
    qtbot.waitUntil(lambda: window.current_screen() == "sales")
    sales = window.sales
    qtbot.waitUntil(lambda: not sales.banner.isHidden())
    assert sales.banner.text().startswith("Receipt T01-000001 does not match the journal: it "
                                          "was printed with ")
    assert sales.selected() is not None and sales.selected().id == sale_id.lower()


def test_a_code_typed_by_hand_is_left_alone(qtbot: Any, make_window: Any,
                                            data_dir: Path) -> None:
    window = make_window()
    first, _second = two_sales(data_dir)
    focus = QApplication.focusWidget()
    for key in first[:8]:
        qtbot.keyClicks(focus, key)
        qtbot.wait(80)  # a person's pace
    qtbot.keyClick(focus, RETURN)
    assert window.current_screen() == "sale"
