"""The cooperative's products: editing, barcodes, search and CSV import/export.

A product's SKU is one product's only, capitals and small letters alike, as the sale screen
reads a typed code: a new product (or a new SKU) that another product already has is
refused, while a CSV file updates the product the till finds with each row's SKU."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from pos import settings, stock, users
from pos.cart import check_quantity, parse_line_quantity
from pos.clock import local
from pos.errors import InputError, Items, Ltr, Name
from pos.i18n import tr, tr_count
from pos.models import CATEGORY_SIZE, MEMBER_SIZE, NAME_SIZE, Barcode, Product, User, utcnow
from pos.money import (
    MAX_QUANTITY,
    format_quantity,
    parse_money,
    parse_quantity,
    parse_stock,
)
from pos.spreadsheet import amount_cell, code_cell, csv_dialect, from_cell, text_cell
from pos.spreadsheet import write_csv as write_csv_text
from pos.stock_alert import low_on_stock

if TYPE_CHECKING:
    from pos.db import Store

UNITS: Final = ("piece", "kg", "g", "l")
TAX_RATES: Final = (0, 7, 10, 14, 20)
CSV_COLUMNS: Final = (
    "sku", "name_ar", "name_fr", "category", "price", "unit", "tax_rate", "barcodes",
    "stock", "low_stock", "member", "photo", "active",
)
_REQUIRED: Final = ("sku", "name_ar", "name_fr", "price")
_NAMES: Final = frozenset({"name_ar", "name_fr"})
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, tatweel
_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
    # Arabic-Indic and Persian digits as the 0-9 a keyboard types ("٢٥٠ مل" is "250 مل")
    | {chr(0x660 + d): str(d) for d in range(10)} | {chr(0x6F0 + d): str(d) for d in range(10)}
)
_RARITY_SAMPLE: Final = 50_000  # characters of the search keys in which words are counted
_BARCODE = re.compile(r"^[0-9A-Za-z\-]{3,32}$")
#: the GS1 codes by their number of digits: their last digit checks the others
#: (:func:`check_digit`), and a scanner reads no code whose last digit is wrong
GS1_CODES: Final = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14"}
# with the VRAI and FAUX of a French Excel's TRUE and FALSE
_TRUE = {"1", "true", "yes", "oui", "نعم", "y", "o", "vrai"}
_FALSE = {"0", "false", "no", "non", "لا", "n", "", "faux"}
#: a number as a spreadsheet shows it in scientific notation (6,11125E+12: a barcode lost)
_SCIENTIFIC = re.compile(r"^[0-9]+([.,][0-9]+)?[eE]\+[0-9]+$")
#: the setting in which the catalogue's exports keep the stock they wrote of each product,
#: and when (:func:`remember_export`)
EXPORTED_STOCK: Final = "exported_stock"
#: the exports the till remembers at most, the latest ones: a market's days of them
EXPORTS_KEPT: Final = 30
#: the bad rows of a file described one by one (the others are named by their lines): as
#: many as leave the products' table in sight under them on a 1024x600 screen
LISTED: Final = 5


def fold(text: str) -> str:
    """Search key: lower case, no accents, no Arabic diacritics or letter variants, digits
    as 0-9."""
    text = _ARABIC_MARKS.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).translate(_ARABIC_FOLD)


@dataclass
class ProductData:
    """The editable fields of a product, validated.

    ``stock`` may be below zero (sold past the stock). A product read from a CSV file knows
    its ``line`` (errors found on saving it name that line), the SKUs of the whole file,
    case folded (``file_skus``: a barcode may move to it from another product of the file),
    and the file's ``columns``: a product the file updates keeps what a column left out of
    the file would have said (a file of codes and prices changes the prices only, never the
    stock, barcodes or photos); ``None``: every field is given. ``picture``: the picture file
    a file's photo cell names, kept beside the database once the whole file is saved
    (:func:`read_csv`).
    """

    sku: str
    name_ar: str
    name_fr: str
    price: int
    category: str = ""
    unit: str = "piece"
    tax_rate: int = 0
    barcodes: list[str] = field(default_factory=list)
    stock: int = 0
    low_stock: int = 0
    member: str = ""
    photo: str = ""
    active: bool = True
    line: int | None = field(default=None, compare=False)
    picture: Path | None = field(default=None, compare=False, repr=False)
    file_skus: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    columns: frozenset[str] | None = field(default=None, compare=False, repr=False)

    def validate(self) -> None:
        self.sku = self.sku.strip()
        self.name_ar, self.name_fr = self.name_ar.strip(), self.name_fr.strip()
        if not self.sku or len(self.sku) > 40:
            raise InputError("product.sku")
        if not self.name_ar and not self.name_fr:
            raise InputError("product.name_empty")
        self.category, self.member = self.category.strip(), self.member.strip()
        self._check_texts()
        if self.price < 0:
            raise InputError("money.negative", text=str(self.price))
        if self.unit not in UNITS:
            raise InputError("product.unit", unit=self.unit)
        if self.tax_rate not in TAX_RATES:
            raise InputError("product.tax_rate", rate=self.tax_rate)
        for code in self.barcodes:
            if _SCIENTIFIC.match(code):
                raise InputError("product.barcode_number", code=Ltr(code))
            if not _BARCODE.match(code):
                raise InputError("product.barcode", code=Ltr(code))
        if abs(self.stock) > MAX_QUANTITY:
            raise InputError("quantity.too_large", text=format_quantity(self.stock))
        if self.low_stock < 0:
            raise InputError("product.low_stock")
        if self.low_stock > MAX_QUANTITY:
            raise InputError("quantity.too_large", text=format_quantity(self.low_stock))

    def _check_texts(self) -> None:
        """The texts fit their columns, and the organisers' server takes them."""
        for text, longest, key in (
                (self.name_ar, NAME_SIZE, "product.name_long"),
                (self.name_fr, NAME_SIZE, "product.name_long"),
                (self.category, CATEGORY_SIZE, "product.category_long"),
                (self.member, MEMBER_SIZE, "product.member_long")):
            if len(text) > longest:
                raise InputError(key, max=longest)
            if "\x00" in text:
                raise InputError("product.nul")


