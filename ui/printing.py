"""The UI's side of printing: queue a receipt in the sale's own transaction, wake the
printing worker after the commit, show a receipt or report on screen, and report the
printer's state as a Qt signal.

The worker (``pos.printing.queue.PrintWorker``) prints on its own thread; the UI never
talks to the printer. Its modules (python-escpos, Pillow) are loaded after the first
screen is painted, so they do not slow the start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.widgets import button, hbox, named

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from pos import receipts

#: the connections a printer can have (``pos.printing.escpos_out.CONNECTIONS``)
CONNECTIONS = ("none", "usb", "network", "serial", "file", "cups", "win32")
#: which PrinterSettings field holds the address, per connection
ADDRESS_FIELD = {"usb": "usb", "network": "host", "serial": "serial_port", "file": "device",
                 "cups": "name", "win32": "name"}


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def printer_config(session: Session) -> dict[str, Any]:
    from pos import settings

    value = settings.get(session, settings.PRINTER)
    return dict(value) if isinstance(value, dict) else {}


def printer_address(config: dict[str, Any]) -> str:
    field = ADDRESS_FIELD.get(str(config.get("connection") or "none"))
    return str(config.get(field) or "") if field else ""


def make_config(old: dict[str, Any], connection: str, address: str, width: int) -> dict[str, Any]:
    """The PRINTER setting with a new connection, address and paper width."""
    config = dict(old)
    config["connection"] = connection
    config["width_dots"] = width
    field = ADDRESS_FIELD.get(connection)
    if field == "host" and ":" in address:
        host, _, port = address.rpartition(":")
        config["host"] = host
        if port.isdigit():
            config["port"] = int(port)
    elif field:
        config[field] = address
    return config


class PrintService(QObject):
    """Signals:
        state_changed(str, str): (state, message in the user's language); state is
            ``none`` (no printer set up: receipts are shown on screen), ``ready``,
            ``printing`` or ``error``.
        _event(object): a worker event, carried to the GUI thread.
    """

    state_changed = Signal(str, str)
    _event = Signal(object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.queue: Any = None
        self.render: Any = None
        self.worker: Any = None
        self.state = "none"
        self.detail = ""
        self.configured = False
        self._event.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self.reload_settings()

    def _load(self) -> None:
        if self.queue is None:
            self.queue = _module("pos.printing.queue")
        if self.render is None:
            self.render = _module("pos.printing.render")

    def reload_settings(self) -> None:
        if not self.ctx.ready and self.ctx.snapshot is not None:
            config = self.ctx.snapshot.printer  # the store opens just after the first paint
        else:
            with self.ctx.read() as s:
                config = printer_config(s)
        self.configured = (config.get("connection") or "none") != "none"
        self.set_state("ready" if self.configured else "none")

    def start(self) -> None:
        """Load the printing modules and start the worker (after the first paint)."""
        self._load()
        if self.queue is None or self.worker is not None:
            return
        self.worker = self.queue.PrintWorker(self.ctx.store, self._event.emit,
                                             lang=self.ctx.lang)
        self.worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop(timeout=2.0)
            self.worker = None

    def enqueue(self, session: Session, kind: str, ref: str | int, *,
                duplicate: bool = False) -> None:
        """Queue a print job inside the caller's write transaction (when a printer is set
        up); call :meth:`notify` once the transaction has committed."""
        if not self.configured:
            return
        self._load()
        if self.queue is not None:
            self.queue.enqueue(session, kind, ref, duplicate=duplicate)

    def notify(self) -> None:
        if self.worker is not None:
            self.worker.notify()

    def retry(self) -> None:
        if self.worker is not None:
            self.worker.retry()

    def set_state(self, state: str, detail: str = "") -> None:
        self.state, self.detail = state, detail
        self.state_changed.emit(state, detail)

    def _on_event(self, event: Any) -> None:
        state = {"printing": "printing", "printed": "ready", "failed": "error",
                 "cancelled": "ready"}.get(event.state, "ready")
        self.set_state(state, event.message if state == "error" else "")

    def print_job(self, kind: str, ref: str | int, *, duplicate: bool = False) -> bool:
        """Queue a (re)print or a report now; False when no printer is set up."""
        if not self.configured:
            return False
        with self.ctx.write() as s:
            self.enqueue(s, kind, ref, duplicate=duplicate)
        self.notify()
        return True

    def image(self, document: receipts.Document, width: int = 384) -> QPixmap | None:
        self._load()
        if self.render is None:
            return None
        try:
            return QPixmap.fromImage(self.render.preview(document, width))
        except Exception:  # a preview must never break the till
            return None

    def show_document(self, parent: QWidget, document: receipts.Document) -> None:
        ReceiptDialog(self.ctx, parent, document, self.image(document)).exec()

    def show_receipt(self, parent: QWidget, sale_id: str, *, duplicate: bool = False) -> None:
        from pos import receipts

        with self.ctx.read() as s:
            document = receipts.load_sale_receipt(s, sale_id, duplicate=duplicate)
        self.show_document(parent, document)


class ReceiptDialog(QDialog):
    """A receipt or report as it prints (or as text when no renderer is available)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, document: receipts.Document,
                 pixmap: QPixmap | None) -> None:
        from pos import receipts

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
