"""The till itself (offscreen), signed in as the cashier: rings a rug and an amlou, opens
the payment, takes a card part of 500,00 (CB777) and prints ``TAKEN`` once the payment
dialog has it, then waits in the dialog, as a seller does while the customer counts the
rest.

Run by test_held_carts.py, which kills this process with SIGKILL then (a crash, a dead
battery) and starts the till again on the same folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from pos import users
from pos.cart import PaymentSpec
from ui.app import application
from ui.context import AppContext
from ui.main_window import MainWindow


def main() -> None:
    app = application()
    ctx = AppContext.open(Path(sys.argv[1]), "fr")
    with ctx.read() as s:
        cashier = users.authenticate(s, sys.argv[2])
        s.expunge(cashier)
    ctx.user = cashier
    window = MainWindow(ctx, services=False)
    window.show()
    sale = window.sale
    products = {p.sku: p for p in sale.products}
    sale.add_product(products["RUG-S"])
    sale.add_product(products["AML-250"])

    def take_card() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "payDialog":
            QTimer.singleShot(10, take_card)
            return
        dialog.set_method("card")
        dialog.amount.setText("500")
        dialog.reference.setText("CB777")
        dialog.ok.click()
        assert dialog.payments == [PaymentSpec("card", 50000, None, "CB777")]
        print("TAKEN", flush=True)  # the seller saw the part taken

    QTimer.singleShot(0, take_card)
    QTimer.singleShot(0, sale.start_payment)
    app.exec()


if __name__ == "__main__":
    main()
