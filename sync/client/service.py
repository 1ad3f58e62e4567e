"""The sync service: one worker thread that owns every network call, with no Qt in it.

::

    service = SyncService(store, SyncOptions())
    service.add_listener(print)          # called on the worker thread with SyncEvent
    service.start()
    service.request("sale")              # never blocks: schedules a run
    service.stop()

When a run happens (:meth:`SyncService.request` reasons):

``"sale"``      debounced: a run ``debounce`` seconds after the first sale since the last
                run (and not before the retry backoff after a failure);
``"timer"``     as soon as the retry backoff allows;
``"day_close"``, ``"manual"``, ``"startup"``  now.

Besides, the service runs by itself every ``interval`` seconds, and after a failed run it
retries with exponential backoff and jitter (``retry_min`` doubling up to ``retry_max``).
A revoked device is not retried by itself; a manual request still tries.

Listeners get :class:`SyncEvent` on the worker thread; a GUI re-emits them on its own
thread (``ui.sync_bridge``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pos.db import Store
from pos.errors import SoukError
from sync.client import config, engine
from sync.client.engine import Outcome
from sync.client.errors import EnrolFailed, InternalError, SyncError, hide_values
from sync.client.status import Snapshot, snapshot
from sync.client.transport import Backoff, StopEvent, Timeouts, utc_now

log = logging.getLogger(__name__)


def _log_failure(what: str) -> None:
    """Log the exception being handled, without the values of its statement
    (:func:`~sync.client.errors.hide_values`)."""
    hide_values(sys.exc_info()[1])
    log.exception(what)

Reason = Literal["sale", "timer", "day_close", "manual", "startup"]
IMMEDIATE = frozenset({"day_close", "manual", "startup"})


@dataclass(frozen=True)
class SyncOptions:
    debounce: float = 30.0
    interval: float = 300.0
    retry_min: float = 15.0
    retry_max: float = 300.0
    timeouts: Timeouts = field(default_factory=Timeouts)
    backoff: Backoff = field(default_factory=Backoff)


EventKind = Literal["snapshot", "started", "finished", "enrolled", "enrol_failed"]


@dataclass(frozen=True)
class SyncEvent:
    """``snapshot`` is always the state after the event."""

    kind: EventKind
    snapshot: Snapshot
    outcome: Outcome | None = None
    error: SoukError | None = None


Listener = Callable[[SyncEvent], None]


class SyncService:
    """Schedules and runs syncs of ``store`` on its own thread. ``clock`` paces the runs;
    ``now`` is this laptop's time, which the server's replies are compared with."""

    def __init__(self, store: Store, options: SyncOptions | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], dt.datetime] = utc_now) -> None:
        self.store = store
        self.options = options or SyncOptions()
        self._clock = clock
        self._now = now
        self._cond = threading.Condition()
        self._stop = StopEvent()  # set: the request under way is cut too
        self._jobs: list[Callable[[], None]] = []
        self._due: float | None = None
        self._manual = False
        self._refresh = False
        self._backoff_until = 0.0
        self._failures = 0
        self._rng = random.Random()
        self._listeners: list[Listener] = []
        self._snapshot = Snapshot()
        self._thread: threading.Thread | None = None

    # --- called from any thread (never blocks on the network or the database) ---------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="souk-sync", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker: the request under way is cut (not waited for: the server may
        never answer), a connection still being made or its TLS handshake too, then the
        worker is given at most ``timeout`` to end, which it does at once but for a write
        of its own database already begun. A reply not whole when it is stopped is dropped, and the
        failure is not recorded: the database may be replaced next (a backup restored
        from the app)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def request(self, reason: str = "manual") -> None:
        """Schedule a run for ``reason`` (see the module's docstring)."""
        with self._cond:
            now = self._clock()
            if reason in IMMEDIATE:
                target = now
                self._manual = self._manual or reason == "manual"
            elif reason == "sale":
                target = max(now + self.options.debounce, self._backoff_until)
                self._refresh = True
            else:
                target = max(now, self._backoff_until)
            if self._due is None or target < self._due:
                self._due = target
            self._cond.notify_all()

    def refresh(self) -> None:
        """Publish a fresh snapshot soon (e.g. after a sale, to count waiting days)."""
        with self._cond:
            self._refresh = True
            self._cond.notify_all()

    def enrol(self, url: str, code: str, ca_file: str | None = None) -> None:
        """Enrol on the worker thread; ends with an ``enrolled`` or ``enrol_failed`` event."""
        self._submit(lambda: self._enrol(url, code, ca_file))

    def retry_set_aside(self) -> None:
        """Clear the set-aside marks on the worker thread, then sync now: the days the
        server refused are pushed again."""
        self._submit(self._retry_set_aside)

    def set_ca_file(self, ca_file: str | None) -> None:
        """Use ``ca_file`` (a PEM bundle) to verify the server; None: the system's CAs."""
        self._submit(lambda: self._set(ca_file=config.check_ca_file(ca_file)))

    def set_url(self, url: str) -> None:
        """Change the server's address (after checking its form) without enrolling again."""
        self._submit(lambda: self._set(url=config.normalise_url(url)))

    def _submit(self, job: Callable[[], None]) -> None:
        with self._cond:
            self._jobs.append(job)
            self._cond.notify_all()

    # --- the worker thread -------------------------------------------------------------

    def _emit(self, kind: EventKind, outcome: Outcome | None = None,
              error: SoukError | None = None, *, syncing: bool = False) -> None:
        try:
            snap = snapshot(self.store)
        except Exception:  # a locked or failing database must not kill the worker
            _log_failure("sync: could not read the sync state")
            snap = self._snapshot
        self._snapshot = dataclasses.replace(snap, syncing=syncing)
        event = SyncEvent(kind, self._snapshot, outcome, error)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                _log_failure("sync: a listener failed")

    def _next(self) -> tuple[list[Callable[[], None]], bool, bool, bool]:
        """Wait for work: (jobs, refresh, run now, manual)."""
        with self._cond:
            while not self._stop.is_set():
                due = self._due is not None and self._clock() >= self._due
                if self._jobs or self._refresh or due:
                    jobs, self._jobs = self._jobs, []
                    refresh, self._refresh = self._refresh, False
                    manual = self._manual if due else False
                    if due:
                        self._due, self._manual = None, False
                    return jobs, refresh, due, manual
                wait = None if self._due is None else max(0.0, self._due - self._clock())
                self._cond.wait(wait)
            return [], False, False, False

    def _loop(self) -> None:
        self._emit("snapshot")
        while not self._stop.is_set():
            jobs, refresh, run, manual = self._next()
            for job in jobs:
                self._do(job)
            if run:
                self._run(manual)
            elif refresh or jobs:
                self._emit("snapshot")

    def _do(self, job: Callable[[], None]) -> None:
        try:
            job()
        except SoukError as exc:
            self._emit("snapshot", error=exc)
        except Exception:
            _log_failure("sync: a job failed")

    def _schedule_after(self, outcome: Outcome) -> None:
        opts = self.options
        with self._cond:
            now = self._clock()
            if outcome.error is not None and outcome.error.transient:
                self._failures += 1
                wait = min(opts.retry_max, opts.retry_min * 2.0 ** (self._failures - 1))
                wait *= self._rng.uniform(0.5, 1.0)
                self._backoff_until = now + wait
            else:
                self._failures = 0
                self._backoff_until = 0.0
                wait = opts.interval
            target = now + wait
            if self._due is None or target < self._due:
                self._due = target

    def _run(self, manual: bool) -> None:
        snap = self._snapshot
        try:
            snap = snapshot(self.store)
        except Exception:
            _log_failure("sync: could not read the sync state")
        if not snap.enrolled or (snap.revoked and not manual):
            self._schedule_after(Outcome())
            self._emit("snapshot")
            return
        self._emit("started", syncing=True)
        try:
            outcome = engine.sync_store(
                self.store, timeouts=self.options.timeouts, backoff=self.options.backoff,
                stop=self._stop, now=self._now,
            )
        except SyncError as exc:
            outcome = Outcome(error=exc)
        except Exception as exc:  # the database, a bug: keep the worker alive, retry later
            _log_failure("sync: the run failed")
            outcome = Outcome(error=InternalError("sync.err.internal", detail=type(exc).__name__))
        self._schedule_after(outcome)
        self._emit("finished", outcome, outcome.error)

    def _enrol(self, url: str, code: str, ca_file: str | None) -> None:
        try:
            engine.enrol_store(self.store, url, code, ca_file=ca_file,
                               timeouts=self.options.timeouts, backoff=self.options.backoff,
                               stop=self._stop, now=self._now)
        except SoukError as exc:
            self._emit("enrol_failed", error=exc)
            return
        except Exception as exc:  # the database, a bug: say so, and let the manager try again
            _log_failure("sync: the enrolment failed")
            self._emit("enrol_failed",
                       error=EnrolFailed("sync.err.enrol_internal", detail=type(exc).__name__))
            return
        self._emit("enrolled")
        self.request("startup")

    def _retry_set_aside(self) -> None:
        engine.retry_set_aside(self.store)
        self.request("manual")

    def _set(self, **changes: object) -> None:
        with self.store.write() as s:
            config.update(s, **changes)
