"""The main window: a navigation rail (F1..F6), the screens, and the status bar (a cart
that the database will not take, business day, printer, sync, the clock's difference from
the organisers' server past 5 minutes, receipts waiting, cashier). A status bar too narrow
for all of it whole (1024 px while receipts wait) shows short forms, the whole words in the
tooltips.

Given a context that is still starting (``AppContext.starting``), the window paints the
sale screen from the snapshot and opens the store right after its first paint (a tap
made meanwhile waits in the event queue, or in the sale screen's); the other screens and
the services wait for it. Printing and sync then load on a worker thread
(``ui.preload``) and start once loaded.

Closing the window over a cart that is not sold asks first (No by default), saying that
the cart and the parts of its payment already taken are kept in the database and come back
on the next start (or, when the cart could not be written, that closing loses it). A
receipt still printing then is let finish, the window saying so, unless the printer stops
taking it (``ui.printing.PrintService.finish``); closing again does not wait. When the
laptop's clock is found behind the open day's records (it was put back), the sale screen's
banner says so after each sale; the sales go through."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QKeySequence,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos.i18n import tr_count
from pos.money import format_money
from ui import tasks
from ui.context import AppContext
from ui.login import LoginScreen
from ui.preload import SERVICE_MODULES, Preload
from ui.printing import PrinterBar, PrinterQuestion, PrintService
from ui.sale import SaleScreen
from ui.scanner import ScannerFilter, is_receipt
from ui.theme import WARNING_LIGHT
from ui.tiles import Photos
from ui.widgets import ElidedLabel, Texts, button, confirm, hbox, named, vbox

if TYPE_CHECKING:
    from ui.day_screen import DayScreen
    from ui.figures import FiguresScreen
    from ui.products import ProductsScreen
    from ui.sales import SalesScreen
    from ui.settings_screen import SettingsScreen

RETRY_OPEN_MS = 3000  # a store that would not open (locked, disk trouble) is tried again
WIDEST = 16_777_215  # Qt's QWIDGETSIZE_MAX: no maximum width
STATUS_SPACING = 6  # QStatusBar's space between its widgets (and at its ends)
STATUS_SLACK = 2  # a short form is measured to the pixel; a rounding must not cut it
WAITING_INK = "#6b4e00"  # dark amber on WARNING_LIGHT: read at a glance, not an alarm
CLOCK_WARNING_S = 60  # how long the warning of a clock put back stays (again at each sale)

SCREENS = (
    ("sale", "ui.nav.sale", "F1"),
    ("sales", "ui.nav.sales", "F2"),
    ("day", "ui.nav.day", "F3"),
    ("products", "ui.nav.products", "F4"),
    ("figures", "ui.nav.figures", "F5"),
    ("settings", "ui.nav.settings", "F6"),
)


#: the sync words while days wait for a server out of reach: a soft amber, set apart from
#: the neutral words without the alarm of red (the sales are kept on the till)
SYNC_WAITING_STYLE = (f'QLabel[role="waiting"] {{ background: {WARNING_LIGHT}; '
                      f'color: {WAITING_INK}; border-radius: 6px; }}')


def _polished(widget: QWidget, role: str) -> None:
    """Give ``widget`` the style sheet's ``role`` (its colour), from now."""
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def sync_bridge(ctx: AppContext, parent: QWidget) -> Any:
    """The sync client's bridge (``ui.sync_bridge.SyncBridge``), when it can start."""
    try:
        module = importlib.import_module("ui.sync_bridge")
        return module.SyncBridge(ctx.store, lang=ctx.lang, parent=parent)
    except Exception:  # sync is optional: the till sells without it
        return None


