"""``souk-server device duplicates`` and ``device merge``: a till enrolled again on a server of
before migration 0005 got a second device and pushed its days again under it, so that the
dashboard counted them twice; the organisers find such pairs by the till's journal and
merge them, after which every day counts once, to the centime."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text

from sync.protocol import DaySummary, JournalHead
from sync.server import admin
from sync.server.cli import main
from sync.server.db import Database
from sync.server.models import Base, DaySummaryRow, Device, MergedDay
from tests.sync.client.support import MARKET_DAY, LiveServer
from tests.sync.server.test_server_move import everything, tables_add_up

from .server_support import (
    DAY,
    Stall,
    World,
    alembic,
    enrol,
    push_body,
    summary,
    wait_until_pushes_wait,
)

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PASSWORD = "souk-organiser-2026"
NEXT = DAY + dt.timedelta(days=1)
THIRD = DAY + dt.timedelta(days=2)
# what a merge writes: the tables of everything() and the copies it sets aside
TOUCHED = ("merged_days", "summary_bodies")


def first_day(device: uuid.UUID) -> DaySummary:
    return summary(device, DAY, 12, net=125_050, tickets=7, status="closed")


def second_day(device: uuid.UUID, version: int = 20, net: int = 30_000) -> DaySummary:
    return summary(device, NEXT, version, net=net, tickets=2)


def other_till(s: DaySummary) -> DaySummary:
    """``s`` as another till of the cooperative would send it: its own journal, whose
    hashes differ at every number."""
    head = s.journal_head
    return s.model_copy(update={"journal_head": JournalHead(
        seq=head.seq, hash=f"{head.seq + 7_000:064x}")})


def pushed(client: TestClient, stall: Any, *days: DaySummary) -> list[str]:
    reply = client.post("/api/v1/push", headers=stall.headers, json=push_body(*days))
    assert reply.status_code == 200, reply.text
    return [r["status"] for r in reply.json()["results"]]


def figures(client: TestClient, market_id: int) -> dict[str, Any]:
    """What the dashboard shows of the market: its edition's net and tickets, the first
    day's net, each day's net and devices, and the argan stand's edition net and devices."""
    data = client.get(f"/dashboard/data.json?market={market_id}&day={DAY}").json()
    coops = [dict(zip(data["cooperative_fields"], r, strict=True))
             for r in data["cooperatives"]]
    argan = next(c for c in coops if c["stand"] == "12")
    return {
        "edition": (data["totals"]["edition"]["net"], data["totals"]["edition"]["tickets"]),
        "day": data["totals"]["day"]["net"],
        "days": [(d["day"], d["net"], d["devices"]) for d in data["days"]],
        "argan": (argan["edition_net"], argan["devices"]),
    }


@pytest.fixture
def organiser(client: TestClient, db: Database) -> TestClient:
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    login = client.post("/dashboard/login", follow_redirects=False,
                        data={"username": "nadia", "password": PASSWORD, "lang": "en"})
    assert login.status_code == 303
    return client


@dataclass
class Twice(World):
    again: Stall  # the argan stall's second device


@pytest.fixture
def twice(organiser: TestClient, db: Database, world: World) -> Twice:
    """The argan stall pushed two days, then (a reinstall, on a server of before 0005)
    enrolled again without its installation id, got a second device and pushed its first
    day again under it; the pottery pushed a day."""
    client = organiser
    pushed(client, world.argan, first_day(world.argan.device_id),
           second_day(world.argan.device_id))
    again = enrol(client, db, world.argan.cooperative_id, "argan-1")
    assert again.device_id != world.argan.device_id
    assert pushed(client, again, first_day(again.device_id)) == ["stored"]
    pushed(client, world.pottery, summary(world.pottery.device_id, DAY, 5, net=2_500_000,
                                          tickets=3))
    return Twice(world.market_id, world.argan, world.pottery, again)


