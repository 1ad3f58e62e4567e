"""The server's own tables (SQLAlchemy 2.0 typed models).

A day summary is stored once per (device, business day): its totals as columns, so the
dashboard sums them without reading JSON, its per-hour, per-payment and per-product lines
in child tables that carry the market and the day, and its canonical JSON body in a table
of its own.
Money columns are integer centimes; quantities are integer thousandths.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
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
    Time,
    UniqueConstraint,
    Uuid,
    event,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SECTORS = ("handicrafts", "food", "herbs", "cosmetics", "other")
#: a market's opening hour where none was given, as the database writes it
OPENS_DEFAULT = "09:00:00"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Setting(Base):
    """Server-wide values kept in the database (the server has no other state)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def named_in(lang: str, latin: str, arabic: str | None) -> str:
    """A place as a page or file in ``lang`` names it: in Arabic its Arabic name when it
    has one (a market or a cooperative set up without it has None), else as ``latin``."""
    return (arabic or latin) if lang == "ar" else latin


class Market(Base):
    __tablename__ = "markets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name_ar: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(200))
    # the city in Arabic letters ("فاس"); None for a market set up without it, whose
    # Arabic pages then name the city as ``city`` writes it
    city_ar: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(200))
    # the region in Arabic letters ("جهة فاس مكناس"); None as ``city_ar``
    region_ar: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # when it opens, in Morocco: from half an hour past it, a stand that has sent nothing
    # of the day is late (09:00 for the markets set up before it was asked, migration 0011)
    opens: Mapped[dt.time] = mapped_column(Time, server_default=OPENS_DEFAULT)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates"),)

    def city_in(self, lang: str) -> str:
        """The city as a page or file in ``lang`` names it: in Arabic its Arabic name
        when it has one."""
        return named_in(lang, self.city, self.city_ar)

    def region_in(self, lang: str) -> str:
        """The region as a page or file in ``lang`` names it (as :meth:`city_in`)."""
        return named_in(lang, self.region, self.region_ar)


class Cooperative(Base):
    __tablename__ = "cooperatives"
    id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"), index=True)
    name_ar: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(20))
    province: Mapped[str] = mapped_column(String(200))
    # the province in Arabic letters ("إفران"); None as ``Market.city_ar``
    province_ar: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(200))
    stand: Mapped[str] = mapped_column(String(40))
    members: Mapped[int] = mapped_column(Integer)
    women_led: Mapped[bool] = mapped_column(Boolean)
    youth_led: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("market_id", "stand", name="uq_cooperatives_market_stand"),
        CheckConstraint(
            "sector IN ('handicrafts', 'food', 'herbs', 'cosmetics', 'other')", name="sector"
        ),
        CheckConstraint("members >= 0", name="members"),
    )

    def province_in(self, lang: str) -> str:
        """The province as a page or file in ``lang`` names it (as :meth:`Market.city_in`)."""
        return named_in(lang, self.province, self.province_ar)


class EnrolCode(Base):
    """A one-time, expiring enrolment code; only its SHA-256 is kept."""

    __tablename__ = "enrol_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # when figures from it were last stored (a push, or a bundle brought on a USB stick)
    last_push_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # its last contact with the server: the last request it made with its token (a push,
    # asking which days the server holds), to the minute at least; a bundle is not contact
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # its last push refused (its token good): when, and why (the message id, its parameters
    # as JSON text), written with its contact; its figures are refused while it is later
    # than ``last_push_at``
    refused_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    refused_key: Mapped[str | None] = mapped_column(String(64))
    refused_params: Mapped[str | None] = mapped_column(Text)
    # running totals over the device's stored days, kept by the upsert (for the dashboard)
    total_net: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    total_tickets: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    total_refunds: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    days_closed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # the stall's own lasting id (sent at enrolment; None for devices enrolled without it):
    # one device per (installation, market), which a new enrolment into the market gives
    # back, moved to the code's cooperative
    installation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    __table_args__ = (
        Index("ix_devices_installation", "installation_id", "cooperative_id", unique=True),
    )


class DaySummaryRow(Base):
    __tablename__ = "day_summaries"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    business_day: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(6))
    z_number: Mapped[int | None] = mapped_column(BigInteger)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sales_count: Mapped[int] = mapped_column(BigInteger)
    refunds_count: Mapped[int] = mapped_column(BigInteger)
    voids_count: Mapped[int] = mapped_column(BigInteger)
    gross: Mapped[int] = mapped_column(BigInteger)
    refunds: Mapped[int] = mapped_column(BigInteger)
    voids: Mapped[int] = mapped_column(BigInteger)
    net: Mapped[int] = mapped_column(BigInteger)
    discounts: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[int] = mapped_column(BigInteger)
    cash_expected: Mapped[int] = mapped_column(BigInteger)
    cash_counted: Mapped[int | None] = mapped_column(BigInteger)
    cash_difference: Mapped[int | None] = mapped_column(BigInteger)
    grand_total: Mapped[int] = mapped_column(BigInteger)
    journal_seq: Mapped[int] = mapped_column(BigInteger)
    journal_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # how many times the stall's database was restored from a backup, as of this version
    # (0: never); a day is replaced by a higher (restores, version): see RestoredDay
    restores: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __table_args__ = (
        UniqueConstraint("device_id", "business_day", name="uq_day_summaries_device_day"),
        Index("ix_day_summaries_market_day", "market_id", "business_day"),
        Index("ix_day_summaries_cooperative_day", "cooperative_id", "business_day"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )


class MarketDay(Base):
    """Running totals of one market day over all its devices, kept by the upsert."""

    __tablename__ = "market_days"
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"), primary_key=True)
    business_day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    net: Mapped[int] = mapped_column(BigInteger)
    gross: Mapped[int] = mapped_column(BigInteger)
    refunds: Mapped[int] = mapped_column(BigInteger)
    tickets: Mapped[int] = mapped_column(BigInteger)
    devices: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)


