"""The sale screen, where the seller spends the day: category tabs and product tiles,
search as you type (Enter adds the product found), the scanner, the cart with its
discounts, and payment. A code scanned while a dialog of the cart is open (payment, weight,
quantity, discount, price) joins the cart as anywhere on the screen: its digits never reach
the dialog's field and its Enter never validates it; the dialog stays open as it was and
says what the scan did (the payment dialog shows the new sum due). A quantity typed for a
line that a scan added to meanwhile is the quantity the seller saw, the scanned ones on top.

On a fast start the tiles are first drawn from the context's snapshot; the cart, search
and payment come to life when the store opens (``AppContext.store_opened``), a few
hundred milliseconds later. A tile tapped or a code scanned before that is kept and rung
up then; Pay stays disabled until then.

Del removes the selected cart line (the line last added is selected) wherever the focus is
on the screen, unless the search box holds text, which Del then edits and Esc empties (all
the tiles are back). Clearing a cart of more than one line is confirmed first (No by
default; a scanner's Enter never answers).

The keyboard stays in the search box: tapping a tile or a cart button leaves it there (they
take the focus only by Tab, for those who work with the keyboard alone), and a sale done puts
it back, so the next customer's first code is never typed into nothing. A click in the cart
gives it the arrow keys.

The parts of a payment already taken when the payment dialog is closed (a card charged
before the customer pays the rest in cash) stay with the cart until the sale is recorded:
F12 shows them and asks only for the rest, and the cart cannot be made worth less than
them. Emptying the cart drops them only once the seller confirms they were given back.

The cart is kept in the database (:mod:`pos.held`) so that a crash or a dead battery loses
none of it: a moment after the seller's taps stop (:data:`KEEP_IDLE_MS`, at most
:data:`KEEP_AT_MOST_S` after the first change not yet written: a durable commit costs
milliseconds, which a tap must not wait for), and at once when payment starts, when a
part of the payment is taken or given back, and when the screen is left. The sale's own
transaction drops it. On the next start the cart comes back with a banner that says so
and names the parts already taken. While another program holds the database's write lock
(a backup tool, a second window), the writes the till makes by itself wait only
:data:`KEEP_WAIT_MS`, so that no tap waits seconds for them: the cart is tried again, less
and less often, and the screen says it is not written only when that lasts (and the
status bar too, seen from every screen, until the cart is written); the seller's own steps
(a part of the payment taken, parking, closing, the sale) wait as a sale does.

Park (F11) puts the cart aside, with its discounts and the parts already taken, for a
customer who bargains or fetches cash, and empties the screen for the next one; the
parked carts (Shift+F11) are listed with when they were parked, their items, total and
products, and one is brought back (the cart on the screen, if not empty, is parked in its
place, which the banner says). A cart brought back keeps the prices it had: the customer
was told them; the banner names those the catalogue changed since.

The banner's messages (a receipt that did not print, a cart parked...) show over the bottom
of the tiles (:class:`FloatingBanner`), never in the layout: a tile never moves under the
seller's finger, and a tap on a message reaches the tile below it.

A kept or parked cart that this version cannot read (written by a newer version, or
damaged) is set aside in the database, never deleted, and offered no more; the till starts
with an empty cart, and the banner says so (at the start, or on opening the parked carts).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QListView,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pos.errors import SoukError
from pos.i18n import latin_digits, tr_count
from pos.money import format_money, format_quantity, unit_name
from ui.cart_view import CartModel
from ui.context import AppContext
from ui.printing import PrintService
from ui.scanner import SCANS, TO_CART
from ui.theme import ACCENT, DANGER
from ui.tiles import TILE_SIZE, Photos, ProductModel, ProductRole, TileDelegate
from ui.widgets import (
    Banner,
    Texts,
    ask_manager,
    button,
    card,
    confirm,
    hbox,
    label,
    named,
    search_field,
    vbox,
)

if TYPE_CHECKING:
    from pos.cart import Cart, PaymentSpec
    from pos.catalogue import SearchIndex
    from pos.held import HeldCart, PriceChange, Recalled
    from pos.models import Product
    from pos.snapshot import Product as ProductRow
    from ui.payment import PaymentDialog
    from ui.widgets import Dialog

ALL = ""
SEARCH_LIMIT = 300  # tiles shown for a search; typing one more letter narrows it
KEEP_IDLE_MS = 800  # the cart is written to the database once the taps pause this long...
KEEP_AT_MOST_S = 5.0  # ...or this long after its first change not yet written
KEEP_WAIT_MS = 250  # how long such a write waits for a write lock held elsewhere
KEEP_SAY_AFTER_S = 5.0  # a busy database is said once it has refused the cart this long
PARK_KEY = "F11"
FLOAT_MARGIN = 4  # between the banner floating over the tiles and their sides
PARKED_KEY = "Shift+F11"


def is_busy(exc: Exception) -> bool:
    """Whether the database refused a write because another connection held its write
    lock (a backup tool, a second window), which goes by itself."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def is_disk_full(exc: Exception) -> bool:
    """Whether the database refused a write because the disk is full."""
    text = str(exc).lower()
    return "full" in text or "no space" in text


def storage_error(ctx: AppContext, exc: Exception, key: str = "ui.error.save_failed", *,
                  busy: str = "db.busy") -> str:
    """What to tell the seller when the database refused a write: the words of ``key``
    (a sale not saved, unless told otherwise) with the reason (``busy``'s words when the
    database was busy)."""
    if is_disk_full(exc):
        detail = ctx.t("disk.full")
    elif is_busy(exc):
        detail = ctx.t(busy)
    else:
        detail = str(exc)[:120]
    return ctx.t(key, detail=detail)


