"""Pushes applied in batches: one transaction, and one commit, for all the pushes waiting.

The request handlers parse the bodies and hand the pushes to the app's :class:`PushWriter`,
which takes every push waiting (up to ``max_batch``) and applies them in one transaction:
each is authenticated (its device's row locked on PostgreSQL), checked and upserted as
:func:`ingest.apply_push` does alone; the market days' running totals of the whole batch
are written last, in (market, day) order; then one commit, and every handler gets its
reply. A batch costs one commit whatever its size, and holds the rows every device of a
market updates (the market days) for one transaction instead of one per push.

Both run on the event loop, with no thread to hand the work to and back:

- SQLite writes one transaction at a time and spends CPU, not waits: a batch runs as one
  call on a pooled connection, and the pushes that arrive meanwhile make the next one.
- PostgreSQL is another process: a task sends a batch on a connection of its own in
  pipeline mode and awaits the answers twice per batch, while the loop goes on reading
  requests: the devices, looked up and locked by one statement, with what they hold read
  by the next; then one statement stores every day (the days as one JSON array, their
  bodies as an array of texts) with the devices' totals, one more adds to the market
  days, and the COMMIT goes with them. A batch costs a handful of statements whatever its
  size.

On both, a loop's batches are applied by one task (two taking turns measured slower), which
waits before each batch (at most ``GATHER_S``) until as many pushes wait as the last batch
held: the stalls it answered come back a little apart, and a batch started on the first of
them would hold it alone while the others wait for the next one. A lone stall is not held
up: its last batch held one.

A push that is refused (400, 401, 403, 413, 415, 422) writes nothing, so it does not disturb
the others; but one whose token is good writes its device's last contact, when due (a till
that keeps trying is in contact), as a push applied writes it with its device's totals, and
with it the refusal (when, why: the dashboard says the till's figures are refused).
If the batch fails for another reason (a connection the database dropped, a deadlock with
another server process), it is rolled back and its pushes are applied again one at a time,
each in its own transaction; a push that fails alone gets the error. Pushes are idempotent,
so applying one again is safe even if the failure came during the commit.

Replies are sent only after the commit: a stall marks a day synced only once the server has
it. Several server processes can each run a writer over the same database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from sync.protocol import DayVersion, PushRequest, PushResult
from sync.server import ingest
from sync.server.db import Database, utcnow

log = logging.getLogger(__name__)

MAX_BATCH = 32
GATHER_S = 0.005  # the longest a batch waits for the pushes the last one answered


@dataclass(frozen=True, slots=True)
class Reply:
    """What the handler answers: an HTTP status and a JSON body."""

    status: int
    body: bytes
    unauthorised: bool = False
    refusal: str | None = None  # the ``sync.protocol.REFUSAL_HEADER`` header, if any


def _error(status: int, detail: str) -> Reply:
    return Reply(status, json.dumps({"detail": detail}).encode(), unauthorised=status == 401)


def _refused(exc: ingest.IngestError) -> Reply:
    """A refusal's reply: its English words, and its message id when it has one."""
    reply = _error(exc.status, exc.detail)
    refusal = exc.refusal()
    return reply if refusal is None else replace(reply, refusal=refusal.header())


@dataclass(slots=True)
class Job:
    """One push waiting: the device's token, its parsed body (or what is wrong with it:
    the refusal to answer, or its words)."""

    token: str
    request: PushRequest | None
    problem: ingest.IngestError | str | None
    future: asyncio.Future[Reply] = field(repr=False)

    def refusal(self) -> ingest.IngestError:
        """The refusal of a body that is not a push (told once the token is checked)."""
        if isinstance(self.problem, ingest.IngestError):
            return self.problem
        return ingest.Invalid(self.problem or "invalid body")