class SummaryBody(Base):
    """The canonical JSON of a stored summary, apart so the totals' table stays narrow."""

    __tablename__ = "summary_bodies"
    summary_id: Mapped[int] = mapped_column(
        ForeignKey("day_summaries.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text)


class SummaryPayment(Base):
    __tablename__ = "summary_payments"
    summary_id: Mapped[int] = mapped_column(
        ForeignKey("day_summaries.id", ondelete="CASCADE"), primary_key=True
    )
    method: Mapped[str] = mapped_column(String(10), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(BigInteger)


class SummaryHour(Base):
    __tablename__ = "summary_hours"
    summary_id: Mapped[int] = mapped_column(
        ForeignKey("day_summaries.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    market_id: Mapped[int] = mapped_column(Integer)
    business_day: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    tickets: Mapped[int] = mapped_column(BigInteger)
    # the hours of a market's day, summed from the index alone on PostgreSQL
    __table_args__ = (
        Index("ix_summary_hours_market_day", "market_id", "business_day", "hour",
              postgresql_include=["amount", "tickets"]),
    )


class SummaryProduct(Base):
    __tablename__ = "summary_products"
    summary_id: Mapped[int] = mapped_column(
        ForeignKey("day_summaries.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    market_id: Mapped[int] = mapped_column(Integer)
    business_day: Mapped[dt.date] = mapped_column(Date)
    cooperative_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    # the unit the quantity counts thousandths of; NULL from a stall that did not say it
    unit: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # sorted for the top products' grouping; on PostgreSQL an index-only scan
    __table_args__ = (
        Index("ix_summary_products_market_day", "market_id", "business_day", "cooperative_id",
              "product_id", postgresql_include=["amount"]),
        # a day's lines by amount, read from the top: its best sellers without summing them all
        Index("ix_summary_products_day_amount", "market_id", "business_day", "amount",
              "cooperative_id", "product_id"),
    )


class Conflict(Base):
    """A summary that arrived with a version the server holds under a different body."""

    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    business_day: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(BigInteger)
    stored_digest: Mapped[str] = mapped_column(String(64))
    received_digest: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    body: Mapped[str] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint(
            "device_id", "business_day", "version", "received_digest",
            name="uq_conflicts_device_day_version_digest",
        ),
    )


class RestoredDay(Base):
    """What the server held of a day when a summary sent after a restore of the stall's
    database (a higher restore count) replaced it: the sales the stall lost with its
    damaged database leave the figures, not the record. One per (device, day, restore
    count): the count of the summary that replaced it."""

    __tablename__ = "restored_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    business_day: Mapped[dt.date] = mapped_column(Date)
    restores: Mapped[int] = mapped_column(Integer)
    # what was held: its version, restore count, figures and body
    version: Mapped[int] = mapped_column(BigInteger)
    held_restores: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(6))
    net: Mapped[int] = mapped_column(BigInteger)
    gross: Mapped[int] = mapped_column(BigInteger)
    refunds: Mapped[int] = mapped_column(BigInteger)
    sales_count: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    # what replaced it, as it arrived
    new_version: Mapped[int] = mapped_column(BigInteger)
    new_net: Mapped[int] = mapped_column(BigInteger)
    new_sales_count: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("device_id", "business_day", "restores",
                         name="uq_restored_days_device_day_restores"),
        Index("ix_restored_days_market_day", "market_id", "business_day"),
    )


class MergedDay(Base):
    """A day one till held twice, under two devices (a stall enrolled again before the
    server gave it its device back, migration 0005), set aside when the two were merged
    (``souk-server device merge``): the copy that did not stay, as it was stored, counted
    nowhere. One per copy: the device that held it, the device it was merged into."""

    __tablename__ = "merged_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), index=True)
    into_device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    business_day: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(BigInteger)
    restores: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(6))
    net: Mapped[int] = mapped_column(BigInteger)
    gross: Mapped[int] = mapped_column(BigInteger)
    refunds: Mapped[int] = mapped_column(BigInteger)
    sales_count: Mapped[int] = mapped_column(BigInteger)
    journal_seq: Mapped[int] = mapped_column(BigInteger)
    journal_hash: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    merged_at: Mapped[dt.datetime] = mapped_column(DateTime)


class User(Base):
    """An organiser who may log in to the dashboard."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # carried in the session cookie: moving it on ends every session of the user
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # wrong passwords in a row, and until when logins are refused (naive UTC)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)

    def end_sessions(self) -> None:
        """End every session of this user (each browser must log in again)."""
        self.session_epoch = (self.session_epoch or 0) + 1


@event.listens_for(User, "before_update")
def _end_sessions_on_change(_mapper: Any, _connection: Any, user: User) -> None:
    """A new password, or disabling the user, ends the user's sessions."""
    state = inspect(user)
    disabled = state.attrs.disabled.history
    if state.attrs.password_hash.history.has_changes() or (
            disabled.has_changes() and user.disabled):
        user.end_sessions()