class FloatingBanner(Banner):
    """The sale screen's banner, drawn over the bottom of the tiles (the first of
    ``over`` that is shown) with the button that may go with it (``beside``, at the
    trailing end), rather than in the screen's layout: a message that comes and goes (a
    receipt that did not print, at each sale while the printer is dead) never moves a
    tile under the seller's finger. At 1024x600 it covers the row of tiles that the screen
    cuts anyway, and a tap on the message reaches the tile below it."""

    def __init__(self, name: str, screen: QWidget, over: tuple[QWidget, ...],
                 beside: QWidget) -> None:
        super().__init__(name)
        self.over = over
        self.beside = beside
        self.setParent(screen)
        beside.setParent(screen)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        # its own padding (counted in its height, which no layout gives it), thin enough
        # for two lines to fit below the second row of tiles at 1024x600, and an edge that
        # sets it apart from the tiles it covers
        self.setStyleSheet(f"QLabel {{ padding: 1px 10px; font-size: 14px; }}"
                           f" QLabel[role='alert'] {{ border: 1px solid {DANGER}; }}"
                           f" QLabel[role='notice'] {{ border: 1px solid {ACCENT}; }}")
        for widget in (*over, beside):
            widget.installEventFilter(self)

    def setText(self, text: str) -> None:  # type: ignore[override]
        super().setText(text)
        self._lay()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show,
                            QEvent.Type.Hide):
            self._lay()
        return False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._lay()

    def _lay(self) -> None:
        parent = self.parentWidget()
        area = next((widget for widget in self.over if not widget.isHidden()), None)
        if parent is None or area is None:
            return
        room = QRect(area.mapTo(parent, QPoint(0, 0)), area.size()).adjusted(
            FLOAT_MARGIN, 0, -FLOAT_MARGIN, 0)
        beside = None if self.beside.isHidden() else self.beside.sizeHint()
        if beside is not None:
            trailing = room.left() if self.isRightToLeft() else room.right() - beside.width() + 1
            self.beside.setGeometry(trailing, room.bottom() - beside.height() + 1,
                                    beside.width(), beside.height())
            self.beside.raise_()
            room.setWidth(room.width() - beside.width() - FLOAT_MARGIN)
            if self.isRightToLeft():
                room.translate(beside.width() + FLOAT_MARGIN, 0)
        height = self.heightForWidth(room.width())
        if beside is not None:
            height = max(height, beside.height())  # the message and its button, one strip
        self.setGeometry(room.left(), room.bottom() - height + 1, room.width(), height)
        self.raise_()


