"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Uuid, column, insert, inspect, select, table, text
from sqlalchemy.orm import Session

from sync.server import admin, queries
from sync.server.db import Database, utcnow
from sync.server.models import Base, Cooperative, Device, Market

from .server_support import DAY, alembic


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() is not None


def test_migrating_again_is_harmless(db: Database) -> None:
    db.migrate()
    db.migrate()
    assert "day_summaries" in inspect(db.engine).get_table_names()
    assert len(db.session_key()) == 32
    assert db.session_key() == db.session_key()  # made once, then kept


def an_older_market(s: Session) -> None:
    """The first market and a cooperative of it, with only the columns every schema since
    0007 has."""
    s.execute(text(
        "INSERT INTO markets (name_ar, name_fr, city, region, starts_on, ends_on, "
        "created_at) VALUES ('السوق المتنقل لفاس', 'Marché itinérant de Fès', 'Fès', "
        "'Fès-Meknès', :starts, :ends, :now)"),
        {"starts": DAY, "ends": DAY + dt.timedelta(days=4), "now": utcnow()})
    s.execute(text(
        "INSERT INTO cooperatives (market_id, name_ar, name_fr, sector, province, region, "
        "stand, members, women_led, youth_led, created_at) VALUES (1, 'تعاونية فخار فاس', "
        "'Coopérative Poterie de Fès', 'handicrafts', 'Fès', 'Fès-Meknès', '3', 9, false, "
        "false, :now)"), {"now": utcnow()})


def test_migration_0008_gives_markets_an_arabic_city_and_goes_back(
        empty_database: Database) -> None:
    """A market set up before keeps its city and has no Arabic name for it (its Arabic pages
    write the city as before) until one is given; going back drops the Arabic names and
    keeps the markets and the cooperatives that refer to them."""
    db = empty_database
    alembic(db, "upgrade", "0007")
    with db.write() as s:  # as the server of schema 0007 wrote them
        an_older_market(s)
    alembic(db, "upgrade", "0008")
    with db.write() as s:  # (the models are those of the latest schema: read as 0008 does)
        assert s.execute(text("SELECT city, city_ar FROM markets")).all() == [("Fès", None)]
        s.execute(text("UPDATE markets SET city_ar = 'فاس'"))

    alembic(db, "downgrade", "0007")
    assert "city_ar" not in {c["name"] for c in inspect(db.engine).get_columns("markets")}
    with db.read() as s:
        assert s.execute(text("SELECT city FROM markets")).scalars().all() == ["Fès"]
        assert s.execute(text("SELECT market_id FROM cooperatives")).scalars().all() == [1]
    db.migrate()
    with db.read() as s:
        market = s.get_one(Market, 1)
        assert (market.city, market.city_ar) == ("Fès", None)
        assert queries.market_dict(market)["city_ar"] == "Fès"
    with db.write() as s:
        admin.edit_market(s, 1, city_ar="فاس")
    with db.read() as s:
        assert queries.market_dict(s.get_one(Market, 1))["city_ar"] == "فاس"
    test_migrated_schema_matches_the_models(db)