def check_digit(digits: str) -> str:
    """The GS1 check digit that ends a code of these ``digits``: their sum weighted 3, 1,
    3... from the right, up to a multiple of 10."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str(-total % 10)


def _check_gs1(code: str) -> None:
    """Refuse a code of the digits of a GS1 code (EAN-13, EAN-8, UPC-A, GTIN-14) whose last
    digit is wrong: typed so by hand, no scan would ever find its product. Other codes (a
    stall's own "1001", Code 128 letters) are the stall's to choose."""
    kind = GS1_CODES.get(len(code))
    if kind is None or not (code.isascii() and code.isdigit()):
        return
    digit = check_digit(code[:-1])
    if code[-1] != digit:
        raise InputError("product.barcode_check", code=Ltr(code), kind=Ltr(kind), digit=digit)


def same_sku(session: Session, sku: str) -> list[Product]:
    """The products whose SKU is ``sku`` as the sale screen matches a typed code, capitals
    and small letters alike (the exact one first)."""
    sku = sku.strip()
    wanted = sku.casefold()
    query = select(Product)
    if sku.isascii():
        # SQLite's lower() folds ASCII letters only: enough to find an ASCII code's twins
        query = query.where(func.lower(Product.sku) == sku.lower())
    found = [p for p in session.scalars(query) if p.sku.casefold() == wanted]
    return sorted(found, key=lambda p: p.sku != sku)


def check_product(session: Session, data: ProductData, product_id: int | None = None) -> None:
    """Refuse, before anything is written, a product (new, or product ``product_id`` edited)
    with a wrong field, whose SKU is another product's, capitals aside (a new SKU only: a
    product keeps the code it has), with a barcode of another product, or with a barcode
    added whose GS1 check digit is wrong (a barcode it holds stays)."""
    _check_fields(session, data, product_id)
    _barcode_rows(session, data, product_id)


def _check_fields(session: Session, data: ProductData, product_id: int | None) -> None:
    data.validate()
    current = session.get(Product, product_id) if product_id is not None else None
    if current is None or data.sku != current.sku:
        for other in same_sku(session, data.sku):
            if other.id != product_id:
                key = "product.sku_taken" if other.sku == data.sku else "product.sku_taken_case"
                raise InputError(key, sku=Ltr(data.sku), other=Ltr(other.sku),
                                 name=Name(other.name_ar, other.name_fr))


def save_product(session: Session, data: ProductData, product_id: int | None = None, *,
                 checked: bool = False, stock_shown: int | None = None,
                 user: User | None = None) -> Product:
    """Add a product, or write product ``product_id`` as edited (its SKU may change), once
    :func:`check_product` lets it: nothing is written otherwise (its barcodes are checked
    as they are written, in the caller's transaction). ``checked``: the caller ran
    :func:`check_product` on these very data just before (the product dialog does, before it
    asks for the manager's PIN), so it is not run again; a barcode another product took
    since is still never taken from it.

    ``stock_shown``: the stock the editor showed when it opened. A stock left as shown is
    not written: the product keeps what the sales, refunds and voids recorded since made
    it (a price changed while the seller sells loses none of them); a stock typed is the
    count at the time of the save. The stock of a new product, or a count, is kept as a
    move of its stock (:mod:`pos.stock`) made by ``user``."""
    if not checked:
        _check_fields(session, data, product_id)
    product = Product(sku=data.sku) if product_id is None else session.get_one(Product,
                                                                               product_id)
    product.sku = data.sku
    kept = {"stock"} if product_id is not None and data.stock == stock_shown else set()
    user_id = user.id if user is not None else None
    cause = stock.Cause(stock.CREATED if product_id is None else stock.COUNTED, user_id=user_id)
    return _write(session, product, data, cause, kept)


def add_or_update(session: Session, data: ProductData, source: str = "") -> Product:
    """Create the product with this SKU, or update the one the till finds with it (capitals
    aside; it keeps its own spelling). Barcodes must not be another's. The stock written is
    kept as a move of an import from the file named ``source``.

    A product read from a CSV line is refused with that line's number.
    """
    return _save_row(session, data, FileStock(stock.Cause(stock.IMPORTED, source)))[0]


#: why a product of a file kept the till's stock: its figure was the one the export
#: written at ``at`` wrote (``("export", at)``), or the one the import that last wrote its
#: stock wrote (``("import", None)``) (:meth:`FileStock.written_by`)
Written = tuple[str, dt.datetime | None]


@dataclass(frozen=True)
class FileStock:
    """The stock figures of a catalogue file as an import saves them: the ``cause`` of the
    moves they write, the catalogue's ``exports`` the till remembers (:func:`exports`), the
    one the file most likely is (``likely``, :func:`_likeliest`), and by product id the
    figure of the import that last started its stock afresh, if one did (``imported``,
    :func:`pos.stock.last_imported`).

    The rule: a product's figure in the file is no count, only a figure the till wrote
    itself, when an export the till remembers wrote that very figure of it, or when the
    latest move that started its stock afresh was an import of that figure (the same file
    imported again). The till then keeps its stock, with the sales, refunds, voids, goods
    received and counts made since: a morning's export, its prices edited and imported at
    night, loses neither the day's sales nor the goods received at noon, even after a noon
    export. A count typed in the file that lands on such a figure is taken as untouched,
    as in the product dialog; the import says which export each kept stock was."""

    cause: stock.Cause
    exports: Sequence[Export] = ()
    imported: Mapping[int, int] = field(default_factory=dict)
    likely: Export | None = None

    def written_by(self, product_id: int | None, figure: int) -> Written | None:
        """Which file wrote ``figure`` as the stock of product ``product_id``: the export
        the file most likely is, or else the latest export that did, else the import that
        last started its stock; None: the figure is a count (as is any of a new
        product)."""
        if product_id is None:
            return None
        likely = [self.likely] if self.likely is not None else []
        for export in [*likely, *reversed(self.exports)]:
            if export.stock.get(product_id) == figure:
                return "export", export.at
        if self.imported.get(product_id) == figure:
            return "import", None
        return None


def _save_row(session: Session, data: ProductData,
              file: FileStock) -> tuple[Product, Written | None]:
    """:func:`add_or_update`, a product whose stock in ``data`` is the one a file last
    carried of it keeping its own (:func:`save_rows`); which file that was, if it did."""
    try:
        return _add_or_update(session, data, file)
    except InputError as exc:
        if data.line is None:
            raise
        raise InputError("csv.bad_row", line=data.line, reason=exc) from exc


def _add_or_update(session: Session, data: ProductData,
                   file: FileStock) -> tuple[Product, Written | None]:
    data.validate()
    product = session.scalar(select(Product).where(Product.sku == data.sku))
    if product is None:
        found = same_sku(session, data.sku)
        if len(found) > 1:
            raise InputError("product.sku_ambiguous", sku=Ltr(data.sku),
                             others=Ltr(", ".join(p.sku for p in found)))
        product = found[0] if found else Product(sku=data.sku)
    kept_by = (file.written_by(product.id, data.stock)
               if data.columns is None or "stock" in data.columns else None)
    kept = {"stock"} if kept_by is not None else None
    return _write(session, product, data, file.cause, kept), kept_by


def _barcode_rows(session: Session, data: ProductData, product_id: int | None) -> list[Barcode]:
    """The rows of the product's barcodes as ``data`` lists them (new ones made). A barcode
    belongs to one product; one of another product of the same CSV file may move (that
    product's own row gives it up). A code added to the product has its GS1 check digit
    right (:func:`_check_gs1`); one the product holds already stays, right or not (an older
    till took it), so that the product can still be edited."""
    rows = []
    for code in dict.fromkeys(data.barcodes):
        owner = session.get(Barcode, code)
        if owner is None or owner.product_id != product_id:
            if owner is not None and owner.product.sku.casefold() not in data.file_skus:
                raise InputError("product.barcode_taken", code=Ltr(code),
                                 sku=Ltr(owner.product.sku),
                                 name=Name(owner.product.name_ar, owner.product.name_fr))
            _check_gs1(code)
        rows.append(owner or Barcode(code=code))
    return rows


def _write(session: Session, product: Product, data: ProductData, cause: stock.Cause,
           kept: set[str] | None = None) -> Product:
    """Write ``data`` to ``product`` (but its columns ``kept``, left as they are), a stock
    written kept as a move made by ``cause``. Its barcodes are looked up as they are
    written, and one of another product is refused there (the caller's transaction then
    writes nothing): never taken from it, whether :func:`check_product` ran before or
    not."""
    new = product.id is None
    before, unit = (0, data.unit) if new else (product.stock, product.unit)
    if new:
        session.add(product)

    def given(column: str) -> bool:
        if kept and column in kept:
            return False
        if column == "photo" and data.picture is not None:
            return False  # the picture's file, once kept (save_rows)
        return new or data.columns is None or column in data.columns

    for name in ("name_ar", "name_fr", "category", "price", "unit", "tax_rate",
                 "low_stock", "member", "photo", "active"):
        if given(name):
            setattr(product, name, getattr(data, name))
    session.flush()
    if product.unit != unit:  # its stock read in the new unit from then on
        stock.record(session, product, 0, replace(cause, kind=stock.UNIT, source=""))
    if given("stock"):
        product.stock = data.stock
        session.flush()
        stock.record(session, product, product.stock - before, cause)
    if given("barcodes"):
        product.barcodes[:] = _barcode_rows(session, data, product.id)
        session.flush()
    return product


def parse_received(text: str, unit: str) -> int:
    """A quantity of goods received, as typed (decimal comma or point, Arabic-Indic digits)
    in a product's ``unit``: thousandths of it, more than zero, whole pieces for a product
    sold by the piece."""
    received = parse_line_quantity(text, unit)
    check_quantity(received, unit)
    return received


def receive_stock(session: Session, product_id: int, received: int,
                  user: User | None = None) -> Product:
    """Add ``received`` (thousandths of its unit, :func:`parse_received`) to the stock of
    product ``product_id`` in one write, ``stock = stock + received``: what the sales took
    out meanwhile stays taken out, whatever stock the manager saw, and the goods received
    are kept as a move made by ``user``. A stock that would grow past what the till counts
    is refused, and the caller's transaction writes nothing. The product, its stock as
    written."""
    product = session.get_one(Product, product_id)
    check_quantity(received, product.unit)
    if received > MAX_QUANTITY:
        raise InputError("quantity.too_large", text=format_quantity(received, product.unit))
    session.execute(update(Product).where(Product.id == product_id)
                    .values(stock=Product.stock + received)
                    .execution_options(synchronize_session=False))
    session.expire(product, ["stock"])
    if abs(product.stock) > MAX_QUANTITY:
        raise InputError("quantity.too_large", text=format_quantity(product.stock, product.unit))
    stock.record(session, product, received,
                 stock.Cause(stock.RECEIVED, user_id=user.id if user is not None else None))
    return product


def by_barcode(session: Session, code: str) -> Product | None:
    row = session.get(Barcode, code.strip())
    return row.product if row is not None and row.product.active else None


def all_products(session: Session, *, include_inactive: bool = False) -> list[Product]:
    query = select(Product).options(selectinload(Product.barcodes)).order_by(
        Product.category, Product.name_fr
    )
    if not include_inactive:
        query = query.where(Product.active)
    return list(session.scalars(query))


def categories(session: Session) -> list[str]:
    query = select(Product.category).where(Product.active).distinct().order_by(Product.category)
    return [c for c in session.scalars(query) if c]


def low_stock(session: Session) -> list[Product]:
    """The products on sale whose stock is low (:func:`pos.stock_alert.low_on_stock`), as
    their tiles show it."""
    query = select(Product).where(Product.active, Product.low_stock > 0)  # no alert: never
    return [p for p in session.scalars(query) if low_on_stock(p.stock, p.low_stock)]


#: a barcode's digits as the search keys hold them, between two marks: a few digits typed
#: ("250", "500 g") find names and SKUs, never the middle of a barcode; a barcode is found
#: whole (a short code of the stall's own), or by its beginning from :data:`BARCODE_TYPED`
#: digits (a code read off a worn label)
_CODE_MARK: Final = "\ue00a"
_CODE_END: Final = "\ue00b"
_CODE_DIGITS: Final = str.maketrans("0123456789", "".join(chr(0xE000 + d) for d in range(10)))
BARCODE_TYPED: Final = 6


class SearchIndex:
    """In-memory search over names, SKUs and barcodes, as the seller types.

    The products' search keys are folded once and joined, one a line, into one string: a
    word typed (never whitespace, so never across two keys) is looked for in it with
    ``str.find``, which skips the keys without it at C speed, and the search stops once
    ``limit`` products are found. Barcodes are matched from their start only, by a word of
    at least :data:`BARCODE_TYPED` digits (:data:`_CODE_MARK`)."""

    def __init__(self, products: Iterable[Product]) -> None:
        self._products = list(products)
        keys = [fold(f"{p.name_ar} {p.name_fr} {p.sku}") + "".join(
                    f" {_CODE_MARK}{b.code.translate(_CODE_DIGITS)}{_CODE_END}"
                    for b in p.barcodes)
                for p in self._products]
        self._keys = "\n".join(keys)
        # where each key starts in ``_keys``, and where a key after the last one would
        self._starts = list(accumulate((len(k) + 1 for k in keys), initial=0))

    def search(self, text: str, limit: int | None = None) -> list[Product]:
        """The products whose key holds every word of ``text``, in the catalogue's order (the
        first ``limit`` of them); a word of digits is looked for as a whole barcode too, or
        as a barcode's beginning when it is long enough."""
        words = fold(text).split()
        if not words:
            return self._products[:limit]
        rows = self._rows(words, limit)
        coded = [_CODE_MARK + w.translate(_CODE_DIGITS)
                 + ("" if len(w) >= BARCODE_TYPED else _CODE_END)
                 if w.isascii() and w.isdigit() else w for w in words]
        if coded != words:  # as a barcode's beginning too, the products in their order
            rows = sorted(set(rows).union(self._rows(coded, limit)))[:limit]
        return [self._products[row] for row in rows]

    def _rows(self, words: list[str], limit: int | None) -> list[int]:
        """The rows of the keys that hold every one of ``words``, in order (the first
        ``limit``)."""
        keys, starts = self._keys, self._starts
        # the keys are walked through the places of the word rarest in the first keys, the
        # other words checked in each
        scanned = words[0] if len(words) == 1 else min(
            words, key=lambda w: keys.count(w, 0, _RARITY_SAMPLE))
        others = [w for w in words if w != scanned]
        found: list[int] = []
        at = keys.find(scanned)
        while at >= 0 and len(found) != limit:
            row = bisect_right(starts, at) - 1
            end = starts[row + 1]
            if not others or all(w in keys[starts[row]:end - 1] for w in others):
                found.append(row)
            at = keys.find(scanned, end)
        return found


# --- CSV -------------------------------------------------------------------------------


def _parse_bool(text: str) -> bool:
    low = text.strip().casefold()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise InputError("csv.bool", text=text)


def _parse_int(text: str, key: str) -> int:
    try:
        return int(text.strip() or "0")
    except ValueError as exc:
        raise InputError(key, text=text) from exc


def _without_percent(text: str) -> str:
    """A rate as a spreadsheet may show it, ``20%`` or ``20 %``, without its sign."""
    stripped = text.strip()
    return stripped[:-1].strip() if stripped.endswith("%") else text


def _row_to_data(cells: dict[str, str]) -> ProductData:
    row = {k: v if v is None else from_cell(v) for k, v in cells.items()}
    empty = _lacking({c for c in _REQUIRED if not (row.get(c) or "").strip()},
                     ("csv.missing", "csv.missing_names", "csv.missing_names_and"))
    if empty is not None:
        raise empty
    unit = (row.get("unit") or "piece").strip() or "piece"
    stock_text = (row.get("stock") or "").strip()
    low_text = (row.get("low_stock") or "").strip()
    data = ProductData(
        sku=row["sku"],
        name_ar=row.get("name_ar") or "",
        name_fr=row.get("name_fr") or "",
        price=parse_money(row["price"]),
        category=(row.get("category") or "").strip(),
        unit=unit,
        tax_rate=_parse_int(_without_percent(row.get("tax_rate") or "0"),
                            "product.tax_rate_text"),
        barcodes=[b.strip() for b in (row.get("barcodes") or "").split("|") if b.strip()],
        stock=parse_stock(stock_text) if stock_text else 0,
        low_stock=parse_quantity(low_text, allow_zero=True) if low_text else 0,
        member=(row.get("member") or "").strip(),
        photo=(row.get("photo") or "").strip(),
        active=_parse_bool(row.get("active") or "1"),
    )
    data.validate()
    return data


def decode_csv(data: bytes) -> str:
    """The text of a CSV file as a spreadsheet saves it: UTF-8 (with or without a byte
    order mark), or UTF-16 with its mark (Excel's "Unicode text"). A file in a Windows code
    page (Excel's plain "CSV") is refused, saying how to save it: its Arabic letters could
    not be told from accented Latin ones."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("csv.encoding") from exc


def parse_csv(text: str) -> list[ProductData]:
    """All rows, validated; bad rows raise together, each named by its line
    (:func:`refuse_rows`). The file needs the columns ``sku``, ``price`` and ``name_ar`` or
    ``name_fr`` (or both); the others it leaves out keep, in the products it updates, what
    they hold (:class:`ProductData`), and take their defaults in those it adds. A row left
    blank (a spreadsheet writes its empty rows as ``;;;;``) is skipped, and so are blank
    cells past the last column.

    A barcode may appear on one row only; whether it belongs to a product outside the file is
    checked on saving (:func:`save_rows` names the row's line).
    """
    rows, bad = _read_rows(text)
    refuse_rows(bad)
    return rows


def _lacking(absent: set[str], keys: tuple[str, str, str]) -> InputError | None:
    """The columns of :data:`_REQUIRED` in ``absent`` (a header's, or a row's empty ones),
    said with ``keys`` (the columns; a name; a name and the columns): either name column
    is enough, as in the product dialog, so both lacking ask for one name. None when
    nothing required lacks."""
    columns, names, names_and = keys
    others = ", ".join(c for c in _REQUIRED if c in absent - _NAMES)
    if absent >= _NAMES:
        return InputError(names_and, columns=others) if others else InputError(names)
    return InputError(columns, columns=others) if others else None


def _read_rows(text: str) -> tuple[list[ProductData], list[InputError]]:
    """The rows of the CSV ``text`` read well (:func:`parse_csv`), and the errors of the
    others (``csv.bad_row``, in the order of their lines), to be refused together with those
    found on saving the rows (:func:`save_rows`)."""
    text = text.lstrip("\ufeff")
    try:  # the header line tells the separator; the quoting is a spreadsheet's
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(io.StringIO(text), dialect=csv.excel, delimiter=delimiter)
    # "SKU", "Price": the columns' names as a manager types them in a spreadsheet
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    lacking = _lacking({c for c in _REQUIRED if c not in header},
                       ("csv.header_columns", "csv.header_names", "csv.header_names_and"))
    if lacking is not None:
        raise InputError("csv.header", columns=lacking)
    rows: list[ProductData] = []
    bad: list[InputError] = []
    seen: dict[str, tuple[int, str]] = {}  # folded SKU -> (line, sku) of its row
    codes: dict[str, tuple[int, str]] = {}  # barcode -> (line, sku) of its first row
    for row in reader:
        line = reader.line_num
        extra = [cell for cell in row.pop(None, None) or [] if cell.strip()]  # past the header
        if not extra and not any(cell.strip() for cell in row.values() if cell):
            continue
        try:
            if extra:
                raise InputError("csv.extra_fields")
            data = _row_to_data(row)
            _check_twins(data, line, seen, codes)
        except InputError as exc:
            bad.append(InputError("csv.bad_row", line=line, reason=exc))
            continue
        data.line = line
        rows.append(data)
    skus, columns = frozenset(seen), frozenset(header)
    for data in rows:
        data.file_skus, data.columns = skus, columns
    return rows, bad


def _check_twins(data: ProductData, line: int, seen: dict[str, tuple[int, str]],
                 codes: dict[str, tuple[int, str]]) -> None:
    """Refuse a row whose SKU (capitals aside) or one of whose barcodes an earlier row of
    the file has; else note them."""
    key = data.sku.casefold()
    if key in seen:
        first, first_sku = seen[key]
        if first_sku == data.sku:
            raise InputError("csv.duplicate", sku=Ltr(data.sku), first=first)
        raise InputError("csv.duplicate_case", sku=Ltr(data.sku), first=first,
                         first_sku=Ltr(first_sku))
    seen[key] = (line, data.sku)
    for code in dict.fromkeys(data.barcodes):
        if code in codes:
            first, sku = codes[code]
            raise InputError("csv.duplicate_barcode", code=Ltr(code), first=first, sku=Ltr(sku))
    for code in data.barcodes:
        codes.setdefault(code, (line, data.sku))


def refuse_rows(bad: Sequence[InputError]) -> None:
    """Raise the errors of the bad rows of a file (``csv.bad_row``, in the order of their
    lines), if any: one alone as it is; several listed, the first :data:`LISTED` with what
    is wrong and the others by their lines, so that the manager corrects them all at once."""
    if len(bad) == 1:
        raise bad[0]
    if bad:
        rows: list[InputError] = [InputError("csv.row", **exc.params) for exc in bad[:LISTED]]
        if len(bad) > LISTED:
            lines = Items(str(exc.params["line"]) for exc in bad[LISTED:])
            rows.append(InputError("csv.more_rows", lines=lines))
        raise InputError("csv.bad_rows", rows=tuple(rows))


@dataclass(frozen=True)
class Export:
    """An export of the catalogue (:func:`remember_export`): when it was written (naive
    UTC) and the stock it wrote of each product, by the product's id."""

    at: dt.datetime
    stock: dict[int, int]


def remember_export(session: Session, figures: Mapping[int, int], at: dt.datetime) -> None:
    """Keep in the till's settings the stock an export written at ``at`` (naive UTC) gave
    each product (``figures``, by id), with the exports before it, :data:`EXPORTS_KEPT` at
    most, so that importing any of their files keeps the stock the sales made since
    (:class:`FileStock`, :func:`save_rows`)."""
    kept = exports(session)[-(EXPORTS_KEPT - 1):]
    settings.put(session, EXPORTED_STOCK, {"exports": [
        {"at": e.at.isoformat(timespec="microseconds"),
         "stock": {str(product_id): value for product_id, value in e.stock.items()}}
        for e in [*kept, Export(at, dict(figures))]]})


def exports(session: Session) -> list[Export]:
    """The catalogue's exports the till remembers (:func:`remember_export`), oldest first;
    none if the catalogue was never exported on this till."""
    kept = settings.get(session, EXPORTED_STOCK)
    # a till of before the exports were listed kept its last one alone
    listed = kept.get("exports", [kept]) if isinstance(kept, dict) else []
    try:
        return [Export(dt.datetime.fromisoformat(e["at"]),
                       {int(k): int(v) for k, v in e["stock"].items()}) for e in listed]
    except (KeyError, TypeError, ValueError, AttributeError):
        return []


def last_export(session: Session) -> Export | None:
    """The catalogue's last export (:func:`exports`); None if the catalogue was never
    exported on this till."""
    return next(reversed(exports(session)), None)


def export_time(at: dt.datetime, now: dt.datetime | None = None) -> str:
    """When an export was written, as the import's message says it: ``09:12`` the same
    day (local time), else ``28/11/2026 09:12``."""
    shown, today = local(at), local(now or utcnow())
    return shown.strftime("%H:%M" if shown.date() == today.date() else "%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class Imported:
    """What an import did: the products it added, those it updated, and the photos it
    copied beside the database; ``kept_by_export``: by the time of an export, how many
    products kept the till's stock, their stock in the file being the one that export
    wrote of them; ``stock_kept_imported``: those that kept it, their stock in the file
    being the one the last import wrote (:meth:`FileStock.written_by`)."""

    added: int
    updated: int
    photos: int = 0
    kept_by_export: Mapping[dt.datetime, int] = field(default_factory=dict)
    stock_kept_imported: int = 0

    @property
    def count(self) -> int:
        return self.added + self.updated

    @property
    def stock_kept(self) -> int:
        """How many products kept the till's stock as an export wrote it."""
        return sum(self.kept_by_export.values())

    def text(self, lang: str, now: dt.datetime | None = None) -> str:
        """"12 produits importés. Nouveaux : 2, mis à jour : 10. 3 photos copiées. 10
        produits gardent le stock de la caisse : …" in ``lang`` (the photos said when some
        were copied, the stock kept when some was, and why)."""
        said = tr_count(lang, "cli.imported", self.count)
        if not self.count:
            return said
        said += " " + tr(lang, "cli.imported_split", added=self.added, updated=self.updated)
        if self.photos:
            said += " " + tr_count(lang, "cli.imported_photos", self.photos)
        for at, kept in sorted(self.kept_by_export.items()):
            said += " " + tr_count(lang, "cli.imported_stock_kept", kept,
                                   time=export_time(at, now))
        if self.stock_kept_imported:
            said += " " + tr_count(lang, "cli.imported_stock_kept_import",
                                   self.stock_kept_imported)
        return said


def save_rows(session: Session, rows: Sequence[ProductData],
              progress: Callable[[int, int], None] | None = None, *,
              refused: Sequence[InputError] = (), data_dir: Path | None = None,
              source: str = "", user: User | None = None,
              done_from: str = users.FROM_APP) -> Imported:
    """Add or update the product of each row read from a file (:func:`parse_csv`), in the
    caller's transaction; the rows refused on saving (a barcode of a product outside the
    file, or added with a wrong check digit) raise together once all are tried, with those
    the file's reading ``refused`` (:func:`refuse_rows`), and the caller's transaction then
    writes nothing. Once every row is saved, the pictures the rows name are kept as their
    products' photos in the data folder ``data_dir`` (:func:`_keep_pictures`).
    ``progress(done, total)`` counts the rows saved, then the photos kept (``total``: the
    rows and the pictures they name): it is called every 50 rows, and for each photo.

    A product the file updates whose stock in the file is one the till wrote itself, by an
    export of the catalogue it remembers (:func:`remember_export`) or by the import that
    last wrote its stock (:meth:`FileStock.written_by`), keeps the till's stock, as the
    product dialog keeps a stock left as it showed it: the file is such an export edited
    (its prices), or the same file imported again, and the sales, goods received and counts
    made since stay; the result says, by export and for the import, how many did.
    Another figure is a count, and is written, kept as a move of an import of the file
    named ``source`` made by ``user`` from ``done_from`` (:class:`pos.stock.Cause`); so is
    every stock of a file of a product no file carried before."""
    bad = list(refused)
    known = set(session.scalars(select(Product.id)))
    cause = stock.Cause(stock.IMPORTED, source, user.id if user is not None else None,
                        done_from)
    known_exports = exports(session)
    file = FileStock(cause, known_exports, stock.last_imported(session),
                     _likeliest(session, rows, known_exports))
    updated: set[int] = set()
    kept_by: Counter[Written | None] = Counter()
    pictures: list[tuple[ProductData, Path, Product]] = []
    total = len(rows) + sum(1 for data in rows if data.picture is not None)
    for done, data in enumerate(rows, 1):
        try:
            product, kept_by_file = _save_row(session, data, file)
        except InputError as exc:
            if data.line is None:
                raise
            bad.append(exc)
        else:
            kept_by[kept_by_file] += 1
            if product.id in known:
                updated.add(product.id)
            if data.picture is not None:
                pictures.append((data, data.picture, product))
        if progress is not None and (done % 50 == 0 or done == len(rows)):
            progress(done, total)
    refuse_rows(sorted(bad, key=_line))
    copied = 0
    if pictures:
        if data_dir is None:
            raise ValueError("the pictures of a file are kept in a data folder")

        def kept(done: int) -> None:
            if progress is not None:
                progress(len(rows) + done, total)

        copied = _keep_pictures(session, pictures, data_dir, kept)
    return Imported(added=len(rows) - len(updated), updated=len(updated), photos=copied,
                    kept_by_export=_by_export(kept_by),
                    stock_kept_imported=kept_by[("import", None)])


def _likeliest(session: Session, rows: Sequence[ProductData],
               known: Sequence[Export]) -> Export | None:
    """The export a file's ``rows`` most likely are: the one of the ``known`` exports whose
    figures most of them carry (the latest of those that carry as many), so that the
    products of a morning's export imported after a noon export are said kept by the
    morning's, even those whose stock both wrote. None when no export is known."""
    ids = {sku: product_id for sku, product_id in session.execute(
        select(Product.sku, Product.id))}

    def carried(export: Export) -> int:
        return sum(1 for data in rows if data.sku in ids
                   and export.stock.get(ids[data.sku]) == data.stock)

    return max(reversed(known), key=carried, default=None)


def _by_export(kept_by: Mapping[Written | None, int]) -> dict[dt.datetime, int]:
    """By the time of an export, how many products of a file kept the till's stock as that
    export wrote it, of the products counted by why they kept it (``kept_by``)."""
    return {written[1]: kept for written, kept in kept_by.items()
            if written is not None and written[0] == "export" and written[1] is not None}


def _line(exc: InputError) -> int:
    """The line a ``csv.bad_row`` error names."""
    line = exc.params["line"]
    assert isinstance(line, int)
    return line


def _keep_pictures(session: Session, pictures: Sequence[tuple[ProductData, Path, Product]],
                   data_dir: Path, progress: Callable[[int], None] = lambda _done: None,
                   ) -> int:
    """Keep each row's picture as its product's photo, as the product dialog keeps a photo
    chosen (:func:`pos.photos.keep`; the photo a product has stays when it is the same
    picture, a file imported again). A picture that cannot be decoded after all (its
    header and its end were checked on reading the file, :func:`read_csv`) makes a bad
    line, named by its line with any other; then, or when a photo cannot
    be written, the photos kept so far are removed and the caller's transaction writes
    nothing. ``progress(done)`` is called after each picture. How many photos were copied
    (a product's photo kept as it was is not)."""
    from pos import photos  # QtGui, for a file that names pictures only

    kept: list[Path] = []
    bad: list[InputError] = []
    try:
        for done, (data, picture, product) in enumerate(pictures, 1):
            image = photos.read_picture(picture, photos.SIDE)
            if image.isNull():
                reason = InputError("csv.photo_not_picture", photo=Ltr(data.photo))
                bad.append(InputError("csv.bad_row", line=data.line, reason=reason))
            elif not bad:
                current = product.photo or ""
                path = photos.keep(image, product.sku, data_dir, current)
                if path.name != current:
                    kept.append(path)
                product.photo = path.name
            progress(done)
        refuse_rows(bad)
        session.flush()
    except BaseException:
        for path in kept:
            path.unlink(missing_ok=True)
        raise
    return len(kept)


def import_csv(session: Session, text: str, source: str = "", *, user: User | None = None,
               done_from: str = users.FROM_APP) -> int:
    """Add or update every product of the CSV (of the file named ``source``), as ``user``
    did it from ``done_from`` (:func:`save_rows`); all or nothing (the caller's
    transaction), every bad line named at once. How many products the file held."""
    rows, bad = _read_rows(text)
    return save_rows(session, rows, refused=bad, source=source, user=user,
                     done_from=done_from).count


@dataclass
class CsvFile:
    """A catalogue file read for an import (:func:`read_csv`): the rows read well, the
    errors of the others, the data folder its products' photos are kept in, and the
    file's name, which the stock moves of the import keep."""

    rows: list[ProductData]
    refused: list[InputError]
    data_dir: Path
    name: str = ""


def read_csv(path: Path, data_dir: Path,
             progress: Callable[[int, int], None] | None = None) -> CsvFile:
    """Read the catalogue file at ``path`` (:func:`decode_csv`, :func:`parse_csv`), for the
    stall whose data folder is ``data_dir``, before the transaction that saves it
    (:func:`save_file`). A photo cell that names a picture file, by its path or from the
    file's folder, has it kept as the product's photo (:func:`pos.photos.named_in_file`); a
    file that does not exist, is no picture or is cut short (a JPEG copied in part) makes
    the row's line a bad one, named with the others before anything is written.
    ``progress(checked, total)`` counts the photo cells checked (``total``: the rows that
    name a photo): called with 0 before the first, then after each."""
    from pos import photos  # QtGui, for an import from a file only

    rows, bad = _read_rows(decode_csv(path.read_bytes()))
    folder = path.absolute().parent
    named = sum(1 for data in rows if data.photo)
    checked = 0
    if progress is not None and named:
        progress(0, named)
    good: list[ProductData] = []
    for data in rows:
        try:
            data.picture = photos.named_in_file(data.photo, folder, data_dir)
        except InputError as exc:
            bad.append(InputError("csv.bad_row", line=data.line, reason=exc))
        else:
            good.append(data)
        if data.photo:
            checked += 1
            if progress is not None:
                progress(checked, named)
    return CsvFile(good, bad, data_dir, path.name)


def save_file(session: Session, file: CsvFile,
              progress: Callable[[int, int], None] | None = None, *,
              user: User | None = None, done_from: str = users.FROM_APP) -> Imported:
    """Add or update the products of ``file``, their photos kept beside the database, in
    the caller's transaction, the stock written kept as moves of an import of the file
    made by ``user`` from ``done_from`` (the app, or the command line); every bad line of
    the file, whatever is wrong with it, is named at once and nothing is written
    (:func:`save_rows`)."""
    return save_rows(session, file.rows, progress, refused=file.refused,
                     data_dir=file.data_dir, source=file.name, user=user,
                     done_from=done_from)


def export_csv(products: Sequence[Product], lang: str) -> str:
    """The catalogue as CSV text in ``lang``'s conventions
    (:func:`pos.spreadsheet.csv_dialect`), codes kept as text for spreadsheets
    (:func:`pos.spreadsheet.code_cell`); :func:`parse_csv` reads it back to the same
    catalogue."""
    delimiter, point = csv_dialect(lang)
    number_lang = "en" if point == "." else "fr"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in products:
        writer.writerow([
            code_cell(p.sku), text_cell(p.name_ar),
            text_cell(p.name_fr), text_cell(p.category),
            amount_cell(p.price, point), p.unit, p.tax_rate,
            code_cell("|".join(b.code for b in p.barcodes)),
            format_quantity(p.stock, p.unit, number_lang),
            format_quantity(p.low_stock, p.unit, number_lang),
            text_cell(p.member), text_cell(p.photo), "1" if p.active else "0",
        ])
    return out.getvalue()


def write_csv(path: Path, products: Sequence[Product], lang: str) -> None:
    """Write :func:`export_csv` to ``path``, whole or not at all, for Excel to show Arabic
    (:func:`pos.spreadsheet.write_csv`)."""
    write_csv_text(path, export_csv(products, lang))


def export_file(store: Store, path: Path, lang: str) -> int:
    """Write the whole catalogue to ``path`` (:func:`write_csv`), then remember the stock
    it wrote of each product (:func:`remember_export`), so that the file imported again
    keeps the stock the sales made since. How many products it wrote."""
    with store.read() as s:
        products = all_products(s, include_inactive=True)
        written, at = {p.id: p.stock for p in products}, utcnow()
    write_csv(path, products, lang)
    with store.write() as s:
        remember_export(s, written, at)
    return len(products)
