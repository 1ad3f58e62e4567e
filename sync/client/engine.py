"""One sync run: check the server, learn what it holds, push what it lacks.

::

    outcome = sync_once(store, transport)

1. ``GET /health``: a captive portal or a stranger's page stops the run here. The
   server's protocol says whether the summaries may name the products' units, and carry
   the till's restore count (see :mod:`sync.client.outbox`).
2. ``GET /days``: what the server holds for this device; an acknowledged version the
   server no longer has (restored from an old backup) is queued again. The market and
   stand it names (the organisers may have moved either) are kept for the receipts.
3. ``POST /push`` of every waiting day (oldest first, in batches), each the full
   aggregate at its current version. A version is marked synced only from a 2xx reply,
   in a local write transaction. A day the server itself refuses (its JSON error body
   with a 4xx, see :mod:`sync.client.transport`) is set aside with the server's reason
   (its message id and parameters when it sends them, so that the stall tells it in the
   manager's language, and its English words) and the others go on; a 409 sets the
   conflicting days aside and pushes the rest again; a 401 stops everything (the device
   was revoked). A day the server holds in a newer version than the stall's ("stale":
   the stall's database was restored from a backup) is not synced: it is held back until
   its version changes. Set-aside days are pushed again after :func:`retry_set_aside`.
   A batch the server keeps answering with a 5xx (it, or a gateway before it, fails on
   one of its days) is pushed again day by day: the other days go through, the day it
   fails on stays waiting (not set aside: the fault is the server's) and the run ends in
   that failure, tried again later.
   A day whose figures, sent after a restore of this till, replaced what the server held
   keeps what the server said it held before (``SyncDay.restored``).

Each run keeps how far this laptop's clock is from the server's, as the last reply
recognised as the server's measured it (``config.clock_changes``).

The run never holds a database transaction open across the network. Each transaction
that records what the server said reads the day states once, and hands them to every
step (their versions cannot change while it holds the write lock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from pos.db import Store
from pos.errors import InputError, Ltr
from pos.models import BusinessDay
from pos.reports import last_seq
from sync.client import config, outbox
from sync.client.errors import (
    EnrolFailed,
    NotEnrolled,
    NotTheServer,
    Offline,
    Refused,
    Revoked,
    ServerTrouble,
    SyncError,
)
from sync.client.outbox import DayState
from sync.client.transport import Transport, encode
from sync.protocol import (
    MAX_BODY_BYTES,
    MAX_SUMMARIES_PER_PUSH,
    RESTORES_SINCE,
    UNITS_SINCE,
    DaySummary,
    PushResponse,
)

BATCH_BYTES = MAX_BODY_BYTES // 2  # uncompressed JSON per push, well under the server's cap


@dataclass
class Outcome:
    """What one run did."""

    acked: list[dt.date] = field(default_factory=list)  # now held by the server
    set_aside: list[tuple[dt.date, str]] = field(default_factory=list)  # and why, stored
    lost: list[dt.date] = field(default_factory=list)  # the server had lost them
    server_newer: list[dt.date] = field(default_factory=list)  # it holds a newer version
    waiting: int = 0  # days still not acknowledged (held-back days not counted)
    error: SyncError | None = None

    @property
    def ok(self) -> bool:
        return (self.error is None and self.waiting == 0 and not self.set_aside
                and not self.server_newer)


def make_transport(cfg: config.SyncConfig, **options: object) -> Transport:
    if not cfg.enrolled:
        raise NotEnrolled()
    return Transport(cfg.url, token=cfg.token, ca_file=cfg.ca_file, **options)  # type: ignore[arg-type]


class _Run:
    def __init__(self, store: Store, transport: Transport) -> None:
        self.store = store
        self.transport = transport
        self.outcome = Outcome()
        self.units = False  # whether the server takes the products' units
        self.restores = False  # and the till's restore count
        self.troubles: list[ServerTrouble] = []  # days the server failed on (5xx), alone

    def know(self, protocol: int) -> None:
        """What the server's protocol lets the summaries say."""
        self.units = protocol >= UNITS_SINCE
        self.restores = protocol >= RESTORES_SINCE

    def reconcile(self) -> None:
        known = self.transport.known_days()
        with self.store.write() as s:
            if known.market is not None or known.stand is not None:
                # the organisers may have moved its dates, or the cooperative to another
                # stand or market
                config.save_market(s, known.market, known.stand)
            self.outcome.lost = outbox.reconcile(s, known.days, with_restores=self.restores)

    def batches(self, todo: list[DayState]) -> list[list[tuple[DayState, DaySummary]]]:
        """Summaries of the waiting days, built now, in pushes of bounded size."""
        out: list[list[tuple[DayState, DaySummary]]] = [[]]
        size = 0
        bad: list[tuple[DayState, SyncError]] = []
        with self.store.read() as s:
            for state in todo:
                built = outbox.build(s, state, units=self.units,
                                     with_restores=self.restores)
                if isinstance(built, str):
                    # the version this very read saw (a sale may have come since plan())
                    version = last_seq(s, s.get_one(BusinessDay, state.day_id))
                    bad.append((replace(state, version=version),
                                SyncError("sync.err.unbuildable", detail=built)))
                    continue
                state = replace(state, version=built.version)
                length = len(encode(built))
                if out[-1] and (size + length > BATCH_BYTES
                                or len(out[-1]) >= MAX_SUMMARIES_PER_PUSH):
                    out.append([])
                    size = 0
                out[-1].append((state, built))
                size += length
        for state, why in bad:
            self.set_aside(state, why)
        return [b for b in out if b]

    def set_aside(self, state: DayState, why: SyncError) -> None:
        reason = why.to_text(limit=outbox.REASON_CHARS, param_chars=300)
        with self.store.write() as s:
            outbox.set_aside(s, state.day_id, state.version, reason)
        self.outcome.set_aside.append((state.date, reason))

    def apply(self, batch: list[tuple[DayState, DaySummary]], reply: PushResponse) -> None:
        """Record a 2xx reply: every day it confirms at the version we pushed."""
        results = {r.business_day: r for r in reply.results}
        with self.store.write() as s:
            states = outbox.day_states(s)  # once: every step below reads them
            for state, summary in batch:
                result = results.get(state.date)
                if result is None:
                    continue
                if result.status in ("stored", "unchanged") and result.version == summary.version:
                    outbox.mark_acked(s, state.day_id, summary.version, states=states)
                    self.outcome.acked.append(state.date)
                    if result.replaced is not None:
                        outbox.note_restored(s, state.day_id, result.replaced)
                elif result.status == "stale":  # newer there, by version or restore count
                    outbox.mark_server_newer(s, state.day_id, summary.version, result.version)
            self.outcome.lost += outbox.reconcile(s, reply.known_days,
                                                  with_restores=self.restores, states=states)

    def push(self, batch: list[tuple[DayState, DaySummary]], *, alone: bool = False) -> None:
        """Push ``batch`` until the server holds it or has refused its days. A batch the
        server keeps failing on (a 5xx after every retry: one day may make it fail) is
        pushed again day by day, once each (``alone``), so that the other days go
        through; a day that fails alone stays waiting, and the run ends in that failure
        (:meth:`run`), tried again later as any."""
        while batch:
            try:
                status, reply = self.transport.push([summary for _, summary in batch],
                                                    retry=not alone)
            except ServerTrouble as exc:
                if len(batch) == 1:
                    self.troubles.append(exc)
                    return
                for one in batch:
                    self.push([one], alone=True)
                return
            except Refused as exc:
                if len(batch) == 1:
                    self.set_aside(batch[0][0], exc)
                    return
                for one in batch:  # find which day the server refuses
                    self.push([one])
                return
            if status == 200:
                self.apply(batch, reply)
                return
            conflicts = {r.business_day: r for r in reply.results if r.status == "conflict"}
            if not conflicts:
                return
            for state, _ in batch:
                if state.date in conflicts:
                    held = conflicts[state.date]
                    self.set_aside(state, Refused("sync.err.conflict", version=held.version,
                                                  detail=held.detail or "conflict"))
            batch = [item for item in batch if item[0].date not in conflicts]

    def record_failure(self, error: SyncError) -> None:
        with self.store.write() as s:
            todo, _ = outbox.plan(s)
            outbox.record_failure(s, [d.day_id for d in todo], error.to_text())
            changes: dict[str, object] = {
                "last_attempt_at": config.now_text(), "last_error": error.to_text(),
                **config.clock_changes(self.transport.clock_offset)}
            if isinstance(error, Revoked):
                changes["revoked"] = str(error.params.get("detail") or "revoked")
            config.update(s, **changes)

    def run(self) -> None:
        self.know(self.transport.health().protocol)
        self.reconcile()
        with self.store.read() as s:
            todo, _ = outbox.plan(s)
        for batch in self.batches(todo):
            self.push(batch)
        if self.troubles:  # those days still wait; the others went through
            raise self.troubles[0]


