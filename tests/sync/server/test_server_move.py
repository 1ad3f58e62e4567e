"""``souk-server cooperative move``: a cooperative enrolled into the wrong one of two markets
held the same week goes, with its figures and its tills, into its own; each market's
figures stay the sum of its stalls', and a refused move writes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import threading
import uuid
from collections import Counter
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, func, select, text

from pos import receipts, settings
from pos.db import Store
from pos.models import Product, Sale, User
from sync.client import config
from sync.client.engine import enrol_store, sync_store
from sync.server import admin
from sync.server.cli import main
from sync.server.db import Database
from sync.server.models import (
    Cooperative,
    DaySummaryRow,
    MarketDay,
    RestoredDay,
    SummaryHour,
    SummaryProduct,
)
from tests.sync.client.conftest import FAST
from tests.sync.client.support import MARKET_DAY, LiveServer, Till, local_figures
from tests.sync.client.test_reenrol import PASSWORD, dashboard, identity, sell_two_days

from .server_support import push_body, summary, wait_until_pushes_wait

NEXT_DAY = MARKET_DAY + dt.timedelta(days=1)


# --- two markets the same week -----------------------------------------------------------


class Week:
    """Agadir (the seeded market, where the argan cooperative was enrolled by mistake,
    beside a honey cooperative) and Essaouira, the same week (a pottery at stand 12)."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        db = server.database
        with db.write() as s:
            essaouira = admin.add_market(
                s, name_ar="السوق المتنقل للصويرة", name_fr="Marché itinérant d'Essaouira",
                city="Essaouira", region="Marrakech-Safi", starts_on=MARKET_DAY,
                ends_on=MARKET_DAY + dt.timedelta(days=6))
            honey = admin.add_cooperative(s, admin.CooperativeInput(
                market_id=server.market_id, name_ar="تعاونية العسل", name_fr="Coopérative du miel",
                sector="food", province="Agadir", stand="3", members=8))
            pottery = admin.add_cooperative(s, admin.CooperativeInput(
                market_id=essaouira.id, name_ar="تعاونية الفخار", name_fr="Coopérative Fakhar",
                sector="handicrafts", province="Safi", stand="12", members=9))
            codes = [admin.issue_enrol_code(s, c)[0] for c in (honey.id, pottery.id)]
            admin.add_user(s, "nadia", PASSWORD)
        self.agadir, self.essaouira = server.market_id, essaouira.id
        self.argan, self.honey, self.pottery = server.cooperative_id, honey.id, pottery.id
        self.installation = uuid.uuid4()  # the honey's till
        self.tokens = [self.enrol(codes[0], self.installation), self.enrol(codes[1])]

    def enrol(self, code: str, installation: uuid.UUID | None = None) -> tuple[str, str]:
        """Enrol a till (as a stall does, naming its ``installation``): (device, token)."""
        reply = requests.post(f"{self.server.url}/api/v1/enrol", timeout=5, json={
            "code": code, "device_name": "till",
            "installation_id": str(installation or uuid.uuid4())})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        return body["device_id"], body["token"]

    def push(self, which: int, *days: Any) -> dict[str, Any]:
        """Push days as the honey's (0) or the pottery's (1) till."""
        device, token = self.tokens[which]
        reply = requests.post(f"{self.server.url}/api/v1/push", timeout=5,
                              json=push_body(*(d(uuid.UUID(device)) for d in days)),
                              headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        return body


@pytest.fixture
def till(store: Store, staff: tuple[User, User], products: dict[str, Product],
         server: LiveServer) -> Till:
    """A stall of the argan cooperative, enrolled into Agadir: the wrong market."""
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    return Till(store)


def move(url: str, *args: str, lang: str = "en",
         capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--lang", lang, "--database-url", url, "cooperative", "move", *args])
    out, err = capsys.readouterr()
    return code, out, err


# --- what the organisers see ---------------------------------------------------------------


def coop_rows(data: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {r[0]: dict(zip(data["cooperative_fields"], r, strict=True))
            for r in data["cooperatives"]}


def seen(server: LiveServer, market_id: int) -> dict[str, Any]:
    """A market as its dashboard and its files show it, checked to add up: its edition's
    net and tickets are its stalls' summed, and its days'; the day's net is its stalls' and
    its hours'; the days' and the cooperatives' files say the same."""
    data = dashboard(server, market_id)
    coops = coop_rows(data)
    edition = data["totals"]["edition"]
    assert edition["net"] == sum(c["edition_net"] for c in coops.values())
    assert edition["tickets"] == sum(c["edition_tickets"] for c in coops.values())
    assert edition["net"] == sum(d["net"] for d in data["days"])
    today = next((d for d in data["days"] if d["day"] == MARKET_DAY.isoformat()), None)
    day_net = today["net"] if today else 0
    assert day_net == sum(c["day_net"] for c in coops.values()) == data["totals"]["day"]["net"]
    assert sum(h["amount"] for h in data["hours"]) == day_net
    files = exported(server, market_id)
    assert files["days"] == (edition["net"], edition["tickets"])
    assert files["cooperatives"] == {c["stand"]: c["edition_net"] for c in coops.values()}
    return {
        "net": edition["net"], "tickets": edition["tickets"],
        "stands": {c["stand"]: (cid, c["edition_net"], c["day_net"], c["devices"])
                   for cid, c in coops.items()},
        "days": [(d["day"], d["net"], d["devices"]) for d in data["days"]],
        "top": {p["cooperative_id"] for p in data["top_products"]},
    }


def exported(server: LiveServer, market_id: int) -> dict[str, Any]:
    """The days' file's sums (net, tickets) and the cooperatives' file's edition net by
    stand, as an organiser's spreadsheet reads them (English: points, in centimes here)."""
    with requests.Session() as web:
        web.post(f"{server.url}/dashboard/login", allow_redirects=False,
                 data={"username": "nadia", "password": PASSWORD, "lang": "en"})

        def rows(table: str) -> list[list[str]]:
            reply = web.get(f"{server.url}/dashboard/export/{table}.csv",
                            params={"market": str(market_id), "lang": "en",
                                    "day": MARKET_DAY.isoformat()})
            assert reply.status_code == 200, reply.text
            return list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))[1:]

        days, coops = rows("days"), rows("cooperatives")
    # the days: day, net, refunds, tickets...; the cooperatives: stand, ..., the edition's
    # sales (the twelfth column)
    return {
        "days": (sum(round(float(r[1]) * 100) for r in days), sum(int(r[3]) for r in days)),
        "cooperatives": {r[0]: round(float(r[11]) * 100) for r in coops},
    }


def tables_add_up(db: Database) -> None:
    """Every row carries its cooperative's market, and each market day's running totals
    are its stalls' days summed, as are their hours' and products' lines."""
    with db.read() as s:
        markets = dict(s.execute(select(Cooperative.id, Cooperative.market_id)).all())
        days = s.scalars(select(DaySummaryRow)).all()
        assert all(d.market_id == markets[d.cooperative_id] for d in days)
        assert all(r.market_id == markets[r.cooperative_id]
                   for r in s.scalars(select(RestoredDay)))
        summed: dict[tuple[int, dt.date], Counter[str]] = {}
        for d in days:
            summed.setdefault((d.market_id, d.business_day), Counter()).update(
                {"net": d.net, "gross": d.gross, "refunds": d.refunds,
                 "tickets": d.sales_count, "devices": 1, "closed": int(d.status == "closed")})
        held = {(m.market_id, m.business_day): Counter(
            {"net": m.net, "gross": m.gross, "refunds": m.refunds, "tickets": m.tickets,
             "devices": m.devices, "closed": m.closed})
            for m in s.scalars(select(MarketDay))}
        # a market day whose stalls all left holds zeros (a negative figure stays: refunds)
        assert {k: v for k, v in held.items() if any(v.values())} == summed
        for table, amount in ((SummaryHour, SummaryHour.amount),
                              (SummaryProduct, SummaryProduct.amount)):
            lines = {(m, d): int(a) for m, d, a in s.execute(
                select(table.market_id, table.business_day, func.sum(amount))
                .group_by(table.market_id, table.business_day))}
            assert lines == {k: v["net"] for k, v in summed.items()}


# --- the move ------------------------------------------------------------------------------


def test_a_cooperative_in_the_wrong_market_moves_with_its_figures_and_its_till(
        server: LiveServer, till: Till, database_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    week = Week(server)
    sell_two_days(till)
    assert sync_store(till.store, **FAST).ok
    device, token = identity(till.store)
    week.push(0, lambda d: summary(d, MARKET_DAY, 5, net=48_000, tickets=6))
    week.push(1, lambda d: summary(d, MARKET_DAY, 4, net=31_500, tickets=2))
    stall = local_figures(till.store)
    argan = sum(d["net"] for d in stall.values())
    argan_tickets = sum(d["sales"] for d in stall.values())
    agadir = seen(server, week.agadir)
    assert agadir["net"] == argan + 48_000
    assert set(agadir["stands"]) == {"12", "3"}
    tables_add_up(server.database)

    code, out, err = move(database_url, str(week.argan), "--market", str(week.essaouira),
                          "--stand", "5", capsys=capsys)
    assert (code, err) == (0, "")
    money = f"MAD\u00a0{argan // 100:,}.{argan % 100:02d}"
    assert out.splitlines() == [
        f"cooperative {week.argan} (Coopérative Argan Nissae) moved from market "
        f"{week.agadir} to market {week.essaouira}, at stand 5 (was 12)",
        f"its figures moved with it: days 2, devices 1, net {money}, "
        f"tickets {argan_tickets}",
        f"market {week.agadir} (Marché itinérant de Fès): net "
        f"MAD\u00a0{(argan + 48_000) // 100:,}.{argan % 100:02d} before, MAD\u00a0480.00 "
        f"after; tickets {argan_tickets + 6} before, 6 after",
        f"market {week.essaouira} (Marché itinérant d'Essaouira): net MAD\u00a0315.00 "
        f"before, MAD\u00a0{(argan + 31_500) // 100:,}.{argan % 100:02d} after; tickets 2 "
        f"before, {argan_tickets + 2} after",
        f"its tills stay enrolled: their next figures go to market {week.essaouira}, whose "
        "name and dates they show from their next sync",
        "its tills print stand 5 on their receipts instead of stand 12 from their next "
        "sync",
    ]
    tables_add_up(server.database)
    agadir = seen(server, week.agadir)
    assert (agadir["net"], agadir["tickets"]) == (48_000, 6)
    assert agadir["stands"] == {"3": (week.honey, 48_000, 48_000, 1)}
    assert agadir["days"] == [(MARKET_DAY.isoformat(), 48_000, 1)]
    assert agadir["top"] == {week.honey}
    essaouira = seen(server, week.essaouira)
    assert (essaouira["net"], essaouira["tickets"]) == (argan + 31_500, argan_tickets + 2)
    first = stall[MARKET_DAY]["net"]
    assert essaouira["stands"] == {"12": (week.pottery, 31_500, 31_500, 1),
                                   "5": (week.argan, argan, first, 1)}
    assert essaouira["days"] == [(MARKET_DAY.isoformat(), first + 31_500, 2),
                                 (NEXT_DAY.isoformat(), stall[NEXT_DAY]["net"], 1)]
    assert essaouira["top"] == {week.argan, week.pottery}

    # the till keeps its token and device; it learns its market and its stand at its next
    # sync, sends nothing again, and its next sales land in Essaouira, counted once, their
    # receipts naming the market and the stand it is at now
    assert stand_printed(till.store) == "12"
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.acked == []
    assert identity(till.store) == (device, token)
    with till.store.read() as s:
        shown = config.load(s).cooperative
    assert (shown["market"]["id"], shown["market"]["name_fr"], shown["stand"]) == (
        week.essaouira, "Marché itinérant d'Essaouira", "5")
    till.sell(random.Random(7))
    lines = receipt_lines(till.store)
    assert "Marché itinérant d'Essaouira" in lines and "Stand 5 · Essaouira" in lines
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.acked == [NEXT_DAY]
    stall = local_figures(till.store)
    argan = sum(d["net"] for d in stall.values())
    assert server.held(device) == stall
    assert server.rows_per_day() == 1
    tables_add_up(server.database)
    assert seen(server, week.essaouira)["net"] == argan + 31_500
    assert seen(server, week.agadir) == agadir

    # enrolled again, it keeps its stand, its device and its days
    enrol_store(till.store, server.url, server.code(), name="T01 test", **FAST)
    assert identity(till.store)[0] == device and stand_printed(till.store) == "5"
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.acked == []
    assert seen(server, week.essaouira)["net"] == argan + 31_500


def stand_printed(store: Store) -> str:
    """The stand the stall's receipts print."""
    with store.read() as s:
        return str(settings.get(s, settings.MARKET)["stand"])


def receipt_lines(store: Store) -> list[str]:
    """The lines of the receipt of the stall's last sale, in French."""
    with store.read() as s:
        sale = s.scalars(select(Sale).order_by(Sale.number.desc())).first()
        assert sale is not None
        document = receipts.load_sale_receipt(s, sale.id, lang="fr")
    return document.plain_text().split("\n")


def test_a_dry_run_says_the_same_and_writes_nothing(
        server: LiveServer, till: Till, database_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    week = Week(server)
    sell_two_days(till)
    assert sync_store(till.store, **FAST).ok
    before = everything(database_url)
    code, out, _ = move(database_url, str(week.argan), "--market", str(week.essaouira),
                        "--stand", "5", "--dry-run", lang="fr", capsys=capsys)
    assert code == 0
    assert out.splitlines()[0] == (
        f"coopérative {week.argan} (Coopérative Argan Nissae) déplacée du marché "
        f"{week.agadir} au marché {week.essaouira}, au stand 5 (avant\u00a0: 12)")
    assert out.splitlines()[-1] == "essai\u00a0: rien n'a été déplacé"
    assert everything(database_url) == before
    code, moved, _ = move(database_url, str(week.argan), "--market", str(week.essaouira),
                          "--stand", "5", lang="fr", capsys=capsys)
    assert code == 0 and moved.splitlines() == out.splitlines()[:-1]
    assert everything(database_url) != before


# --- refusals ------------------------------------------------------------------------------


WHAT_A_MOVE_TOUCHES = ("cooperatives", "devices", "day_summaries", "summary_hours",
                       "summary_products", "summary_payments", "restored_days", "conflicts",
                       "market_days", "enrol_codes")


def everything(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}"))), key=repr)
                    for t in WHAT_A_MOVE_TOUCHES}
    finally:
        engine.dispose()


def test_a_refused_move_says_why_in_the_organisers_language_and_writes_nothing(
        server: LiveServer, till: Till, database_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    week = Week(server)
    sell_two_days(till)
    assert sync_store(till.store, **FAST).ok
    with server.database.write() as s:
        short = admin.add_market(
            s, name_ar="سوق قصير", name_fr="Marché court", city="Tiznit", region="Souss-Massa",
            starts_on=NEXT_DAY, ends_on=NEXT_DAY + dt.timedelta(days=2)).id
    # the honey's till was enrolled into Essaouira too (with a code of the pottery's), a
    # new device there, and sent its day there again
    honey_device, _ = week.tokens[0]
    with server.database.write() as s:
        pottery_code, _ = admin.issue_enrol_code(s, week.pottery)
    twin = week.enrol(pottery_code, installation=week.installation)
    assert twin[0] != honey_device
    week.push(0, lambda d: summary(d, MARKET_DAY, 5, net=48_000, tickets=6))
    week.tokens[1] = twin
    week.push(1, lambda d: summary(d, MARKET_DAY, 5, net=48_000, tickets=6))
    before = everything(database_url)

    argan, essaouira = str(week.argan), str(week.essaouira)
    for args, lang, said in [
        (["99", "--market", essaouira], "fr", "aucune coopérative avec l'identifiant 99"),
        ([argan, "--market", "99"], "ar", "لا يوجد سوق بالمعرّف 99"),
        ([argan, "--market", str(week.agadir)], "en",
         f"cooperative {argan} is in market {week.agadir} already: nothing was moved"),
        ([argan, "--market", essaouira], "fr",
         f"le stand 12 du marché {essaouira} est déjà pris par la coopérative "
         f"{week.pottery}\u00a0: indiquez-en un autre avec --stand\u00a0; rien n'a été "
         "déplacé"),
        ([argan, "--market", essaouira, "--stand", " 12 "], "en",
         f"stand 12 of market {essaouira} is taken by cooperative {week.pottery}: give "
         "another with --stand; nothing was moved"),
        ([argan, "--market", str(short), "--stand", "1"], "en",
         f"cooperative {argan} has figures of days outside the dates of market {short} "
         f"({NEXT_DAY} to {NEXT_DAY + dt.timedelta(days=2)}): {MARKET_DAY}. They cannot "
         "be that market's: nothing was moved"),
        ([str(week.honey), "--market", essaouira, "--stand", "4"], "en",
         f"device {honey_device} of this cooperative is the same till as device "
         f"{twin[0]} of cooperative {week.pottery} in market {essaouira}, which "
         f"holds its days already ({MARKET_DAY}): moved, they would count twice; nothing "
         "was moved"),
        ([argan, "--market", essaouira, "--stand", "  "], "ar", "الرواق لا يجب أن يكون فارغًا"),
    ]:
        code, out, err = move(database_url, *args, lang=lang, capsys=capsys)
        assert (code, out) == (2, ""), args
        assert said in err, (args, err)
        assert len(err.splitlines()) == 1
        assert everything(database_url) == before, args


# --- what else the server keeps of a cooperative ---------------------------------------------


def restored(day: Any, restores: int) -> Any:
    return type(day).model_validate({**day.model_dump(mode="json"), "restores": restores})


def test_restored_days_conflicts_and_every_till_move_with_their_cooperative(
        server: LiveServer, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    week = Week(server)
    db = server.database
    argan = [week.enrol(server.code()) for _ in range(2)]

    def push(stall: tuple[str, str], *days: Any) -> list[str]:
        reply = requests.post(f"{server.url}/api/v1/push", timeout=5, json=push_body(*days),
                              headers={"Authorization": f"Bearer {stall[1]}"})
        assert reply.status_code in (200, 409), reply.text  # 409: a conflict among them
        return [r["status"] for r in reply.json()["results"]]

    first, second = (uuid.UUID(d) for d, _ in argan)
    assert push(argan[0], summary(first, MARKET_DAY, 9, net=125_050, tickets=7,
                                  status="closed")) == ["stored"]
    # its till restored from a backup: the day replaced, what it replaced kept
    assert push(argan[0], restored(summary(first, MARKET_DAY, 5, net=50_000, tickets=3), 1)
                ) == ["stored"]
    # a body the server holds another of under its version: a conflict
    assert push(argan[0], restored(summary(first, MARKET_DAY, 5, net=51_000, tickets=3), 1)
                ) == ["conflict"]
    assert push(argan[1], summary(second, MARKET_DAY, 4, net=20_000, tickets=2),
                summary(second, NEXT_DAY, 6, net=33_300, tickets=5, refunds=1_200)
                ) == ["stored", "stored"]
    week.push(0, lambda d: summary(d, MARKET_DAY, 5, net=48_000, tickets=6))
    assert seen(server, week.agadir)["net"] == 50_000 + 20_000 + 33_300 + 48_000
    agadir_restored = dashboard(server, week.agadir)["restored"]
    assert [(r["stand"], r["held_net"], r["net"]) for r in agadir_restored] == [
        ("12", 125_050, 50_000)]

    code, out, _ = move(database_url, str(week.argan), "--market", str(week.essaouira),
                        "--stand", "7", lang="ar", capsys=capsys)
    assert code == 0
    assert out.splitlines()[1] == ("انتقلت معها أرقامها: الأيام 3، الأجهزة 2، "
                                   "الصافي 1\u00a0033,00\u00a0د.م.، التذاكر 10")
    tables_add_up(db)
    agadir, essaouira = seen(server, week.agadir), seen(server, week.essaouira)
    assert agadir["net"] == 48_000 and set(agadir["stands"]) == {"3"}
    assert essaouira["net"] == 103_300
    assert essaouira["stands"]["7"] == (week.argan, 103_300, 70_000, 2)
    assert dashboard(server, week.agadir)["restored"] == []
    data = dashboard(server, week.essaouira)
    assert [(r["stand"], r["held_net"], r["net"]) for r in data["restored"]] == [
        ("7", 125_050, 50_000)]
    assert coop_rows(data)[week.argan]["conflicts"] == 1
    assert {d["day"]: (d["net"], d["refunds"], d["closed"]) for d in data["days"]} == {
        MARKET_DAY.isoformat(): (70_000, 0, 0),
        NEXT_DAY.isoformat(): (33_300, 1_200, 0)}
    # both tills go on sending into Essaouira: a day again changes nothing, a new one counts
    assert push(argan[1], summary(second, NEXT_DAY, 6, net=33_300, tickets=5,
                                  refunds=1_200)) == ["unchanged"]
    assert push(argan[0], restored(summary(first, MARKET_DAY, 8, net=60_000, tickets=4,
                                           status="closed"), 1)) == ["stored"]
    tables_add_up(db)
    data = dashboard(server, week.essaouira)
    assert {d["day"]: (d["net"], d["closed"]) for d in data["days"]} == {
        MARKET_DAY.isoformat(): (80_000, 1), NEXT_DAY.isoformat(): (33_300, 0)}
    assert seen(server, week.agadir)["net"] == 48_000

    # the honey too, at its own stand: Agadir is left with nothing, counted once
    code, out, _ = move(database_url, str(week.honey), "--market", str(week.essaouira),
                        capsys=capsys)
    assert code == 0
    assert out.splitlines()[0] == (
        f"cooperative {week.honey} (Coopérative du miel) moved from market {week.agadir} "
        f"to market {week.essaouira}, at stand 3")
    tables_add_up(db)
    agadir, essaouira = seen(server, week.agadir), seen(server, week.essaouira)
    assert (agadir["net"], agadir["stands"], agadir["days"]) == (0, {}, [])
    assert essaouira["net"] == 60_000 + 20_000 + 33_300 + 48_000
    assert set(essaouira["stands"]) == {"3", "7", "12"}


@pytest.mark.parametrize("database_url", [pytest.param("postgresql",
                                                       marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_push_made_during_the_move_lands_in_the_new_market(
        server: LiveServer, database_url: str) -> None:
    """PostgreSQL, where pushes are not held by the database's one writer: a push that
    comes while the move is under way waits for it, then lands in the new market."""
    week = Week(server)
    db = server.database
    device, token = week.enrol(server.code())

    def push(version: int, net: int) -> requests.Response:
        return requests.post(f"{server.url}/api/v1/push", timeout=30, json=push_body(
            summary(uuid.UUID(device), MARKET_DAY, version, net=net, tickets=3)),
            headers={"Authorization": f"Bearer {token}"})

    assert push(4, 20_000).status_code == 200
    replies: list[requests.Response] = []
    with db.write() as s:
        admin.move_cooperative(s, week.argan, week.essaouira, stand="7")
        pusher = threading.Thread(target=lambda: replies.append(push(6, 35_000)))
        pusher.start()
        wait_until_pushes_wait(database_url)  # the push waits for the move
    pusher.join(30)
    assert [r.status_code for r in replies] == [200]
    tables_add_up(db)
    with db.read() as s:
        day = s.scalars(select(DaySummaryRow)
                        .where(DaySummaryRow.device_id == uuid.UUID(device))).one()
        assert (day.market_id, day.net, day.version) == (week.essaouira, 35_000, 6)
    assert seen(server, week.agadir)["net"] == 0
    assert seen(server, week.essaouira)["stands"]["7"] == (week.argan, 35_000, 35_000, 1)