class SaleScreen(QWidget):
    """Signals:
        sale_recorded(str): a sale was committed (its id).
        open_day_requested(): the seller asked to open the day from here.
        create_product_requested(str): an unknown barcode should become a product.
        unwritten_changed(): the screen said the cart is not written (:meth:`unwritten`),
            or the cart was written after that.
    """

    sale_recorded = Signal(str)
    unwritten_changed = Signal()
    open_day_requested = Signal()
    create_product_requested = Signal(str)

    def __init__(self, ctx: AppContext, printer: PrintService, photos: Photos) -> None:
        super().__init__()
        named(self, "saleScreen")
        self.ctx = ctx
        self.printer = printer
        self.cart: Cart = None  # type: ignore[assignment]  # set once the store is open
        self.texts = Texts(ctx)
        self.products: list[Product | ProductRow] = []
        self.index: SearchIndex | None = None
        self.category = ALL
        self.last_sale_id: str | None = None
        self._last_sale: tuple[str, int, int] | None = None  # ticket, total, change
        self.taken: list[PaymentSpec] = []  # parts of the payment taken for this cart
        self.paying: PaymentDialog | None = None  # the payment dialog, while it is open
        self._over: list[Dialog] = []  # the dialogs open over the cart, the innermost last
        self._waiting: list[tuple[str, Any]] = []  # taps and scans before the store opened
        self._kept: str | None = None  # the cart as last written to the database
        self._refused: str | None = None  # the cart as the database last refused it
        self.closing = False  # the till closes: a cart just refused is not tried again
        self._dirty_since: float | None = None  # its first change not written yet
        self._refusals = 0  # the writes of the cart refused in a row
        self._refused_since: float | None = None  # the first of them
        self._unkept_said: str | None = None  # the words that said so
        self._unkept_why: Exception | None = None  # why, while the cart is not written
        self._matches_said: str | None = None  # "12 products match", while it is true
        self._more_found = False  # the search found more products than its tiles show
        self.clock: Callable[[], float] = time.monotonic  # when the cart waits, in seconds
        self._keep_timer = QTimer(self)
        self._keep_timer.setSingleShot(True)
        self._keep_timer.timeout.connect(self._keep_again)
        self.parked_count = 0
        self._build(photos)
        ctx.catalogue_changed.connect(self.reload)
        ctx.language_changed.connect(self.retranslate)
        ctx.day_changed.connect(self._day_notice)
        if ctx.ready:
            self._store_ready()
        else:
            assert ctx.snapshot is not None
            self._show(list(ctx.snapshot.products))
            ctx.store_opened.connect(self._store_ready)

    @property
    def ready(self) -> bool:
        """Whether the cart can take products (the store is open)."""
        return self.index is not None

    def _store_ready(self) -> None:
        from pos import held
        from pos.cart import Cart

        aside = self._set_aside_unreadable()  # before anything counts or keeps a cart
        with self.ctx.read() as s:
            kept = held.current(s)
            self.parked_count = held.count_parked(s)
        self.cart = Cart() if kept is None else kept.cart
        if kept is not None:
            self.taken = list(kept.payments)
            self._kept = held.dumps(kept.cart, kept.payments)
        self.cart_model.set_cart(self.cart)
        self.reload()
        self._refresh_cart()
        self.texts.apply()  # the parked carts' count
        said = [] if aside is None else [aside]
        if kept is not None:
            said.append(lambda: self._back_text(kept))
        if said:
            self.banner.notice(lambda: " ".join(words() for words in said), seconds=120)
        waiting, self._waiting = self._waiting, []
        fresh = {p.id: p for p in self.products}
        for kind, value in waiting:
            if kind == "scan":
                self.scanned(value)
            else:
                product, quantity = value
                self.add_product(fresh.get(product.id, product), quantity)

    # --- layout -----------------------------------------------------------------
    def _build(self, photos: Photos) -> None:
        t = self.texts
        self.search = search_field(t, "saleSearch", "ui.sale.search")
        self.search.textChanged.connect(self._filter)
        self.search.textChanged.connect(self._drop_matches)
        self.search.returnPressed.connect(self._search_entered)
        self.search.installEventFilter(self)
        self.tabs = named(QTabBar(), "saleCategories")
        self.tabs.setExpanding(False)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setDrawBase(False)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.model = ProductModel(self.ctx)
        self.grid = named(QListView(), "saleTiles")
        self.grid.setProperty("role", "tiles")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setGridSize(QSize(TILE_SIZE.width() + 2, TILE_SIZE.height() + 2))
        self.grid.setSpacing(0)
        self.grid.setMouseTracking(True)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.grid.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.grid.setModel(self.model)
        self.grid.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a tap leaves the keys to the search
        self.grid.installEventFilter(self)
        self.delegate = TileDelegate(self.ctx, photos)
        self.grid.setItemDelegate(self.delegate)
        self.grid.clicked.connect(self._tile_clicked)
        self.grid.doubleClicked.connect(self._tile_clicked)  # a quick second tap
        t.bind(self.grid.setAccessibleName, "ui.sale.products")
        self.no_result = label("saleNoResult", style="subtitle", wrap=True)
        self.no_result.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_result.hide()
        self.day_notice = label("saleDayNotice", style="notice", wrap=True)
        self.open_day = button("saleOpenDay", role="primary")
        t.button(self.open_day, "ui.day.open")
        self.open_day.clicked.connect(self.open_day_requested)
        self.day_box = QWidget()
        self.day_box.setLayout(hbox(self.day_notice, self.open_day))
        self.create_product = button("saleCreateProduct")
        t.button(self.create_product, "ui.sale.create_product")
        self.create_product.hide()
        self.create_product.clicked.connect(self._create_unknown)
        self.unknown_code = ""
        self.banner = FloatingBanner("saleMessage", self, (self.grid, self.no_result),
                                     self.create_product)
        left = vbox(spacing=8)
        self.parked_btn = button("cartParked", shortcut=PARKED_KEY)
        t.button(self.parked_btn, "ui.held.parked_btn", count=lambda: self.parked_count)
        self.parked_btn.clicked.connect(self.show_parked)
        self.parked_btn.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        left.addLayout(hbox(self.search, self.parked_btn))
        left.addWidget(self.tabs)
        left.addWidget(self.day_box)
        left.addWidget(self.grid, 1)
        left.addWidget(self.no_result, 1)
        layout = hbox(spacing=12, margins=12)
        layout.addLayout(left, 1)
        layout.addWidget(self._cart_panel())
        self.setLayout(layout)

    def _cart_panel(self) -> QWidget:
        t = self.texts
        panel = card()
        panel.setObjectName("cartPanel")
        panel.setMinimumWidth(340)
        panel.setMaximumWidth(430)
        title = label("cartTitle", style="subtitle")
        t.bind(title.setText, "ui.cart.title")
        self.clear_btn = button("cartClear", role="danger", shortcut="Ctrl+Del")
        t.button(self.clear_btn, "ui.cart.clear")
        self.clear_btn.clicked.connect(self.clear_cart)
        self.park_btn = button("cartPark", shortcut=PARK_KEY)
        t.button(self.park_btn, "ui.held.park")
        self.park_btn.clicked.connect(self.park)
        self.cart_model = CartModel(self.ctx, None)
        self.table = named(QTableView(), "cartTable")
        t.bind(self.table.setAccessibleName, "ui.cart.title")
        self.table.setModel(self.cart_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setMinimumSectionSize(56)  # a finger's height; taller when the name wraps
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _i: self.edit_quantity())
        self.minus = button("cartMinus")
        self.minus.setText("−")
        self.plus = button("cartPlus")
        self.plus.setText("+")
        for b in (self.minus, self.plus):
            b.setStyleSheet("font-size: 22px; font-weight: bold; min-width: 44px;")
        self.minus.clicked.connect(lambda: self.step(-1))
        self.plus.clicked.connect(lambda: self.step(1))
        t.bind(self.minus.setAccessibleName, "ui.cart.less")
        t.bind(self.plus.setAccessibleName, "ui.cart.more")
        self.qty_btn = button("cartQuantity", shortcut="F7")
        self.disc_btn = button("cartLineDiscount", shortcut="F8")
        self.price_btn = button("cartPrice", shortcut="F10")
        self.remove_btn = button("cartRemove", shortcut="Del")
        self.cart_disc_btn = button("cartDiscount", shortcut="F9")
        for btn, key, slot in (
            (self.qty_btn, "ui.cart.quantity_btn", self.edit_quantity),
            (self.disc_btn, "ui.cart.discount_btn", self.line_discount),
            (self.price_btn, "ui.cart.price_btn", self.override_price),
            (self.remove_btn, "ui.cart.remove", self.remove_line),
            (self.cart_disc_btn, "ui.cart.cart_discount_short", self.cart_discount),
        ):
            t.button(btn, key)
            btn.clicked.connect(slot)
        self.subtotal = label("cartSubtotal", style="muted")
        self.discount_label = label("cartDiscountLabel", style="muted")
        total_caption = label("cartTotalCaption", style="subtitle")
        t.bind(total_caption.setText, "ui.cart.total")
        self.total = label("cartTotal", style="bigTotal")
        self.total.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        self.pay = button("payButton", role="pay", shortcut="F12")
        t.button(self.pay, "ui.sale.pay")
        self.pay.clicked.connect(self.start_payment)
        self.taken_label = label("cartTaken", style="subtitle", wrap=True)
        self.taken_label.hide()
        self.last_sale = label("lastSale", wrap=True)
        self.last_sale.hide()
        self.last_change = label("lastChange", style="notice")
        self.last_change.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.last_change.hide()
        self.receipt_btn = button("lastReceipt")
        t.button(self.receipt_btn, "ui.sale.show_receipt")
        self.receipt_btn.clicked.connect(self.show_last_receipt)
        self.receipt_btn.hide()
        box = QVBoxLayout(panel)
        box.setContentsMargins(12, 12, 12, 12)
        box.setSpacing(8)
        box.addLayout(hbox(title, None, self.park_btn, self.clear_btn))
        box.addWidget(self.table, 1)
        box.addLayout(hbox(self.minus, self.plus, self.qty_btn, self.remove_btn, spacing=6))
        box.addLayout(hbox(self.disc_btn, self.price_btn, self.cart_disc_btn, spacing=6))
        box.addLayout(hbox(self.subtotal, None, self.discount_label))
        box.addLayout(hbox(total_caption, None, self.total))
        box.addWidget(self.taken_label)
        last_row = hbox(self.last_sale, self.receipt_btn)  # a sale with change fits 1024x600
        last_row.setStretch(0, 1)
        box.addLayout(last_row)
        box.addWidget(self.last_change)
        box.addWidget(self.pay)
        for b in (self.qty_btn, self.disc_btn, self.price_btn, self.remove_btn,
                  self.cart_disc_btn, self.park_btn):
            b.setStyleSheet("font-size: 13px; padding: 4px 6px;")
        for b in (self.clear_btn, self.park_btn, self.minus, self.plus, self.qty_btn,
                  self.disc_btn, self.price_btn, self.remove_btn, self.cart_disc_btn,
                  self.receipt_btn, self.pay):
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a tap leaves the keys to the search
        t.bind(self.cart_disc_btn.setToolTip, "ui.cart.cart_discount")
        self._refresh_cart()
        return panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """An empty search box lets Del (and Ctrl+Del) reach the cart's shortcuts instead of
        claiming them for editing; Esc empties it (all the tiles are back); Enter on the tile
        chosen with the arrow keys rings it up."""
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and self.search.text()):
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:
                self.search.clear()
                return True
        if watched is self.grid and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self.grid.currentIndex()
                if index.isValid():
                    self._ring_tile(index)
                return True
        if watched is self.search and event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if (event.key() == Qt.Key.Key_Delete and not self.search.text()
                    and modifiers in (Qt.KeyboardModifier.NoModifier,
                                      Qt.KeyboardModifier.ControlModifier)):
                event.ignore()
                return True
        return super().eventFilter(watched, event)

    # --- catalogue --------------------------------------------------------------
    def reload(self) -> None:
        from pos import catalogue

        with self.ctx.read() as s:
            products = [p for p in catalogue.all_products(s) if p.active]
        self.index = catalogue.SearchIndex(products)
        self._show(products)

    def _show(self, products: list[Product] | list[ProductRow]) -> None:
        self.delegate.forget()
        self.products = list(products)
        self._fill_tabs()
        self._filter()
        self._day_notice()

    def _fill_tabs(self) -> None:
        cats = sorted({p.category for p in self.products if p.category},
                      key=lambda c: self.ctx.category_label(c))
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        self.tabs.addTab(self.ctx.t("ui.sale.all"))
        self.tabs.setTabData(0, ALL)
        for cat in cats:
            i = self.tabs.addTab(self.ctx.category_label(cat).replace("&", "&&"))
            self.tabs.setTabData(i, cat)
        current = [self.tabs.tabData(i) for i in range(self.tabs.count())]
        self.tabs.setCurrentIndex(current.index(self.category) if self.category in current else 0)
        self.category = self.tabs.tabData(self.tabs.currentIndex())
        self.tabs.blockSignals(False)

    def _tab_changed(self, index: int) -> None:
        self.category = self.tabs.tabData(index) or ALL
        self._filter()

    def select_category(self, category: str) -> None:
        for i in range(self.tabs.count()):
            if self.tabs.tabData(i) == category:
                self.tabs.setCurrentIndex(i)

    def _filter(self) -> None:
        text = latin_digits(self.search.text().strip())  # "٢٥٠" on an Arabic keyboard: 250
        self._more_found = False
        if text and self.index is not None:
            found: list[Product | ProductRow] = list(self.index.search(text,
                                                                       limit=SEARCH_LIMIT + 1))
            self._more_found = len(found) > SEARCH_LIMIT  # the tiles show the first ones
            del found[SEARCH_LIMIT:]
        elif self.category:
            found = [p for p in self.products if p.category == self.category]
        else:
            found = self.products
        self.model.set_products(found)
        self.grid.setVisible(bool(found))  # else the message takes the grid's place
        self.no_result.setVisible(not found)
        empty = not self.products and not text
        self.no_result.setText(self.ctx.t("ui.sale.no_products" if empty else "ui.sale.no_result"))

    def _search_entered(self) -> None:
        """Enter in the search box: the product found joins the cart (the one whose SKU or
        barcode is exactly the text typed, else the only result)."""
        text = self.search.text().strip()
        if not text or not self.ready:
            return
        found = self.model.products
        wanted = text.casefold()
        code = latin_digits(text)  # a barcode typed on an Arabic keyboard
        exact = [p for p in found if p.sku.casefold() == wanted
                 or any(b.code == code for b in getattr(p, "barcodes", ()))]
        chosen = exact[0] if len(exact) == 1 else found[0] if len(found) == 1 else None
        if chosen is None:
            if found:
                self._matches_said = (
                    self.ctx.t("ui.sale.matches_more", count=SEARCH_LIMIT) if self._more_found
                    else tr_count(self.ctx.lang, "ui.sale.matches", len(found)))
                self.banner.notice(self._matches_said)
            return
        self.search.clear()
        self.add_product(chosen)

    def _drop_matches(self) -> None:
        """The search that found several products changed (typed on, emptied) or one of
        them joined the cart: their count is no longer what the screen shows."""
        self._unsay(self._matches_said)
        self._matches_said = None

    # --- ringing ----------------------------------------------------------------
    def _tile_clicked(self, index: QModelIndex) -> None:
        """A tile tapped: rung up, and the keyboard is the search box's again."""
        self._ring_tile(index)
        self.search.setFocus()

    def _ring_tile(self, index: QModelIndex) -> None:
        product = index.data(ProductRole)
        if product is not None:
            self.add_product(product)

    def add_product(self, product: Product | ProductRow, quantity: int | None = None) -> None:
        if not self.ready:
            self._waiting.append(("tap", (product, quantity)))
            return
        if quantity is None and product.unit != "piece":
            from ui.line_dialogs import ValueDialog

            dialog = ValueDialog(
                self.ctx, self, "weightDialog", "ui.cart.weight_title",
                self.ctx.t("ui.cart.weight_caption", unit=unit_name(product.unit, self.ctx.lang),
                           name=self.ctx.name_of(product.name_ar, product.name_fr)),
                kind="quantity", unit=product.unit)
            if not self._over_cart(dialog):
                return
            quantity = dialog.value
        try:  # a snapshot row has the fields of a Product that a cart line takes
            line = self.cart.add(cast("Product", product), quantity or 1000)
        except SoukError as exc:
            self._error(exc.message(self.ctx.lang))
            return
        self._hide_last_sale()
        self._refresh_cart(select=self.cart.lines.index(line))
        name = self.ctx.name_of(product.name_ar, product.name_fr)
        if self.paying is not None:
            self.paying.set_total(self.cart.totals().total, name)
        if self._over and self._over[-1] is not self.paying:
            self._over[-1].tell(self.ctx.t("ui.cart.scan_added", name=name), seconds=5)

    def _over_cart(self, dialog: Dialog) -> bool:
        """Run ``dialog`` over the cart; whether it was accepted. A code scanned while it is
        open joins the cart (see :meth:`scanned`), and the dialog shows what came of it."""
        dialog.setProperty(SCANS, TO_CART)
        self._over.append(dialog)
        try:
            return bool(dialog.exec())
        finally:
            self._over.remove(dialog)

    def _error(self, text: str, seconds: int = 8) -> None:
        """Show ``text`` on the screen, and in the dialog open over the cart if there is
        one (a code scanned while paying or typing a weight that the till does not know)."""
        self.banner.error(text, seconds=seconds)
        if self._over:
            self._over[-1].tell(text, error=True, seconds=seconds)

    def scanned(self, code: str) -> None:
        """A barcode was read (wherever the focus was)."""
        if not self.ready:
            self._waiting.append(("scan", code))
            return
        from pos import catalogue

        with self.ctx.read() as s:
            product = catalogue.by_barcode(s, code)
            if product is not None:
                s.expunge(product)
        if product is None:
            self.unknown_code = code
            self._error(self.ctx.t("ui.sale.unknown_barcode", code=code), seconds=15)
            self.create_product.show()
            return
        self.create_product.hide()
        self.add_product(product)

    def _create_unknown(self) -> None:
        self.create_product.hide()
        self.banner.hide()
        self.create_product_requested.emit(self.unknown_code)

    def _selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        return len(self.cart.lines) - 1 if self.cart is not None and self.cart.lines else None

    def _refresh_cart(self, select: int | None = None) -> None:
        self.cart_model.refresh()
        if self.cart is None:  # the store is opening: an empty cart, nothing to press
            self.total.setText(format_money(0, self.ctx.lang))
            self.total.setAccessibleName(self.ctx.t("ui.cart.total") + " " + self.total.text())
            for widget in (self.subtotal, self.discount_label):
                widget.setVisible(False)
            for b in (self.pay, self.clear_btn, self.park_btn, self.parked_btn, self.minus,
                      self.plus, self.qty_btn, self.disc_btn, self.price_btn, self.remove_btn,
                      self.cart_disc_btn):
                b.setEnabled(False)
            return
        lang = self.ctx.lang
        totals = self.cart.totals()
        self.total.setText(format_money(totals.total, lang))
        self.total.setAccessibleName(self.ctx.t("ui.cart.total") + " " + self.total.text())
        self.subtotal.setText(self.ctx.t("ui.cart.subtotal",
                                         amount=format_money(totals.subtotal, lang)))
        self.discount_label.setText(
            self.ctx.t("ui.cart.discount_total", amount=format_money(-totals.discount, lang))
            if totals.discount else "")
        self.subtotal.setVisible(bool(totals.discount))
        self.discount_label.setVisible(bool(totals.discount))
        paid = self.taken_total
        self.taken_label.setText(self.ctx.t(
            "ui.cart.taken", paid=format_money(paid, lang),
            rest=format_money(max(totals.total - paid, 0), lang)) if paid else "")
        self.taken_label.setVisible(bool(self.taken))
        empty = self.cart.is_empty
        for b in (self.pay, self.clear_btn, self.park_btn, self.minus, self.plus, self.qty_btn,
                  self.disc_btn, self.price_btn, self.remove_btn, self.cart_disc_btn):
            b.setEnabled(not empty)
        self.parked_btn.setEnabled(bool(self.parked_count))
        self._drop_matches()
        self._cart_changed()
        if select is not None and 0 <= select < len(self.cart.lines):
            self.table.selectionModel().select(
                self.cart_model.index(select, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.doItemsLayout()  # the new line's height and the scroll range first
            self.table.scrollTo(self.cart_model.index(select, 0))

    @property
    def taken_total(self) -> int:
        """What the parts of the payment already taken for this cart add up to."""
        return sum(p.amount for p in self.taken)

    def _fits(self, change: Callable[[Cart], object]) -> bool:
        """Whether the cart, once changed by ``change``, would still be worth the payments
        already taken for it; if not, the seller is told why nothing changed."""
        paid = self.taken_total
        if not paid:
            return True
        trial = copy.deepcopy(self.cart)
        change(trial)
        total = trial.totals().total
        if total >= paid:
            return True
        self._refuse_below_taken(total)
        return False

    def _refuse_below_taken(self, total: int) -> None:
        """Say that a cart worth ``total`` is less than the payments already taken for it."""
        lang = self.ctx.lang
        self._error(self.ctx.t("ui.sale.below_taken", paid=format_money(self.taken_total, lang),
                               total=format_money(total, lang)), seconds=15)

    def _change(self, change: Callable[[Cart], object]) -> bool:
        """Make ``change`` to the cart when it :meth:`_fits`; whether it was made."""
        if not self._fits(change):
            return False
        change(self.cart)
        return True

    def step(self, delta: int) -> None:
        row = self._selected_row()
        if row is None:
            return
        line = self.cart.lines[row]
        unit = 1000 if line.unit == "piece" else 100 if line.unit in ("kg", "l") else 50_000
        if self._change(lambda cart: cart.set_quantity(row, line.quantity + delta * unit)):
            self._refresh_cart(select=min(row, len(self.cart.lines) - 1))

    def edit_quantity(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        from ui.line_dialogs import ValueDialog

        line = self.cart.lines[row]
        shown = line.quantity
        piece = line.unit == "piece"
        caption_key = "ui.cart.quantity_caption" if piece else "ui.cart.weight_caption"
        dialog = ValueDialog(
            self.ctx, self, "quantityDialog", "ui.cart.quantity_title",
            self.ctx.t(caption_key, unit=unit_name(line.unit, self.ctx.lang),
                       name=self.ctx.name_of(line.name_ar, line.name_fr)),
            format_quantity(shown, line.unit, self.ctx.lang), kind="quantity",
            unit=line.unit)
        if not self._over_cart(dialog):
            return
        # a scan while the dialog was open may have added to this very line: those units
        # come on top of the quantity typed for the ones the seller saw
        wanted = dialog.value + line.quantity - shown
        if self._change(lambda cart: cart.set_quantity(row, wanted)):
            self._refresh_cart(select=min(row, len(self.cart.lines) - 1))

    def remove_line(self) -> None:
        row = self._selected_row()
        if row is not None and self._change(lambda cart: cart.set_quantity(row, 0)):
            self._refresh_cart(select=min(row, len(self.cart.lines) - 1))

    def line_discount(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        from ui.line_dialogs import DiscountDialog

        line = self.cart.lines[row]
        dialog = DiscountDialog(self.ctx, self, "lineDiscountDialog", "ui.discount.line_title",
                                name=self.ctx.name_of(line.name_ar, line.name_fr))
        if self._over_cart(dialog) and self._change(
                lambda cart: setattr(cart.lines[row], "discount", dialog.discount)):
            self._refresh_cart(select=row)

    def cart_discount(self) -> None:
        if self.cart is None or self.cart.is_empty:
            return
        from ui.line_dialogs import DiscountDialog

        dialog = DiscountDialog(self.ctx, self, "cartDiscountDialog", "ui.discount.cart_title")
        if self._over_cart(dialog) and self._change(
                lambda cart: setattr(cart, "discount", dialog.discount)):
            self._refresh_cart()

    def override_price(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        from ui.line_dialogs import ValueDialog

        line = self.cart.lines[row]
        dialog = ValueDialog(
            self.ctx, self, "priceDialog", "ui.cart.price_title",
            self.ctx.t("ui.cart.price_caption", name=self.ctx.name_of(line.name_ar, line.name_fr),
                       price=format_money(line.list_price, self.ctx.lang)),
            kind="money")
        if not self._over_cart(dialog):
            return
        if dialog.value >= 0 and not self._fits(  # a negative price is refused below
                lambda cart: cart.override_price(row, dialog.value, 0)):
            return
        manager = ask_manager(self.ctx, self, "ui.pin.reason_price")
        if manager is None:
            return
        try:
            self.cart.override_price(row, dialog.value, manager.id)
        except SoukError as exc:
            self.banner.error(exc.message(self.ctx.lang))
        self._refresh_cart(select=row)

    def clear_cart(self) -> None:
        """Empty the cart; a cart of more than one line, or with payments already taken
        for it, only once the seller confirms."""
        if self.cart is None or self.cart.is_empty:
            return
        if self.taken:
            if not self._confirm_drop_taken():
                return
        elif len(self.cart.lines) > 1 and not self._confirm_clear():
            return
        given_back = bool(self.taken)
        self.cart.clear()
        self.taken = []
        self._refresh_cart()
        self.keep_now(patient=given_back)  # emptied, its parts given back: never comes back

    def _confirm_drop_taken(self) -> bool:
        """Ask before emptying a cart partly paid: the parts are named, to be given back."""
        from ui.payment import parts_text

        return confirm(self.ctx, self, "clearConfirm", "ui.clear_cart.title",
                       self.ctx.t("ui.clear_cart.taken_question",
                                  parts=parts_text(self.ctx, self.taken)),
                       "ui.clear_cart.clear", "ui.clear_cart.keep", risky=True)

    def _confirm_clear(self) -> bool:
        """Ask before emptying the cart: No is the default (Enter keeps the cart) and a
        scanner's Enter is swallowed, never taken as the answer."""
        assert self.cart is not None
        return confirm(self.ctx, self, "clearConfirm", "ui.clear_cart.title",
                       self.ctx.t("ui.clear_cart.question", count=len(self.cart.lines)),
                       "ui.clear_cart.clear", "ui.clear_cart.keep", risky=True)

    # --- payment ----------------------------------------------------------------
    def start_payment(self) -> None:
        if self.cart is None or self.cart.is_empty:
            return
        from ui.payment import PaymentDialog

        total = self.cart.totals().total
        if self.ctx.open_day() is None:
            self.banner.error(self.ctx.t("day.not_open"))
            return
        if total < self.taken_total:  # the cart's changes are checked; never pay twice
            self._refuse_below_taken(total)
            return
        self.keep_now(patient=False)  # the cart as it is paid, before any part is taken
        dialog = PaymentDialog(self.ctx, self, total, self.taken)
        dialog.parts_changed.connect(self.keep_now)  # a card charged is written at once
        self.paying = dialog
        try:
            accepted = self._over_cart(dialog)
        finally:
            self.paying = None
            self.taken = list(dialog.payments)  # what was taken stays with the cart
        if accepted:
            self.complete(self.taken)
        elif self.taken:
            self._refresh_cart()
            lang = self.ctx.lang
            self.banner.notice(self.ctx.t(
                "ui.sale.taken_kept", paid=format_money(self.taken_total, lang),
                rest=format_money(self.cart.totals().total - self.taken_total, lang)),
                seconds=15)

    def complete(self, payments: list) -> bool:  # type: ignore[type-arg]
        """Record the sale; on success the cart is empty and ready for the next customer.
        The cart kept in the database goes in the sale's own transaction: a sale recorded
        never comes back as a cart."""
        from pos import checkout, held, journal

        try:
            with self.ctx.store.ledger() as db:
                sale = checkout.complete(db, self.cart, payments, cashier=self.ctx.user)
                held.drop_current(db)
                self.printer.enqueue(db, sale.kind, sale.id)
                sale_id, total = sale.id, sale.total
                ticket = journal.label_of(db, sale.number)
        except SoukError as exc:
            self.banner.error(exc.message(self.ctx.lang))
            self.keep_now(patient=False)
            return False
        except Exception as exc:  # disk full, database locked: the cart stays
            self.banner.error(storage_error(self.ctx, exc), seconds=20)
            self.keep_now(patient=False)  # the sale waited for the lock already
            return False
        self._kept = None
        self._keep_timer.stop()
        self._dirty_since = None
        self._written()
        self.printer.notify()
        change = sum(p.change or 0 for p in payments)
        self.cart.clear()
        self.taken = []
        self.last_sale_id = sale_id
        self._refresh_cart()
        self._last_sale = (ticket, total, change)
        self._show_last_sale()
        self.search.clear()
        self.search.setFocus()  # the next customer's first code goes into the search
        self.sale_recorded.emit(sale_id)
        self.ctx.sales_changed.emit()
        return True

    def _show_last_sale(self) -> None:
        """The sale just recorded (its ticket, and the change to give back, large), in the
        language of the moment."""
        if self._last_sale is None:
            return
        ticket, total, change = self._last_sale
        lang = self.ctx.lang
        self.last_sale.setText(self.ctx.t("ui.sale.done", number=ticket,
                                          total=format_money(total, lang)))
        self.last_change.setText(self.ctx.t("ui.sale.give_change",
                                            change=format_money(change, lang)))
        self.last_sale.show()
        self.receipt_btn.show()
        self.last_change.setVisible(bool(change))

    def _hide_last_sale(self) -> None:
        self._last_sale = None
        for widget in (self.last_sale, self.last_change, self.receipt_btn):
            widget.hide()

    def show_last_receipt(self) -> None:
        if self.last_sale_id:
            self.printer.show_receipt(self, self.last_sale_id)

    # --- the cart kept in the database ------------------------------------------
    def _cart_changed(self) -> None:
        """Write the cart a moment from now: once the taps pause, or at the latest
        :data:`KEEP_AT_MOST_S` after its first change not yet written."""
        if self.cart is None:
            return
        if self._refusals and self._keep_timer.isActive():
            return  # the database refused it a moment ago: tried again as planned
        now = self.clock()
        if self._dirty_since is None:
            self._dirty_since = now
        if now - self._dirty_since < KEEP_AT_MOST_S or not self._keep_timer.isActive():
            self._keep_timer.start(KEEP_IDLE_MS)

    def _cashier_name(self) -> str:
        return self.ctx.user.name if self.ctx.user is not None else ""

    def keep_now(self, *, patient: bool = True) -> bool:
        """Write the cart and the parts of its payment taken (in the payment dialog while
        it is open) to the database now, if they changed; whether they are written. The
        cart stays on the screen either way.

        ``patient``: the seller asked for something that needs the cart written (a part of
        the payment taken or given back, the window closed): the write waits for a lock
        held elsewhere as long as a sale does, and a failure is said at once. Otherwise
        (the writes the till makes by itself, after the taps) it waits
        :data:`KEEP_WAIT_MS` at most, never freezing the screen, and a busy database is
        said only once it has refused the cart for :data:`KEEP_SAY_AFTER_S`. A cart not
        written is tried again, less and less often, until it is (the latest cart then);
        the message goes once it is."""
        self._keep_timer.stop()
        self._dirty_since = None
        if self.cart is None or not self.ctx.ready:
            return False
        from pos import held

        payments = self.paying.payments if self.paying is not None else self.taken
        text = None if self.cart.is_empty and not payments else held.dumps(self.cart, payments)
        if text == self._kept:
            self._written()
            return True
        if self.closing and text == self._refused:
            return False  # refused a moment ago, which the seller was told before closing
        try:
            with self.ctx.store.ledger(wait_ms=None if patient else KEEP_WAIT_MS) as db:
                held.keep_text(db, text, cashier_name=self._cashier_name())
        except Exception as exc:
            self._refused = text
            self._not_written(exc, patient=patient)
            return False
        self._kept = text
        self._refused = None
        self._written()
        return True

    def _keep_again(self) -> None:
        """The timer's write: the till's own, which waits only a moment."""
        self.keep_now(patient=False)

    def _not_written(self, exc: Exception, *, patient: bool) -> None:
        """The database refused the cart: say so (at once when the seller was waiting for
        it or the disk is full; when it is only busy, once it has been for
        :data:`KEEP_SAY_AFTER_S` and the screen says nothing else), and try again later,
        backing off up to :data:`KEEP_AT_MOST_S`."""
        now = self.clock()
        if self._refused_since is None:
            self._refused_since = now
        self._refusals += 1
        busy = is_busy(exc)
        if (patient or not busy or now - self._refused_since >= KEEP_SAY_AFTER_S) and (
                patient or self._unkept_said is None or self.banner.isHidden()):
            said = storage_error(self.ctx, exc, "ui.error.cart_not_kept",
                                 busy="db.busy" if patient else "ui.error.busy_retrying")
            self._error(said, seconds=20)
            self._unkept_said = said
            self._unkept_why = exc
            self.unwritten_changed.emit()
        if not self.closing:
            delay = KEEP_IDLE_MS * 2 ** min(self._refusals, 8)
            self._keep_timer.start(min(delay, int(KEEP_AT_MOST_S * 1000)))

    def _written(self) -> None:
        """The cart in the database is the one on the screen: nothing to try again, and a
        message that said it was not written goes."""
        self._refusals = 0
        self._refused_since = None
        self._unsay(self._unkept_said)
        self._unkept_said = None
        if self._unkept_why is not None:
            self._unkept_why = None
            self.unwritten_changed.emit()

    def unwritten(self) -> tuple[str, str] | None:
        """While the cart is not written and the screen said so (the database busy for
        :data:`KEEP_SAY_AFTER_S`, the disk full...): the reason in a few words and the
        whole message, in the present language, for the screens other than this one;
        None once the cart is written."""
        exc = self._unkept_why
        if exc is None:
            return None
        t = self.ctx.t
        why = ("ui.status.cart_disk_full" if is_disk_full(exc)
               else "ui.status.cart_busy" if is_busy(exc) else "ui.status.cart_error")
        whole = storage_error(self.ctx, exc, "ui.error.cart_not_kept",
                              busy="ui.error.busy_retrying")
        return t("ui.status.cart_not_kept", why=t(why)), whole

    def _unsay(self, said: str | None) -> None:
        """Hide the message ``said`` where it still shows (on the screen, in the dialog
        open over the cart), and no other."""
        banners = [self.banner] + ([self._over[-1].banner] if self._over else [])
        for banner in banners:
            if said is not None and banner.text() == said and not banner.isHidden():
                banner.hide()

    def kept_total(self) -> int | None:
        """The total of the cart as last written to the database, which comes back on the
        next start; None when none is written."""
        from pos import held

        if self._kept is None:
            return None
        cart, _payments = held.loads(self._kept)
        return cart.totals().total

    def hideEvent(self, event: QHideEvent) -> None:
        """Another screen is shown, or the till locks or closes: the cart is written."""
        if self.cart is not None:
            self.keep_now(patient=False)
        super().hideEvent(event)

    def _back_text(self, kept: HeldCart) -> str:
        """The banner of a start that brought back the cart in progress."""
        from ui.payment import parts_text

        if kept.payments:
            return self.ctx.t("ui.held.back_taken", parts=parts_text(self.ctx, kept.payments))
        return self.ctx.t("ui.held.back")

    def _set_aside_unreadable(self) -> Callable[[], str] | None:
        """Set aside the kept carts this version cannot read (written by a newer version,
        or damaged: :func:`pos.held.unreadable`), so that none stops the till or comes
        back; the banner's words for them, None when there is none (or the write failed,
        which the banner says: they are passed over meanwhile)."""
        from pos import held

        with self.ctx.read() as s:
            unread = held.unreadable(s)
        if not unread:
            return None
        try:
            with self.ctx.store.ledger() as db:
                held.set_aside(db, [row for row, _state in unread])
        except Exception as exc:
            self._error(storage_error(self.ctx, exc), seconds=20)
            return None
        current = any(state == held.CURRENT for _row, state in unread)
        parked = sum(state == held.PARKED for _row, state in unread)

        def words() -> str:
            said = [self.ctx.t("ui.held.unreadable_current")] if current else []
            if parked:
                said.append(tr_count(self.ctx.lang, "ui.held.unreadable_parked", parked))
            return " ".join(said)

        return words

    # --- parked carts -----------------------------------------------------------
    def _set_parked(self, count: int) -> None:
        self.parked_count = count
        self.texts.apply()
        self.parked_btn.setEnabled(bool(count))

    def park(self) -> None:
        """Put the cart aside (lines, discounts, parts of the payment taken) and empty the
        screen for the next customer."""
        if self.cart is None or self.cart.is_empty:
            return
        from pos import held

        total = self.cart.totals().total
        try:
            with self.ctx.store.ledger() as db:
                held.park(db, self.cart, self.taken, cashier_name=self._cashier_name())
                count = held.count_parked(db)
        except SoukError as exc:
            self._error(exc.message(self.ctx.lang))
            return
        except Exception as exc:
            self._error(storage_error(self.ctx, exc, "ui.error.park_failed"), seconds=20)
            return
        self.cart.clear()
        self.taken = []
        self._kept = None
        self._hide_last_sale()
        self._set_parked(count)
        self._refresh_cart()
        self._keep_timer.stop()
        self._dirty_since = None
        self._written()
        self.banner.notice(lambda: self.ctx.t(
            "ui.held.parked", total=format_money(total, self.ctx.lang), key=PARKED_KEY),
            seconds=10)
        self.search.clear()
        self.search.setFocus()

    def show_parked(self) -> None:
        """List the parked carts; the one chosen comes back (see :meth:`recall`)."""
        if not self.ready:
            return
        from pos import held
        from ui.cart_view import ParkedDialog

        aside = self._set_aside_unreadable()
        with self.ctx.read() as s:
            carts = held.parked(s)
        if aside is not None:
            self.banner.notice(aside, seconds=30)
        if not carts:
            self._set_parked(0)
            if aside is None:
                self.banner.notice(self.ctx.t("ui.held.none"))
            return
        dialog = ParkedDialog(self.ctx, self, carts, cart_empty=self.cart.is_empty)
        accepted = self._over_cart(dialog)
        self._set_parked(dialog.remaining)
        if accepted and dialog.chosen is not None:
            self.recall(dialog.chosen)
        self.search.setFocus()

    def recall(self, parked_id: int) -> bool:
        """Bring the parked cart ``parked_id`` back; the cart on the screen, if not empty,
        is parked in its place. Whether it came back."""
        from pos import held

        current = None if self.cart.is_empty else self.cart
        try:
            with self.ctx.store.ledger() as db:
                recalled = held.recall(db, parked_id, current_cart=current,
                                       current_payments=self.taken,
                                       cashier_name=self._cashier_name())
                count = held.count_parked(db)
        except SoukError as exc:
            self._error(exc.message(self.ctx.lang))
            return False
        except Exception as exc:
            self._error(storage_error(self.ctx, exc, "ui.error.recall_failed"), seconds=20)
            return False
        back = recalled.cart
        self.cart.lines[:] = back.cart.lines  # the model keeps showing the same cart
        self.cart.discount = back.cart.discount
        self.taken = list(back.payments)
        self._kept = held.dumps(self.cart, self.taken)
        self._hide_last_sale()
        self._set_parked(count)
        self._refresh_cart(select=len(self.cart.lines) - 1)
        self._keep_timer.stop()
        self._dirty_since = None
        self._written()
        changes = held.price_changes(self.cart, ((p.id, p.price) for p in self.products))
        self.banner.notice(lambda: self._recalled_text(recalled, changes), seconds=30)
        return True

    def _recalled_text(self, recalled: Recalled, changes: list[PriceChange]) -> str:
        """What the banner says of a cart brought back: its total, the parts already taken,
        the cart parked in its place, the prices kept that the catalogue changed since."""
        from ui.payment import parts_text

        t, lang = self.ctx.t, self.ctx.lang
        back = recalled.cart
        words = [t("ui.held.recalled", total=format_money(back.total, lang))]
        if back.payments:
            words.append(t("ui.held.recalled_taken", parts=parts_text(self.ctx, back.payments),
                           rest=format_money(max(back.total - back.taken, 0), lang)))
        if recalled.parked_instead is not None:
            words.append(t("ui.held.parked_instead", key=PARKED_KEY))
        if changes:
            prices = " ; ".join(t("ui.held.price_now", name=self.ctx.name_of(c.name_ar, c.name_fr),
                                  kept=format_money(c.kept, lang),
                                  now=format_money(c.now, lang)) for c in changes)
            words.append(t("ui.held.prices_kept", prices=prices))
        return " ".join(words)

    # --- language ---------------------------------------------------------------
    def _day_notice(self) -> None:
        closed = self.ctx.open_day() is None
        self.day_notice.setText(self.ctx.t("ui.sale.day_closed"))
        self.day_box.setVisible(closed)

    def retranslate(self) -> None:
        self.texts.apply()
        self._fill_tabs()
        self.model.layoutChanged.emit()
        self.cart_model.refresh()
        self.cart_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)
        self._refresh_cart()
        self._show_last_sale()
        self._day_notice()
        self._filter()
