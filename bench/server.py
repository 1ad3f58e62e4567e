"""Benchmark of the organisers' server: ingest throughput and dashboard latency.

    .venv/bin/python bench/server.py [--seconds 10] [--rounds 10] [--clients 8] [--devices 5000]
                                     [--days 30]

* ``ingest_per_s_sqlite`` / ``ingest_per_s_postgres``: day-summary pushes per second from
  8 concurrent keep-alive clients over loopback against a real uvicorn process; every push
  is a new version of a day, so each one replaces a stored summary and its lines.
* ``ingest_ratio``: pushes per second of a bare FastAPI endpoint that only parses the same
  bodies with the protocol's model, divided by ours; the larger of the two databases'
  ratios. Both servers are one uvicorn process, both run at once and take turns (ten
  turns of a second each by default, alternating which goes first), so that a machine whose speed
  drifts slows both alike; ours applies the pushes waiting in batches (see
  ``sync/server/writer.py``).
* ``dashboard_ms``: median time of ``GET /dashboard/data.json`` for one market of
  ``devices`` stalls x ``days`` days on PostgreSQL, over HTTP. The rows are seeded in SQL,
  running totals included, as the upsert would have left them.

The PostgreSQL server is ``$SOUK_BENCH_POSTGRES_URL`` or 127.0.0.1:5432, database ``test``;
the benchmark works in schemas of its own and drops them at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get(
    "SOUK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "bench-organiser-pw"
DAY0 = dt.date(2026, 5, 1)


# --- the servers under test (run in their own processes) ---------------------------------


def serve(kind: str, url: str, port: int) -> None:
    """One of the servers, run as ``souk-server serve`` runs ours (see ``app.run``)."""
    from sync.server.app import run

    if kind == "bare":
        from sync.protocol import PushRequest

        app = FastAPI()

        @app.post("/api/v1/push")
        async def push(request: Request) -> JSONResponse:
            req = PushRequest.model_validate_json(await request.body())
            return JSONResponse({"received": len(req.summaries)})
    else:
        from sync.server.app import create_app
        from sync.server.db import Database

        app = create_app(Database.connect(url))
    run(app, "127.0.0.1", port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(kind: str, url: str) -> Iterator[int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--url", url, "--port", str(port)],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the {kind} server did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- a minimal keep-alive HTTP/1.1 client (so the client costs little CPU) -------------


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1",
                 f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        got = {}
        for line in header_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                got[k.strip().lower()] = v.strip()
        length = int(got.get("content-length", "0"))
        data = await self.reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), got, data

    def close(self) -> None:
        self.writer.close()


# --- ingest ------------------------------------------------------------------------------


def make_summary(device_id: uuid.UUID, day: dt.date, version: int) -> dict[str, object]:
    """A realistic day summary: 25 products, 10 hours, 3 payment methods, 4 members,
    adding up as the stall's do (or the server would refuse it)."""
    products = [
        {"product_id": f"SKU-{p:03d}", "name_ar": f"زيت أركان {p}", "name_fr": f"Huile d'argan {p}",
         "category": "huiles", "quantity": 1000 * (p % 7 + 1), "amount": 4500 * (p % 9 + 1)}
        for p in range(25)
    ]
    net = sum(int(p["amount"]) for p in products)  # type: ignore[call-overload]
    items = sum(int(p["quantity"]) for p in products)  # type: ignore[call-overload]
    hours = [{"hour": 9 + h, "amount": net // 10 + (net % 10 if h == 0 else 0), "tickets": 3}
             for h in range(10)]
    return {
        "device_id": str(device_id), "cooperative_id": None, "business_day": day.isoformat(),
        "version": version, "status": "open", "opened_at": f"{day}T08:00:00+01:00",
        "closed_at": None, "utc_offset_minutes": 60, "z_number": None, "currency": "MAD",
        "sales_count": 30, "refunds_count": 0, "voids_count": 0, "gross": net, "refunds": 0,
        "voids": 0, "net": net, "discounts": 0, "items": items,
        "taxes": [{"rate": 20, "base": net * 5 // 6, "tax": net - net * 5 // 6}],
        "payments": [{"method": "cash", "amount": net - 20_000, "count": 26},
                     {"method": "card", "amount": 15_000, "count": 3},
                     {"method": "mobile", "amount": 5_000, "count": 1}],
        "products": products, "hours": hours,
        "members": [{"member": f"عضوة {m}", "amount": net // 4 + (net % 4 if m == 0 else 0),
                     "quantity": items // 4 + (items % 4 if m == 0 else 0)} for m in range(4)],
        "cash": {"opening_float": 20_000, "cash_in": 0, "cash_out": 0,
                 "expected": net, "counted": None, "difference": None},
        "journal_head": {"seq": version, "hash": f"{version:064x}"},
        "grand_total": 10_000_000 + net,
    }


def enrol_devices(url: str, n: int) -> list[tuple[uuid.UUID, str]]:
    from sync.server import admin, ingest
    from sync.server.db import Database

    db = Database.connect(url)
    db.migrate()
    devices = []
    with db.write() as s:
        market = admin.add_market(s, name_ar="سوق", name_fr="Marché", city="Fès",
                                  region="Fès-Meknès", starts_on=DAY0,
                                  ends_on=DAY0 + dt.timedelta(days=4))
        for i in range(n):
            coop = admin.add_cooperative(s, admin.CooperativeInput(
                market_id=market.id, name_ar=f"تعاونية {i}", name_fr=f"Coopérative {i}",
                sector="food", province="Fès", stand=str(i + 1), members=10))
            code, _ = admin.issue_enrol_code(s, coop.id)
            reply = ingest.enrol(s, code, f"bench-{i}")
            devices.append((reply.device_id, reply.token))
    db.dispose()
    return devices


def bodies_for(device_id: uuid.UUID, count: int) -> list[bytes]:
    """Each push is a newer version of one of five days: always a real replacement."""
    return [
        json.dumps({"summaries": [make_summary(device_id, DAY0 + dt.timedelta(days=n % 5),
                                               n + 1)]}).encode()
        for n in range(count)
    ]


async def _hammer(port: int, clients: list[tuple[str, list[bytes]]], seconds: float
                  ) -> tuple[int, int, float, list[int]]:
    """(accepted, refused, seconds taken, bodies sent by each client)."""
    stop = time.monotonic() + seconds
    ok = bad = 0
    sent = [0] * len(clients)

    async def one(k: int, token: str, bodies: list[bytes]) -> None:
        nonlocal ok, bad
        conn = await Connection.open(port)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        try:
            while time.monotonic() < stop and sent[k] < len(bodies):
                status, _, _ = await conn.request("POST", "/api/v1/push", bodies[sent[k]],
                                                  headers)
                sent[k] += 1
                if status == 200:
                    ok += 1
                else:
                    bad += 1
        finally:
            conn.close()

    start = time.monotonic()
    await asyncio.gather(*(one(k, token, bodies) for k, (token, bodies) in enumerate(clients)))
    return ok, bad, time.monotonic() - start, sent


def ingest_rates(url: str, devices: list[tuple[uuid.UUID, str]], seconds: float,
                 rounds: int) -> tuple[float, float]:
    """(ours, bare) pushes per second on the database at ``url``: both servers run at once
    and take turns, ``rounds`` times ``seconds``/``rounds`` each, so that both meet the
    same moments of a noisy machine. Each client sends its next bodies (newer versions)."""
    per_client = int(seconds * 800) + 200
    clients = [(token, bodies_for(device_id, per_client)) for device_id, token in devices]
    sent = {"ours": [0] * len(clients), "bare": [0] * len(clients)}
    totals = {"ours": [0, 0.0], "bare": [0, 0.0]}

    def hammer(kind: str, port: int, duration: float) -> tuple[int, float]:
        starts = sent[kind]
        ok, bad, elapsed, counts = asyncio.run(_hammer(
            port, [(token, bodies[start:])
                   for (token, bodies), start in zip(clients, starts, strict=True)],
            duration))
        if bad:
            raise RuntimeError(f"{kind}: {bad} pushes were refused")
        sent[kind] = [start + n for start, n in zip(starts, counts, strict=True)]
        return ok, elapsed

    with server("ours", url) as ours, server("bare", url) as bare:
        ports = {"ours": ours, "bare": bare}
        for kind, port in ports.items():
            hammer(kind, port, 1.5)  # warm up
        for r in range(rounds):
            for kind in ("ours", "bare") if r % 2 == 0 else ("bare", "ours"):
                ok, elapsed = hammer(kind, ports[kind], seconds / rounds)
                totals[kind][0] += ok
                totals[kind][1] += elapsed
    return totals["ours"][0] / totals["ours"][1], totals["bare"][0] / totals["bare"][1]


# --- dashboard ---------------------------------------------------------------------------


SEED_SQL = """
INSERT INTO markets (id, name_ar, name_fr, city, region, starts_on, ends_on, created_at)
VALUES (1, 'السوق المتنقل', 'Marché itinérant', 'Fès', 'Fès-Meknès', :day0,
        :day0 + (:days - 1), now());
INSERT INTO cooperatives (id, market_id, name_ar, name_fr, sector, province, region, stand,
                          members, women_led, youth_led, created_at)
SELECT i, 1, 'تعاونية ' || i, 'Coopérative ' || i,
       (ARRAY['handicrafts','food','herbs','cosmetics','other'])[1 + i % 5],
       'Province ' || (i % 40), CASE WHEN i % 3 = 0 THEN 'Souss-Massa' ELSE 'Fès-Meknès' END,
       i::text, 5 + i % 30, i % 2 = 0, i % 7 = 0, now()
FROM generate_series(1, :devices) AS i;
INSERT INTO devices (id, cooperative_id, name, token_hash, enrolled_at, last_push_at,
                     last_seen_at)
SELECT md5('device' || i)::uuid, i, 'stall ' || i, encode(sha256(('t' || i)::bytea), 'hex'),
       now(), now() - make_interval(secs => i % 3600), now() - make_interval(secs => i % 300)
FROM generate_series(1, :devices) AS i;
INSERT INTO day_summaries (id, device_id, cooperative_id, market_id, business_day, version,
    digest, status, z_number, opened_at, closed_at, sales_count, refunds_count, voids_count,
    gross, refunds, voids, net, discounts, items, cash_expected, cash_counted,
    cash_difference, grand_total, journal_seq, journal_hash, received_at)
SELECT (i - 1) * :days + d + 1, md5('device' || i)::uuid, i, 1, :day0 + d, 100 + d,
       md5(i || '-' || d) || md5(d || '-' || i),
       CASE WHEN d < :days - 1 THEN 'closed' ELSE 'open' END,
       d + 1, (:day0 + d) + time '08:00', (:day0 + d) + time '19:00',
       20 + (i * 7 + d) % 40, (i + d) % 3, 0,
       200000 + (i * 7919 + d * 104729) % 500000 + 1000 * ((i + d) % 3),
       1000 * ((i + d) % 3), 0, 200000 + (i * 7919 + d * 104729) % 500000, 0, 30000,
       250000, 250000, 0, 50000000, 100 + d, md5(i::text) || md5(d::text), now()
FROM generate_series(1, :devices) AS i, generate_series(0, :days - 1) AS d;
INSERT INTO summary_hours (summary_id, hour, market_id, business_day, amount, tickets)
SELECT s.id, h, 1, s.business_day, s.net / 10, 3
FROM day_summaries s, generate_series(9, 18) AS h;
INSERT INTO summary_products (summary_id, line, market_id, business_day, cooperative_id,
    product_id, name_ar, name_fr, category, quantity, amount)
SELECT s.id, p, 1, s.business_day, s.cooperative_id, 'SKU-' || p, 'منتج ' || p,
       'Produit ' || p, 'catégorie', 1000 * (1 + p), s.net / 10
FROM day_summaries s, generate_series(0, 9) AS p;
INSERT INTO summary_payments (summary_id, method, amount, count)
SELECT s.id, 'cash', s.net, s.sales_count FROM day_summaries s;
UPDATE devices d SET total_net = t.net, total_tickets = t.tickets, total_refunds = t.refunds,
       days_closed = t.closed
FROM (SELECT device_id, sum(net) AS net, sum(sales_count) AS tickets, sum(refunds) AS refunds,
             count(*) FILTER (WHERE status = 'closed') AS closed
      FROM day_summaries GROUP BY device_id) t
WHERE d.id = t.device_id;
INSERT INTO market_days (market_id, business_day, net, gross, refunds, tickets, devices, closed)
SELECT market_id, business_day, sum(net), sum(gross), sum(refunds), sum(sales_count), count(*),
       count(*) FILTER (WHERE status = 'closed')
FROM day_summaries GROUP BY market_id, business_day;
INSERT INTO summary_bodies (summary_id, body)
SELECT s.id, repeat('{"bench":"body"}', 200) FROM day_summaries s;
SELECT setval(pg_get_serial_sequence('day_summaries', 'id'), (SELECT max(id) FROM day_summaries));
"""


def seed_dashboard(url: str, devices: int, days: int) -> float:
    from sqlalchemy import text

    from sync.server import admin
    from sync.server.db import Database

    db = Database.connect(url)
    db.migrate()
    start = time.monotonic()
    with db.engine.begin() as conn:
        for statement in SEED_SQL.split(";\n"):
            if statement.strip():
                conn.execute(text(statement), {"day0": DAY0, "days": days, "devices": devices})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # the steady state autovacuum keeps
        conn.execute(text("CHECKPOINT"))  # the seeding's writes flushed, not during the runs
    with db.write() as s:
        admin.add_user(s, "bench", PASSWORD)
    db.dispose()
    return time.monotonic() - start


async def _dashboard_times(port: int, day: dt.date, runs: int) -> list[float]:
    conn = await Connection.open(port)
    form = urllib.parse.urlencode({"username": "bench", "password": PASSWORD}).encode()
    status, headers, _ = await conn.request(
        "POST", "/dashboard/login", form,
        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303, status
    cookie = headers["set-cookie"].split(";")[0]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        status, _, body = await conn.request(
            "GET", f"/dashboard/data.json?market=1&day={day}", headers={"Cookie": cookie})
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    data = json.loads(body)
    assert len(data["cooperatives"]) > 0 and data["totals"]["edition"]["net"] > 0
    conn.close()
    return times


def dashboard_ms(url: str, devices: int, days: int) -> tuple[float, float, float]:
    seed_s = seed_dashboard(url, devices, days)
    with server("ours", url) as port:
        times = asyncio.run(_dashboard_times(port, DAY0 + dt.timedelta(days=days // 2), 12))
    measured = times[2:]
    return statistics.median(measured), max(measured), seed_s


# --- main --------------------------------------------------------------------------------


@contextmanager
def pg_schema(prefix: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{name}"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        engine.dispose()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=10.0,
                   help="per server and database, in --rounds turns")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--devices", type=int, default=5000, help="for the dashboard")
    p.add_argument("--days", type=int, default=30, help="for the dashboard")
    p.add_argument("--serve", choices=["ours", "bare"], help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        serve(args.serve, args.url, args.port)
        return 0

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        devices = enrol_devices(sqlite_url, args.clients)
        sqlite_rate, bare_sqlite = ingest_rates(sqlite_url, devices, args.seconds, args.rounds)
    with pg_schema("souk_bench_ingest") as url:
        devices = enrol_devices(url, args.clients)
        pg_rate, bare_pg = ingest_rates(url, devices, args.seconds, args.rounds)
    with pg_schema("souk_bench_dashboard") as url:
        median, worst, seed_s = dashboard_ms(url, args.devices, args.days)

    sqlite_ratio, pg_ratio = bare_sqlite / sqlite_rate, bare_pg / pg_rate
    ratio = max(sqlite_ratio, pg_ratio)
    rows += [
        ("bare endpoint (parse only), pushes/s, beside SQLite", f"{bare_sqlite:,.0f}"),
        ("ingest on SQLite, pushes/s", f"{sqlite_rate:,.0f}"),
        ("bare endpoint (parse only), pushes/s, beside PostgreSQL", f"{bare_pg:,.0f}"),
        ("ingest on PostgreSQL, pushes/s", f"{pg_rate:,.0f}"),
        ("ratio bare / SQLite", f"{sqlite_ratio:.2f}"),
        ("ratio bare / PostgreSQL", f"{pg_ratio:.2f}"),
        ("ratio bare / slower database (target <= 3)", f"{ratio:.2f}"),
        (f"dashboard data, {args.devices} devices x {args.days} days, median ms "
         "(target <= 150)", f"{median:.1f}"),
        ("dashboard data, slowest of 10 runs, ms", f"{worst:.1f}"),
        ("seeding the dashboard data in SQL, s", f"{seed_s:.1f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 10}")
    for name, value in rows:
        print(f"{name:<{width}}  {value:>10}")
    print(f"ingest_per_s_sqlite={sqlite_rate:.0f} ingest_per_s_postgres={pg_rate:.0f} "
          f"ingest_ratio={ratio:.2f} dashboard_ms={median:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