@dataclass
class _Loop:
    """A writer's state on one event loop."""

    waiting: list[Job] = field(default_factory=list)
    task: asyncio.Task[None] | None = None  # the one applying batches
    connection: Any = None  # PostgreSQL: its psycopg AsyncConnection, between batches
    expect: int = 1  # the pushes the last batch held, which may come back
    gathered: asyncio.Future[None] | None = None  # set once ``expect`` pushes wait


Outcome = Reply | BaseException


class PushWriter:
    """Applies the pushes handed to it in batches (see the module's text)."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        self.batches = 0  # transactions committed, for the curious and the tests
        self.pushes = 0
        #: PostgreSQL: the application_name of the writer's connections
        self.application_name = f"souk-push-writer-{os.getpid()}-{id(self):x}"
        self._loops: dict[asyncio.AbstractEventLoop, _Loop] = {}

    async def submit(self, token: str, request: PushRequest | None,
                     problem: ingest.IngestError | str | None = None) -> Reply:
        """Queue a push and wait for its reply (sent once its batch is committed)."""
        loop = asyncio.get_running_loop()
        state = self._loops.get(loop)
        if state is None:
            state = self._loops[loop] = _Loop()
        job = Job(token, request, problem, loop.create_future())
        state.waiting.append(job)
        if state.task is None:
            state.task = loop.create_task(self._drain(state))
        elif len(state.waiting) >= state.expect and state.gathered is not None:
            _done(state.gathered)
        return await job.future

    async def aclose(self) -> None:
        """Let the pushes queued on this loop finish, then close its connection."""
        state = self._loops.pop(asyncio.get_running_loop(), None)
        if state is None:
            return
        if state.task is not None:
            await asyncio.gather(state.task, return_exceptions=True)
        if state.connection is not None:
            await state.connection.close()

    async def _drain(self, state: _Loop) -> None:
        """The loop's task: apply batches while pushes are waiting."""
        conn, state.connection = state.connection, None
        try:
            while state.waiting:
                await self._gather(state)
                jobs = state.waiting[:self.max_batch]
                del state.waiting[:self.max_batch]
                state.expect = len(jobs)
                outcomes: list[Outcome]
                if self.db.is_sqlite:
                    outcomes = self._apply(jobs)
                else:
                    try:
                        conn = conn or await self._connect()
                        outcomes, conn = await self._apply_async(conn, jobs)
                    except Exception as exc:  # the database cannot be reached
                        log.exception("no connection to the database for %d pushes",
                                      len(jobs))
                        outcomes = [exc] * len(jobs)
                _resolve(jobs, outcomes)
        finally:
            # at once, with no await before: a push queued from now on starts a new task
            state.task = None
            if self._loops.get(asyncio.get_running_loop()) is state:
                state.connection = conn
            elif conn is not None:
                await conn.close()

    @staticmethod
    async def _gather(state: _Loop) -> None:
        """Wait until ``state.expect`` pushes wait, or ``GATHER_S`` has passed."""
        if len(state.waiting) >= state.expect:
            return
        loop = asyncio.get_running_loop()
        state.gathered = gathered = loop.create_future()
        timer = loop.call_later(GATHER_S, _done, gathered)
        try:
            await gathered
        finally:
            timer.cancel()
            state.gathered = None

    # -- SQLite -------------------------------------------------------------------------

    def _apply(self, jobs: list[Job]) -> list[Outcome]:
        try:
            return list(self._batch(jobs))
        except Exception as exc:
            if not _again(jobs, exc):
                return [exc]
        return [_alone(lambda job=job: self._batch([job])[0]) for job in jobs]

    def _batch(self, jobs: list[Job]) -> list[Reply]:
        """Apply ``jobs`` in one transaction and commit; their replies."""
        with self._transaction() as store:
            now = utcnow()
            changes: ingest.MarketDays = {}
            replies = [_one(store, job, now, changes) for job in jobs]
            store.market_days(changes)
        self._count(jobs)
        return replies

    @contextmanager
    def _transaction(self) -> Iterator[ingest.Store]:
        db = self.db
        with db.write_lock:
            conn = db.engine.raw_connection()
            try:
                driver: Any = conn.driver_connection
                driver.execute("BEGIN IMMEDIATE")
                try:
                    yield ingest.Store(driver, sqlite=True)
                    driver.execute("COMMIT")
                except BaseException:
                    driver.execute("ROLLBACK")
                    raise
            finally:
                conn.close()  # back to the pool

    def _count(self, jobs: list[Job]) -> None:
        self.batches += 1
        self.pushes += len(jobs)

    # -- PostgreSQL -------------------------------------------------------------------

    async def _apply_async(self, conn: Any, jobs: list[Job]) -> tuple[list[Outcome], Any]:
        """The outcomes of ``jobs``, and the connection to go on with."""
        try:
            return [*await self._batch_async(conn, jobs)], conn
        except Exception as exc:
            conn = await self._recover(conn)
            if not _again(jobs, exc):
                return [exc], conn
        outcomes: list[Outcome] = []
        for job in jobs:
            try:
                conn = conn or await self._connect()
                outcomes += await self._batch_async(conn, [job])
            except Exception as exc:
                conn = await self._recover(conn)
                log.exception("a push failed")
                outcomes.append(exc)
        return outcomes, conn

    async def _connect(self) -> Any:
        import psycopg

        engine = self.db.engine
        _, params = engine.dialect.create_connect_args(engine.url)
        return await psycopg.AsyncConnection.connect(
            **{**params, "application_name": self.application_name})

    @staticmethod
    async def _recover(conn: Any) -> Any:
        """After a failed batch: roll back; None if the connection is broken."""
        if conn is None:
            return None
        with suppress(Exception):
            await conn.rollback()
        if conn.broken or conn.closed:
            await conn.close()
            return None
        return conn

    async def _batch_async(self, conn: Any, jobs: list[Job]) -> list[Reply]:
        """A batch on PostgreSQL, in pipeline mode: the steps of :func:`_one` for all its
        pushes at once (see the module's text). A device with several pushes in the batch
        has them applied in rounds, so that each reads what the one before it wrote."""
        now = utcnow()
        changes: ingest.MarketDays = {}
        replies: list[Reply | None] = [None] * len(jobs)
        recorder = _Recorder()
        store = ingest.Store(recorder, sqlite=False)
        async with conn.pipeline():
            for indexes in _rounds(jobs):
                devices, digests = store.find_devices(jobs[i].token for i in indexes)
                holding = store.find_helds(digests)
                await recorder.flush(conn)
                by_digest = {row[1]: row for row in await devices.cursor.fetchall()}
                helds = store.helds_found(await holding.cursor.fetchall())
                ready: dict[int, tuple[ingest.DeviceAuth, PushRequest]] = {}
                for i, digest in zip(indexes, digests, strict=True):
                    try:
                        device = store.device_found(by_digest.get(digest), digest)
                    except ingest.IngestError as exc:
                        replies[i] = _refused(exc)
                        continue
                    try:
                        request = jobs[i].request
                        if request is None:
                            raise jobs[i].refusal()
                        ingest.check_summaries(device, request.summaries)
                    except ingest.IngestError as exc:
                        store.contact(device, now, exc)  # sent with the batch's statements
                        replies[i] = _refused(exc)
                        continue
                    ready[i] = device, request
                for i, (device, request) in ready.items():
                    held = helds[device.device_id]
                    for day in ingest.bodies_to_compare(held, request.summaries):
                        read = await recorder.send(conn, store.find_stored_body(
                            device.device_id, day))
                        row = await read.fetchone()
                        store.bodies[device.device_id, day] = None if row is None else row[0]
                    replies[i] = _answer(*ingest.apply_checked(
                        store, device, request.summaries, now, held, changes))
                store.send_staged()
            store.market_days(changes)
            # the last statements and the COMMIT in one exchange: a statement that fails
            # (the store's own check included) makes the COMMIT a rollback, and raises here
            await recorder.flush(conn)
            await conn.commit()
        self._count(jobs)
        return [r for r in replies if r is not None]


