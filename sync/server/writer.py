"""Pushes applied in batches: one transaction, and one commit, for all the pushes waiting.

The request handlers parse the bodies and hand the pushes to the app's :class:`PushWriter`,
which takes every push waiting (up to ``max_batch``) and applies them in one transaction on
a pooled connection: each is authenticated (its device's row locked on PostgreSQL), checked
and upserted as :func:`ingest.apply_push` does alone; the market days' running totals of the
whole batch are written last, in (market, day) order; then one commit, and every handler
gets its reply. A batch costs one commit whatever its size, and holds the rows every device
of a market updates (the market days) for one transaction instead of one per push.

On SQLite the batches run on the event loop: SQLite writes one transaction at a time and
spends CPU, not waits, so a thread would only add hand-offs; the pushes that arrive while a
batch runs make the next one. On PostgreSQL a few threads take batches from a queue, so one
batch is built while another waits for the database.

A push that is refused (401, 403, 422) writes nothing, so it does not disturb the others.
If the batch fails for another reason (a connection the database dropped, a deadlock with
another server process), it is rolled back and its pushes are applied again one at a time,
each in its own transaction; a push that fails alone gets the error. Pushes are idempotent,
so applying one again is safe even if the failure came during the commit.

Replies are sent only after the commit: a stall marks a day synced only once the server has
it. Several server processes can each run a writer over the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from sync.protocol import DayVersion, PushRequest, PushResponse, PushResult
from sync.server import ingest
from sync.server.db import Database, utcnow

log = logging.getLogger(__name__)

MAX_BATCH = 32
PG_THREADS = 2


@dataclass(frozen=True, slots=True)
class Reply:
    """What the handler answers: an HTTP status and a JSON body."""

    status: int
    body: bytes
    unauthorised: bool = False


def _error(status: int, detail: str) -> Reply:
    return Reply(status, json.dumps({"detail": detail}).encode(), unauthorised=status == 401)


@dataclass(slots=True)
class Job:
    """One push waiting: the device's token, its parsed body (or what is wrong with it)."""

    token: str
    request: PushRequest | None
    problem: str | None
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Reply] = field(repr=False)


