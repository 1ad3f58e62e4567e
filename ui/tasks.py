"""Long work off the GUI thread (imports, exports, backups, printer look-ups), reporting
progress as Qt signals so that the window never freezes.

A task is kept alive by this module until its work ends, not by the widget that started it:
a screen closed meanwhile does not destroy a running thread (which would stop the app), and
:func:`finish_all` lets the window wait, on closing, for a backup to be written whole."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal


class Task(QThread):
    """Runs ``work(progress)`` in a thread; ``progress(done, total)`` may be called often.

    Signals:
        progressed(int, int): done, total.
        succeeded(object): the work's result.
        failed(object): the exception it raised.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[Callable[[int, int], None]], Any],
                 parent: QObject | None = None) -> None:
        # ``parent``, the widget that starts it, does not own it: see the module's docstring
        super().__init__()
        del parent
        self.work = work
        self.finished.connect(lambda: _RUNNING.discard(self))

    def start(self, *args: Any) -> None:
        _RUNNING.add(self)
        super().start(*args)

    def run(self) -> None:
        try:
            result = self.work(lambda done, total: self.progressed.emit(done, total))
        except Exception as exc:
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)


_RUNNING: set[Task] = set()


def finish_all(timeout_ms: int = 30_000) -> None:
    """Wait for the tasks still running (the app is closing): a backup is written whole."""
    for task in list(_RUNNING):
        task.wait(timeout_ms)