@dataclass(slots=True)
class _Sent:
    """A statement handed to the :class:`_Recorder`; its cursor once sent."""

    sql: str
    params: Any
    cursor: Any = None


class _Recorder:
    """The driver a :class:`ingest.Store` writes to in the PostgreSQL task: it keeps the
    statements, which the task then sends (awaiting) in order."""

    def __init__(self) -> None:
        self.pending: list[_Sent] = []

    def execute(self, sql: str, params: Any = None, *, prepare: bool | None = None) -> _Sent:
        sent = _Sent(sql, params)
        self.pending.append(sent)
        return sent

    async def send(self, conn: Any, sent: _Sent) -> Any:
        """Send what is pending up to ``sent``; ``sent``'s cursor."""
        await self.flush(conn)
        return sent.cursor

    async def flush(self, conn: Any) -> None:
        pending, self.pending = self.pending, []
        for sent in pending:
            sent.cursor = await conn.execute(sent.sql, sent.params, prepare=True)


def _one(store: ingest.Store, job: Job, now: dt.datetime, changes: ingest.MarketDays) -> Reply:
    """One push of a batch: authenticate (401), parse (422), check (403, 422), upsert. A
    push refused once its token is found good is its till's contact all the same."""
    try:
        device = store.device(job.token)
    except ingest.IngestError as exc:
        return _refused(exc)
    try:
        if job.request is None:
            raise job.refusal()
        return _answer(*ingest.apply_push(store, device, job.request.summaries, now, changes))
    except ingest.IngestError as exc:
        store.contact(device, now, exc)
        return _refused(exc)


