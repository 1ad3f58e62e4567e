"""Stopping the printing worker (the app closing) while the printer hangs: it does not
wait for the printer; a receipt that cannot have come out whole waits in the queue for
the next start, one that may have is asked about then (never printed twice as an
original)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QGuiApplication

from pos.db import Store
from pos.printing import queue
from pos.printing.escpos_out import PrinterSettings
from pos.printing.queue import PrintEvent, PrintWorker
from tests.pos.printing.conftest import FakePrinter
from tests.pos.printing.escpos_decode import decode, whole_job
from tests.pos.printing.test_queue import _jobs, _sell, _setup


def _hanging_setup(store: Store, port: int) -> None:
    """The printer at ``port``, given half a minute to answer."""
    _setup(store, port)
    with store.write() as s:
        replace(PrinterSettings.load(s), timeout=30.0).save(s)


def _wait(condition: object, what: str) -> None:
    import time

    for _ in range(2000):
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.01)
    raise AssertionError(f"never {what}")


def test_a_hung_receipt_waits_for_the_next_start_unless_all_of_it_went_out(
    gui: QGuiApplication, store: Store, open_day: int
) -> None:
    hung = FakePrinter("stall")  # takes the connection, reads nothing
    events: list[PrintEvent] = []
    try:
        _hanging_setup(store, hung.port)
        worker = PrintWorker(store, events.append)
        worker.start()
        _sell(store)
        worker.notify()
        _wait(lambda: _jobs(store)[0][0] == "sending", "sending")
        assert worker.stop(timeout=0.2) is not None  # not the printer's 30 s
        assert _jobs(store) == [("queued", 0, "")]
        seen = len(events)
        good = FakePrinter()
        try:
            _hanging_setup(store, good.port)
            assert PrintWorker(store).recover() == []  # nothing to ask about
            assert PrintWorker(store).run_once() == 1  # fresh: printed at the start
        finally:
            good.close()
        [receipt] = good.jobs
        assert [page.cut for page in decode(receipt, 384)] == [True]
    finally:
        hung.close()  # the hung connection fails at last: the thread writes nothing more
    assert [job[0] for job in _jobs(store)] == ["printed"] and len(events) == seen
    # all of the next receipt went out, then the printer hung: it may have come out
    # whole, so it is asked about after the restart, never printed again by itself
    mute = FakePrinter("mute")  # reads all of it, then never answers the status request
    try:
        _hanging_setup(store, mute.port)
        worker = PrintWorker(store)
        worker.start()
        _sell(store)
        worker.notify()
        _wait(lambda: whole_job(mute.received, 384), "sent whole")
        assert worker.stop(timeout=0.2) is None
        assert [job[0] for job in _jobs(store)] == ["printed", "sending"]
        assert len(PrintWorker(store).recover()) == 1
        assert [job[0] for job in _jobs(store)] == ["printed", "unsure"]
        with store.read() as s:
            assert queue.pending(s) == []
    finally:
        mute.close()


#: how long a test waits for the printer to take some bytes: the printers here take some
#: every few hundredths of a second, the till busy with other tests or not
LOOK = 1.0


def test_a_receipt_still_printing_is_let_finish_and_never_printed_again(
    gui: QGuiApplication, store: Store, open_day: int
) -> None:
    slow = FakePrinter("slow")  # takes the receipt a little at a time, as it prints
    try:
        _hanging_setup(store, slow.port)
        worker = PrintWorker(store)
        worker.start()
        _sell(store)
        worker.notify()
        _wait(lambda: len(slow.received) > 0, "printing")
        worker.halt()  # the app closing
        assert worker.finishing(LOOK)  # the printer is taking it: it is let finish
        while worker.finishing(LOOK):
            pass
        assert worker.stop(timeout=0) is None  # nothing to let go: it came out
        assert [job[0] for job in _jobs(store)] == ["printed"]
        [receipt] = slow.jobs
        assert [page.cut for page in decode(receipt, 384)] == [True]  # whole, once
        # the next start: nothing to ask about, nothing printed again
        assert PrintWorker(store).recover() == []
        assert PrintWorker(store).run_once(include_old=True) == 0
    finally:
        slow.close()
    assert len(slow.jobs) == 1


def test_a_printer_that_stops_taking_the_receipt_is_let_go_as_one_that_hangs(
    gui: QGuiApplication, store: Store, open_day: int
) -> None:
    halting = FakePrinter("slow_stall", drop_after=2048)  # prints a little, then hangs
    try:
        _hanging_setup(store, halting.port)
        worker = PrintWorker(store)
        worker.start()
        _sell(store)
        worker.notify()
        _wait(lambda: len(halting.received) > 0, "printing")
        worker.halt()
        while worker.finishing(LOOK):  # taken while it prints, until it hangs
            pass
        assert worker.stop(timeout=0) is not None  # let go, back in the queue
        assert _jobs(store) == [("queued", 0, "")]
        assert not whole_job(halting.received, 384)
        good = FakePrinter()
        try:
            _hanging_setup(store, good.port)
            assert PrintWorker(store).recover() == []
            assert PrintWorker(store).run_once() == 1  # whole, at the next start
        finally:
            good.close()
        assert [page.cut for page in decode(good.jobs[0], 384)] == [True]
    finally:
        halting.close()
