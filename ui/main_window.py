"""The main window: a navigation rail (F1..F6), the screens, and the status bar (business
day, printer, sync, cashier)."""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos.money import format_money
from ui.context import AppContext
from ui.day_screen import DayScreen
from ui.figures import FiguresScreen
from ui.login import LoginScreen
from ui.printing import PrintService
from ui.products import ProductsScreen
from ui.sale import SaleScreen
from ui.sales import SalesScreen
from ui.scanner import ScannerFilter
from ui.settings_screen import SettingsScreen
from ui.tiles import Photos
from ui.widgets import Texts, button, hbox, named

SCREENS = (
    ("sale", "ui.nav.sale", "F1"),
    ("sales", "ui.nav.sales", "F2"),
    ("day", "ui.nav.day", "F3"),
    ("products", "ui.nav.products", "F4"),
    ("figures", "ui.nav.figures", "F5"),
    ("settings", "ui.nav.settings", "F6"),
)


def sync_bridge(ctx: AppContext) -> Any:
    """The sync engineer's status bridge, when it is installed."""
    try:
        module = importlib.import_module("ui.sync_bridge")
    except ImportError:
        return None
    factory = getattr(module, "SyncBridge", None)
    if factory is None:
        return None
    try:
        return factory(ctx)
    except Exception:
        return None


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        named(self, "mainWindow", "Souk POS")
        self.ctx = ctx
        self.texts = Texts(ctx)
        self.printer = PrintService(ctx)
        self.photos = Photos(ctx.data_dir)
        self.sale = SaleScreen(ctx, self.printer, self.photos)
        self.sales = SalesScreen(ctx, self.printer)
        self.day = DayScreen(ctx, self.printer)
        self.products = ProductsScreen(ctx, self.photos)
        self.figures = FiguresScreen(ctx)
        self.settings = SettingsScreen(ctx, self.printer)
        self.login = LoginScreen(ctx)
        self.screens: dict[str, QWidget] = {
            "sale": self.sale, "sales": self.sales, "day": self.day,
            "products": self.products, "figures": self.figures, "settings": self.settings,
        }
        self.stack = named(QStackedWidget(), "screens")
        for screen in self.screens.values():
            screen.setProperty("screen", True)
            self.stack.addWidget(screen)
        self.stack.addWidget(self.login)
        self.rail = self._rail()
        central = QWidget()
        layout = hbox(spacing=0)
        layout.addWidget(self.rail)
        layout.addWidget(self.stack, 1)
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
        self.login.signed_in.connect(self._signed_in)
        ctx.language_changed.connect(self.retranslate)
        ctx.day_changed.connect(self.update_status)
        ctx.sales_changed.connect(self.update_status)
        ctx.user_changed.connect(self.update_status)
        self.printer.state_changed.connect(lambda *_: self.update_status())
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
        self.day_status = named(QLabel(), "statusDay")
        self.printer_status = named(QLabel(), "statusPrinter")
        self.sync_status = named(QLabel(), "statusSync")
        self.user_status = named(QLabel(), "statusCashier")
        for lab in (self.day_status, self.printer_status, self.sync_status):
            bar.addWidget(lab)
        bar.addPermanentWidget(self.user_status)
        self.sync = sync_bridge(self.ctx)
        if self.sync is not None and hasattr(self.sync, "status_changed"):
            self.sync.status_changed.connect(lambda *_: self.update_status())

    # --- navigation -------------------------------------------------------------
    def show_screen(self, name: str) -> None:
        if self.ctx.user is None:
            return
        screen = self.screens[name]
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
        self.ctx.set_user(None)
        self.rail.setEnabled(False)
        self.stack.setCurrentWidget(self.login)
        self.login.reset()

    def _signed_in(self) -> None:
        self.rail.setEnabled(True)
        self.show_screen("sale")

    def _scanned(self, code: str) -> None:
        if self.ctx.user is None:
            return
        if self.current_screen() == "products":
            self.products.scanned(code)
            return
        self.show_screen("sale")
        self.sale.scanned(code)

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
            self.day_status.setProperty("role", "bad")
        else:
            self.day_status.setText("● " + t("ui.status.day_open",
                                             date=day.date.strftime("%d/%m/%Y")))
            self.day_status.setToolTip(t("report.float") + " "
                                       + format_money(day.opening_float, self.ctx.lang))
            self.day_status.setProperty("role", "ok")
        self.day_status.style().unpolish(self.day_status)
        self.day_status.style().polish(self.day_status)
        state = self.printer.state
        self.printer_status.setText(t("ui.status.printer", state=t(f"ui.printer.{state}")))
        self.sync_status.setText(self._sync_text())
        user = self.ctx.user
        self.user_status.setText(t("ui.status.cashier", name=user.name) if user else
                                 t("ui.status.locked"))
        for lab in (self.day_status, self.printer_status, self.sync_status, self.user_status):
            lab.setAccessibleName(lab.text())

    def _sync_text(self) -> str:
        t = self.ctx.t
        if self.sync is not None and hasattr(self.sync, "status_text"):
            try:
                return str(self.sync.status_text(self.ctx.lang))
            except Exception:
                pass
        return t("ui.status.sync", state=t("ui.sync.not_set_up"))

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

    def closeEvent(self, event: QCloseEvent) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.scanner)
        stop = getattr(self.printer, "stop", None)
        if stop:
            stop()
        super().closeEvent(event)