def _answer(results: list[PushResult], days: list[DayVersion]) -> Reply:
    """The reply to a push: the :class:`PushResponse` of its results, written by orjson
    from the models' fields (the same bytes as ``model_dump_json``, without building and
    checking the response model again). The fields of protocol 3 are left out when
    absent, as ``model_dump_json`` leaves them: a stall of before them refuses them."""
    status = 409 if any(r.status == "conflict" for r in results) else 200
    return Reply(status, orjson.dumps({
        "results": [{"business_day": r.business_day, "status": r.status,
                     "version": r.version, "detail": r.detail}
                    if r.replaced is None else r.model_dump(mode="json") for r in results],
        "known_days": [{"business_day": d.business_day, "version": d.version}
                       if d.restores is None else d.model_dump(mode="json") for d in days]}))


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


def _again(jobs: list[Job], exc: Exception) -> bool:
    """Whether a failed batch is worth applying again push by push (logged either way)."""
    if len(jobs) == 1 and not _retryable(exc):
        log.exception("a push failed", exc_info=exc)
        return False
    log.warning("a batch of %d pushes failed (%s); applying them one by one", len(jobs),
                type(exc).__name__)
    return True


def _alone(apply: Any) -> Outcome:
    try:
        reply: Reply = apply()
        return reply
    except Exception as exc:
        log.exception("a push failed")
        return exc


def _done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _resolve(jobs: list[Job], outcomes: list[Outcome]) -> None:
    for job, outcome in zip(jobs, outcomes, strict=True):
        if job.future.done():  # the client went away
            continue
        if isinstance(outcome, BaseException):
            job.future.set_exception(outcome)
        else:
            job.future.set_result(outcome)


def _retryable(exc: BaseException) -> bool:
    """Errors that applying the push again may not meet: the connection, a deadlock."""
    names = {cls.__name__ for cls in type(exc).__mro__}  # sqlite3's or psycopg's classes
    return bool(names & {"OperationalError", "InterfaceError", "TransactionRollbackError"})
