"""The stall's database: SQLAlchemy 2.0 typed models.

Money columns are integer centimes; quantity columns are integer thousandths of the unit
(grams for a product sold by the kg). Sales, refunds, voids, cash movements and day closes
are never updated nor deleted: each is written once, with its :class:`JournalEntry`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: the sizes of a product's texts, kept as sold on its sale lines (the organisers' server
#: takes at most 200 characters of any of them)
NAME_SIZE = 120
CATEGORY_SIZE = 60
MEMBER_SIZE = 80

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, dt.datetime: DateTime(timezone=False)}


def utcnow() -> dt.datetime:
    """Naive UTC timestamp (SQLite keeps no zone; every stored time is UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Setting(Base):
    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class User(Base):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))  # "manager" | "cashier"
    pin_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    __table_args__ = (CheckConstraint("role IN ('manager', 'cashier')", name="role"),)


class Product(Base):
    __tablename__ = "product"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name_ar: Mapped[str] = mapped_column(String(NAME_SIZE))
    name_fr: Mapped[str] = mapped_column(String(NAME_SIZE))
    category: Mapped[str] = mapped_column(String(CATEGORY_SIZE), default="")
    price: Mapped[int] = mapped_column(Integer)  # centimes, tax included, per unit
    unit: Mapped[str] = mapped_column(String(8), default="piece")
    tax_rate: Mapped[int] = mapped_column(Integer, default=0)
    stock: Mapped[int] = mapped_column(Integer, default=0)  # thousandths of the unit
    low_stock: Mapped[int] = mapped_column(Integer, default=0)
    photo: Mapped[str] = mapped_column(String(260), default="")
    member: Mapped[str] = mapped_column(String(MEMBER_SIZE), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    barcodes: Mapped[list[Barcode]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Barcode.code"
    )
    __table_args__ = (
        CheckConstraint("price >= 0", name="price"),
        CheckConstraint("unit IN ('piece', 'kg', 'g', 'l')", name="unit"),
        CheckConstraint("tax_rate IN (0, 7, 10, 14, 20)", name="tax_rate"),
    )


class StockMove(Base):
    """One change of a product's stock, and what made it: written in the transaction that
    changes the stock, never updated nor deleted, so that a product's moves add up to its
    stock (:mod:`pos.stock`)."""

    __tablename__ = "stock_move"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))  # see ix_stock_move
    change: Mapped[int] = mapped_column(Integer)  # signed thousandths of the unit
    stock_after: Mapped[int] = mapped_column(Integer)
    # opening (the stock a database had when moves began to be kept), created, sale,
    # refund, void, received, counted (typed in the product dialog), imported, unit (the
    # product's unit changed: its stock is counted in the new one from then on)
    kind: Mapped[str] = mapped_column(String(8))
    sale_id: Mapped[str | None] = mapped_column(ForeignKey("sale.id"))  # sale, refund, void
    source: Mapped[str] = mapped_column(String(260), default="")  # an import's file name
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # the product's unit when the move was made: the unit its change and stock are in
    unit: Mapped[str] = mapped_column(String(8))
    # where it was made: "app", or "command_line" (pos.users.FROM_COMMAND_LINE)
    done_from: Mapped[str] = mapped_column(String(12), default="app", server_default="app")
    __table_args__ = (
        CheckConstraint("kind IN ('opening', 'created', 'sale', 'refund', 'void', "
                        "'received', 'counted', 'imported', 'unit')", name="kind"),
    )


class Barcode(Base):
    __tablename__ = "barcode"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    product: Mapped[Product] = relationship(back_populates="barcodes")


class BusinessDay(Base):
    __tablename__ = "business_day"
    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    opened_at: Mapped[dt.datetime]
    utc_offset_minutes: Mapped[int] = mapped_column(Integer, default=0)
    opening_float: Mapped[int] = mapped_column(Integer)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[dt.datetime | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    counted: Mapped[int | None] = mapped_column(Integer)
    count_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    expected: Mapped[int | None] = mapped_column(Integer)
    z_number: Mapped[int | None] = mapped_column(Integer, unique=True)
    open_seq: Mapped[int] = mapped_column(Integer)
    close_seq: Mapped[int | None] = mapped_column(Integer)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Sale(Base):
    """A sale, a refund (negative lines, ``reverses`` the original) or a void (the whole
    original reversed)."""

    __tablename__ = "sale"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-made UUID
    kind: Mapped[str] = mapped_column(String(8))
    number: Mapped[int] = mapped_column(Integer, unique=True)  # gapless ticket number
    day_id: Mapped[int] = mapped_column(ForeignKey("business_day.id"))  # see ix_sale_day_kind
    created_at: Mapped[dt.datetime]
    utc_offset_minutes: Mapped[int] = mapped_column(Integer)
    local_hour: Mapped[int] = mapped_column(Integer)
    cashier_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cashier_name: Mapped[str] = mapped_column(String(80), default="")
    authorised_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    subtotal: Mapped[int] = mapped_column(Integer)  # before discounts
    discount: Mapped[int] = mapped_column(Integer)  # line + cart discounts
    cart_discount: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer)  # signed: negative for refunds and voids
    reverses: Mapped[str | None] = mapped_column(ForeignKey("sale.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    journal_seq: Mapped[int] = mapped_column(ForeignKey("journal.seq"))
    lines: Mapped[list[SaleLine]] = relationship(order_by="SaleLine.position", lazy="selectin")
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.position", lazy="selectin")
    __table_args__ = (
        CheckConstraint("kind IN ('sale', 'refund', 'void')", name="kind"),
        {"sqlite_with_rowid": False},  # the row lives in its primary key's b-tree
    )


class SaleLine(Base):
    __tablename__ = "sale_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.id"))  # indexed by its unique key
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    sku: Mapped[str] = mapped_column(String(40))
    name_ar: Mapped[str] = mapped_column(String(NAME_SIZE))
    name_fr: Mapped[str] = mapped_column(String(NAME_SIZE))
    category: Mapped[str] = mapped_column(String(CATEGORY_SIZE))
    member: Mapped[str] = mapped_column(String(MEMBER_SIZE))
    unit: Mapped[str] = mapped_column(String(8))
    unit_price: Mapped[int] = mapped_column(Integer)
    list_price: Mapped[int] = mapped_column(Integer)  # catalogue price (differs on override)
    quantity: Mapped[int] = mapped_column(Integer)  # signed thousandths
    discount: Mapped[int] = mapped_column(Integer)  # line discount, signed like the line
    cart_discount: Mapped[int] = mapped_column(Integer)  # share of the cart discount
    total: Mapped[int] = mapped_column(Integer)  # signed, after both discounts
    tax_rate: Mapped[int] = mapped_column(Integer)
    reverses_line: Mapped[int | None] = mapped_column(ForeignKey("sale_line.id"))
    __table_args__ = (UniqueConstraint("sale_id", "position"),)


