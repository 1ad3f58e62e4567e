"""Products: the catalogue as a table (low stock highlighted), add and edit with a photo,
CSV import and export with progress. Unless a manager is signed in, every change to the
catalogue asks for the manager's PIN first."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from pos import catalogue, stock, users
from pos.catalogue import TAX_RATES, UNITS, ProductData
from pos.errors import InputError, Ltr, SoukError
from pos.i18n import tr_count
from pos.models import Product, User
from pos.money import (
    format_amount,
    format_measure,
    format_quantity,
    parse_money,
    parse_quantity,
    parse_stock,
    unit_name,
)
from pos.photos import SIDE as PHOTO_SIDE
from pos.photos import cut_short, read_picture
from pos.photos import keep as keep_photo
from pos.stock_alert import counted, low_on_stock
from ui import theme
from ui.context import AppContext
from ui.stock_history import StockHistoryDialog
from ui.tasks import Task
from ui.tiles import Photos, elide_keeping_size, keep_units
from ui.widgets import (
    WRONG_FIELD,
    Banner,
    Dialog,
    Kept,
    Texts,
    ask_manager,
    button,
    hbox,
    label,
    mark_wrong,
    named,
    own_direction,
    percent_text,
    search_field,
    vbox,
    when_visible,
)

Index = QModelIndex | QPersistentModelIndex
CATALOGUE_PIN = "ui.pin.reason_catalogue"
#: the product dialog's width: within a 1024 px screen
WIDTH = 900
#: the goods received dialog's width
RECEIVE_WIDTH = 460
#: the side of the photo shown in the product dialog
PREVIEW = 84
#: the field an error of the product's is about (the name: the one of the UI's language)
FIELD_OF = {"product.sku": "sku", "product.sku_taken": "sku", "product.sku_taken_case": "sku",
            "product.barcode": "barcodes", "product.barcode_taken": "barcodes",
            "product.barcode_check": "barcodes",
            "product.low_stock": "low", "product.member_long": "member"}
COLUMNS = ("ui.products.sku", "ui.products.name", "ui.products.category", "ui.products.price",
           "ui.products.unit", "ui.products.stock", "ui.products.barcode", "ui.products.member")
NAME, PRICE, STOCK = 1, 3, 5
#: the columns of free text (the name, category, barcodes and member): on a narrow screen
#: they give way, their texts cut at the end (the tool tip gives them whole); the SKU,
#: price, unit and stock always show whole
FREE = (NAME, 2, 6, 7)
#: the share of a free column's texts that it shows whole before it gives way further
USUAL = 0.7
#: the roles the table answers
ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                   Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole,
                   Qt.ItemDataRole.ToolTipRole})


def manager_allowing(ctx: AppContext, parent: QWidget | None) -> User | None:
    """The manager who allows a change to the catalogue now, whose name the stock moves
    it writes keep: the manager signed in, or a manager who typed their PIN (None: a
    wrong PIN or a cancel, and nothing is changed)."""
    user = ctx.user
    if user is not None and user.role == users.MANAGER:
        return user
    return ask_manager(ctx, parent, CATALOGUE_PIN)


def share_out(columns: dict[int, tuple[int, int, int]], room: int) -> dict[int, int]:
    """The widths of ``columns`` in ``room`` pixels, each given as (what its widest text
    needs, what most of its texts need, the least it takes): all as wide as they need when
    there is room; else the widest give way first, each down to what most of its texts
    need at most (a few long names cut rather than every member's); then all give way in
    proportion down to their least."""
    if sum(sizes[0] for sizes in columns.values()) <= room:
        return {column: sizes[0] for column, sizes in columns.items()}
    usual = sum(sizes[1] for sizes in columns.values())
    if usual <= room:
        def capped(level: int) -> dict[int, int]:
            return {column: max(mostly, min(widest, level))
                    for column, (widest, mostly, _least) in columns.items()}

        low, high = 0, max(sizes[0] for sizes in columns.values())
        while low < high:  # the highest level at which the columns fit
            level = (low + high + 1) // 2
            low, high = (level, high) if sum(capped(level).values()) <= room else (low, level - 1)
        return capped(low)
    least = sum(sizes[2] for sizes in columns.values())
    kept = max(0.0, (room - least) / (usual - least)) if usual > least else 0.0
    return {column: sizes[2] + int(kept * (sizes[1] - sizes[2]))
            for column, sizes in columns.items()}


def search_key(p: Product, category: str = "") -> str:
    """What the products screen's search looks in: the SKU, both names, the member, the
    barcodes and the ``category`` as the table shows it, folded."""
    return catalogue.fold(f"{p.sku} {p.name_ar} {p.name_fr} {p.member} {category} "
                          + " ".join(b.code for b in p.barcodes))


class OwnDirection(QStyledItemDelegate):
    """Each text laid out in its own direction (a member's Latin name or the barcodes in the
    Arabic table, an Arabic category in the French one), so that a text cut short ends with
    "…" at its own end; the cell keeps to the table's reading side. A name cut short keeps
    its size (:meth:`_keep_size`)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        if index.column() == NAME:
            self._keep_size(option)
        table = option.direction  # type: ignore[attr-defined]
        text = option.text  # type: ignore[attr-defined]
        own = own_direction(text)
        if own is None and any(ch.isdigit() for ch in text):  # barcodes read left to right
            own = Qt.LayoutDirection.LeftToRight
        if own is None or own == table:
            return
        side = (Qt.AlignmentFlag.AlignRight if table == Qt.LayoutDirection.RightToLeft
                else Qt.AlignmentFlag.AlignLeft)
        option.direction = own  # type: ignore[attr-defined]
        option.displayAlignment = (  # type: ignore[attr-defined]
            side | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter)

    @staticmethod
    def _keep_size(option: QStyleOptionViewItem) -> None:
        """A name too long for its cell keeps the size that ends it, as on the tiles: the
        words before it are cut instead ("Huile d'argan cosmé… 250 ml"), so that the sizes
        of a product tell them apart."""
        width = option.rect.width()  # type: ignore[attr-defined]
        widget = option.widget  # type: ignore[attr-defined]
        if width <= 0 or widget is None:  # measured, not drawn
            return
        # the text is drawn between two margins, a pixel wider than its advance at times
        room = width - 2 * (widget.style().pixelMetric(
            QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1) - 1
        metrics = option.fontMetrics  # type: ignore[attr-defined]
        if metrics.horizontalAdvance(option.text) > room:  # type: ignore[attr-defined]
            option.text = elide_keeping_size(  # type: ignore[attr-defined]
                keep_units(option.text), metrics, room)  # type: ignore[attr-defined]


def is_low(p: Product) -> bool:
    """An active product at or below the stock alert level set for it."""
    return p.active and low_on_stock(p.stock, p.low_stock)


class ProductTable(QAbstractTableModel):
    """The products in the order of the column the table is sorted by, and for each whether
    it matches the search (its key, folded once per load, holds every word searched) and,
    while only those are shown (``low_only``), whether it is low on stock."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.products: list[Product] = []
        self.matching: list[bool] = []
        self._keys: list[str] = []
        self._loaded: list[tuple[Product, str]] = []  # in the catalogue's order
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None
        self._words: list[str] = []
        self.low_only = False

    def show_low_only(self, only: bool) -> None:
        """Mark only the products low on stock (:func:`is_low`) that match the search, or all
        that match it again."""
        self.low_only = only
        self._match()

    def set_products(self, products: list[Product]) -> None:
        self.beginResetModel()
        label = self.ctx.category_label
        self._loaded = [(p, search_key(p, label(p.category))) for p in products]
        self._arrange()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (:meth:`sort_key`), products alike in the catalogue's order; the
        selection follows its product."""
        self._sorted_by = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        moved = [self.products[index.row()] for index in before]
        self._arrange()
        rows = {id(p): row for row, p in enumerate(self.products)}
        self.changePersistentIndexList(before, [
            self.index(rows[id(p)], index.column())
            for p, index in zip(moved, before, strict=True)])
        self.layoutChanged.emit()

    def search(self, words: list[str]) -> None:
        """Mark the products whose key holds every one of ``words`` (folded)."""
        self._words = words
        self._match()

    def _arrange(self) -> None:
        rows = self._loaded
        if self._sorted_by is not None:
            column, order = self._sorted_by
            rows = sorted(rows, key=lambda row: self.sort_key(row[0], column),
                          reverse=order == Qt.SortOrder.DescendingOrder)
        self.products = [p for p, _key in rows]
        self._keys = [key for _p, key in rows]
        self._match()

    def _match(self) -> None:
        keys = self._keys
        matching = [is_low(p) for p in self.products] if self.low_only else [True] * len(keys)
        for word in self._words:
            matching = [shown and word in key for shown, key in zip(matching, keys, strict=True)]
        self.matching = matching

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.products)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.ctx.t(COLUMNS[section])
        return None

    def cell(self, p: Product, col: int) -> str:
        """The text of column ``col``, made alone (a view asks for its cells one at a time)."""
        lang = self.ctx.lang
        match col:
            case 0:
                return p.sku
            case 1:
                return self.ctx.name_of(p.name_ar, p.name_fr)
            case 2:
                return self.ctx.category_label(p.category)
            case 3:
                return format_amount(p.price, lang)
            case 4:
                return unit_name(p.unit, lang)
            case 5:
                return format_quantity(p.stock, p.unit, lang)
            case 6:
                return " ".join(b.code for b in p.barcodes)
            case _:
                return p.member

    def sort_key(self, p: Product, col: int) -> tuple[int, str, str]:
        """How ``p`` is placed when the table is sorted by ``col``: by the amount for the
        price and the stock (their texts would put 120,00 before 25,00), else by the text
        shown, capitals and accents aside ("savon" among the S, "Éponge" among the E)."""
        if col == PRICE:
            return p.price, "", ""
        if col == STOCK:
            return p.stock, "", ""
        text = self.cell(p, col)
        return 0, catalogue.fold(text), text

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # a view asks for a dozen roles of each cell it paints: the others are let go first
        if role not in ROLES or not index.isValid():
            return None
        p = self.products[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cell(p, index.column())
        if role == Qt.ItemDataRole.ForegroundRole:
            return None if p.active else QColor(theme.MUTED)
        low = low_on_stock(p.stock, p.low_stock)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(theme.WARNING_LIGHT) if low else None
        # the tool tip: the whole text (it may be cut short) and the low stock
        tips = [text] if index.column() in FREE and (text := self.cell(p, index.column())) else []
        tips += [self.ctx.t("ui.products.low_stock")] if low else []
        return "\n".join(tips) or None


class ProductFilter(QSortFilterProxyModel):
    """The rows of a :class:`ProductTable` that match the search, in the table's order.

    Sorting by a column is left to the table, which sorts its products once with one key
    each: sorted here, every row that a shorter search lets back would be placed by
    comparisons that each ask the table for two cells."""

    def __init__(self, table: ProductTable) -> None:
        super().__init__()
        self.table = table
        self.setSourceModel(table)

    def search(self, text: str) -> None:
        folded = catalogue.fold(text)
        self.table.search(folded.split())
        # the rows are chosen by filterAcceptsRow, not by this string: setting it refilters
        self.setFilterFixedString(folded)

    def low_only(self, only: bool) -> None:
        """Show only the products low on stock (:func:`is_low`), or all of them again."""
        self.beginFilterChange()
        self.table.show_low_only(only)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return self.table.matching[source_row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.table.sort(column, order)


class ProductDialog(Dialog):
    """Add or edit one product."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, photos: Photos,
                 product: Product | None = None, barcode: str = "",
                 categories: list[str] | None = None) -> None:
        super().__init__(ctx, parent, "productDialog",
                         "ui.products.edit" if product else "ui.products.add")
        self.photos = photos
        self.product = product
        self.saved: Product | None = None
        self.setStyleSheet(WRONG_FIELD)
        self.photo_path = product.photo if product else ""
        form = QFormLayout()
        form2 = QFormLayout()
        for f in (form, form2):
            f.setLabelAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
            f.setVerticalSpacing(6)
        self.setMinimumWidth(WIDTH)
        self.sku = self._field(form, "sku", product.sku if product else "")
        self.name_ar = self._field(form, "name_ar", product.name_ar if product else "")
        self.name_ar.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.name_fr = self._field(form, "name_fr", product.name_fr if product else "")
        self.category = named(QComboBox(), "productCategory")
        self.category.setEditable(True)
        for cat in categories or []:
            self.category.addItem(ctx.category_label(cat), cat)
        self.category.setCurrentText(ctx.category_label(product.category) if product else "")
        self._row(form, "category", self.category)
        lang = ctx.lang
        # the unit first: the price is then typed per kilo, per gram or per litre, as its
        # caption says (and the stock counted in that unit)
        self.unit = named(QComboBox(), "productUnit")
        for unit in UNITS:
            self.unit.addItem(unit_name(unit, ctx.lang), unit)
        self.unit.setCurrentIndex(UNITS.index(product.unit) if product else 0)
        self._row(form, "unit", self.unit)
        self.unit.currentIndexChanged.connect(lambda _i: self.texts.apply())
        self.price = self._field(form, "price",
                                 format_amount(product.price, lang) if product else "")
        self.tax = named(QComboBox(), "productTax")
        for rate in TAX_RATES:
            self.tax.addItem(percent_text(rate, ctx.lang), rate)
        self.tax.setCurrentIndex(TAX_RATES.index(product.tax_rate) if product else 0)
        self._row(form2, "tax", self.tax)
        codes = " ".join(b.code for b in product.barcodes) if product else barcode
        self.barcodes = self._field(form2, "barcode", codes)
        unit = product.unit if product else "piece"
        self.stock = self._field(form2, "stock", format_quantity(product.stock, unit, lang)
                                 if product else "0")
        self.low = self._field(form2, "low_stock", format_quantity(product.low_stock, unit, lang)
                               if product else "0")
        self.member = self._field(form2, "member", product.member if product else "")
        self.picture = named(QLabel(), "productPhoto")
        self.picture.setFixedSize(PREVIEW, PREVIEW)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setStyleSheet(f"border: 1px solid {theme.LINE}; border-radius: 8px;")
        choose = button("productChoosePhoto")
        self.texts.button(choose, "ui.products.choose_photo")
        choose.clicked.connect(self._choose_photo)
        self.active = named(QCheckBox(), "productActive")
        self.texts.bind(self.active.setText, "ui.products.active", self.active)
        self.active.setChecked(product.active if product else True)
        # "on sale" beside the photo, not on a row of its own: the dialog keeps room for
        # a message of two lines on a 600 px high screen
        photo_row = hbox(self.picture)
        photo_row.addLayout(vbox(choose, self.active, None))
        photo_row.addStretch(1)
        form2.addRow(self._caption("photo"), photo_row)
        columns = hbox(spacing=24)
        columns.addLayout(form, 1)
        columns.addLayout(form2, 1)
        self.body.addLayout(columns)
        # never narrower than its fields and buttons (a window is otherwise kept to two
        # thirds of the screen, which on a 1024 px screen cuts "Choose a photo…"), and wide
        # enough that the names, beside the photo's row, show a long name whole
        self.setMinimumWidth(max(WIDTH, self.minimumSizeHint().width()))
        self._show_photo()
        (self.name_fr if product else self.sku).setFocus()

    def _caption(self, key: str) -> QLabel:
        cap = label(f"productCaption_{key}")
        self.texts.bind(lambda text: cap.setText(self._per_unit(key, text)),
                        f"ui.products.field_{key}")
        return cap

    def _per_unit(self, key: str, caption: str) -> str:
        """The caption of field ``key``, naming the unit chosen when the field is counted in
        it (the price of a kilo, the stock in kilos); a piece goes without saying."""
        unit = self.unit.currentData() if hasattr(self, "unit") else "piece"
        if unit == "piece" or key not in ("price", "stock", "low_stock"):
            return caption
        return self.ctx.t(f"ui.products.field_{key}_per", unit=unit_name(unit, self.ctx.lang))

    def _row(self, form: QFormLayout, key: str, widget: QWidget) -> None:
        widget.setAccessibleName(self.ctx.t(f"ui.products.field_{key}"))
        form.addRow(self._caption(key), widget)

    def _field(self, form: QFormLayout, key: str, value: str) -> QLineEdit:
        edit = named(QLineEdit(value), f"product_{key}")
        edit.textEdited.connect(lambda _t: mark_wrong(edit, False))
        self._row(form, key, edit)
        return edit

    def _number(self, edit: QLineEdit, parse: Callable[[str], int]) -> int:
        """What ``edit`` holds, as ``parse`` reads it; a field that does not read is marked."""
        try:
            return parse(edit.text().strip())
        except InputError:
            mark_wrong(edit)
            raise

    def _mark(self, exc: InputError) -> None:
        """Mark the field ``exc`` is about, to be typed again."""
        if exc.key == "product.name_empty":
            mark_wrong(self.name_ar if self.ctx.rtl else self.name_fr)
        elif exc.key in FIELD_OF:
            mark_wrong(getattr(self, FIELD_OF[exc.key]))

    def _choose_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.ctx.t("ui.products.choose_photo"), "",
                                              self.ctx.t("ui.file.images",
                                                         patterns="*.png *.jpg *.jpeg"))
        if path:
            self.photo_path = path
            self._show_photo()

    def _show_photo(self) -> None:
        path = Path(self.photo_path) if self.photo_path else None
        if path is not None and path.is_absolute():  # chosen now: read at the size shown
            self.picture.setPixmap(QPixmap.fromImage(read_picture(path, PREVIEW)))
            return
        pix = self.photos.get(self.photo_path, PREVIEW) if self.photo_path else None
        self.picture.setPixmap(pix if pix is not None else QPixmap())

    def _category(self) -> str:
        text = self.category.currentText().strip()
        for i in range(self.category.count()):
            if self.category.itemText(i) == text:
                return str(self.category.itemData(i))
        return text

    def data(self) -> ProductData:
        """The fields as typed (a photo chosen from disk by its path, until
        :meth:`validate` keeps it)."""
        unit = self.unit.currentData()
        for edit in (self.sku, self.name_ar, self.name_fr, self.price, self.barcodes,
                     self.stock, self.low, self.member):
            mark_wrong(edit, False)
        return ProductData(
            sku=self.sku.text(), name_ar=self.name_ar.text(), name_fr=self.name_fr.text(),
            price=self._number(self.price, parse_money), category=self._category(), unit=unit,
            tax_rate=self.tax.currentData(),
            barcodes=[c for c in self.barcodes.text().replace(",", " ").split() if c],
            stock=self._number(self.stock, lambda text: parse_stock(text) if text else 0),
            low_stock=self._number(
                self.low, lambda text: parse_quantity(text, allow_zero=True) if text else 0),
            member=self.member.text().strip(),
            photo=self.photo_path,
            active=self.active.isChecked(),
        )

    def _chosen_picture(self) -> QImage | None:
        """The photo chosen from disk, if one was, turned as the camera held it and no
        larger than :data:`PHOTO_SIDE`; :class:`InputError` if it is no picture, or one cut
        short (:func:`pos.photos.cut_short`)."""
        path = Path(self.photo_path) if self.photo_path else None
        if path is None or not path.is_absolute():
            return None
        image = read_picture(path, PHOTO_SIDE)
        if image.isNull():
            raise InputError("ui.products.photo_unreadable", name=Ltr(path.name))
        if cut_short(path):
            raise InputError("ui.products.photo_damaged", name=Ltr(path.name))
        return image

    def _unchanged(self, data: ProductData) -> bool:
        p = self.product
        if p is None:
            return False
        return (data.sku, data.name_ar, data.name_fr, data.price, data.category, data.unit,
                data.tax_rate, data.barcodes, data.stock, data.low_stock, data.member,
                data.photo, data.active) == (
            p.sku, p.name_ar, p.name_fr, p.price, p.category, p.unit, p.tax_rate,
            [b.code for b in p.barcodes], p.stock, p.low_stock, p.member, p.photo, p.active)

    def validate(self) -> None:
        """Save the product as typed: a new one, or the one edited (by its id, so a new SKU
        renames it). The product is checked once, before the PIN is asked: a wrong field,
        an SKU or a barcode of another product, or a photo that is no picture, is refused,
        and nothing is written (the photo is kept only once the PIN is given)."""
        data = self.data()
        product_id = self.product.id if self.product is not None else None
        try:
            with self.ctx.read() as s:
                catalogue.check_product(s, data, product_id)
        except InputError as exc:
            self._mark(exc)
            raise
        picture = self._chosen_picture()
        if self._unchanged(data):  # as checked: its texts trimmed
            return
        manager = manager_allowing(self.ctx, self)
        if manager is None:
            raise Kept
        if picture is not None:
            current = self.product.photo if self.product is not None else ""
            data.photo = keep_photo(picture, self.sku.text(), self.ctx.data_dir, current).name
        with self.ctx.write() as s:
            shown = self.product.stock if self.product is not None else None
            product = catalogue.save_product(s, data, product_id, checked=True,
                                             stock_shown=shown, user=manager)
            _ = list(product.barcodes)
            self.saved = product


class ReceiveDialog(Dialog):
    """Goods received of one product (the van brings 20 more jars): the quantity, in the
    product's unit, is added to the stock as it is then, sales meanwhile kept
    (:func:`pos.catalogue.receive_stock`)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, product: Product) -> None:
        name = ctx.name_of(product.name_ar, product.name_fr)
        super().__init__(ctx, parent, "receiveDialog", "ui.products.receive_title", name=name)
        self.product = product
        self.received = self.stock = 0
        self.saved: Product | None = None
        self.setStyleSheet(WRONG_FIELD)
        unit = product.unit
        self.unit_name = "" if unit == "piece" else unit_name(unit, ctx.lang)
        self.now = label("receiveNow", style="muted")
        self.now.setText(ctx.t("ui.products.receive_now",
                               stock=self.quantity_text(product.stock)))
        caption = label("receiveCaption")
        caption.setText(ctx.t("ui.products.receive_quantity_per", unit=self.unit_name)
                        if self.unit_name else ctx.t("ui.products.receive_quantity"))
        self.quantity = named(QLineEdit(), "receiveQuantity", caption.text())
        self.quantity.textEdited.connect(lambda _t: mark_wrong(self.quantity, False))
        caption.setBuddy(self.quantity)
        hint = label("receiveHint", style="muted", wrap=True)
        hint.setText(ctx.t("ui.products.receive_hint"))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        form.addRow(caption, self.quantity)
        self.body.addWidget(self.now)
        self.body.addLayout(form)
        self.body.addWidget(hint)
        self.quantity.setFocus()
        self.fit(RECEIVE_WIDTH)

    def quantity_text(self, milli: int) -> str:
        """A quantity of the product, with its unit unless it is counted in pieces."""
        return format_measure(milli, self.product.unit, self.ctx.lang)

    def validate(self) -> None:
        """Add the quantity typed to the stock, once a manager allows it: a quantity that
        does not read, is not above zero or is a fraction of a piece is refused first,
        and nothing is written."""
        mark_wrong(self.quantity, False)
        try:
            received = catalogue.parse_received(self.quantity.text(), self.product.unit)
        except InputError:
            mark_wrong(self.quantity)
            raise
        manager = manager_allowing(self.ctx, self)
        if manager is None:
            raise Kept
        with self.ctx.write() as s:
            self.saved = catalogue.receive_stock(s, self.product.id, received, manager)
            stock = self.saved.stock
        self.received, self.stock = received, stock


class Counted(QObject):
    """Counts said from a task's thread (``counted(done, total)``), delivered in the GUI
    thread; kept by the task's work, not by the screen: a screen closed meanwhile only
    stops hearing them."""

    counted = Signal(int, int)


class ProductsScreen(QWidget):
    def __init__(self, ctx: AppContext, photos: Photos) -> None:
        super().__init__()
        named(self, "productsScreen")
        self.ctx = ctx
        self.photos = photos
        self.texts = Texts(ctx)
        self.task: Task | None = None
        t = self.texts
        title = label("productsTitle", style="title")
        t.bind(title.setText, "ui.products.title")
        self.search = search_field(t, "productsSearch", "ui.products.search")
        self.model = ProductTable(ctx)
        self.proxy = ProductFilter(self.model)
        self.search.textChanged.connect(self.proxy.search)
        self.table = named(QTableView(), "productsTable")
        t.bind(self.table.setAccessibleName, "ui.products.title")
        self.table.setModel(self.proxy)
        # sorting starts from the header's indicator, which Qt puts on the first column in
        # descending order: the products open by name, A to Z
        self.table.horizontalHeader().setSortIndicator(NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(38)
        self.table.setWordWrap(False)
        # a text cut short keeps its beginning, where a name is read from (in Arabic too:
        # the end of the text is its left)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.own_direction = OwnDirection(self.table)
        for column in FREE:
            self.table.setItemDelegateForColumn(column, self.own_direction)
        # the columns are sized once per load (see fit_columns): sized to their contents by
        # the header, they were measured again over a thousand rows at every keystroke
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        # the sort arrow is drawn in one title only: room is made for it where it goes
        header.sortIndicatorChanged.connect(lambda _c, _o: self._resorted())
        self._needed: dict[int, tuple[int, int, int]] = {}
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.add_btn = button("productsAdd", role="primary")
        self.edit_btn = button("productsEdit")
        self.receive_btn = button("productsReceive")
        self.history_btn = button("productsHistory")
        self.import_btn = button("productsImport")
        self.export_btn = button("productsExport")
        for btn, key, slot in ((self.add_btn, "ui.products.add", self.add),
                               (self.edit_btn, "ui.products.edit", self.edit),
                               (self.receive_btn, "ui.products.receive", self.receive),
                               (self.history_btn, "ui.products.history", self.history),
                               (self.import_btn, "ui.products.import", self.choose_import),
                               (self.export_btn, "ui.products.export", self.choose_export)):
            t.button(btn, key)
            btn.clicked.connect(slot)
        # "3 products low on stock": pressed, the table shows those only, until "Show all
        # products" (or the count pressed again) shows them all
        self.low_btn = button("productsLow", checkable=True)
        self.low_btn.toggled.connect(self._low_only)
        self.low_btn.hide()
        self.all_btn = button("productsShowAll")
        t.button(self.all_btn, "ui.products.low_show_all")
        self.all_btn.clicked.connect(lambda: self.low_btn.setChecked(False))
        self.all_btn.hide()
        self.progress = named(QProgressBar(), "productsProgress")
        self.progress.hide()
        # what the bar counts, when it is not the saving: the photos checked
        self.progress_text = label("productsProgressText")
        self.progress_text.hide()
        self.banner = Banner("productsMessage")
        layout = vbox(spacing=8, margins=12)
        layout.addLayout(hbox(title, None, self.add_btn, self.edit_btn, self.receive_btn,
                              self.import_btn, self.export_btn))
        layout.addLayout(hbox(self.search, self.low_btn, self.all_btn, self.history_btn))
        layout.addLayout(hbox(self.progress_text, self.progress))
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        self.setLayout(layout)
        ctx.catalogue_changed.connect(when_visible(self, self.refresh))
        ctx.sales_changed.connect(when_visible(self, self.refresh))
        ctx.language_changed.connect(lambda _l: self.retranslate())

    def refresh(self) -> None:
        with self.ctx.read() as s:
            products = catalogue.all_products(s, include_inactive=True)
        self.model.set_products(products)
        self.measure_columns()
        self.fit_columns()
        self.show_low_count(sum(1 for p in products if is_low(p)))

    def show_low_count(self, count: int) -> None:
        """Say how many products are low on stock, on the button that lists them; none
        left low, the whole list again."""
        text = tr_count(self.ctx.lang, "ui.products.low_count", count) if count else ""
        self.low_btn.setText(text)
        self.low_btn.setAccessibleName(text)
        self.low_btn.setVisible(bool(count))
        if not count:
            self.low_btn.setChecked(False)

    def _low_only(self, only: bool) -> None:
        self.proxy.low_only(only)
        self.all_btn.setVisible(only)
        if not only and self.all_btn.hasFocus():
            self.low_btn.setFocus()

    def measure_columns(self) -> None:
        """For each column, the width its title needs (with the sort arrow in the column
        sorted by), the width of the widest of its texts among all the products loaded
        (searched or not) and the width that most of them take (:data:`USUAL`), as the
        table's cells draw them."""
        table = self.table
        metrics = QFontMetricsF(table.font())
        # a cell's text is drawn between two margins (and laid out a pixel wider than its
        # advance at times); the grid line takes a pixel
        margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin,
                                                None, table) + 1) + 1 + int(table.showGrid())
        header = table.horizontalHeader()
        with_arrow = [header.sectionSizeHint(column) for column in range(len(COLUMNS))]
        header.setSortIndicatorShown(False)
        titles = [header.sectionSizeHint(column) for column in range(len(COLUMNS))]
        header.setSortIndicatorShown(True)
        sorted_by = header.sortIndicatorSection()
        if 0 <= sorted_by < len(COLUMNS):
            titles[sorted_by] = with_arrow[sorted_by]
        products = self.model.products
        self._needed = {}
        for column in range(len(COLUMNS)):
            advance: dict[str, int] = {}
            sizes = sorted(advance.setdefault(text, math.ceil(metrics.horizontalAdvance(text)))
                           for text in (self.model.cell(p, column) for p in products))
            widest = sizes[-1] + margin if sizes else 0
            usual = sizes[int(USUAL * (len(sizes) - 1))] + margin if sizes else 0
            title = titles[column]
            self._needed[column] = (max(widest, title), max(usual, title), title)

    def fit_columns(self) -> None:
        """Every column as wide as it needs (:meth:`measure_columns`), the name taking what
        is left; when that does not leave the name the room it needs, the free texts (the
        name, the category, the barcodes and the member) give way together (:func:`share_out`)
        and the SKU, price, unit and stock stay whole."""
        if not self._needed:
            self.measure_columns()
        room = self.table.viewport().width() - sum(
            sizes[0] for column, sizes in self._needed.items() if column not in FREE)
        widths = share_out({column: self._needed[column] for column in FREE}, room)
        for column in range(len(COLUMNS)):
            if column != NAME:
                self.table.setColumnWidth(column, widths.get(column, self._needed[column][0]))

    def _resorted(self) -> None:
        if self._needed:
            self.measure_columns()
            self.fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def selected(self) -> Product | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.products[self.proxy.mapToSource(rows[0]).row()]

    def _categories(self) -> list[str]:
        return sorted({p.category for p in self.model.products if p.category})

    def add(self) -> Product | None:
        return self.create_with_barcode("")

    def create_with_barcode(self, code: str) -> Product | None:
        dialog = ProductDialog(self.ctx, self, self.photos, barcode=code,
                               categories=self._categories())
        if dialog.exec():
            self.ctx.catalogue_changed.emit()
            return dialog.saved
        return None

    def edit(self) -> None:
        product = self.selected()
        if product is None:
            self.banner.error(lambda: self.ctx.t("ui.products.choose_first",
                                                 button=self.ctx.t("ui.products.edit")))
            return
        dialog = ProductDialog(self.ctx, self, self.photos, product,
                               categories=self._categories())
        if dialog.exec() and dialog.saved is not None:
            self.ctx.catalogue_changed.emit()

    def receive(self) -> None:
        """Goods received of the product chosen in the table, added to its stock."""
        product = self.selected()
        if product is None:
            self.banner.error(lambda: self.ctx.t("ui.products.choose_first",
                                                 button=self.ctx.t("ui.products.receive")))
            return
        dialog = ReceiveDialog(self.ctx, self, product)
        if dialog.exec() and dialog.saved is not None:
            name = product.name_ar, product.name_fr
            received, stock = dialog.quantity_text(dialog.received), dialog.quantity_text(
                dialog.stock)
            self.banner.notice(lambda: self.ctx.t(
                "ui.products.received", name=self.ctx.name_of(*name), received=received,
                stock=stock))
            self.ctx.catalogue_changed.emit()

    def history(self) -> None:
        """The stock history of the product chosen in the table: of any product whose stock
        moved (sold, received, counted, imported), whatever it is now; one never counted
        nor moved is said how to count it."""
        product = self.selected()
        if product is None:
            self.banner.error(lambda: self.ctx.t("ui.products.choose_first",
                                                 button=self.ctx.t("ui.products.history")))
            return
        with self.ctx.read() as s:
            moved = stock.has_moved(s, product.id)
        if not moved and not counted(product.stock, product.low_stock):
            name = product.name_ar, product.name_fr
            self.banner.error(lambda: self.ctx.t("ui.products.history_not_counted",
                                                 name=self.ctx.name_of(*name)))
            return
        StockHistoryDialog(self.ctx, self, product).exec()

    def scanned(self, code: str) -> None:
        self.search.setText(code)

    # --- CSV --------------------------------------------------------------------
    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.ctx.t("ui.products.import"), "",
                                              "CSV (*.csv *.txt)")
        if path:
            self.import_file(Path(path))

    def choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.ctx.t("ui.products.export"),
                                              "products.csv", "CSV (*.csv)")
        if path:
            self.export_file(Path(path))

    def _busy(self, busy: bool) -> None:
        for btn in (self.add_btn, self.edit_btn, self.receive_btn, self.history_btn,
                    self.import_btn, self.export_btn):
            btn.setEnabled(not busy)
        self.progress.setVisible(busy)
        if not busy:
            self.progress_text.hide()

    def _run(self, work: Any, done: Any) -> None:
        self._busy(True)
        self.progress.setRange(0, 0)
        self.progress_text.hide()
        self.task = Task(work, self)
        self.task.progressed.connect(self._progress)
        self.task.succeeded.connect(done)
        self.task.failed.connect(self._failed)
        self.task.finished.connect(lambda: self._busy(False))
        self.task.start()

    def _progress(self, done: int, total: int) -> None:
        if not self.progress_text.isHidden():  # the photos checked: now the saving
            self.progress_text.hide()
            self.progress.reset()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _checking(self, done: int, total: int) -> None:
        """Photo ``done`` of ``total`` checked, before anything is written: said in words
        ("Checking photos: 120 / 300"), hundreds of photos taking a while."""
        self.progress_text.setText(
            self.ctx.t("ui.products.checking_photos", done=done, total=total))
        self.progress_text.show()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _failed(self, exc: object) -> None:
        if isinstance(exc, SoukError):
            error = exc

            def words() -> str:
                text = error.message(self.ctx.lang)
                if error.key == "csv.header":  # the manager made the file: say where one
                    text += " " + self.ctx.t("ui.products.csv_template")  # comes from
                return text

            # the lines to correct stay in sight while the file is corrected
            self.banner.error(words, seconds=0 if exc.key == "csv.bad_rows" else 20)
        else:
            self.banner.error(self.ctx.t("ui.error.generic", detail=str(exc)[:160]), seconds=20)

    def import_file(self, path: Path) -> None:
        manager = manager_allowing(self.ctx, self)
        if manager is None:
            return
        store, data_dir = self.ctx.store, self.ctx.data_dir

        checked = Counted()  # photo i of n, before anything is written
        checked.counted.connect(self._checking)

        def work(progress: Any) -> catalogue.Imported:
            file = catalogue.read_csv(path, data_dir, checked.counted.emit)
            with store.write() as s:
                return catalogue.save_file(s, file, progress, user=manager)

        def done(imported: catalogue.Imported) -> None:
            self.banner.notice(lambda: imported.text(self.ctx.lang))
            self.ctx.catalogue_changed.emit()

        self._run(work, done)

    def export_file(self, path: Path) -> None:
        store, lang = self.ctx.store, self.ctx.lang

        def work(progress: Any) -> int:
            count = catalogue.export_file(store, path, lang)
            progress(count, count)
            return count

        def done(count: int) -> None:
            self.banner.notice(tr_count(self.ctx.lang, "cli.exported", count, path=str(path)))

        self._run(work, done)

    def retranslate(self) -> None:
        self.texts.apply()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.isVisible():
            self.refresh()