def test_migration_0010_gives_regions_and_provinces_arabic_names_and_goes_back(
        empty_database: Database) -> None:
    """As 0008 for the city: a market's region and a cooperative's province set up before
    have no Arabic name (their Arabic pages write them as before) until one is given;
    going back drops the Arabic names and keeps the rows."""
    db = empty_database
    alembic(db, "upgrade", "0009")
    with db.write() as s:  # as the server of schema 0009 wrote them
        s.execute(text(
            "INSERT INTO markets (id, name_ar, name_fr, city, city_ar, region, starts_on, "
            "ends_on, created_at) VALUES (1, 'السوق المتنقل لفاس', 'Marché itinérant de Fès', "
            "'Fès', 'فاس', 'Fès-Meknès', :starts, :ends, :now)"),
            {"starts": DAY, "ends": DAY + dt.timedelta(days=4), "now": utcnow()})
        s.execute(text(
            "INSERT INTO cooperatives (id, market_id, name_ar, name_fr, sector, province, "
            "region, stand, members, women_led, youth_led, created_at) VALUES (1, 1, "
            "'تعاونية فخار فاس', 'Coopérative Poterie de Fès', 'handicrafts', 'Sefrou', "
            "'Fès-Meknès', '3', 9, false, false, :now)"), {"now": utcnow()})
    alembic(db, "upgrade", "head")  # 0010 and on: the models read the latest schema
    with db.read() as s:
        market, coop = s.get_one(Market, 1), s.get_one(Cooperative, 1)
        assert (market.region_ar, coop.province_ar) == (None, None)
        assert (market.region_in("ar"), coop.province_in("ar")) == ("Fès-Meknès", "Sefrou")
        assert queries.market_dict(market)["region_ar"] == "Fès-Meknès"
    with db.write() as s:
        admin.edit_market(s, 1, region_ar="جهة فاس مكناس")
        admin.edit_cooperative(s, 1, province_ar="صفرو")
    with db.read() as s:
        market, coop = s.get_one(Market, 1), s.get_one(Cooperative, 1)
        assert (market.city_ar, market.region_in("ar"), market.region_in("fr")) == (
            "فاس", "جهة فاس مكناس", "Fès-Meknès")
        assert (coop.province_in("ar"), coop.province_in("fr")) == ("صفرو", "Sefrou")

    alembic(db, "downgrade", "0009")
    assert "region_ar" not in {c["name"] for c in inspect(db.engine).get_columns("markets")}
    assert "province_ar" not in {
        c["name"] for c in inspect(db.engine).get_columns("cooperatives")}
    with db.read() as s:
        assert s.execute(text("SELECT city_ar, region FROM markets")).all() == [
            ("فاس", "Fès-Meknès")]
        assert s.execute(text("SELECT province FROM cooperatives")).scalars().all() == [
            "Sefrou"]
    db.migrate()
    with db.read() as s:
        assert (s.get_one(Market, 1).region_ar, s.get_one(Cooperative, 1).province_ar) == (
            None, None)
    test_migrated_schema_matches_the_models(db)


def test_migration_0011_gives_markets_their_opening_hour_and_goes_back(
        empty_database: Database) -> None:
    """A market set up before opens at 09:00, as the dashboard took every market to, until
    an organiser gives it its own hour, which a market set up after is given at once; going
    back drops the hours and keeps the markets and the cooperatives that refer to them."""
    db = empty_database
    alembic(db, "upgrade", "0010")
    with db.write() as s:  # as the server of schema 0010 wrote them
        an_older_market(s)
    alembic(db, "upgrade", "0011")
    with db.write() as s:
        assert s.get_one(Market, 1).opens == dt.time(9, 0)
        admin.add_market(s, name_ar="سوق مكناس", name_fr="Marché de Meknès", city="Meknès",
                         region="Fès-Meknès", starts_on=DAY, ends_on=DAY, opens=dt.time(10, 30))
    with db.write() as s:
        admin.edit_market(s, 1, opens=dt.time(8, 30))
    with db.read() as s:
        assert [m.opens for m in s.scalars(select(Market).order_by(Market.id))] == [
            dt.time(8, 30), dt.time(10, 30)]

    alembic(db, "downgrade", "0010")
    assert "opens" not in {c["name"] for c in inspect(db.engine).get_columns("markets")}
    with db.read() as s:
        assert s.execute(text("SELECT city FROM markets ORDER BY id")).scalars().all() == [
            "Fès", "Meknès"]
        assert s.execute(text("SELECT market_id FROM cooperatives")).scalars().all() == [1]
    db.migrate()
    with db.read() as s:
        assert s.get_one(Market, 2).opens == dt.time(9, 0)
    test_migrated_schema_matches_the_models(db)