def cli(url: str, *args: str, capsys: pytest.CaptureFixture[str], lang: str = "en"
        ) -> tuple[int, list[str], str]:
    code = main(["--lang", lang, "--database-url", url, "device", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            extra = {t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}"))), key=repr)
                     for t in TOUCHED}
    finally:
        engine.dispose()
    return everything(url) | extra


def short(device: uuid.UUID) -> str:
    return str(device)[:8]


def totals_are_the_days(db: Database) -> None:
    """Each device's running totals are its stored days summed, to the centime."""
    s_ = DaySummaryRow
    with db.read() as s:
        sums = {d: (int(n), int(t), int(r), int(c)) for d, n, t, r, c in s.execute(
            select(s_.device_id, func.sum(s_.net), func.sum(s_.sales_count),
                   func.sum(s_.refunds), func.count().filter(s_.status == "closed"))
            .group_by(s_.device_id))}
        for d in s.scalars(select(Device)):
            assert (d.total_net, d.total_tickets, d.total_refunds, d.days_closed) == (
                sums.get(d.id, (0, 0, 0, 0))), d.id


# --- the repair ----------------------------------------------------------------------------


def test_a_till_enrolled_twice_is_found_and_merged_and_then_counts_once(
        twice: Twice, organiser: TestClient, db: Database, database_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    client, world = organiser, twice
    old, new = world.argan, world.again
    market = world.market_id
    # counted twice: the first day of the argan stand, under both devices
    assert figures(client, market) == {
        "edition": (2 * 125_050 + 30_000 + 2_500_000, 2 * 7 + 2 + 3),
        "day": 2 * 125_050 + 2_500_000,
        "days": [(DAY.isoformat(), 2 * 125_050 + 2_500_000, 3), (NEXT.isoformat(), 30_000, 1)],
        "argan": (2 * 125_050 + 30_000, 2),
    }
    tables_add_up(db)

    code, lines, err = cli(database_url, "duplicates", "--market", str(market), capsys=capsys)
    assert (code, err) == (0, "")
    assert lines[0] == (f"cooperative {old.cooperative_id} (Coopérative Argan Nissae), stand 12,"
                        f" market {market}: one till under two devices, {short(old.device_id)}"
                        f" and {short(new.device_id)}")
    assert lines[1].startswith(f"  device {short(old.device_id)} (argan-1): enrolled ")
    assert "last contact" in lines[1] and "never" not in lines[1]
    assert lines[2].startswith(f"  device {short(new.device_id)} (argan-1): enrolled ")
    assert lines[3] == ("  days held twice (1): 2026-05-12; counted twice: net "
                        "MAD\u00a01,250.50, tickets 7")
    assert lines[4] == (f"  to repair: souk-server device merge {short(old.device_id)} "
                        f"--into {short(new.device_id)}")
    assert len(lines) == 5
    code, fr, _ = cli(database_url, "duplicates", lang="fr", capsys=capsys)
    assert code == 0 and fr[3] == ("  jours détenus deux fois (1)\u00a0: 12/05/2026\u00a0; "
                                   "compté deux fois\u00a0: net 1\u00a0250,50\u00a0DH, "
                                   "tickets 7")

    before = snapshot(database_url)
    code, dry, err = cli(database_url, "merge", short(old.device_id), "--into",
                         str(new.device_id), "--dry-run", capsys=capsys)
    assert (code, err) == (0, "")
    assert dry[-1] == "dry run: nothing was merged"
    assert snapshot(database_url) == before

    code, lines, err = cli(database_url, "merge", short(old.device_id), "--into",
                           str(new.device_id), capsys=capsys)
    assert (code, err) == (0, "")
    assert lines == dry[:-1]
    assert lines == [
        f"device {short(old.device_id)} (argan-1) merged into device {short(new.device_id)} "
        f"(argan-1) of cooperative {old.cooperative_id} (Coopérative Argan Nissae)",
        "days moved to it: 1; days counted twice: 1, their other copy set aside: net "
        "MAD\u00a01,250.50, tickets 7",
        f"market {market} (Marché itinérant de Fès): net MAD\u00a027,801.00 before, "
        "MAD\u00a026,550.50 after; tickets 19 before, 12 after",
        f"device {short(old.device_id)} is revoked: the till sends with device "
        f"{short(new.device_id)}'s token",
    ]
    # counted once, to the centime, everywhere
    assert figures(client, market) == {
        "edition": (125_050 + 30_000 + 2_500_000, 7 + 2 + 3),
        "day": 125_050 + 2_500_000,
        "days": [(DAY.isoformat(), 125_050 + 2_500_000, 2), (NEXT.isoformat(), 30_000, 1)],
        "argan": (125_050 + 30_000, 1),
    }
    tables_add_up(db)
    totals_are_the_days(db)
    with db.read() as s:
        held = {(d.device_id, d.business_day) for d in s.scalars(select(DaySummaryRow))
                if d.cooperative_id == old.cooperative_id}
        assert held == {(new.device_id, DAY), (new.device_id, NEXT)}
        (kept,) = s.scalars(select(MergedDay)).all()
        assert (kept.device_id, kept.into_device_id, kept.business_day, kept.net,
                kept.version) == (old.device_id, new.device_id, DAY, 125_050, 12)
        assert DaySummary.model_validate_json(kept.body) == first_day(old.device_id)
        assert s.get_one(Device, old.device_id).revoked_at is not None
    code, lines, _ = cli(database_url, "duplicates", capsys=capsys)
    assert (code, lines) == (0, ["no device holds another device's till days: no day is "
                                 "counted twice"])

    # the old token is refused; the till's next pushes, under the device kept, count once
    refused = client.post("/api/v1/push", headers=old.headers,
                          json=push_body(second_day(old.device_id, 24, 41_000)))
    assert refused.status_code == 401
    assert pushed(client, new, second_day(new.device_id)) == ["unchanged"]
    assert pushed(client, new, second_day(new.device_id, 24, 41_000),
                  summary(new.device_id, THIRD, 31, net=9_900, tickets=1)) == ["stored"] * 2
    assert figures(client, market)["edition"] == (125_050 + 41_000 + 9_900 + 2_500_000,
                                                  7 + 2 + 1 + 3)
    assert figures(client, market)["argan"] == (125_050 + 41_000 + 9_900, 1)
    tables_add_up(db)
    totals_are_the_days(db)


def test_the_days_the_old_device_alone_holds_go_to_the_one_kept(
        organiser: TestClient, db: Database, world: World, database_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The device kept had not sent every day again yet: the day only the old one holds goes
    to it, and the till sending that day again under it changes nothing."""
    client, old = organiser, world.argan
    pushed(client, old, first_day(old.device_id), second_day(old.device_id, 24, 41_000))
    new = enrol(client, db, old.cooperative_id, "argan-2")
    pushed(client, new, first_day(new.device_id))
    code, lines, _ = cli(database_url, "duplicates", capsys=capsys)
    assert code == 0 and lines[3] == ("  days held twice (1): 2026-05-12; counted twice: net "
                                      "MAD\u00a01,250.50, tickets 7")
    code, lines, err = cli(database_url, "merge", str(old.device_id), "--into",
                           short(new.device_id), capsys=capsys)
    assert (code, err) == (0, "")
    assert lines[1] == ("days moved to it: 1; days counted twice: 1, their other copy set "
                        "aside: net MAD\u00a01,250.50, tickets 7")
    with db.read() as s:
        days = {d.business_day: (d.device_id, d.version, d.net)
                for d in s.scalars(select(DaySummaryRow))
                if d.cooperative_id == old.cooperative_id}
        assert days == {DAY: (new.device_id, 12, 125_050), NEXT: (new.device_id, 24, 41_000)}
        aside = {(m.device_id, m.business_day, m.version)
                 for m in s.scalars(select(MergedDay))}
        assert aside == {(old.device_id, DAY, 12)}
    assert figures(client, world.market_id)["argan"] == (125_050 + 41_000, 1)
    tables_add_up(db)
    totals_are_the_days(db)
    # the till sends the day the server now holds under its device: nothing changes
    assert pushed(client, new, second_day(new.device_id, 24, 41_000)) == ["unchanged"]
    assert pushed(client, new, second_day(new.device_id, 30, 52_000)) == ["stored"]
    assert figures(client, world.market_id)["argan"] == (125_050 + 52_000, 1)
    tables_add_up(db)
    totals_are_the_days(db)


def test_of_a_day_both_hold_the_newer_copy_stays(
        organiser: TestClient, db: Database, world: World, database_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A day's copies are ordered as the push's upsert orders them, by (restores,
    version): the old device's copy, sent after a restore of the till, stays under the
    device kept; the kept device's own is set aside."""
    client, old = organiser, world.argan
    restored = first_day(old.device_id).model_copy(update={"restores": 1})
    pushed(client, old, restored)
    new = enrol(client, db, old.cooperative_id, "argan-2")
    pushed(client, new, first_day(new.device_id))
    code, _, err = cli(database_url, "merge", str(old.device_id), "--into",
                       str(new.device_id), capsys=capsys)
    assert (code, err) == (0, "")
    with db.read() as s:
        (day,) = s.scalars(select(DaySummaryRow)
                           .where(DaySummaryRow.cooperative_id == old.cooperative_id)).all()
        assert (day.device_id, day.restores, day.version) == (new.device_id, 1, 12)
        aside = [(m.device_id, m.restores) for m in s.scalars(select(MergedDay))]
        assert aside == [(new.device_id, 0)]
    assert figures(client, world.market_id)["argan"] == (125_050, 1)
    tables_add_up(db)
    totals_are_the_days(db)
    resent = first_day(new.device_id).model_copy(update={"restores": 1})
    assert pushed(client, new, resent) == ["unchanged"]


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The real server on loopback (its push writer), with a market and a cooperative."""
    server = LiveServer(tmp_path / "server", database_url=database_url).start()
    server.seed()
    yield server
    server.stop()


@pytest.mark.parametrize("database_url", [pytest.param("postgresql",
                                                       marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_push_made_during_the_merge_waits_for_it(live: LiveServer) -> None:
    """PostgreSQL, where pushes are not held by the database's one writer: the till's push
    under the device kept, made while the merge is under way, waits for it, then counts
    once; one under the old device's token is refused once the merge is done."""
    db = live.database
    tills = []
    for _ in range(2):  # enrolled twice, as a server of before 0005 let a till
        reply = requests.post(f"{live.url}/api/v1/enrol", timeout=5,
                              json={"code": live.code(), "device_name": "till"})
        assert reply.status_code == 200, reply.text
        tills.append((uuid.UUID(reply.json()["device_id"]), reply.json()["token"]))

    def push(till: tuple[uuid.UUID, str], *days: DaySummary) -> requests.Response:
        return requests.post(f"{live.url}/api/v1/push", timeout=30, json=push_body(*days),
                             headers={"Authorization": f"Bearer {till[1]}"})

    (old, _), (new, _) = tills
    for till in tills:
        assert push(till, summary(till[0], MARKET_DAY, 12, net=125_050)).status_code == 200
    replies: list[requests.Response] = []
    with db.write() as s:
        admin.merge_devices(s, old, new)
        pushers = [threading.Thread(target=lambda till=till, n=n: replies.append(push(
            till, summary(till[0], MARKET_DAY, 14 + n, net=140_000 + n))))
            for n, till in enumerate(tills)]
        for pusher in pushers:
            pusher.start()
        wait_until_pushes_wait(live.database_url)  # both wait for the merge, in one batch
    for pusher in pushers:
        pusher.join(30)
    assert sorted(r.status_code for r in replies) == [200, 401]
    tables_add_up(db)
    totals_are_the_days(db)
    with db.read() as s:
        (day,) = s.scalars(select(DaySummaryRow)).all()
        assert (day.device_id, day.version, day.net) == (new, 15, 140_001)


# --- what is never merged --------------------------------------------------------------------


def test_two_real_tills_of_a_cooperative_are_no_duplicates_and_are_never_merged(
        organiser: TestClient, db: Database, world: World, database_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A cooperative with two tills sends the same days under two devices, at the same
    numbers even, from two journals: each counts, and a merge is refused."""
    client, first = organiser, world.argan
    second = enrol(client, db, first.cooperative_id, "argan-2")
    pushed(client, first, first_day(first.device_id), second_day(first.device_id))
    pushed(client, second, other_till(first_day(second.device_id)),
           other_till(second_day(second.device_id)))
    shown = figures(client, world.market_id)
    assert shown["argan"] == (2 * (125_050 + 30_000), 2)
    code, lines, _ = cli(database_url, "duplicates", capsys=capsys)
    assert (code, lines) == (0, ["no device holds another device's till days: no day is "
                                 "counted twice"])
    before = snapshot(database_url)
    code, out, err = cli(database_url, "merge", str(first.device_id), "--into",
                         str(second.device_id), capsys=capsys)
    assert (code, out) == (2, [])
    assert err.strip() == (
        f"souk-server: error: the days of devices {first.device_id} and "
        f"{second.device_id} (2026-05-12, 2026-05-13) do not come from one till's journal: "
        "they are two tills of the cooperative, each counted once; nothing was merged")
    assert snapshot(database_url) == before
    assert figures(client, world.market_id) == shown


def test_a_till_whose_journal_forked_is_not_taken_for_one(
        organiser: TestClient, db: Database, world: World, database_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Two devices agree on a day, but another day shows two journals at one number (a
    backup restored on a second laptop, both selling): not certainly one till."""
    client, first = organiser, world.argan
    second = enrol(client, db, first.cooperative_id, "argan-2")
    pushed(client, first, first_day(first.device_id), second_day(first.device_id))
    pushed(client, second, first_day(second.device_id),
           other_till(second_day(second.device_id)))
    code, lines, _ = cli(database_url, "duplicates", capsys=capsys)
    assert lines == ["no device holds another device's till days: no day is counted twice"]
    code, _, err = cli(database_url, "merge", str(first.device_id), "--into",
                       str(second.device_id), capsys=capsys, lang="fr")
    assert code == 2 and "ce sont deux caisses de la coopérative" in err


def test_a_refused_merge_says_why_and_writes_nothing(
        twice: Twice, db: Database, database_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    old, new = twice.argan, twice.again
    pottery = twice.pottery
    before = snapshot(database_url)
    refusals = {
        (str(old.device_id), str(old.device_id)):
            f"device {old.device_id} cannot be merged into itself: name two devices; nothing "
            "was merged",
        (str(old.device_id), str(pottery.device_id)):
            f"device {old.device_id} is cooperative {old.cooperative_id}'s and device "
            f"{pottery.device_id} cooperative {pottery.cooperative_id}'s: only two devices of "
            "one cooperative are merged; nothing was merged",
        ("abcdef99", str(new.device_id)): "no device with id abcdef99",
        ("abc", str(new.device_id)):
            "'abc' is not a device id: type it as souk-server device list prints it, or at "
            "least its first 6 characters",
    }
    for (one, other), said in refusals.items():
        code, out, err = cli(database_url, "merge", one, "--into", other, capsys=capsys)
        assert (code, out, err.strip()) == (2, [], f"souk-server: error: {said}"), (one, other)
    with db.write() as s:
        admin.revoke_device(s, new.device_id)
    code, _, err = cli(database_url, "merge", str(old.device_id), "--into",
                       str(new.device_id), capsys=capsys)
    assert code == 2 and err.strip() == (
        f"souk-server: error: device {new.device_id} is revoked: merge into the device the "
        "till sends with now; nothing was merged")
    after = snapshot(database_url)
    assert {t: v for t, v in after.items() if t != "devices"} == {
        t: v for t, v in before.items() if t != "devices"}


def test_merge_and_duplicates_speak_the_organisers_language(
        twice: Twice, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = twice.argan, twice.again
    code, lines, _ = cli(database_url, "duplicates", capsys=capsys, lang="ar")
    assert code == 0 and "صندوق واحد تحت جهازين" in lines[0]
    code, lines, _ = cli(database_url, "merge", short(old.device_id), "--into",
                         short(new.device_id), "--dry-run", capsys=capsys, lang="ar")
    assert code == 0 and lines[-1] == "تجربة: لم يُدمج أي شيء"
    assert "دُمج الجهاز" in lines[0]
    for lang, words in (("fr", "fusionne deux appareils"), ("ar", "يدمج جهازَين")):
        with pytest.raises(SystemExit):
            main(["--lang", lang, "device", "--help"])
        assert words in capsys.readouterr().out


# --- the table of the copies set aside --------------------------------------------------------


def test_migration_0013_adds_the_merged_days_and_goes_back(empty_database: Database) -> None:
    db = empty_database
    alembic(db, "upgrade", "0012")
    assert "merged_days" not in inspect(db.engine).get_table_names()
    alembic(db, "upgrade", "0013")
    assert "merged_days" in inspect(db.engine).get_table_names()
    alembic(db, "downgrade", "0012")
    assert "merged_days" not in inspect(db.engine).get_table_names()
    db.migrate()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
