"""What the seller is told about the printer's paper (a USB or serial printer that never
answers status requests does not say when its roll runs out: the test page and the
settings say so, calmly, and it outlives a restart), closing the app while the printer
hangs in the middle of a receipt (the window closes at once; the receipt prints at the
next start) or while it is printing one (the window says it finishes the receipt, which
comes out whole, once; a printer that stops taking it meanwhile is let go as one that
hangs; closing again does not wait), and since when the last Z report has been waiting
for the printer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from pos import clock, day, settings, users
from pos.i18n import tr
from pos.models import PrintJob, utcnow
from pos.printing import escpos_out
from tests.pos.printing.conftest import FakePrinter, FakeSerialPrinter
from tests.pos.printing.escpos_decode import decode, whole_job
from tests.ui.conftest import on_modal
from tests.ui.test_printing import fill_printer, jobs, printer_tab, sell_cash, use_printer

LEFT = Qt.MouseButton.LeftButton


def paper_note(screen: Any) -> str:
    note = screen.printer_paper
    return note.text() if note.isVisible() else ""


def page_at(qtbot: Any, screen: Any, path: str) -> str:
    """Set the serial printer at ``path``, print its test page; the message shown."""
    fill_printer(qtbot, screen.printer_kind, screen.printer_address, "serial", path)
    qtbot.mouseClick(screen.printer_test, LEFT)
    qtbot.waitUntil(lambda: screen.printer_test.isEnabled(), timeout=10000)
    assert screen.banner.property("role") == "notice"  # calm: not an error
    return str(screen.banner.text())


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_printer_that_never_tells_its_paper_ran_out_is_said_so_and_remembered(
    qtbot: Any, make_window: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: str
) -> None:
    monkeypatch.setattr(escpos_out, "list_serial_ports", lambda: [])
    t = lambda key: tr(lang, key)  # noqa: E731
    mute = FakeSerialPrinter(answers=False)
    other = FakeSerialPrinter()  # another printer, on another port, that answers
    window = make_window(lang=lang)
    window.printer.start()
    screen = printer_tab(window)
    assert paper_note(screen) == ""  # no printer yet
    try:
        said = page_at(qtbot, screen, mute.path)
    finally:
        mute.close()
    assert said == f"{t('ui.printer.test_printed')} {t('ui.printer.test_no_paper_state')}"
    assert paper_note(screen) == t("ui.printer.paper_unwatched")
    assert len(decode(mute.received, 384)) == 1  # the page printed
    # the next start: still said
    window.close()
    window = make_window(lang=lang, day_open=False)
    screen = printer_tab(window)
    assert paper_note(screen) == t("ui.printer.paper_unwatched")
    # another printer: not known any more, until its test page
    assert other.path != mute.path
    window.printer.start()
    try:
        fill_printer(qtbot, screen.printer_kind, screen.printer_address, "serial", other.path)
        qtbot.mouseClick(screen.printer_save, LEFT)
        qtbot.waitUntil(lambda: paper_note(screen) == t("ui.printer.paper_unknown"))
        said = page_at(qtbot, screen, other.path)
    finally:
        other.close()
    assert said == f"{t('ui.printer.test_printed')} {t('ui.printer.test_asks_paper')}"
    assert paper_note(screen) == t("ui.printer.paper_watched")
    # its next test page says it again, from what is known
    again = FakeSerialPrinter()
    with window.ctx.write() as s:
        config = settings.get(s, settings.PRINTER)
        settings.put(s, settings.PRINTER, {**config, "serial_port": again.path})
    window.settings.refresh()
    try:
        qtbot.mouseClick(screen.printer_test, LEFT)
        qtbot.waitUntil(lambda: screen.printer_test.isEnabled(), timeout=10000)
    finally:
        again.close()
    assert screen.banner.text() == (f"{t('ui.printer.test_printed')} "
                                    f"{t('ui.printer.paper_watched')}")


def test_closing_while_the_printer_hangs_mid_receipt_is_prompt_and_keeps_the_receipt(
    qtbot: Any, make_window: Any
) -> None:
    hung = FakePrinter("stall")  # takes the connection, then reads nothing: it hangs
    window = make_window()
    use_printer(window, hung.port)
    with window.ctx.write() as s:  # it would wait half a minute for the printer
        settings.put(s, settings.PRINTER, {**settings.get(s, settings.PRINTER), "timeout": 30})
    window.printer.start()
    sale_id = sell_cash(qtbot, window)
    qtbot.waitUntil(lambda: jobs(window) == [("sending", False)])
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible())  # not the printer's 30 s
    with window.ctx.read() as s:
        [job] = s.scalars(select(PrintJob))
        assert (job.kind, job.ref, job.status, job.attempts) == ("sale", sale_id, "queued", 0)
    window.ctx.store.close()
    # the next start, the printer working: the receipt prints, once, as the original
    good = FakePrinter()
    window = make_window(day_open=False)
    use_printer(window, good.port)
    window.printer.start()
    qtbot.waitUntil(lambda: jobs(window) == [("printed", False)])
    hung.close()
    good.close()
    [receipt] = good.jobs
    [page] = decode(receipt, 384)
    assert page.cut and page.drawer  # the original, which opens the drawer
    assert hung.jobs == []


def printing_slowly(qtbot: Any, make_window: Any, printer: FakePrinter, lang: str) -> Any:
    """A window selling to ``printer`` (a slow one: a receipt takes it seconds), its first
    receipt under way; the printer given half a minute to answer."""
    printer.SLOW_PAUSE = 0.05
    window = make_window(lang=lang)
    use_printer(window, printer.port)
    with window.ctx.write() as s:
        settings.put(s, settings.PRINTER, {**settings.get(s, settings.PRINTER), "timeout": 30})
    window.printer.start()
    sell_cash(qtbot, window)
    qtbot.waitUntil(lambda: len(printer.received) > 0)
    return window


def finishing_said(window: Any, lang: str) -> bool:
    """Whether the window says it finishes the receipt before it closes, and takes
    nothing new meanwhile."""
    return (window.isVisible() and not window.centralWidget().isEnabled()
            and window.statusBar().currentMessage() == tr(lang, "ui.close.finishing_receipt"))


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """The printer is looked at every second rather than every 0.2 s: a printer taking a
    receipt is never taken for one that hangs, however busy the test machine."""
    from ui import printing

    monkeypatch.setattr(printing, "STOP_GRACE", 1.0)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_closing_while_a_receipt_prints_lets_it_come_out_whole_once(
    qtbot: Any, make_window: Any, patient: None, lang: str
) -> None:
    slow = FakePrinter("slow")
    window = printing_slowly(qtbot, make_window, slow, lang)
    window.close()
    assert finishing_said(window, lang)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30000)  # once it is out
    assert jobs(window) == [("printed", False)]
    [receipt] = slow.jobs
    [page] = decode(receipt, 384)
    assert page.cut and page.drawer
    window.ctx.store.close()
    # the next start: nothing to ask about, nothing printed again
    window = make_window(lang=lang, day_open=False)
    use_printer(window, slow.port)
    window.printer.start()
    window.printer.worker.stop()  # once it has looked at what was left
    slow.close()
    assert jobs(window) == [("printed", False)] and len(slow.jobs) == 1


def test_a_printer_that_stops_taking_the_receipt_while_it_finishes_is_let_go(
    qtbot: Any, make_window: Any, patient: None
) -> None:
    halting = FakePrinter("slow_stall", drop_after=3000)  # prints a little, then hangs
    window = printing_slowly(qtbot, make_window, halting, "fr")
    window.close()
    assert finishing_said(window, "fr")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30000)
    with window.ctx.read() as s:
        [job] = s.scalars(select(PrintJob))
        assert (job.status, job.attempts) == ("queued", 0)  # as when it hangs from the start
    window.ctx.store.close()
    halting.close()
    assert not whole_job(halting.received, 384)
    good = FakePrinter()
    window = make_window(day_open=False)
    use_printer(window, good.port)
    window.printer.start()
    qtbot.waitUntil(lambda: jobs(window) == [("printed", False)])
    good.close()
    assert [page.cut for page in decode(good.jobs[0], 384)] == [True]


def test_closing_again_while_the_receipt_finishes_does_not_wait(
    qtbot: Any, make_window: Any, patient: None
) -> None:
    slow = FakePrinter("slow")
    window = printing_slowly(qtbot, make_window, slow, "fr")
    window.close()
    assert finishing_said(window, "fr")
    window.close()  # the seller insists
    assert not window.isVisible()
    with window.ctx.read() as s:
        [job] = s.scalars(select(PrintJob))
        assert (job.status, job.attempts) == ("queued", 0)  # it prints at the next start
    window.ctx.store.close()
    slow.close()


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
@pytest.mark.parametrize("days_ago", [0, 3])
def test_the_last_z_says_since_when_it_waits_for_the_printer(
    qtbot: Any, make_window: Any, lang: str, days_ago: int
) -> None:
    off = FakePrinter()
    off.close()  # nothing answers: the Z waits
    window = make_window(lang=lang)
    use_printer(window, off.port)
    queued = (utcnow() - dt.timedelta(days=days_ago)).replace(microsecond=0)
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        closed = day.close_day(s, day.count_for(day.day_report_expected(s)), manager=manager)
        window.printer.enqueue(s, "z", closed.id)
        for job in s.scalars(select(PrintJob)):
            job.created_at = queued
    window.ctx.day_changed.emit()
    window.show_screen("day")
    seen: list[tuple[bool, str]] = []

    def look(dialog: Any) -> None:
        copy = dialog.findChild(QPushButton, "receiptPrintCopy")
        seen.append((copy.isEnabled(), dialog.banner.text()))
        dialog.accept()

    on_modal("receiptDialog", look)
    qtbot.mouseClick(window.day.last_z_btn, LEFT)
    local = clock.local(queued)
    time = local.strftime("%H:%M") if days_ago == 0 else local.strftime("%d/%m/%Y %H:%M")
    shown = f"\u2066{time}\u2069" if lang == "ar" else time
    assert seen == [(False, tr(lang, "ui.day.z_copy_waiting", time=shown))]
    assert (time in seen[0][1]) and (days_ago == 0) == ("/" not in seen[0][1])