class MainWindow(QMainWindow):
    """The till. Screens other than the sale screen are built the first time they are
    shown, the store opens (on a fast start) and printing and sync start just after the
    first paint, so that the sale screen is up fast. ``services=False`` leaves printing
    and sync off (tests). ``confirm_close`` (by default as ``services``) asks before
    closing over a cart in progress; code that closes the window itself (tests, the
    screenshot renderer) goes without asking."""

    def __init__(self, ctx: AppContext, *, services: bool = True,
                 confirm_close: bool | None = None) -> None:
        super().__init__()
        named(self, "mainWindow", "Souk POS")
        self.ctx = ctx
        self.texts = Texts(ctx)
        self.services = services
        self.confirm_close = services if confirm_close is None else confirm_close
        self.sync: Any = None
        self._day_short = ""  # the day's words without its date, for a tight status bar
        self.printer = PrintService(ctx)
        self.photos = Photos(ctx.data_dir)
        self.sale = SaleScreen(ctx, self.printer, self.photos)
        self.login = LoginScreen(ctx)
        self.screens: dict[str, QWidget] = {"sale": self.sale}
        self.factories: dict[str, Callable[[], QWidget]] = {
            "sales": self._make_sales, "day": self._make_day, "products": self._make_products,
            "figures": self._make_figures, "settings": self._make_settings,
        }
        self.stack = named(QStackedWidget(), "screens")
        self.stack.addWidget(self.sale)
        self.stack.addWidget(self.login)
        self.rail = self._rail()
        central = QWidget()
        layout = hbox(spacing=0)
        layout.addWidget(self.rail)
        self.printer_question = PrinterQuestion(ctx, self.printer, instead_of=self.statusBar())
        layout.addLayout(vbox(self.stack, self.printer_question, spacing=0), 1)
        central.setLayout(layout)
        self.setCentralWidget(central)
        self._status()
        self.scanner = ScannerFilter(self)
        self.scanner.scanned.connect(self._scanned)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scanner)
        self.sale.open_day_requested.connect(self._open_day_from_sale)
        self.sale.create_product_requested.connect(self._create_product)
        self.sale.unwritten_changed.connect(self._show_cart)
        self.login.signed_in.connect(self._signed_in)
        ctx.language_changed.connect(self.retranslate)
        ctx.day_changed.connect(self.update_status)
        ctx.sales_changed.connect(self.update_status)
        ctx.user_changed.connect(self.update_status)
        ctx.sales_changed.connect(lambda: self._sync_request("sale"))
        ctx.sales_changed.connect(self.warn_of_clock)
        ctx.sync_requested.connect(lambda: self._sync_request("day_close"))
        ctx.settings_changed.connect(self.printer.reload_settings)
        self.printer.state_changed.connect(lambda *_: self.update_status())
        self.printer.state_changed.connect(self._printer_failed)
        self._started = False
        self._painted = False
        self.leaving = False  # closing: the seller was asked, the cart kept
        self._open_failed = False
        self._due = False  # printing and sync may start (a moment after the first paint)
        self.preload: Preload | None = None
        self._loaded: set[str] = set()
        self.retranslate()
        if ctx.user is None:
            self.lock()
        else:
            self.show_screen("sale")
        self.resize(1366, 768)

    def _rail(self) -> QWidget:
        rail = QWidget()
        rail.setObjectName("navRail")
        rail.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        rail.setFixedWidth(104)
        box = QVBoxLayout(rail)
        box.setContentsMargins(8, 12, 8, 12)
        box.setSpacing(6)
        self.nav = QButtonGroup(self)
        self.nav_buttons: dict[str, Any] = {}
        for name, key, shortcut in SCREENS:
            btn = button(f"nav_{name}", checkable=True)
            btn.setProperty("navKey", key)
            btn.setProperty("navShortcut", shortcut)
            btn.clicked.connect(lambda _=False, n=name: self.show_screen(n))
            QShortcut(QKeySequence(shortcut), self, lambda n=name: self.show_screen(n))
            self.nav.addButton(btn)
            self.nav_buttons[name] = btn
            box.addWidget(btn)
        box.addStretch(1)
        self.lock_btn = button("nav_lock")
        self.lock_btn.setObjectName("nav_lock")
        self.lock_btn.clicked.connect(self.lock)
        box.addWidget(self.lock_btn)
        return rail

    def _status(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.day_status = named(ElidedLabel(), "statusDay")
        # a few words, whole: what went wrong is in its tooltip and on the sale screen
        self.printer_status = named(ElidedLabel(shrinks=False), "statusPrinter")
        self.sync_status = named(ElidedLabel(), "statusSync")
        # offline with days waiting: set apart, calmly (nothing is lost: not red)
        self.sync_status.setStyleSheet(SYNC_WAITING_STYLE)
        # the laptop's clock against the organisers' server: shown only when it is off
        self.clock_status = named(ElidedLabel(), "statusClock")
        self.clock_status.hide()
        # the cart that the database will not take, in red and first, seen from every
        # screen while it lasts (the sale screen's banner says it there)
        self.cart_status = named(ElidedLabel(), "statusCart")
        self.cart_status.hide()
        self.user_status = named(ElidedLabel(), "statusCashier")
        self._given_way: list[QWidget] = []  # the labels hidden for a tight status bar
        for lab in (self.cart_status, self.day_status, self.printer_status, self.sync_status,
                    self.clock_status):
            bar.addWidget(lab)
        self.printer_bar = PrinterBar(self.ctx, self.printer)
        bar.addWidget(self.printer_bar)
        bar.addPermanentWidget(self.user_status)
        self.printer.queue_changed.connect(self._fit_status)  # the receipts waiting came or went

    # --- screens and services ---------------------------------------------------
    def screen(self, name: str) -> QWidget:  # type: ignore[override]
        if name not in self.screens:
            widget = self.factories[name]()
            self.screens[name] = widget
            self.stack.addWidget(widget)
        return self.screens[name]

    def _make_sales(self) -> QWidget:
        from ui.sales import SalesScreen

        return SalesScreen(self.ctx, self.printer)

    def _make_day(self) -> QWidget:
        from ui.day_screen import DayScreen

        return DayScreen(self.ctx, self.printer)

    def _make_products(self) -> QWidget:
        from ui.products import ProductsScreen

        return ProductsScreen(self.ctx, self.photos)

    def _make_figures(self) -> QWidget:
        from ui.figures import FiguresScreen

        return FiguresScreen(self.ctx)

    def _make_settings(self) -> QWidget:
        from ui.settings_screen import SettingsScreen

        return SettingsScreen(self.ctx, self.printer, self.sync_panel)

    @property
    def sales(self) -> SalesScreen:
        return self.screen("sales")  # type: ignore[return-value]

    @property
    def day(self) -> DayScreen:
        return self.screen("day")  # type: ignore[return-value]

    @property
    def products(self) -> ProductsScreen:
        return self.screen("products")  # type: ignore[return-value]

    @property
    def figures(self) -> FiguresScreen:
        return self.screen("figures")  # type: ignore[return-value]

    @property
    def settings(self) -> SettingsScreen:
        return self.screen("settings")  # type: ignore[return-value]

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_status()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.services and not self._started:
            self._started = True
            QTimer.singleShot(300, self._services_due)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)  # once this frame is on screen

    def _after_first_paint(self) -> None:
        banner = self.login.banner if self.ctx.user is None else self.sale.banner
        try:
            self.ctx.open_store()  # a few hundred ms: SQLAlchemy and the core's models load
        except Exception as exc:
            from ui.sale import storage_error

            self._open_failed = True
            banner.error(storage_error(self.ctx, exc, "ui.error.open_failed"),
                         seconds=RETRY_OPEN_MS // 1000 + 5)
            QTimer.singleShot(RETRY_OPEN_MS, self._after_first_paint)
            return
        if self._open_failed:
            self._open_failed = False
            banner.hide()
        if self.services and self.preload is None:
            self.preload = Preload(self)
            self.preload.loaded.connect(self._preloaded)
            self.preload.start([("services", SERVICE_MODULES)])

    def _preloaded(self, stage: str) -> None:
        self._loaded.add(stage)
        self._start_services_when_loaded()

    def _services_due(self) -> None:
        self._due = True
        self._start_services_when_loaded()

    def _start_services_when_loaded(self) -> None:
        if (self._due and self.ctx.ready
                and (self.preload is None or "services" in self._loaded)):
            self.start_services()

    def start_services(self) -> None:
        """Printing worker and sync, once the sale screen is on screen."""
        if not self.ctx.ready:
            self.ctx.when_ready(self.start_services)
            return
        self.printer.start()
        if self.sync is None:
            bridge = sync_bridge(self.ctx, self)
            if bridge is not None:
                self.attach_sync(bridge)
                bridge.start()
        self.update_status()

    def attach_sync(self, bridge: Any) -> None:
        """Show the state of ``bridge`` (``ui.sync_bridge.SyncBridge``) in the status bar as
        it changes: its words, and how far this laptop's clock was found from the
        organisers' server (the bridge keeps what the worker last found: nothing here
        waits on the network)."""
        self.sync = bridge
        bridge.status_changed.connect(lambda _text: self.update_status())
        bridge.snapshot_changed.connect(lambda _snap: self._show_sync())
        self.ctx.language_changed.connect(bridge.set_language)
        self._show_sync()

    def sync_panel(self) -> QWidget | None:
        if self.sync is None and self.services:
            self.start_services()
        if self.sync is None:
            return None
        try:
            module = importlib.import_module("ui.sync_panel")
            panel = module.SyncPanel(self.sync, self.ctx.lang)
        except Exception:
            return None
        self.ctx.language_changed.connect(panel.retranslate)
        return cast(QWidget, panel)

    def _sync_request(self, reason: str) -> None:
        if self.sync is not None:
            self.sync.request_sync(reason)

    # --- navigation -------------------------------------------------------------
    def show_screen(self, name: str) -> None:
        if self.ctx.user is None:
            return
        if name != "sale" and not self.ctx.ready:
            self.ctx.when_ready(lambda: self.show_screen(name))
            return
        screen = self.screen(name)
        self.stack.setCurrentWidget(screen)
        self.nav_buttons[name].setChecked(True)
        refresh = getattr(screen, "refresh", None)
        if refresh is not None:
            refresh()
        if name == "sale":
            self.sale.search.setFocus()

    def current_screen(self) -> str:
        widget = self.stack.currentWidget()
        for name, screen in self.screens.items():
            if screen is widget:
                return name
        return "login"

    def lock(self) -> None:
        """Sign out: the sign-in screen, and no screen of the rail shown as chosen (the
        one signed in next is chosen again)."""
        self.ctx.set_user(None)
        self.rail.setEnabled(False)
        self.nav.setExclusive(False)  # an exclusive group keeps one button checked
        for btn in self.nav_buttons.values():
            btn.setChecked(False)
        self.nav.setExclusive(True)
        self.stack.setCurrentWidget(self.login)
        self.login.reset()

    def _signed_in(self) -> None:
        self.rail.setEnabled(True)
        self.show_screen("sale")

    def _scanned(self, code: str) -> None:
        if self.ctx.user is None:  # signing in: a code is not a PIN, and sells nothing
            self.login.scan_refused()
            return
        if is_receipt(code):  # a customer's receipt: its ticket, to refund or invoice it
            if QApplication.activeModalWidget() is None:  # else a cart's dialog is open
                self._open_receipt(code)
            return
        if self.current_screen() == "products" and "products" in self.screens:
            self.products.scanned(code)
            return
        if QApplication.activeModalWidget() is None:  # else the payment dialog is open
            self.show_screen("sale")
        self.sale.scanned(code)

    def _open_receipt(self, code: str) -> None:
        if not self.ctx.ready:
            self.ctx.when_ready(lambda: self._open_receipt(code))
            return
        self.show_screen("sales")
        self.sales.open_receipt(code)

    def _open_day_from_sale(self) -> None:
        self.show_screen("day")
        self.day.open_day()

    def _create_product(self, code: str) -> None:
        product = self.products.create_with_barcode(code)
        if product is not None:
            self.show_screen("sale")
            self.sale.add_product(product)

    # --- status -----------------------------------------------------------------
    def update_status(self) -> None:
        t = self.ctx.t
        day = self.ctx.open_day()
        if day is None:
            self.day_status.setText("● " + t("ui.status.day_closed"))
            self._day_short = ""  # said whole: nothing is sold until it is opened
            _polished(self.day_status, "bad")
        else:
            opened = "● " + t("ui.status.day_open", date=day.date.strftime("%d/%m/%Y"))
            self.day_status.setText(opened)
            self._day_short = "● " + t("ui.status.day_open_short")  # a small screen
            self.day_status.setToolTip(f"{opened}\n{t('report.float')} "
                                       f"{format_money(day.opening_float, self.ctx.lang)}")
            _polished(self.day_status, "ok")
        state, cause = self.printer.state, self.printer.cause
        word = t(f"ui.printer.cause_{cause}") if cause else t(f"ui.printer.{state}")
        printer = t("ui.status.printer", state=word)
        self.printer_status.setText(printer)
        # what went wrong and what to do (the status bar has room for a few words only),
        # or what is unsure
        detail = self.printer.detail
        self.printer_status.setToolTip(
            (f"{printer} — {detail}" if state == "error" else detail) if detail else "")
        _polished(self.printer_status, "bad" if state == "error" else "")  # red in error, now
        user = self.ctx.user
        self.user_status.setText(t("ui.status.cashier", name=user.name) if user else
                                 t("ui.status.locked"))
        self.user_status.set_short(user.name if user else "")  # the name, whole, if tight
        self.user_status.setToolTip(self.user_status.text())
        for lab in (self.day_status, self.printer_status, self.user_status):
            lab.setAccessibleName(lab.text())
        self._show_cart()
        self._show_sync()

    def _show_cart(self) -> None:
        """Say "Cart not written: database busy" in red while the database will not take
        the cart and the sale screen said so, whatever the screen; the whole message in
        the tooltip. Gone once the cart is written."""
        unwritten = self.sale.unwritten()
        words, whole = unwritten if unwritten is not None else ("", "")
        self.cart_status.setText(words)
        self.cart_status.set_short(self.ctx.t("ui.status.cart_not_kept_short") if words else "")
        self.cart_status.setToolTip(whole)
        self.cart_status.setAccessibleName(words)
        self.cart_status.setAccessibleDescription(whole)
        _polished(self.cart_status, "bad")
        self.cart_status.setVisible(bool(words))
        self._fit_status()

    def _show_sync(self) -> None:
        """The sync words (in a few when the status bar is tight: "Sync: offline", the
        whole in the tooltip) and, past :data:`sync.client.status.CLOCK_TOLERANCE`, the
        clock's difference from the organisers' server."""
        self.sync_status.setText(self._sync_text())
        self.sync_status.set_short(self._sync_short())
        self.sync_status.setToolTip(self._sync_tip())
        self.sync_status.setAccessibleName(self.sync_status.text())
        self.sync_status.setAccessibleDescription(self._sync_safe())
        _polished(self.sync_status, self._sync_role())
        words, whole = self._clock_texts()
        self.clock_status.setText(words)
        self.clock_status.set_short(self.ctx.t("ui.status.clock_short") if words else "")
        self.clock_status.setToolTip(whole)
        self.clock_status.setAccessibleName(whole)
        _polished(self.clock_status, "warn")
        self.clock_status.setVisible(bool(words))
        self._fit_status()

    def _clock_texts(self) -> tuple[str, str]:
        """(the status bar's words, the whole warning) on how far this laptop's clock was
        from the organisers' server at its last reply; ("", "") within the tolerance."""
        if self.sync is None or not self.sync.snapshot.enrolled:
            return "", ""
        from pos.clock import duration_text
        from sync.client.status import clock_text

        lang, offset = self.ctx.lang, self.sync.snapshot.clock_offset
        whole = clock_text(lang, offset)
        if not whole:
            return "", ""
        key = "ui.status.clock_behind" if offset < 0 else "ui.status.clock_ahead"
        return self.ctx.t(key, amount=duration_text(lang, offset)), whole

    def _fit_status(self) -> None:
        """A status bar too narrow for every label whole (a 1024 px screen while receipts
        wait) takes short forms, one after the other until the row fits: the sync words
        ("Sync: offline"), the receipts waiting (beside "Retry printing"), the day without
        its date, the cashier's name alone, the clock's "Set the clock", the cart's "Cart not
        written", and last the open day's green dot alone. Each is shown whole rather than
        all cut in the middle; the whole texts are in the tooltips. Should the row still not
        fit (every trouble at once: a cart not written, the printer dead with receipts
        waiting, the clock off), the least useful labels give way to the urgent ones, one
        after the other: the open day's dot, the cashier's name, then the sync words (the
        till works offline; the sync tab says the rest). They come back as soon as the row
        has room for them."""
        bar = self.statusBar()
        for lab in self._given_way:
            lab.show()
        self._given_way = []
        waiting = self.printer_bar.waiting
        day_dot = "●" if self.day_status.property("role") == "ok" else ""
        steps = ((self.sync_status, self.sync_status.short), (waiting, waiting.short),
                 (self.day_status, self._day_short), (self.user_status, self.user_status.short),
                 (self.clock_status, self.clock_status.short),
                 (self.cart_status, self.cart_status.short), (self.day_status, day_dot))
        self.day_status.set_short(self._day_short)
        for lab, _short in steps:
            lab.setMaximumWidth(WIDEST)
        self.cart_status.setMinimumWidth(0)
        for lab, short in steps:
            if self._status_width() <= bar.width():
                return
            if short and not lab.isHidden():
                lab.set_short(short)
                metrics = lab.fontMetrics()
                lab.setMaximumWidth(lab.sizeHint().width() + STATUS_SLACK
                                    - metrics.horizontalAdvance(lab.text())
                                    + metrics.horizontalAdvance(short))
                if lab is self.cart_status:
                    lab.setMinimumWidth(lab.maximumWidth())
        for lab in (self.day_status, self.user_status, self.sync_status):
            if self._status_need() <= bar.width():
                return
            if lab is not self.day_status or day_dot:  # a closed day is always said
                lab.hide()
                self._given_way.append(lab)

    def _status_shown(self) -> list[QWidget]:
        """What the status bar's row holds now, in its order."""
        return [w for w in (self.cart_status, self.day_status, self.printer_status,
                            self.sync_status, self.clock_status, self.printer_bar,
                            self.user_status)
                if not w.isHidden()]

    def _status_width(self) -> int:
        """The width the status bar's row asks for, its labels as they now are."""
        shown = self._status_shown()
        return (sum(min(w.sizeHint().width(), w.maximumWidth()) for w in shown)
                + STATUS_SPACING * (len(shown) + 1))

    def _status_need(self) -> int:
        """The narrowest the status bar's row can be with its labels as they now are, each
        squeezed to its words (the room around them given up, never a letter)."""
        need = self._status_width()
        for w in self._status_shown():
            lab = self.printer_bar.waiting if w is self.printer_bar else w
            if isinstance(lab, ElidedLabel) and not lab.isHidden():
                text = lab.short if lab.short and lab.maximumWidth() < WIDEST else lab.text()
                words = (lab.fontMetrics().horizontalAdvance(text) + STATUS_SLACK
                         + lab.width() - lab.contentsRect().width())
                need -= max(min(lab.sizeHint().width(), lab.maximumWidth()) - words, 0)
        return need

    def warn_of_clock(self) -> None:
        """The laptop's clock is behind the open day's newest record (it was put back): the
        sale screen's banner says by how much (``pos.clock.lag``); nothing is held up."""
        if not self.ctx.ready:
            return
        from pos import clock

        with self.ctx.read() as s:
            late = clock.lag(s)
        if late is not None:
            self.sale.banner.error(lambda: late.message(self.ctx.lang), seconds=CLOCK_WARNING_S)

    def _printer_failed(self, state: str, detail: str) -> None:
        """A receipt did not print: the whole message, what to do included, above the
        sale screen (the status bar says it in a few words). A test page's failure is told
        on the screen that asked for it."""
        if state == "error" and detail and not self.printer.by_test:
            self.sale.banner.error(detail, seconds=20)

    def _sync_role(self) -> str:
        """Red when the organisers' figures wait on someone (a revoked till, a day set
        aside, a server ahead of the till), green when they are all delivered; a calm
        amber while days wait for a server out of reach, as they do for hours at a market
        (the sales are kept on the till: nothing to fear, but not all is sent); no colour
        otherwise (days waiting for the next run)."""
        if self.sync is None or not self.sync.snapshot.enrolled:
            return ""
        snap = self.sync.snapshot
        if snap.revoked or snap.set_aside or snap.server_newer:
            return "bad"
        if snap.failing and snap.waiting:
            return "waiting"
        return "ok" if not snap.failing and not snap.waiting else ""

    def _sync_tip(self) -> str:
        """The whole state, which a narrow status bar may cut, when the figures last
        reached the organisers, on a line of its own, and, while they cannot reach them,
        what the sync panel says besides: the sales are kept on the till and will be sent
        by themselves once the connection is back."""
        if self.sync is None:
            return ""
        lang = self.ctx.lang
        state = self.ctx.t("ui.status.sync", state=self._sync_state(sent=False))
        lines = (state, str(self.sync.last_sent(lang)), self._sync_safe())
        return "\n".join(line for line in lines if line)

    def _sync_safe(self) -> str:
        """``sync.client.status.safe_text`` in the till's language; "" when nothing is
        held up."""
        if self.sync is None:
            return ""
        from sync.client.status import safe_text

        return safe_text(self.sync.snapshot, self.ctx.lang)

    def _sync_text(self) -> str:
        return self.ctx.t("ui.status.sync", state=self._sync_state())

    def _sync_short(self) -> str:
        """The sync words for a tight status bar: "No sync" before enrolment, "Sync:
        offline" while the organisers' server is out of reach (the days waiting are in the
        tooltip); else the words without when the figures were last sent."""
        if self.sync is None or not self.sync.snapshot.enrolled:
            return self.ctx.t("ui.status.sync_none_short")
        snap = self.sync.snapshot
        if snap.failing and not snap.syncing and not snap.revoked:
            return self.ctx.t("ui.status.sync", state=self.ctx.t("ui.sync.offline_short"))
        return self.ctx.t("ui.status.sync", state=self._sync_state(sent=False))

    def _sync_state(self, *, sent: bool = True) -> str:
        """The words after "Sync:", the same before and after the sync service started
        (a till not enrolled: "not set up", not "sync not set up")."""
        if self.sync is None or not self.sync.snapshot.enrolled:
            return self.ctx.t("ui.sync.not_set_up")
        if sent:
            return str(self.sync.status_text)
        return str(self.sync.state_text(self.ctx.lang, sent=False))

    def retranslate(self) -> None:
        t = self.ctx.t
        self.setWindowTitle(t("ui.app.title"))
        for name, key, shortcut in SCREENS:
            btn = self.nav_buttons[name]
            btn.setText(f"{t(key)}\n{shortcut}")
            btn.setAccessibleName(t(key))
            btn.setToolTip(f"{t(key)} ({shortcut})")
        self.lock_btn.setText(t("ui.nav.lock"))
        self.lock_btn.setAccessibleName(t("ui.nav.lock"))
        self.update_status()

    def _close_anyway(self) -> bool:
        """Whether to close: yes with an empty cart, else as the seller answers, told that
        the cart (its lines, its total and the parts of the payment already taken) is
        kept and comes back on the next start; or, when it could not be written, that
        closing loses it, or its changes since it was last written."""
        cart = self.sale.cart
        if not self.confirm_close or cart is None or cart.is_empty:
            return True
        lang = self.ctx.lang
        if not self.sale.keep_now():  # written now: the words below are true
            earlier = self.sale.kept_total()
            question = (self.ctx.t("ui.close_cart.unsaved_question") if earlier is None
                        else self.ctx.t("ui.close_cart.stale_question",
                                        total=format_money(earlier, lang)))
        elif self.sale.taken:  # a card charged for this cart must be settled on return
            from ui.payment import parts_text

            question = tr_count(lang, "ui.close_cart.taken_question", len(cart.lines),
                                total=format_money(cart.totals().total, lang),
                                parts=parts_text(self.ctx, self.sale.taken))
        else:
            question = tr_count(lang, "ui.close_cart.question", len(cart.lines),
                                total=format_money(cart.totals().total, lang))
        return confirm(self.ctx, self, "closeConfirm", "ui.close_cart.title", question,
                       "ui.close_cart.close", "ui.close_cart.keep", risky=True)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.leaving:
            if not self._close_anyway():
                event.ignore()
                return
            self.leaving = True
            if self.ctx.ready:
                self.sale.closing = True  # a cart refused for the question is not waited for again
                self.sale.keep_now()  # the cart comes back on the next start
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self.scanner)
        if self.printer.finish(self.close):  # a receipt printing comes out whole first
            self.centralWidget().setEnabled(False)  # nothing new is started meanwhile
            self.statusBar().showMessage(self.ctx.t("ui.close.finishing_receipt"))
            event.ignore()
            return
        self.printer.stop()
        if self.sync is not None:
            self.sync.stop()
        tasks.finish_all()  # a backup under way is written whole
        super().closeEvent(event)
