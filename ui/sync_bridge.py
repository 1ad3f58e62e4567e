"""The stall app's link to sync: a QObject over the Qt-free ``SyncService``.

The service (``sync.client.service``) does every network call and every sync write on its
own worker thread; this bridge re-emits its events as Qt signals on the GUI thread, keeps
the last :class:`~sync.client.status.Snapshot`, and turns it into the status bar's words.
Nothing here waits on the network or holds a database transaction.

API for the main window and the settings::

    bridge = SyncBridge(ctx.store, lang=ctx.lang, parent=window)
    bridge.status_changed.connect(status_bar_label.setText)
    bridge.start()                        # first run at once, then every ~5 min by itself
    bridge.request_sync("sale")           # after each sale: debounced (~30 s)
    bridge.request_sync("day_close")      # at day close: now (carries the Z number)
    bridge.request_sync("manual")         # "Sync now": now, even after a revocation
    bridge.request_sync("timer")          # optional extra ticks; the service has its own
    bridge.enrol(url, code, ca_file)      # from the sync panel; ends in enrolled/enrol_failed
    bridge.retry_set_aside()              # push the days the server set aside again, now
    bridge.set_language("ar")
    bridge.stop()                         # on quit or restore: cuts the request under
                                          # way (even one still connecting), ends the
                                          # worker (returns within ~1 s)

Properties: ``status_text`` (e.g. "synced 2 min ago", "offline - 3 days waiting · last
sent at 14:05", "sync not set up", "device revoked"), ``snapshot`` (per-day versions,
errors, market). ``last_sent(lang)`` says when the figures last reached the organisers
("last sent at 14:05"); ``state_text(lang, sent=False)``, the status words without it.

Signals:
    status_changed(str): the status bar's text changed (also as time passes).
    snapshot_changed(object): a new ``sync.client.status.Snapshot`` (for the sync panel).
    sync_started(): a run began.
    sync_finished(bool, str): a run ended: everything acknowledged?, problem in words or "".
    enrolled(): enrolment succeeded; a first sync follows.
    enrol_failed(object): enrolment failed: the ``pos.errors.SoukError`` saying why (its
        ``message(lang)`` gives the words in any language, again after a change of it).
    problem(object): another problem, as a ``SoukError`` (e.g. a malformed server address).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from pos.db import Store
from pos.i18n import normalise_language
from sync.client.service import SyncEvent, SyncOptions, SyncService
from sync.client.status import Snapshot, sent_text, snapshot, status_text

CLOCK_MS = 20_000  # how often "synced N min ago" is brought up to date


class SyncBridge(QObject):
    status_changed = Signal(str)
    snapshot_changed = Signal(object)
    sync_started = Signal()
    sync_finished = Signal(bool, str)
    enrolled = Signal()
    enrol_failed = Signal(object)
    problem = Signal(object)
    _event = Signal(object)  # worker thread -> GUI thread

    def __init__(self, store: Store, lang: str = "fr", parent: QObject | None = None, *,
                 options: SyncOptions | None = None, service: SyncService | None = None
                 ) -> None:
        super().__init__(parent)
        self.lang = normalise_language(lang)
        self.service = service or SyncService(store, options)
        self._snapshot = snapshot(store)  # one short read at start-up, then the worker's
        self._status = status_text(self._snapshot, self.lang)
        self._event.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self.service.add_listener(self._event.emit)
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_MS)
        self._clock.timeout.connect(self._update_status)

    # --- the app's calls (all return at once) ------------------------------------------

    def start(self) -> None:
        self.service.start()
        self.service.request("startup")
        self._clock.start()

    def stop(self) -> None:
        self._clock.stop()
        self.service.stop(timeout=1.0)

    @Slot(str)
    def request_sync(self, reason: str = "manual") -> None:
        """``"sale"`` (debounced), ``"day_close"``, ``"manual"``, ``"timer"``."""
        self.service.request(reason)

    @Slot(str, str, str)
    def enrol(self, url: str, code: str, ca_file: str = "") -> None:
        self.service.enrol(url, code, ca_file or None)

    @Slot()
    def retry_set_aside(self) -> None:
        self.service.retry_set_aside()

    @Slot(str)
    def set_ca_file(self, path: str) -> None:
        self.service.set_ca_file(path or None)

    @Slot(str)
    def set_language(self, lang: str) -> None:
        self.lang = normalise_language(lang)
        self._update_status()

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def status_text(self) -> str:
        return self._status

    def state_text(self, lang: str | None = None, *, sent: bool = True) -> str:
        """The status words in ``lang`` (the bridge's by default); without the last sending
        when ``sent`` is False, for a place that shows :meth:`last_sent` on its own line."""
        return status_text(self._snapshot, lang or self.lang, sent=sent)

    def last_sent(self, lang: str | None = None) -> str:
        """When the figures last reached the organisers, in ``lang`` (the bridge's by
        default): "last sent at 14:05"; "" before enrolment."""
        if not self._snapshot.enrolled:
            return ""
        return sent_text(lang or self.lang, self._snapshot.last_success_at,
                         dt.datetime.now(dt.UTC))

    # --- events from the worker, on the GUI thread -------------------------------------

    @Slot(object)
    def _on_event(self, event: SyncEvent) -> None:
        self._snapshot = event.snapshot
        self._update_status()  # listeners of the signals below see the status they imply
        self.snapshot_changed.emit(event.snapshot)
        if event.kind == "started":
            self.sync_started.emit()
        elif event.kind == "finished" and event.outcome is not None:
            error = event.outcome.error
            self.sync_finished.emit(event.outcome.ok, error.message(self.lang) if error else "")
        elif event.kind == "enrolled":
            self.enrolled.emit()
        elif event.kind == "enrol_failed" and event.error is not None:
            self.enrol_failed.emit(event.error)
        elif event.error is not None:
            self.problem.emit(event.error)

    def _update_status(self) -> None:
        text = status_text(self._snapshot, self.lang)
        if text != self._status:
            self._status = text
            self.status_changed.emit(text)