class Payment(Base):
    __tablename__ = "payment"
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int] = mapped_column(Integer)  # signed, what the till keeps
    tendered: Mapped[int | None] = mapped_column(Integer)  # cash handed over
    change: Mapped[int | None] = mapped_column(Integer)  # cash given back
    reference: Mapped[str] = mapped_column(String(80), default="")
    __table_args__ = (
        CheckConstraint("method IN ('cash', 'card', 'mobile')", name="method"),
        {"sqlite_with_rowid": False},
    )


class CashMovement(Base):
    __tablename__ = "cash_movement"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("business_day.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4))  # "in" | "out"
    amount: Mapped[int] = mapped_column(Integer)  # positive
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    journal_seq: Mapped[int] = mapped_column(ForeignKey("journal.seq"), unique=True)
    __table_args__ = (
        CheckConstraint("kind IN ('in', 'out')", name="kind"),
        CheckConstraint("amount > 0", name="amount"),
    )


class JournalEntry(Base):
    """One link of the hash chain. ``record`` holds the canonical JSON that was hashed."""

    __tablename__ = "journal"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(12))
    ref: Mapped[str] = mapped_column(String(36))
    day_id: Mapped[int | None] = mapped_column(Integer)  # a day's records: open_seq..close_seq
    created_at: Mapped[dt.datetime]
    amount: Mapped[int] = mapped_column(Integer)  # signed sales amount of this record
    grand_total: Mapped[int] = mapped_column(Integer)  # perpetual total after it
    record: Mapped[str] = mapped_column(Text)
    hash: Mapped[str] = mapped_column(String(64))


class PrintJob(Base):
    """A receipt or report waiting for the printer; survives restarts."""

    __tablename__ = "print_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(12))  # sale, refund, void, x, z, test
    ref: Mapped[str] = mapped_column(String(64), default="")  # sale id, day id...
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    # a receipt language (pos.receipts.RECEIPT_LANGUAGES); None: the settings' one
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    printed_at: Mapped[dt.datetime | None]


class SyncDay(Base):
    """What the organisers' server holds of one business day."""

    __tablename__ = "sync_day"
    day_id: Mapped[int] = mapped_column(ForeignKey("business_day.id"), primary_key=True)
    acked_version: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None]
    last_synced_at: Mapped[dt.datetime | None]
    last_error: Mapped[str] = mapped_column(String(300), default="")
    rejected_version: Mapped[int | None] = mapped_column(Integer)
    rejected_reason: Mapped[str] = mapped_column(String(500), default="")
    # what the server held of the day before figures sent after a restore of this till's
    # database replaced it (``sync.protocol.Replaced``, as JSON); None when never
    restored: Mapped[dict[str, Any] | None] = mapped_column(JSON)


Index("ix_sale_day_kind", Sale.day_id, Sale.kind)
# the few restores of a backup among the journal's records (``pos.journal.restores_of``)
Index("ix_journal_restore", JournalEntry.seq, sqlite_where=JournalEntry.kind == "restore")
# the invoices among them, by the sale each invoices (``pos.invoices.invoice_of``)
Index("ix_journal_invoice", JournalEntry.ref, sqlite_where=JournalEntry.kind == "invoice")
# and the credit notes, by the refund or void each stands for (``pos.invoices.credit_note_of``;
# the scans of all of them go through it too, where the journal would be read whole)
Index("ix_journal_credit_note", JournalEntry.ref,
      sqlite_where=JournalEntry.kind == "credit_note")
# a product's moves, newest first (``pos.stock.history``)
Index("ix_stock_move", StockMove.product_id, StockMove.id)
# only refunds and voids are indexed by the sale they reverse: a plain sale writes no entry
Index("ix_sale_reverses", Sale.reverses, sqlite_where=Sale.reverses.is_not(None))
