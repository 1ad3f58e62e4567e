"""The UI's side of printing: queue a receipt in the sale's own transaction, show a
receipt or report on screen, and report the printer's state as a Qt signal.

The printing service itself (``pos.printing.queue``) prints from a worker thread; the UI
never talks to the printer.
"""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from pos import receipts
from ui.context import AppContext
from ui.widgets import button, hbox, named


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


class PrintService(QObject):
    """Signals:
        state_changed(str, str): (state, detail); state is ``none`` (no printer set up),
            ``ready``, ``printing``, ``error``.
    """

    state_changed = Signal(str, str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.queue = _module("pos.printing.queue")
        self.render = _module("pos.printing.render")
        self.state = "none"
        self.detail = ""

    @property
    def available(self) -> bool:
        return self.queue is not None and hasattr(self.queue, "enqueue")

    def configured(self) -> bool:
        from pos import settings

        with self.ctx.read() as s:
            return bool(settings.get(s, settings.PRINTER))

    def enqueue(self, session: Session, kind: str, ref: str, *, duplicate: bool = False) -> None:
        """Queue a print job inside the caller's write transaction (nothing if no printer)."""
        if self.available and self.state != "none":
            self.queue.enqueue(session, kind, ref, duplicate=duplicate)

    def set_state(self, state: str, detail: str = "") -> None:
        self.state, self.detail = state, detail
        self.state_changed.emit(state, detail)

    def print_sale(self, sale_id: str, kind: str, *, duplicate: bool = False) -> bool:
        """Queue a (re)print; False when no printer is set up."""
        if not self.available or self.state == "none":
            return False
        with self.ctx.write() as s:
            self.queue.enqueue(s, kind, sale_id, duplicate=duplicate)
        return True

    def image(self, document: receipts.Document) -> QPixmap | None:
        if self.render is None:
            return None
        try:
            return QPixmap.fromImage(self.render.preview(document))
        except Exception:  # a preview must never break the till
            return None

    def show_document(self, parent: QWidget, document: receipts.Document) -> None:
        ReceiptDialog(self.ctx, parent, document, self.image(document)).exec()

    def show_receipt(self, parent: QWidget, sale_id: str, *, duplicate: bool = False) -> None:
        with self.ctx.read() as s:
            document = receipts.load_sale_receipt(s, sale_id, duplicate=duplicate)
        self.show_document(parent, document)


class ReceiptDialog(QDialog):
    """A receipt or report as it prints (or as text when no renderer is available)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, document: receipts.Document,
                 pixmap: QPixmap | None) -> None:
        super().__init__(parent)
        named(self, "receiptDialog", document.title)
        self.setWindowTitle(document.title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view = named(QLabel(), "receiptImage", document.title)
        view.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        view.setStyleSheet("background: white; padding: 12px;")
        if pixmap is not None:
            view.setPixmap(pixmap)
        else:
            view.setText(receipts.documents_text([document]))
            view.setStyleSheet("background: white; padding: 12px; font-family: monospace;")
        scroll = QScrollArea()
        scroll.setWidget(view)
        scroll.setWidgetResizable(True)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        close = button("receiptClose", role="primary")
        close.setText(ctx.t("ui.close"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(hbox(None, close))
        self.resize(480, 640)