def sync_once(store: Store, transport: Transport) -> Outcome:
    """Run one sync with ``transport``; failures are recorded and returned, not raised."""
    run = _Run(store, transport)
    try:
        run.run()
    except SyncError as exc:
        run.outcome.error = exc
        if not transport.stop.is_set():  # stopped: the database may be replaced meanwhile
            run.record_failure(exc)
    else:
        with store.write() as s:
            config.update(s, last_attempt_at=config.now_text(),
                          last_success_at=config.now_text(), last_error="", revoked="",
                          **config.clock_changes(transport.clock_offset))
    with store.read() as s:
        states = outbox.day_states(s)
        todo, _ = outbox.plan(s, states)
        newer = outbox.held_newer(s, states)  # this run's and those found before, still held
    run.outcome.waiting = len(todo)
    run.outcome.server_newer = newer
    return run.outcome


def ask_server(store: Store, **options: object) -> None:
    """Learn what the server holds of each day, without pushing anything (``sync
    status``): lost days are queued again and days it holds newer are marked, as a sync
    run does. Raises the :class:`SyncError` met (not recorded: nothing was tried)."""
    with store.read() as s:
        cfg = config.load(s)
    transport = make_transport(cfg, **options)
    try:
        run = _Run(store, transport)
        run.know(transport.health().protocol)
        run.reconcile()
    finally:
        transport.close()
        if transport.clock_offset is not None:
            with store.write() as s:
                config.update(s, **config.clock_changes(transport.clock_offset))


