"""Long work off the GUI thread (imports, exports, backups), reporting progress as Qt
signals so that the window never freezes."""

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
        super().__init__(parent)
        self.work = work

    def run(self) -> None:
        try:
            result = self.work(lambda done, total: self.progressed.emit(done, total))
        except Exception as exc:
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
