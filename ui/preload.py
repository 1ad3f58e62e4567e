"""Importing heavy modules (printing, sync) on a worker thread once the store is open, so
that the window keeps taking taps while they load.

Only imports run on the thread: no Qt object is made there and nothing is read or
written. Each stage's ``loaded`` signal reaches the GUI thread, which then starts what
needed them (it would import what is missing itself, so a module that fails to load here
only loses time)::

    preload = Preload(window)
    preload.loaded.connect(window.on_loaded)  # a QObject's method: runs on the GUI thread
    preload.start([("services", SERVICE_MODULES)])
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QObject, Signal

#: what the printing worker and the sync bridge need
SERVICE_MODULES: Final = ("pos.printing.queue", "sync.client.service", "sync.client.status")


class Preload(QObject):
    """Signals:
        loaded(str): the modules of a stage are imported (or failed to; see above).
    """

    loaded = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def start(self, stages: Sequence[tuple[str, Sequence[str]]]) -> None:
        thread = threading.Thread(target=self._run, args=(list(stages),), daemon=True,
                                  name="souk-preload")
        thread.start()

    def _run(self, stages: list[tuple[str, Sequence[str]]]) -> None:
        for name, modules in stages:
            for module in modules:
                with contextlib.suppress(Exception):  # the GUI thread's import reports it
                    importlib.import_module(module)
            self.loaded.emit(name)