def test_migration_0012_gives_devices_their_last_contact_and_goes_back(
        empty_database: Database) -> None:
    """A device of before takes its last push as its last contact (the latest the server
    knew of it), which the dashboard and ``device list`` then show; one that never pushed
    has had none. Going back drops the contacts and keeps the devices, whose days still
    refer to them."""
    db = empty_database
    alembic(db, "upgrade", "0011")
    pushed_at = dt.datetime(2026, 5, 12, 17, 40, 30, 250)
    quiet, pushing = uuid.UUID(int=1), uuid.UUID(int=2)
    devices = table("devices", column("id", Uuid()), column("cooperative_id"),
                    column("name"), column("token_hash"), column("enrolled_at"),
                    column("last_push_at"))
    summaries = table("day_summaries", *(column(n) for n in (
        "device_id", "cooperative_id", "market_id", "business_day", "version", "digest",
        "status", "opened_at", "sales_count", "refunds_count", "voids_count", "gross",
        "refunds", "voids", "net", "discounts", "items", "cash_expected", "grand_total",
        "journal_seq", "journal_hash", "received_at")))
    with db.write() as s:  # as the server of schema 0011 wrote them
        an_older_market(s)
        s.execute(insert(devices), [
            {"id": device, "cooperative_id": 1, "name": name, "token_hash": name * 16,
             "enrolled_at": DAY, "last_push_at": last}
            for device, name, last in ((quiet, "aaaa", None), (pushing, "bbbb", pushed_at))])
        s.execute(insert(summaries).values(
            device_id=pushing if db.is_postgresql else pushing.hex, cooperative_id=1,
            market_id=1, business_day=DAY, version=3, digest="d" * 64, status="open",
            opened_at=pushed_at, sales_count=2, refunds_count=0, voids_count=0, gross=5_000,
            refunds=0, voids=0, net=5_000, discounts=0, items=2, cash_expected=5_000,
            grand_total=5_000, journal_seq=3, journal_hash="h" * 64, received_at=pushed_at))
    alembic(db, "upgrade", "head")  # (the models read the later devices' columns too)
    with db.read() as s:
        assert {d.id: (d.last_seen_at, d.last_push_at) for d in s.scalars(select(Device))} == {
            quiet: (None, None), pushing: (pushed_at, pushed_at)}
        now = pushed_at + dt.timedelta(minutes=3)
        (row,) = queries.cooperative_rows(s, s.get_one(Market, 1), DAY, now)
        assert (row.last_sync, row.stale_seconds, row.devices, row.day_net) == (
            pushed_at.isoformat(timespec="microseconds") + "Z", 180, 2, 5_000)

    alembic(db, "downgrade", "0011")
    assert "last_seen_at" not in {c["name"] for c in inspect(db.engine).get_columns("devices")}
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM devices")).scalar_one() == 2
        assert s.execute(text("SELECT net FROM day_summaries")).scalars().all() == [5_000]
    db.migrate()
    with db.read() as s:
        assert s.get_one(Device, pushing).last_seen_at == pushed_at
    test_migrated_schema_matches_the_models(db)


def test_migration_0014_gives_devices_their_last_refusal_and_goes_back(
        empty_database: Database) -> None:
    """The devices of before have no refusal (none is refused on the dashboard); one
    written after is kept with why; going back drops the refusals and keeps the devices,
    which a push stored again then leaves as they were."""
    db = empty_database
    alembic(db, "upgrade", "0013")
    pushed_at = dt.datetime(2026, 5, 12, 17, 40, 30, 250)
    till = uuid.UUID(int=7)
    devices = table("devices", column("id", Uuid()), column("cooperative_id"),
                    column("name"), column("token_hash"), column("enrolled_at"),
                    column("last_push_at"), column("last_seen_at"))
    with db.write() as s:  # as the server of schema 0013 wrote it
        an_older_market(s)
        s.execute(insert(devices).values(id=till, cooperative_id=1, name="till",
                                         token_hash="c" * 64, enrolled_at=DAY,
                                         last_push_at=pushed_at, last_seen_at=pushed_at))
    alembic(db, "upgrade", "0014")
    now = pushed_at + dt.timedelta(minutes=3)
    with db.write() as s:
        (row,) = queries.cooperative_rows(s, s.get_one(Market, 1), DAY, now)
        assert (row.refused, row.refused_key, row.refused_params) == (None, None, None)
        device = s.get_one(Device, till)
        device.refused_at = now
        device.refused_key = "server.err.day_outside_market"
        device.refused_params = '{"day": "2026-05-22"}'
    with db.read() as s:
        (row,) = queries.cooperative_rows(s, s.get_one(Market, 1), DAY, now)
        assert (row.refused_key, row.refused_params) == (
            "server.err.day_outside_market", {"day": "2026-05-22"})
    alembic(db, "downgrade", "0013")
    assert not {"refused_at", "refused_key", "refused_params"} & {
        c["name"] for c in inspect(db.engine).get_columns("devices")}
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM devices")).scalar_one() == 1
    db.migrate()
    with db.read() as s:
        assert s.get_one(Device, till).refused_at is None
    test_migrated_schema_matches_the_models(db)