class PushWriter:
    """Applies the pushes handed to it in batches (see the module's text)."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH,
                 threads: int | None = None) -> None:
        self.db = db
        self.max_batch = max_batch
        # on PostgreSQL a batch runs while another waits for its round trips or its commit
        self.threads = threads or PG_THREADS
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._start = threading.Lock()
        self.batches = 0  # transactions committed, for the curious and the tests
        self.pushes = 0
        # SQLite: batches run on the event loop (see the module's text)
        self.inline = db.is_sqlite
        self._waiting: dict[asyncio.AbstractEventLoop, list[Job]] = {}

    async def submit(self, token: str, request: PushRequest | None,
                     problem: str | None = None) -> Reply:
        """Queue a push and wait for its reply (sent once its batch is committed)."""
        loop = asyncio.get_running_loop()
        job = Job(token, request, problem, loop, loop.create_future())
        if self.inline:
            waiting = self._waiting.setdefault(loop, [])
            if not waiting:
                loop.call_soon(self._flush, loop)
            waiting.append(job)
            return await job.future
        self._ensure_started()
        self._queue.put(job)
        return await job.future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        """Apply the pushes that arrived on ``loop`` since its last flush (on that loop)."""
        jobs = self._waiting.pop(loop, [])
        while jobs:
            batch, jobs = jobs[:self.max_batch], jobs[self.max_batch:]
            _resolve(list(zip(batch, self._apply(batch), strict=True)))

    def _ensure_started(self) -> None:
        if self._workers:
            return
        with self._start:
            if not self._workers:
                for n in range(self.threads):
                    thread = threading.Thread(target=self._run, name=f"souk-push-writer-{n}",
                                              daemon=True)
                    thread.start()
                    self._workers.append(thread)

    def close(self) -> None:
        """Finish the pushes queued, then stop the threads."""
        with self._start:
            workers, self._workers = self._workers, []
        for _ in workers:
            self._queue.put(None)
        for thread in workers:
            thread.join(timeout=30)

    # -- the thread ---------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs = [first]
            stop = False
            while len(jobs) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                jobs.append(job)
            self._settle(jobs, self._apply(jobs))
            if stop:
                return

    def _apply(self, jobs: list[Job]) -> list[Reply | BaseException]:
        try:
            return list(self._batch(jobs))
        except Exception as exc:
            if len(jobs) == 1 and not _retryable(exc):
                log.exception("a push failed")
                return [exc]
            log.warning("a batch of %d pushes failed (%s); applying them one by one",
                        len(jobs), type(exc).__name__)
        outcomes: list[Reply | BaseException] = []
        for job in jobs:
            try:
                outcomes += self._batch([job])
            except Exception as exc:
                log.exception("a push failed")
                outcomes.append(exc)
        return outcomes

    def _batch(self, jobs: list[Job]) -> list[Reply]:
        """Apply ``jobs`` in one transaction and commit; their replies."""
        with self._transaction() as store:
            now = utcnow()
            changes: ingest.MarketDays = {}
            if store.sqlite:
                replies = [_one(store, job, now, changes) for job in jobs]
                store.market_days(changes)
            else:
                replies = _pipelined(store, jobs, now, changes)
        with self._start:
            self.batches += 1
            self.pushes += len(jobs)
        return replies

    @contextmanager
    def _transaction(self) -> Iterator[ingest.Store]:
        db = self.db
        with db.write_lock if db.is_sqlite else _nothing():
            conn = db.engine.raw_connection()
            try:
                driver: Any = conn.driver_connection
                if db.is_sqlite:
                    driver.execute("BEGIN IMMEDIATE")
                try:
                    yield ingest.Store(driver, db.is_sqlite)
                    if db.is_sqlite:
                        driver.execute("COMMIT")
                    else:
                        driver.commit()
                except BaseException:
                    if not _rollback(driver, db.is_sqlite):
                        conn.invalidate()
                        db.engine.dispose()  # the database dropped us: drop the others too
                    raise
            finally:
                conn.close()  # back to the pool (or discarded, if invalidated)

    @staticmethod
    def _settle(jobs: list[Job], outcomes: list[Reply | BaseException]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Job, Reply | BaseException]]] = {}
        for job, outcome in zip(jobs, outcomes, strict=True):
            by_loop.setdefault(job.loop, []).append((job, outcome))
        for loop, settled in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: its handlers are gone
                loop.call_soon_threadsafe(_resolve, settled)


def _one(store: ingest.Store, job: Job, now: dt.datetime, changes: ingest.MarketDays) -> Reply:
    """One push of a batch: authenticate (401), parse (422), check (403, 422), upsert."""
    try:
        device = store.device(f"Bearer {job.token}")
        if job.request is None:
            raise ingest.Invalid(job.problem or "invalid body")
        return _answer(*ingest.apply_push(store, device, job.request.summaries, now, changes))
    except ingest.IngestError as exc:
        return _error(exc.status, exc.detail)


def _answer(results: list[PushResult], days: list[DayVersion]) -> Reply:
    status = 409 if any(r.status == "conflict" for r in results) else 200
    return Reply(status, PushResponse(results=results, known_days=days)
                 .model_dump_json().encode())


def _rounds(jobs: list[Job]) -> list[list[int]]:
    """The jobs' indexes in rounds holding one push per device (token) each: a device's
    second push must read what its first one wrote."""
    rounds: list[list[int]] = []
    seen: dict[str, int] = {}
    for i, job in enumerate(jobs):
        k = seen.get(job.token, 0)
        seen[job.token] = k + 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(i)
    return rounds


def _pipelined(store: ingest.Store, jobs: list[Job], now: dt.datetime,
               changes: ingest.MarketDays) -> list[Reply]:
    """A batch on PostgreSQL, in pipeline mode: the devices of all its pushes are looked up
    (and locked) in one exchange with the database, then what they hold in one more, then
    every upsert is sent at once; the same steps as :func:`_one`, with three waits for the
    database per batch instead of four per push."""
    replies: list[Reply | None] = [None] * len(jobs)
    with store.driver.pipeline():
        for indexes in _rounds(jobs):
            found: dict[int, tuple[Any, str]] = {}
            for i in indexes:
                try:
                    found[i] = store.find_device(f"Bearer {jobs[i].token}")
                except ingest.IngestError as exc:
                    replies[i] = _error(exc.status, exc.detail)
            ready: dict[int, tuple[ingest.DeviceAuth, PushRequest]] = {}
            for i, (cursor, digest) in found.items():
                try:
                    device = store.device_found(cursor, digest)
                    request = jobs[i].request
                    if request is None:
                        raise ingest.Invalid(jobs[i].problem or "invalid body")
                    ingest.check_summaries(device, request.summaries)
                    ready[i] = device, request
                except ingest.IngestError as exc:
                    replies[i] = _error(exc.status, exc.detail)
            held = {i: store.find_held(device.device_id) for i, (device, _) in ready.items()}
            for i, (device, request) in ready.items():
                replies[i] = _answer(*ingest.apply_checked(
                    store, device, request.summaries, now, store.held_found(held[i]), changes))
        store.market_days(changes)
        store.check_stored()
    assert all(r is not None for r in replies)
    return cast(list[Reply], replies)


def _resolve(settled: list[tuple[Job, Reply | BaseException]]) -> None:
    for job, outcome in settled:
        if job.future.done():  # the client went away
            continue
        if isinstance(outcome, BaseException):
            job.future.set_exception(outcome)
        else:
            job.future.set_result(outcome)


def _rollback(driver: Any, sqlite: bool) -> bool:
    """Roll back; False if the connection is dead."""
    try:
        if sqlite:
            driver.execute("ROLLBACK")
        else:
            driver.rollback()
    except Exception:
        return False
    return not getattr(driver, "broken", False)


def _retryable(exc: BaseException) -> bool:
    """Errors that applying the push again may not meet: the connection, a deadlock."""
    names = {cls.__name__ for cls in type(exc).__mro__}  # sqlite3's or psycopg's classes
    return bool(names & {"OperationalError", "InterfaceError", "TransactionRollbackError"})


@contextmanager
def _nothing() -> Iterator[None]:
    yield

