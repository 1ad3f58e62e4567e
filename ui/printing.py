"""The UI's side of printing: queue a receipt in the sale's own transaction, wake the
printing worker after the commit, show a receipt or report on screen (and save it as PNG
or PDF), report the printer's state as a Qt signal, the printer bar (the receipts waiting
for the printer, with "Retry printing"), the printer's question about a receipt that
may have come out whole ("Did receipt T03-000123 come out whole?" Yes / Print it again),
and the printer's fields of the wizard and the settings (:class:`PrinterForm`: the
address is checked before it is saved).

The worker (``pos.printing.queue.PrintWorker``) prints on its own thread; the UI never
talks to the printer. Its modules (python-escpos, Pillow) are loaded after the first
screen is painted, so they do not slow the start.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pos import oserrors
from pos.errors import InputError, SoukError
from pos.i18n import ltr, tr_count
from pos.printing import address
from ui.context import AppContext
from ui.scanner import BLOCK, SCANS
from ui.tasks import Task
from ui.theme import ACCENT, WARNING_LIGHT
from ui.widgets import (
    WRONG_FIELD,
    Banner,
    Dialog,
    ElidedLabel,
    Texts,
    button,
    hbox,
    label,
    mark_wrong,
    named,
    vbox,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from pos import receipts
    from pos.journal import Writer
    from pos.printing.queue import PrintEvent
    from pos.printing.render import Raster

#: the connections a printer can have (``pos.printing.escpos_out.CONNECTIONS``)
CONNECTIONS = ("none", "usb", "network", "serial", "file", "cups", "win32")
#: why the printer failed, as the status bar says it in a few words (``ui.printer.cause_*``)
CAUSES = ("offline", "no_paper", "not_configured", "bad_address", "not_here", "paper_width",
          "document", "no_access")
#: the connections whose printers the system can list: the USB printers plugged in, the
#: serial ports, the system's printers (:func:`find_printers`)
LISTED = ("usb", "serial", "cups")
#: the speeds a serial printer may talk at, in bauds (9600 unless its self-test page says)
BAUDRATES = (9600, 19200, 38400, 57600, 115200)
DEFAULT_BAUDRATE = 9600
#: the paper widths a receipt can be laid out for (``pos.printing.escpos_out``), in dots
MIN_WIDTH, MAX_WIDTH = 96, 2048
DEFAULT_WIDTH = 384
#: room for a window's title bar; the least height a receipt dialog is given
TITLE_BAR, MIN_DIALOG_HEIGHT = 40, 320
#: seconds the app, closing, waits for the printing thread: a printer hung in the middle
#: of a job (one that took no byte of it meanwhile) holds it up no longer (the job waits
#: in the queue for the next start)
STOP_GRACE = 0.2
#: seconds a receipt the printer is still taking is given to come out whole when the app
#: closes: what a slow serial printer needs for a receipt (some 17 kB at 9600 bauds)
FINISH_WITHIN = 20.0
#: the connections whose printers a test page asks whether they answer status requests
#: (``pos.printing.escpos_out.LEARNED``)
LEARNED = ("usb", "serial")


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
    """The address as the seller typed it (a network printer's port when not 9100)."""
    return address.shown(config)


def valid_width(width: object) -> bool:
    return type(width) is int and MIN_WIDTH <= width <= MAX_WIDTH


def paper_width(config: dict[str, Any]) -> int:
    """The configured paper width in dots (58 mm paper when unset or impossible)."""
    width = config.get("width_dots", DEFAULT_WIDTH)
    return width if valid_width(width) else DEFAULT_WIDTH


def make_config(old: dict[str, Any], connection: str, text: str, width: int,
                baudrate: int | None = None) -> dict[str, Any]:
    """The PRINTER setting with a new connection, address and paper width (and, for a
    serial printer, its speed in bauds); a width no receipt printer has
    (``printing.error.bad_width``) or an address of the wrong form (``printing.address.*``,
    :func:`pos.printing.address.parse`) raises :class:`~pos.errors.InputError`. Another
    connection or address is another printer: whether the old one answered status
    requests (``check_status``, learnt from a test page) is forgotten."""
    if not valid_width(width):
        raise InputError("printing.error.bad_width", width=width)
    config = dict(old)
    config.update(address.parse(connection, text))
    config["connection"] = connection
    config["width_dots"] = width
    if connection == "serial" and baudrate is not None:
        config["baudrate"] = baudrate
    same = (old.get("connection") or "none") == connection and (
        address.shown(old) == address.shown(config)
    )
    if not same and old.get("check_status") is not None:
        config["check_status"] = None
    return config


def paper_watch(config: dict[str, Any]) -> str:
    """Whether the printer of the PRINTER setting ``config`` says when its paper runs out:
    ``watched`` (it is asked before every receipt: an empty roll keeps the receipt
    waiting), ``unwatched`` (it is never asked: an empty roll goes unseen), ``unknown``
    (a USB or serial printer not asked yet: its test page asks it), "" without a printer.
    As ``pos.printing.escpos_out.PrinterSettings.asks_status`` reads the setting."""
    connection = config.get("connection") or "none"
    check = config.get("check_status")
    if connection == "none":
        return ""
    if check is None:
        if connection in LEARNED:
            return "unknown"
        return "watched" if connection == "network" else "unwatched"
    return "watched" if check else "unwatched"


def find_printers(connection: str) -> list[tuple[str, str]]:
    """(its name, the address to type) of each printer ``connection`` can reach now: the
    USB printers plugged in (named as they name themselves, or by their maker's brand;
    "" for the chips of many brands), the serial ports, the system's printers (CUPS).
    Asks the system (USB, ``lpstat``): not on the UI thread."""
    from pos.printing import escpos_out

    if connection == "usb":
        found = []
        for usb in escpos_out.list_usb_printers():
            brand = escpos_out.PRINTER_VENDORS.get(usb.vendor, "")
            name = " ".join(p for p in (usb.manufacturer, usb.name) if p)
            found.append((name or ("" if "generic" in brand else brand), usb.ids))
        return found
    if connection == "serial":
        return [(port, port) for port in escpos_out.list_serial_ports()]
    if connection == "cups":
        return [(name, name) for name in escpos_out.list_system_printers()]
    return []


class PrintService(QObject):
    """Signals:
        state_changed(str, str): (state, message in the user's language); state is
            ``none`` (no printer set up: receipts are shown on screen), ``ready``,
            ``printing``, ``unsure`` (a receipt may have come out whole: the seller is
            asked) or ``error`` (why, in a few words: :attr:`cause`, one of
            :data:`CAUSES`).
        queue_changed(): the receipts waiting (:attr:`waiting`) or that may have printed
            (:attr:`unsure`) changed.
        test_done(bool, str): a test page went to the printer (True) or did not, and the
            message for the screen where it was asked, in the user's language (a USB or
            serial printer that answered the status request after its page is asked for
            paper before every receipt from now on, and the message says so; one that
            did not is never asked, and the message says its roll must be watched; a
            printer known before has the message say which it is). A test
            page that did not print puts the printer in error (:attr:`by_test`: the
            screen that asked has told it whole) until a page or receipt prints; one cut
            off at the very end changes nothing (the seller is looking at it).
        _event(object): a worker event, carried to the GUI thread.
    """

    state_changed = Signal(str, str)
    queue_changed = Signal()
    test_done = Signal(bool, str)
    _event = Signal(object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.queue: Any = None
        self.render: Any = None
        self.worker: Any = None
        self.state = "none"
        self.detail = ""
        self.cause = ""  # why the printer is in error (CAUSES), "" when it is not
        self.by_test = False  # the error was found by a test page, not by a receipt
        self.configured = False
        self.width = DEFAULT_WIDTH
        self.waiting = 0  # jobs waiting for the printer
        self.unsure: dict[int, PrintEvent] = {}  # job id -> its "unsure" event
        self._finishing: QTimer | None = None  # the app closing waits for a receipt
        self._waited = False  # the app closing has waited for one already
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
        self.width = paper_width(config)
        self.set_state("ready" if self.configured else "none")

    def start(self) -> None:
        """Load the printing modules and start the worker (after the first paint)."""
        self._load()
        if self.queue is None or self.worker is not None:
            return
        self.worker = self.queue.PrintWorker(self.ctx.store, self._event.emit,
                                             lang=self.ctx.lang)
        self.worker.start()
        self.refresh_queue()

    def stop(self) -> None:
        """Stop the printing thread without waiting on the printer: a job it hangs in the
        middle of waits in the queue for the next start (or, when all of it went out, the
        seller is asked about it then)."""
        if self._finishing is not None:
            self._finishing.stop()
            self._finishing = None
        if self.worker is not None:
            self.worker.stop(timeout=STOP_GRACE)
            self.worker = None

    def finish(self, then: Callable[[], None]) -> bool:
        """The app closing: whether a receipt is let finish printing first, the printer
        still taking its bytes (some of them in :data:`STOP_GRACE`), so that it comes out
        whole rather than cut off and again at the next start. Nothing more is printed
        after it; ``then`` is called (on the GUI thread, which never waits meanwhile) once
        it is out, once the printer stops taking it, or after :data:`FINISH_WITHIN`
        seconds. False when nothing prints, when the printer hangs, once it has been
        waited for, and when asked again meanwhile (the seller closing again: it is not
        waited for any longer): :meth:`stop` then lets it go."""
        if self._finishing is not None or self._waited or self.worker is None:
            return False
        self._waited = True
        self.worker.halt()
        if not self.worker.finishing(STOP_GRACE):
            return False
        ticks = round(FINISH_WITHIN / STOP_GRACE)
        timer = self._finishing = QTimer(self)
        timer.setInterval(round(STOP_GRACE * 1000))

        def look() -> None:
            nonlocal ticks
            ticks -= 1
            if ticks > 0 and self.worker is not None and self.worker.finishing():
                return
            timer.stop()
            self._finishing = None
            then()

        timer.timeout.connect(look)
        timer.start()
        return True

    @property
    def finishing(self) -> bool:
        """Whether the app, closing, waits for a receipt to finish printing."""
        return self._finishing is not None

    def enqueue(self, writer: Writer, kind: str, ref: str | int, *,
                duplicate: bool = False, language: str | None = None) -> None:
        """Queue a print job inside the caller's write transaction (when a printer is set
        up), in the receipt ``language`` or the settings' one; call :meth:`notify` once the
        transaction has committed."""
        if not self.configured:
            return
        self._load()
        if self.queue is not None:
            self.queue.enqueue(writer, kind, ref, duplicate=duplicate, language=language)

    def notify(self) -> None:
        if self.worker is not None:
            self.worker.notify()

    def retry(self) -> None:
        """Send every waiting job again, as the originals they are (the worker prints)."""
        if self.worker is not None:
            self.worker.retry()

    def waiting_since(self) -> dt.datetime | None:
        """When the oldest receipt waiting for the printer was queued (UTC), if any."""
        self._load()
        if self.queue is None or not self.ctx.ready:
            return None
        with self.ctx.read() as s:
            jobs = self.queue.pending(s)
        return jobs[0].created_at if jobs else None

    def forget_waiting(self) -> int:
        """Cancel the receipts waiting for the printer (the seller's "Don't print them");
        how many they were."""
        self._load()
        if self.queue is None:
            return 0
        with self.ctx.write() as s:
            count = len(self.queue.forget_waiting(s))
        self.refresh_queue()
        return count

    def settle(self, job_id: int, *, printed: bool) -> None:
        """The seller's answer about a receipt that may have printed: it did, or print it
        again (a sale's receipt as a copy, which never opens the drawer)."""
        self._load()
        if self.queue is None:
            return
        with self.ctx.write() as s:
            self.queue.settle(s, job_id, printed=printed)
        self.unsure.pop(job_id, None)
        if not printed:
            self.notify()
        self.refresh_queue()

    def question(self, job_id: int) -> tuple[str, str]:
        """(the question about an unsure job, why it is asked), in the user's language."""
        event = self.unsure[job_id]
        lang = self.ctx.lang
        return (self.queue.question(lang, event.kind, event.label),
                self.ctx.t(f"printing.unsure.{event.reason or 'fault'}"))

    def refresh_queue(self) -> None:
        """Count the waiting jobs and list the unsure ones (a read of the stall database)."""
        self._load()
        if self.queue is None or not self.ctx.ready:
            return
        with self.ctx.read() as s:
            waiting = len(self.queue.pending(s))
            unsure = [job.id for job in self.queue.unsure(s)]
        # the questions come with the worker's events (it reports every unsure job it finds)
        self.unsure = {i: event for i, event in self.unsure.items() if i in unsure}
        self.waiting = waiting
        if not self.unsure and self.state == "unsure":
            self.set_state("ready" if self.configured else "none")
        self.queue_changed.emit()

    def set_state(self, state: str, detail: str = "", cause: str = "", *,
                  by_test: bool = False) -> None:
        self.state, self.detail = state, detail
        self.cause = cause if state == "error" and cause in CAUSES else ""
        self.by_test = by_test and state == "error"
        self.state_changed.emit(state, detail)

    def _on_event(self, event: PrintEvent) -> None:
        if self._waited:  # the app is closing: what the printer does now is not shown
            return
        if event.kind == "test":
            self._on_test(event)
            return
        state = {"printing": "printing", "printed": "ready", "failed": "error",
                 "cancelled": "ready", "unsure": "unsure"}.get(event.state, "ready")
        if event.state == "unsure":
            self.unsure[event.job_id] = event
        elif state == "ready" and self.unsure:
            state = "unsure"  # printing goes on; the question is still there
        self.set_state(state, event.message if state in ("error", "unsure") else "",
                       event.cause)
        if event.state != "printing":
            self.refresh_queue()

    def _on_test(self, event: PrintEvent) -> None:
        """A test page's outcome goes to the screen that asked for it; the status bar says
        whether the printer works."""
        if event.state == "printed":
            if self.state == "error":  # the printer works again
                self._works_again()
            message = self.ctx.t("ui.printer.test_printed")
            if event.answers:  # asked for paper before every receipt from now on
                message += " " + self.ctx.t("ui.printer.test_asks_paper")
            elif event.answers is False:  # never asked: an empty roll goes unseen
                message += " " + self.ctx.t("ui.printer.test_no_paper_state")
            else:  # known before: said again, for the seller at the printer
                with self.ctx.read() as s:
                    watch = paper_watch(printer_config(s))
                if watch in ("watched", "unwatched"):
                    message += " " + self.ctx.t(f"ui.printer.paper_{watch}")
            self.test_done.emit(True, message)
        elif event.state == "failed":
            if event.cause != "cut_off":  # a page cut off at the end may be whole
                self.set_state("error", event.message, event.cause, by_test=True)
            self.test_done.emit(False, event.message)

    def _works_again(self) -> None:
        """Out of error: ready, or still asking about a receipt that may have printed."""
        if self.unsure:
            event = self.unsure[min(self.unsure)]
            self.set_state("unsure", event.message)
        else:
            self.set_state("ready")

    def print_job(self, kind: str, ref: str | int, *, duplicate: bool = False,
                  language: str | None = None) -> bool:
        """Queue a (re)print or a report now; False when no printer is set up."""
        if not self.configured:
            return False
        with self.ctx.write() as s:
            self.enqueue(s, kind, ref, duplicate=duplicate, language=language)
        self.notify()
        self.refresh_queue()
        return True

    def raster(self, document: receipts.Document, width: int | None = None) -> Raster | None:
        """``document`` as it prints on the configured paper (``None`` without a renderer)."""
        self._load()
        if self.render is None:
            return None
        try:
            raster: Raster = self.render.render(document, width or self.width)
            return raster
        except Exception:  # a preview must never break the till
            return None

    def image(self, document: receipts.Document, width: int | None = None) -> QPixmap | None:
        raster = self.raster(document, width)
        return None if raster is None else QPixmap.fromImage(raster.to_image())

    def dialog(self, parent: QWidget | None, document: receipts.Document) -> ReceiptDialog:
        return ReceiptDialog(self.ctx, parent, document, self.raster(document))

    def show_document(self, parent: QWidget, document: receipts.Document) -> None:
        self.dialog(parent, document).exec()

    def show_receipt(self, parent: QWidget, sale_id: str, *, duplicate: bool = False,
                     language: str | None = None) -> None:
        from pos import receipts

        with self.ctx.read() as s:
            document = receipts.load_sale_receipt(s, sale_id, duplicate=duplicate,
                                                  lang=language)
        self.show_document(parent, document)


def fitting_height(parent: QWidget | None, wanted: int) -> int:
    """``wanted``, or less on a small screen: a dialog over ``parent`` no taller than its
    window nor than the screen (its title bar included), so its buttons stay in sight on
    a 1024x600 laptop."""
    heights = [wanted]
    # (QWidget.screen: the main window names its own screens "screen")
    screen = QWidget.screen(parent) if parent is not None else QGuiApplication.primaryScreen()
    if screen is not None:
        heights.append(screen.availableGeometry().height() - TITLE_BAR)
    if parent is not None:
        heights.append(parent.window().height())
    return max(MIN_DIALOG_HEIGHT, min(heights))


class ReceiptDialog(QDialog):
    """A receipt or report as it prints (or as text when no renderer is available), with
    "Save as PNG" and "Save as PDF" for a customer who wants a copy on the phone."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, document: receipts.Document,
                 raster: Raster | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.document = document
        self.raster = raster
        self.texts = Texts(ctx)
        named(self, "receiptDialog", document.title)
        self.setWindowTitle(document.title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.view = view = named(QLabel(), "receiptImage", document.title)
        view.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        view.setStyleSheet("background: white; padding: 12px;")
        if raster is not None:
            view.setPixmap(QPixmap.fromImage(raster.to_image()))
        else:
            view.setText(document.plain_text())
            view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            view.setStyleSheet("background: white; padding: 12px; font-family: monospace;")
        scroll = QScrollArea()
        scroll.setWidget(view)
        scroll.setWidgetResizable(True)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.banner = Banner("receiptSaveBanner")
        self.save_png = self.texts.button(button("receiptSavePng"), "ui.receipt.save_png")
        self.save_pdf = self.texts.button(button("receiptSavePdf"), "ui.receipt.save_pdf")
        self.save_png.clicked.connect(lambda: self.ask_save("png"))
        self.save_pdf.clicked.connect(lambda: self.ask_save("pdf"))
        for btn in (self.save_png, self.save_pdf):
            btn.setEnabled(raster is not None)
        close = button("receiptClose", role="primary")
        close.setText(ctx.t("ui.close"))
        close.clicked.connect(self.accept)
        close.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.banner)
        self.buttons = hbox(self.save_png, self.save_pdf, None, close)
        layout.addLayout(self.buttons)
        self.resize(max(480, (raster.width if raster is not None else 0) + 80),
                    fitting_height(parent, 640))

    def add_action(self, action: QWidget) -> None:
        """A button of the caller's (``Print a copy``), after the saving ones."""
        self.buttons.insertWidget(2, action)

    def suggested_name(self, kind: str) -> str:
        name = self.document.metadata.get("label") or self.document.kind or "receipt"
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-")
        return f"{safe or 'receipt'}.{kind}"

    def ask_save(self, kind: str) -> None:
        """Ask where to save the copy (``png`` or ``pdf``), then save it there."""
        start = str(Path.home() / self.suggested_name(kind))
        path, _ = QFileDialog.getSaveFileName(self, self.ctx.t(f"ui.receipt.save_{kind}"),
                                              start, self.ctx.t(f"ui.receipt.{kind}_files"))
        if path:
            self.save(path, kind)

    def save(self, path: str | Path, kind: str) -> Path | None:
        """Write the copy to ``path`` (the suffix added when missing); the outcome is shown
        in the dialog. Returns the file written, or None."""
        target = Path(path)
        if target.suffix.lower() != f".{kind}":
            target = target.with_name(target.name + f".{kind}")
        if self.raster is None:
            return None
        try:
            if kind == "pdf":
                self.raster.save_pdf(target)
            else:
                self.raster.save_png(target)
        except OSError as exc:  # written whole or not at all: no part of a file left
            self.banner.error(self.ctx.t("ui.receipt.save_failed", path=str(target),
                                         detail=oserrors.reason(exc).message(self.ctx.lang)))
            return None
        self.banner.notice(self.ctx.t("ui.receipt.saved", path=str(target)))
        return target


def since_text(at: dt.datetime, lang: str = "en") -> str:
    """When a receipt was queued (naive UTC), in this laptop's time as the app shows
    times: ``10:32`` today, else with its date (:func:`pos.clock.when_text`), kept left to
    right in an Arabic message."""
    from pos import clock  # not at start-up: the bar asks only once receipts wait

    when = clock.local(at)
    today = clock.local(dt.datetime.now(dt.UTC).replace(tzinfo=None)).date()
    text = when.strftime("%H:%M") if when.date() == today else clock.when_text(at)
    return ltr(text, lang)


class PrinterBar(QWidget):
    """The receipts waiting for the printer, with "Retry printing" (Ctrl+P). Hidden when
    none waits.

    The button is always whole: the count beside it gives way ("…", whole in its
    tooltip). With no printer set up ("on-screen preview") the receipts are still kept,
    but there is no button that could not print them: the bar says what to do instead
    (choose a printer in the settings), whole."""

    def __init__(self, ctx: AppContext, service: PrintService) -> None:
        super().__init__()
        named(self, "printerBar")
        self.ctx = ctx
        self.service = service
        self.texts = Texts(ctx)
        self.waiting = named(ElidedLabel(), "printerWaiting")
        self.retry = button("printerRetry", role="primary", shortcut="Ctrl+P")
        self.retry.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.texts.button(self.retry, "ui.printer.retry")
        self.retry.clicked.connect(self._retry)
        layout = hbox(self.waiting, self.retry)
        layout.setContentsMargins(0, 0, 0, 0)
        self.setLayout(layout)
        service.queue_changed.connect(self.update_view)
        service.state_changed.connect(lambda *_: self.update_view())  # a printer chosen
        ctx.language_changed.connect(lambda _lang: self.retranslate())
        self.update_view()

    def retranslate(self) -> None:
        self.texts.apply()
        self.update_view()

    def update_view(self) -> None:
        count = self.service.waiting
        printer = self.service.configured
        t = self.ctx.t
        key = "printing.waiting" if printer else "ui.printer.waiting_none"
        text = tr_count(self.ctx.lang, key, count)
        self.waiting.setText(text)
        # a tight status bar: "1 receipt waiting" beside "Retry printing"
        self.waiting.set_short(tr_count(self.ctx.lang, "ui.printer.waiting_short", count)
                               if printer else "")
        self.waiting.setToolTip(text if printer else f"{text}\n{t('ui.printer.waiting_none_tip')}")
        self.waiting.setAccessibleName(text)
        self.waiting.set_shrinks(printer)  # without a button, the text is what to do
        # hidden too when nothing waits: the status bar stays thin
        self.waiting.setVisible(count > 0)
        self.retry.setVisible(count > 0 and printer)
        self.setVisible(count > 0)

    def _retry(self) -> None:
        """Print what waits; when more than one receipt waits (the printer was away a
        while), the seller is asked first whether to print them all or none of them."""
        count = self.service.waiting
        if count > 1 and not self._print_them_all(count):
            return
        self.service.retry()

    def _print_them_all(self, count: int) -> bool:
        """Ask about the ``count`` receipts waiting: print them all (Enter), don't print
        them (each can be printed again from today's sales), or cancel (Esc)."""
        since = self.service.waiting_since()
        question = tr_count(self.ctx.lang, "ui.printer.ask_text", count,
                            time=since_text(since, self.ctx.lang) if since is not None else "")
        dialog = Dialog(self.ctx, self.window(), "printerAsk", "ui.printer.ask_title")
        dialog.setProperty(SCANS, BLOCK)
        dialog.setMinimumWidth(460)
        text = label("printerAskText", wrap=True)
        text.setText(question)
        dialog.body.addWidget(text)
        dialog.setAccessibleDescription(question)
        dialog.texts.button(dialog.ok, "ui.printer.print_all")
        forget = button("printerAskForget")
        forget.setAutoDefault(False)
        dialog.texts.button(forget, "ui.printer.forget")
        forgotten: list[int] = []

        def forget_them() -> None:
            forgotten.append(self.service.forget_waiting())
            dialog.reject()

        forget.clicked.connect(forget_them)
        dialog.buttons.insertWidget(1, forget)  # [stretch] forget, cancel, print them all
        dialog.ok.setFocus()
        return bool(dialog.exec()) and not forgotten


class PrinterQuestion(QFrame):
    """The question about a receipt that may have come out whole (the connection to the
    printer failed once all of it was sent, or the till stopped while it printed): "Did
    receipt T03-000123 come out whole?", why it is asked, and the seller's answers, "Yes"
    and "Print it again" (a sale's receipt then comes out as a copy, DUPLICATA). One
    question at a time, the oldest first.

    A strip under the screens, seen from every screen and in the way of none: while it
    asks it stands in for ``instead_of`` (the status bar: a 1024x600 screen has no room
    for both under the sale screen). Hidden when there is nothing to ask, and while the
    till is locked."""

    def __init__(self, ctx: AppContext, service: PrintService, *,
                 instead_of: QWidget | None = None) -> None:
        super().__init__()
        named(self, "printerQuestion")
        self.ctx = ctx
        self.service = service
        self.instead_of = instead_of
        self.texts = Texts(ctx)
        self.setStyleSheet(
            f"#printerQuestion {{ background: {WARNING_LIGHT}; border-top: 3px solid {ACCENT}; }}"
            " #printerQuestionText { font-size: 14px; font-weight: bold; }"
            " #printerQuestionWhy { font-size: 12px; }"
            " #printerQuestion QPushButton { min-height: 26px; padding: 3px 18px; }")
        self.question = label("printerQuestionText", wrap=True)
        self.why = label("printerQuestionWhy", wrap=True)
        for text in (self.question, self.why):
            text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.printed = button("printerUnsurePrinted", role="primary")
        self.texts.button(self.printed, "ui.printer.unsure_printed")
        self.texts.bind(self.printed.setToolTip, "ui.printer.unsure_printed_tip")
        self.printed.clicked.connect(lambda: self._settle(printed=True))
        self.reprint = button("printerUnsureReprint")
        self.texts.button(self.reprint, "ui.printer.unsure_reprint")
        self.texts.bind(self.reprint.setToolTip, "ui.printer.unsure_reprint_tip")
        self.reprint.clicked.connect(lambda: self._settle(printed=False))
        layout = hbox(spacing=10)
        layout.setContentsMargins(14, 2, 14, 2)  # two lines high: 1024x600 has no more
        layout.addLayout(vbox(self.question, self.why, spacing=0), 1)
        layout.addWidget(self.printed)
        layout.addWidget(self.reprint)
        self.setLayout(layout)
        service.queue_changed.connect(self.update_view)
        ctx.user_changed.connect(self.update_view)
        ctx.language_changed.connect(lambda _lang: self.retranslate())
        self.update_view()

    def retranslate(self) -> None:
        self.texts.apply()
        self.update_view()

    def job(self) -> int | None:
        """The unsure job asked about (the oldest), if any."""
        return min(self.service.unsure) if self.service.unsure else None

    def update_view(self) -> None:
        job_id = self.job()
        asking = job_id is not None and self.ctx.user is not None
        shown, hidden = (self, self.instead_of) if asking else (self.instead_of, self)
        if hidden is not None:  # first, and laid out, so the window never makes room for both
            hidden.hide()
            around = hidden.parentWidget()
            layout = around.layout() if around is not None else None
            if layout is not None:
                layout.activate()
        if shown is not None:
            shown.show()
        if job_id is None:
            return
        question, why = self.service.question(job_id)
        if self.service.unsure[job_id].kind in ("sale", "refund", "void"):
            why += " " + self.ctx.t("ui.printer.unsure_copy")
        self.question.setText(question)
        self.why.setText(why)
        self.setAccessibleName(question)
        self.question.setAccessibleName(question)
        self.why.setAccessibleName(why)

    def _settle(self, *, printed: bool) -> None:
        job_id = self.job()
        if job_id is not None:
            self.service.settle(job_id, printed=printed)


class PrinterForm(QObject):
    """The printer's fields of the wizard and the settings (connection, address, paper):
    the address's example follows the connection, and :meth:`check` checks what is typed
    before anything is saved: its form at once (:func:`pos.printing.address.parse`),
    then, for a device file, a serial port or a system printer, what the system says of
    it on a worker thread (:func:`pos.printing.address.look_up`: it may run a command or
    wait on a device). A refused address is marked and takes the focus.

    Its own rows (:meth:`add_rows`): for USB, serial and CUPS, the printers the system
    lists now (:meth:`look_around`, on a worker thread), to choose one rather than type
    its address, the first one typed when the address is not of the connection's form,
    and "Search again" once the printer is plugged in; for a serial printer, its speed.

    Signals:
        checking(str): the system is being asked (what to show meanwhile, in the user's
            language).
        checked(object, str): the PRINTER setting to save (a dict) and a warning to
            show with it, in the user's language ("" when there is none).
        refused(str): why nothing can be saved, in the user's language.
    """

    checking = Signal(str)
    checked = Signal(object, str)
    refused = Signal(str)

    def __init__(self, ctx: AppContext, kind: QComboBox, address_field: QLineEdit,
                 paper: QComboBox, parent: QObject | None = None, *,
                 name: str = "printer") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.field = address_field
        self.paper = paper
        self.texts = Texts(ctx)
        self.task: Task | None = None
        self.search: Task | None = None  # the printers being listed (find_printers)
        self.listed: tuple[str, list[tuple[str, str]]] | None = None  # (connection, found)
        self._config: dict[str, Any] = {}
        self._held: tuple[QWidget, ...] = ()
        self._form: QFormLayout | None = None
        # what the system lists, to choose from, and a serial printer's speed (add_rows)
        self.found = named(QComboBox(), f"{name}Found")
        self.texts.bind(self.found.setAccessibleName, "ui.printer.found")
        self.found.activated.connect(self._chosen)
        self.search_again = button(f"{name}Search")
        self.texts.button(self.search_again, "ui.printer.search_again")
        self.search_again.clicked.connect(self.look_around)
        self.none_found = label(f"{name}FoundNone", style="muted", wrap=True)
        self.none_found.setSizePolicy(QSizePolicy.Policy.Expanding,
                                      QSizePolicy.Policy.Preferred)
        self.none_found.setContentsMargins(10, 0, 10, 0)  # apart from the row's caption
        self.none_found.hide()
        self.found_row = QWidget()
        row = hbox(self.found, self.none_found, self.search_again)
        row.setContentsMargins(0, 0, 0, 0)
        row.setStretch(0, 1)
        row.setStretch(1, 1)
        self.found_row.setLayout(row)
        self.baud = named(QComboBox(), f"{name}Baud")
        self.texts.bind(self.baud.setAccessibleName, "ui.printer.baud")
        for rate in BAUDRATES:
            self.baud.addItem(str(rate), rate)
        address_field.setStyleSheet(WRONG_FIELD)
        address_field.textEdited.connect(lambda _text: mark_wrong(address_field, False))
        kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        ctx.language_changed.connect(lambda _lang: self._relabel())
        self.show_example()

    def add_rows(self, form: QFormLayout, caption: Callable[[str], QWidget]) -> None:
        """Put the printers the system lists above the address field of ``form`` and the
        speed of a serial printer below it, each row shown for the connections that have
        it (``caption``: a row's label for a catalogue key)."""
        at, _role = form.getWidgetPosition(self.field)
        form.insertRow(at + 1, caption("ui.printer.baud"), self.baud)
        form.insertRow(at, caption("ui.printer.found"), self.found_row)
        self._form = form
        self._show_rows()

    def _show_rows(self) -> None:
        if self._form is not None:
            kind = self.connection()
            self._form.setRowVisible(self.found_row, kind in LISTED)
            self._form.setRowVisible(self.baud, kind == "serial")

    def set_baudrate(self, rate: object) -> None:
        """Show ``rate`` (a saved setting's) as the serial printer's speed."""
        rate = rate if type(rate) is int and rate > 0 else DEFAULT_BAUDRATE
        if self.baud.findData(rate) < 0:
            self.baud.addItem(str(rate), rate)  # set by hand: kept as it is
        self.baud.setCurrentIndex(self.baud.findData(rate))

    def look_around(self) -> None:
        """List, on a worker thread, the printers the connection chosen can reach now
        (:func:`find_printers`), in :attr:`found`: choosing one types its address."""
        kind = self.connection()
        self.listed = None
        self.found.clear()
        if kind not in LISTED:
            return
        self.found.addItem(self.ctx.t("ui.printer.found_searching"))
        self.found.setEnabled(False)
        self.found.show()
        self.none_found.hide()
        search = Task(lambda _progress: (kind, find_printers(kind)), self)
        self.search = search
        search.succeeded.connect(self._listed)
        search.failed.connect(self._not_listed)
        search.finished.connect(search.deleteLater)
        search.start()

    def _not_listed(self, _exc: Exception) -> None:
        if self.sender() is self.search:
            self._listed((self.connection(), []))

    def _listed(self, result: tuple[str, list[tuple[str, str]]]) -> None:
        kind, found = result
        if self.sender() is not self.search or kind != self.connection():
            return  # the seller chose another connection, or searched again, meanwhile
        self.search = None
        self.listed = (kind, found)
        if found and not self._typed_for(kind):
            self.field.setText(found[0][1])  # the only printer, most often: typed for them
            mark_wrong(self.field, False)
        self._show_found()

    def _show_found(self) -> None:
        if self.listed is None:
            return
        kind, found = self.listed
        self.found.clear()
        self.found.setVisible(bool(found))
        self.none_found.setVisible(not found)
        if not found:  # what to do, in as many lines as it takes
            self.none_found.setText(self.ctx.t(f"ui.printer.found_none_{kind}"))
            return
        self.found.addItem(self.ctx.t("ui.printer.found_choose"))
        lang = self.ctx.lang
        for name, typed in found:
            if kind == "usb":  # its numbers too: the address it gives
                shown = f"{name or self.ctx.t('ui.printer.usb_printer')} ({ltr(typed, lang)})"
            else:  # a path or a name, left to right
                shown = ltr(name, lang)
            self.found.addItem(shown, typed)
        self.found.setEnabled(True)
        typed_now = self.field.text().strip()
        self.found.setCurrentIndex(max(0, self.found.findData(typed_now)))

    def _typed_for(self, kind: str) -> bool:
        """Whether the address field holds an address of the form ``kind`` needs (not
        one typed for another connection)."""
        try:
            address.parse(kind, self.field.text())
        except InputError:
            return False
        return True

    def _chosen(self, index: int) -> None:
        typed = self.found.itemData(index)
        if typed:
            self.field.setText(str(typed))
            mark_wrong(self.field, False)

    def _relabel(self) -> None:
        self.texts.apply()
        self.show_example()
        if self.search is not None:
            self.found.setItemText(0, self.ctx.t("ui.printer.found_searching"))
        self._show_found()

    def connection(self) -> str:
        return str(self.kind.currentData() or "none")

    def show_example(self) -> None:
        """The address's placeholder: an address of the right form for the connection."""
        kind = self.connection()
        key = "ui.printer.address_hint" if kind == "none" else f"ui.printer.address_hint_{kind}"
        self.field.setPlaceholderText(self.ctx.t(key))

    def _kind_changed(self) -> None:
        mark_wrong(self.field, False)
        self.show_example()
        self._show_rows()
        self.look_around()

    @property
    def busy(self) -> bool:
        return self.task is not None

    def check(self, old: dict[str, Any], hold: tuple[QWidget, ...] = ()) -> None:
        """Check the fields as the new PRINTER setting over ``old``; ends with
        :attr:`checked` or :attr:`refused` (at once, or once the system has answered;
        ``hold`` is disabled until then, and what of it was disabled already, such as a
        "Test page" waiting for its page's result, stays so)."""
        if self.task is not None:
            return
        kind = self.connection()
        try:
            config = make_config(old, kind, self.field.text(), self.paper.currentData(),
                                 self.baud.currentData())
        except InputError as exc:
            self._refuse(exc)
            return
        if kind not in address.LOOKED_UP:
            self.checked.emit(config, "")
            return
        field = address.FIELDS[kind]
        fields = {field: config[field]}
        self._config = config
        self._held = tuple(widget for widget in hold if widget.isEnabled())
        for widget in self._held:
            widget.setEnabled(False)
        self.task = Task(lambda _progress: address.look_up(kind, fields), self)
        self.task.succeeded.connect(self._found)
        self.task.failed.connect(self._failed)
        self.task.finished.connect(self.task.deleteLater)
        self.task.start()
        self.checking.emit(self.ctx.t("ui.printer.checking"))

    def _release(self) -> None:
        self.task = None
        for widget in self._held:
            widget.setEnabled(True)
        self._held = ()

    def _found(self, result: tuple[dict[str, Any], InputError | None]) -> None:
        self._release()
        fields, warning = result
        config = {**self._config, **fields}
        self.checked.emit(config, warning.message(self.ctx.lang) if warning else "")

    def _failed(self, exc: Exception) -> None:
        self._release()
        if isinstance(exc, SoukError):
            self._refuse(exc)
        else:
            self.refused.emit(self.ctx.t("ui.error.generic", detail=str(exc)[:160]))

    def _refuse(self, exc: SoukError) -> None:
        if exc.key.startswith("printing.address."):
            mark_wrong(self.field)
        self.refused.emit(exc.message(self.ctx.lang))