def retry_set_aside(store: Store) -> int:
    """Clear the set-aside marks so that the next sync pushes those days again; returns
    how many days were set aside."""
    with store.write() as s:
        return outbox.clear_held_back(s)


def sync_store(store: Store, **options: object) -> Outcome:
    """Load the settings, then :func:`sync_once` with a transport of ``options``."""
    with store.read() as s:
        cfg = config.load(s)
    transport = make_transport(cfg, **options)
    try:
        return sync_once(store, transport)
    finally:
        transport.close()


def device_name(store: Store) -> str:
    """How the organisers see this till: its receipt prefix and the machine's name."""
    import socket

    from pos import settings

    with store.read() as s:
        prefix = settings.device_prefix(s)
    return f"{prefix} {socket.gethostname()}".strip()[:80]


def check_enrolment(url: str, code: str, ca_file: str | None
                    ) -> tuple[str, str, str | None]:
    """The server's address, the code and the CA file as typed, checked (InputError
    otherwise) before anything is written or sent."""
    url = config.normalise_url(url)
    code = code.strip()
    if not 4 <= len(code) <= 64 or sum(ch.isalnum() for ch in code) < 4:
        raise InputError("sync.err.code_form")
    return url, code, config.check_ca_file(ca_file)


def enrol_store(store: Store, url: str, code: str, *, ca_file: str | None = None,
                name: str | None = None, **options: object) -> config.SyncConfig:
    """Enrol this stall with the organiser's one-time ``code``; returns the new settings.

    The server is checked first (a captive portal must not swallow the code); the token
    received is written to the database in the same transaction as the market's details.
    The stall's installation id (``pos.settings.DEVICE_ID``) and the device id it had are
    sent, so that enrolling again gives back the same device and no day is counted twice.
    A stall holding demo sales (``souk-pos demo-sales``) is refused before the code is
    spent: its invented days would reach the organisers as real figures.
    """
    import uuid

    from pos import settings
    from pos.demo import DEMO_SALES

    bare = "://" not in url
    url, code, ca_file = check_enrolment(url, code, ca_file)
    with store.write() as s:
        if settings.get(s, DEMO_SALES) is not None:  # before the code is spent
            raise EnrolFailed("sync.err.demo_stall")
        installation = uuid.UUID(settings.device_id(s))
        previous = config.load(s).device_id
    transport = Transport(url, ca_file=ca_file or None, **options)  # type: ignore[arg-type]
    try:
        transport.health()
        reply = transport.enrol(code, name or device_name(store), installation, previous)
    except (Offline, NotTheServer) as exc:
        if not bare:
            raise
        # typed without http(s)://: say which address was tried
        raise EnrolFailed("sync.err.enrol_bare", url=Ltr(url), reason=exc) from None
    finally:
        transport.close()
    with store.write() as s:
        config.save_enrolment(s, url, ca_file or None, reply)
        config.update(s, **config.clock_changes(transport.clock_offset))
        return config.load(s)
