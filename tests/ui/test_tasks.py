"""Work off the GUI thread outlives the screen that started it, and the app waits for it
on closing."""

from __future__ import annotations

import threading
from typing import Any

import shiboken6
from PySide6.QtWidgets import QWidget

from ui import tasks


def test_a_task_outlives_the_screen_that_started_it_and_closing_waits_for_it(
    qtbot: Any,
) -> None:
    """A screen deleted while its task runs (a backup, a printer look-up) does not take the
    running thread with it, which would stop the app; the window's closing waits for the
    work to end, so that a backup is written whole."""
    go = threading.Event()
    done: list[str] = []

    def work(_progress: Any) -> str:
        go.wait(10)
        done.append("written")
        return "written"

    screen = QWidget()
    task = tasks.Task(work, screen)
    task.start()
    screen.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(screen))
    assert task.isRunning() and not done
    threading.Timer(0.2, go.set).start()
    tasks.finish_all()
    assert done == ["written"] and task.isFinished()
