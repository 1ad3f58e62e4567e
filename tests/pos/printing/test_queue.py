"""The print queue against a fake network printer: accepting, refusing, stalling, dropping."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field, replace

import pytest
from PySide6.QtGui import QGuiApplication
from sqlalchemy import func, select

from pos import settings
from pos.db import Store
from pos.errors import InputError
from pos.i18n import tr
from pos.models import PrintJob, Sale, utcnow
from pos.printing import queue
from pos.printing.escpos_out import PrinterSettings
from pos.printing.queue import PrintEvent, PrintWorker
from pos.printing.render import Renderer
from pos.receipts import load_sale_receipt
from tests.helpers import ring
from tests.pos.printing.conftest import ONLINE, PAPER_OUT, FakePrinter, UsbPrinter
from tests.pos.printing.escpos_decode import DecodeError, Page, _command, decode, whole_job


def _setup(store: Store, port: int, *, lang: str = "fr") -> None:
    config = PrinterSettings(connection="network", host="127.0.0.1", port=port, timeout=0.5)
    with store.write() as s:
        config.save(s)
        settings.put(s, settings.LANGUAGE, lang)
        settings.put(s, settings.RECEIPT_LANGUAGE, "both")
        settings.put(s, settings.COOPERATIVE, {"name_ar": "تعاونية تيفاوين",
                                               "name_fr": "Coopérative Tifawin"})  # fmt: skip


def _sell(store: Store) -> str:
    sale = ring(store, [("ARG-250", 2000), ("AML-250", 1000)], tendered=50000)
    with store.write() as s:
        queue.enqueue(s, sale.kind, sale.id)
    return sale.id


def _jobs(store: Store) -> list[tuple[str, int, str]]:
    with store.read() as s:
        rows = s.scalars(select(PrintJob).order_by(PrintJob.id))
        return [(j.status, j.attempts, j.last_error) for j in rows]


@pytest.fixture
def events() -> list[PrintEvent]:
    return []


def test_enqueue_belongs_to_the_sale_transaction(store: Store, open_day: int) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.write() as s:
        queue.enqueue(s, "test", "")
        raise Boom
    assert _jobs(store) == []
    with pytest.raises(ValueError):
        queue.enqueue(s, "poster", "")


def test_accepting_printer_prints_the_receipt_once(
    gui: QGuiApplication, store: Store, open_day: int, fake_printer: FakePrinter,
    events: list[PrintEvent],
) -> None:  # fmt: skip
    _setup(store, fake_printer.port)
    sale_id = _sell(store)
    worker = PrintWorker(store, events.append)
    assert worker.run_once() == 1
    assert worker.run_once() == 0
    fake_printer.close()
    assert _jobs(store) == [("printed", 1, "")]
    assert [e.state for e in events] == ["printing", "printed"]
    assert len(fake_printer.jobs) == 1
    with store.read() as s:
        raster = Renderer(384).render(load_sale_receipt(s, sale_id))
    pages = decode(fake_printer.jobs[0], 384)
    assert len(pages) == 1 and pages[0].data == raster.data
    assert fake_printer.jobs[0].startswith(b"\x10\x04\x04")  # paper status first
    assert pages[0].status_requests == 1  # and "online?" after the job


@pytest.mark.parametrize("failure", ["refuse", "stall", "drop"])
def test_failing_printer_keeps_the_job_and_a_retry_prints_once(
    gui: QGuiApplication, store: Store, open_day: int, failure: str, events: list[PrintEvent],
) -> None:  # fmt: skip
    bad = FakePrinter("accept" if failure == "refuse" else failure, drop_after=3000)
    port = bad.port
    if failure == "refuse":
        bad.close()
    _setup(store, port, lang="ar")
    sale_id = _sell(store)
    worker = PrintWorker(store, events.append)
    assert worker.run_once() == 0
    bad.close()
    with store.read() as s:
        assert s.get(Sale, sale_id) is not None  # the sale stays committed
    [(status, attempts, error)] = _jobs(store)
    assert (status, attempts) == ("queued", 1) and error
    if failure == "drop":  # the printer had part of the receipt: it is printed again, whole
        [partial] = bad.partial
        assert len(partial) >= 3000 and not whole_job(partial, 384)
    failed = events[-1]
    assert failed.state == "failed"
    assert failed.message == tr("ar", "printing.error.offline")
    assert "الطابعة لا تستجيب" in failed.message
    # a fresh pass does not retry a failed job by itself...
    assert worker.run_once() == 0
    # ...the printer comes back (same address) and the seller presses "retry"
    good = FakePrinter()
    _setup(store, good.port, lang="ar")
    assert worker.run_once(include_old=True) == 1
    assert worker.run_once(include_old=True) == 0
    good.close()
    assert len(good.jobs) == 1 and len(decode(good.jobs[0], 384)) == 1
    assert _jobs(store)[0][:2] == ("printed", 2)


def test_worker_thread_reports_through_its_callback(
    gui: QGuiApplication, store: Store, open_day: int, fake_printer: FakePrinter,
) -> None:  # fmt: skip
    _setup(store, fake_printer.port)
    done = threading.Event()
    seen: list[PrintEvent] = []

    def on_event(event: PrintEvent) -> None:
        seen.append(event)
        if event.state in ("printed", "failed"):
            done.set()

    worker = PrintWorker(store, on_event)
    worker.start()
    try:
        _sell(store)
        worker.notify()
        assert done.wait(10)
    finally:
        worker.stop()
    assert not worker.running
    assert seen[-1].state == "printed" and seen[-1].message == tr("fr", "printing.state.printed")


def test_stale_jobs_wait_for_a_retry_and_reprints_are_duplicates(
    gui: QGuiApplication, store: Store, open_day: int, fake_printer: FakePrinter,
) -> None:  # fmt: skip
    _setup(store, fake_printer.port)
    sale_id = _sell(store)
    with store.write() as s:
        job = s.scalars(select(PrintJob)).one()
        job.created_at = utcnow() - dt.timedelta(hours=2)
        queue.reprint(s, sale_id)
    worker = PrintWorker(store)
    assert worker.run_once() == 1  # only the fresh reprint
    assert worker.run_once(include_old=True) == 1
    with store.read() as s:
        assert s.scalar(select(func.count()).where(PrintJob.status == "printed")) == 2
        dup = s.scalars(select(PrintJob).where(PrintJob.duplicate)).one()
        assert "DUPLICATA" in load_sale_receipt(s, dup.ref, duplicate=True).plain_text()


def test_unbuildable_job_fails_for_good(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent]
) -> None:
    with store.write() as s:
        queue.enqueue(s, "sale", "no-such-sale")
    worker = PrintWorker(store, events.append, lang="fr")
    assert worker.run_once() == 0
    assert _jobs(store)[0][0] == "failed"
    assert events[-1].message.startswith("Ce ticket n'a pas pu être préparé")


def test_no_printer_configured_says_so(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent]
) -> None:
    with store.write() as s:
        queue.enqueue(s, "x", open_day)
    PrintWorker(store, events.append, lang="en").run_once()
    assert events[-1].message == tr("en", "printing.error.not_configured")
    assert events[-1].cause == "not_configured"
    assert _jobs(store)[0][:2] == ("queued", 1)


def test_a_usb_address_of_the_wrong_form_is_blamed_on_the_address(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent]
) -> None:
    with store.write() as s:  # saved before addresses were checked
        settings.put(s, settings.PRINTER, {"connection": "usb", "usb": "04b8"})
    _sell(store)
    PrintWorker(store, events.append, lang="en").run_once()
    failed = events[-1]
    assert (failed.state, failed.cause) == ("failed", "bad_address")
    assert failed.message == (
        "The printer's address in the settings (04b8) is not right; the sale is saved; "
        "correct it in the settings, then press “Retry printing”."
    )
    assert "No printer is set up" not in failed.message
    assert _jobs(store)[0][:2] == ("queued", 1)


def test_a_device_file_of_the_wrong_form_reads_left_to_right_in_arabic(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent]
) -> None:
    with store.write() as s:  # saved before addresses were checked
        settings.put(s, settings.PRINTER, {"connection": "file", "device": "usb/lp0"})
    _sell(store)
    PrintWorker(store, events.append, lang="ar").run_once()
    failed = events[-1]
    assert failed.cause == "bad_address"
    # isolated, as typed: its slashes and dots keep their places in a right-to-left line
    assert "(\u2066usb/lp0\u2069)" in failed.message


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_test_page_names_the_printer_in_no_english_words(store: Store, lang: str) -> None:
    config = PrinterSettings(connection="serial", serial_port="/dev/ttyUSB0", baudrate=19200)
    with store.write() as s:
        config.save(s)
        settings.put(s, settings.RECEIPT_LANGUAGE, lang)
        queue.enqueue(s, "test", "")
    with store.read() as s:
        [job] = s.scalars(select(PrintJob))
        printed = repr(queue.build_document(s, job, config).blocks)
    assert "/dev/ttyUSB0 · 19200 Bd" in printed
    assert tr(lang, "printing.test.width") in printed  # the paper width, in the page's words
    assert "dots" not in printed and "bauds" not in printed and "raster" not in printed


def test_a_test_page_the_printer_refuses_is_not_a_receipt_waiting(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent]
) -> None:
    off = FakePrinter()
    off.close()  # nothing listens there: the printer is off
    _setup(store, off.port)
    worker = PrintWorker(store, events.append)
    with store.write() as s:
        queue.enqueue(s, "test", "")
    assert worker.run_once() == 0
    failed = events[-1]
    assert (failed.kind, failed.state, failed.cause) == ("test", "failed", "offline")
    assert failed.message == tr("fr", "printing.test_error.offline")
    assert failed.message.startswith("La page de test n'est pas sortie : l'imprimante ne répond")
    assert "vente" not in failed.message and "Réessayer" not in failed.message
    assert _jobs(store)[0][0] == "cancelled"  # never printed again by itself
    sale_id = _sell(store)
    assert worker.run_once() == 0
    with store.read() as s:
        assert [(j.kind, j.ref) for j in queue.pending(s)] == [("sale", sale_id)]
    # the printer is back; "Retry printing" prints the receipt, not the old test page
    good = FakePrinter()
    _setup(store, good.port)
    assert worker.run_once(include_old=True) == 1
    good.close()
    [sent] = good.jobs
    assert decode(sent, 384)[0].data == _receipt(store, sale_id)
    with store.read() as s:
        assert queue.pending(s) == []


def test_a_test_page_that_may_have_printed_is_not_asked_about(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent]
) -> None:
    printer = FakePrinter("drop_at_end")
    try:
        _setup(store, printer.port)
        with store.write() as s:
            queue.enqueue(s, "test", "")
        worker = PrintWorker(store, events.append, lang="en")
        assert worker.run_once() == 0
        assert len(printer.partial) == 1  # it came out, then the line dropped
        printer.mode = "accept"
        assert worker.run_once(include_old=True) == 0
    finally:
        printer.close()
    assert printer.jobs == []
    failed = events[-1]
    assert (failed.kind, failed.state, failed.reason) == ("test", "failed", None)
    assert failed.message == tr("en", "printing.test_error.cut_off")
    assert "look at the printer" in failed.message
    with store.read() as s:
        assert queue.unsure(s) == [] and queue.pending(s) == []
    assert _jobs(store)[0][0] == "cancelled"


def test_test_pages_left_from_before_a_restart_are_dropped(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent]
) -> None:
    sale_id = _sell(store)
    with store.write() as s:  # as a till stopped in the middle of trying the printer left them
        s.add_all([PrintJob(kind="test", ref="", status=status, attempts=attempts)
                   for status, attempts in (("queued", 0), ("queued", 3), ("sending", 1),
                                            ("unsure", 1))])  # fmt: skip
    worker = PrintWorker(store, events.append)
    assert worker.recover() == []  # nothing to ask about
    assert events == []
    with store.read() as s:
        assert [(j.kind, j.ref) for j in queue.pending(s)] == [("sale", sale_id)]
        kinds = s.execute(select(PrintJob.kind, PrintJob.status).order_by(PrintJob.id)).all()
    assert [tuple(row) for row in kinds] == [("sale", "queued")] + [("test", "cancelled")] * 4


def test_cancel_and_pending(store: Store) -> None:
    with store.write() as s:
        a = queue.enqueue(s, "test", "")
        queue.enqueue(s, "x", "1")
    with store.write() as s:
        queue.cancel(s, a)
    with store.read() as s:
        assert [j.kind for j in queue.pending(s)] == ["x"]


# -- the drawer, a crash while sending, the paper width --------------------------------


class Crash(BaseException):
    """The till stops dead (power cut, killed process)."""


@dataclass
class Walk:
    """What a printer made of a byte stream, as far as it went: rows of image, drawer
    kicks (and the byte offsets of kicks and cuts), whether the stream ended whole."""

    rows: int = 0
    kicks: list[int] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    whole: bool = True


def walk(data: bytes, width: int = 384) -> Walk:
    result = Walk()
    page: Page | None = None
    i = 0
    while i < len(data):
        if data.startswith(b"\x1b@", i):
            page, i = Page(width), i + 2
            continue
        if data.startswith(b"\x10\x04", i):
            i += 3
            continue
        assert page is not None, f"data before ESC @ at {i}"
        if data.startswith(b"\x1bp", i):
            result.kicks.append(i)
        elif data.startswith(b"\x1dV", i):
            result.cuts.append(i)
        try:
            i = _command(data, i, page)
        except (DecodeError, IndexError):  # the connection dropped inside this command
            result.whole = False
            break
        result.rows = page.height
    return result


def _drawer_setup(store: Store, port: int) -> None:
    _setup(store, port)
    with store.write() as s:
        config = PrinterSettings.load(s)
        replace(config, drawer=True).save(s)


def test_the_drawer_opens_after_the_receipt_and_never_on_a_failed_attempt(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent],
) -> None:  # fmt: skip
    bad = FakePrinter("drop", drop_after=3000)
    _drawer_setup(store, bad.port)
    sale_id = _sell(store)  # paid cash
    worker = PrintWorker(store, events.append)
    assert worker.run_once() == 0
    bad.close()
    assert events[-1].state == "failed"
    [partial] = bad.partial
    failed = walk(partial)
    assert failed.rows > 0  # part of the image went out, then the printer dropped the line
    assert not failed.whole and failed.kicks == [] and failed.cuts == []
    good = FakePrinter()
    _drawer_setup(store, good.port)
    assert worker.run_once(include_old=True) == 1
    good.close()
    [sent] = good.jobs
    printed = walk(sent)
    assert printed.whole and len(printed.kicks) == 1 and len(printed.cuts) == 1
    assert printed.kicks[0] > printed.cuts[0]  # the drawer opens once the receipt is cut
    with store.read() as s:
        raster = Renderer(384).render(load_sale_receipt(s, sale_id))
    [page] = decode(sent, 384)
    assert page.data == raster.data and page.drawer
    assert _jobs(store) == [("printed", 2, "")]


def test_a_crash_after_sending_is_never_printed_again_by_itself(
    gui: QGuiApplication, store: Store, open_day: int, fake_printer: FakePrinter,
    events: list[PrintEvent], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _drawer_setup(store, fake_printer.port)
    sale_id = _sell(store)
    worker = PrintWorker(store)
    finish = worker._finish

    def crash_before_commit(job_id: int, status: str, error: str, **kw: bool) -> None:
        if status == queue.PRINTED:
            raise Crash  # the receipt is out; "printed" is never committed
        finish(job_id, status, error, **kw)

    monkeypatch.setattr(worker, "_finish", crash_before_commit)
    with pytest.raises(Crash):
        worker.run_once()
    assert _jobs(store) == [("sending", 1, "")]
    # the till starts again
    restarted = PrintWorker(store, events.append)
    with store.read() as s:
        [job_id] = s.scalars(select(PrintJob.id))
        label = load_sale_receipt(s, sale_id).metadata["label"]
    assert restarted.recover() == [job_id]
    assert [(e.state, e.job_id, e.label, e.reason) for e in events] == [
        ("unsure", job_id, label, "stopped")
    ]
    assert events[0].message == queue.unsure_message("fr", "sale", label, "stopped")
    assert events[0].message.startswith(f"Le ticket {label} est-il sorti en entier ?")
    assert "La caisse s'est arrêtée" in events[0].message
    assert restarted.run_once() == 0
    assert restarted.run_once(include_old=True) == 0  # not even on "retry printing"
    assert _jobs(store)[0][0] == "unsure"
    # a second restart before the seller answered still asks
    assert PrintWorker(store).recover() == [job_id]
    # the customer has no receipt: the seller reprints it, as a copy
    with store.write() as s:
        copy = queue.settle(s, job_id, printed=False)
        assert copy is not None and s.get(PrintJob, copy).duplicate
    assert restarted.run_once() == 1
    fake_printer.close()
    assert len(fake_printer.jobs) == 2  # the original before the crash, then the copy
    first, second = fake_printer.jobs
    assert len(walk(first).kicks) == 1 and walk(second).kicks == []
    with store.read() as s:
        duplicate = load_sale_receipt(s, sale_id, duplicate=True)
    assert "DUPLICATA" in duplicate.plain_text()
    assert decode(second, 384)[0].data == Renderer(384).render(duplicate).data
    assert [row[0] for row in _jobs(store)] == ["cancelled", "printed"]
    assert PrintWorker(store).recover() == []


def test_an_unsure_job_the_seller_saw_print_is_done(store: Store, open_day: int) -> None:
    sale_id = _sell(store)
    with store.write() as s:
        job = s.scalars(select(PrintJob)).one()
        job.status = queue.SENDING
    assert PrintWorker(store, lang="en").recover() == [job.id]
    with store.write() as s:
        assert queue.settle(s, job.id, printed=True) is None
        assert queue.settle(s, job.id, printed=False) is None  # answered already
    with store.read() as s:
        assert [(j.status, j.ref) for j in s.scalars(select(PrintJob))] == [("printed", sale_id)]
        assert queue.unsure(s) == [] and queue.pending(s) == []


def test_an_impossible_paper_width_is_a_printer_settings_error(
    gui: QGuiApplication, store: Store, open_day: int, fake_printer: FakePrinter,
    events: list[PrintEvent],
) -> None:  # fmt: skip
    _setup(store, fake_printer.port)
    with store.write() as s:
        stored = dict(settings.get(s, settings.PRINTER), width_dots=5000)
        settings.put(s, settings.PRINTER, stored)  # as an old or hand-edited database has
    _sell(store)
    worker = PrintWorker(store, events.append)
    assert worker.run_once() == 0
    fake_printer.close()
    assert fake_printer.jobs == []
    assert events[-1].state == "failed"
    assert events[-1].message == tr("fr", "printing.error.paper_width", width=5000)
    assert "5000" in events[-1].message and "réglages" in events[-1].message
    assert _jobs(store)[0][:2] == ("queued", 1)
    # saving such a width is refused, and nothing is written
    for width in (5000, 95, 2049):
        with pytest.raises(InputError) as refused, store.write() as s:
            PrinterSettings(connection="network", host="127.0.0.1", width_dots=width).save(s)
        assert str(width) in refused.value.message("ar")
    with store.read() as s:
        assert settings.get(s, settings.PRINTER) == stored


def test_a_copy_in_english_stays_english_through_a_crash(
    gui: QGuiApplication, store: Store, open_day: int, fake_printer: FakePrinter,
) -> None:  # fmt: skip
    _setup(store, fake_printer.port)  # the receipts are in Arabic and French
    sale = ring(store, [("ARG-250", 2000)], tendered=50000)
    with store.write() as s:
        with pytest.raises(ValueError):
            queue.reprint(s, sale.id, "klingon")
        job_id = queue.reprint(s, sale.id, "en")
        s.get(PrintJob, job_id).status = queue.SENDING  # the till stops while it prints
    assert PrintWorker(store).recover() == [job_id]
    with store.write() as s:
        copy = queue.settle(s, job_id, printed=False)  # it did not print: again
    worker = PrintWorker(store)
    assert worker.run_once() == 1
    fake_printer.close()
    with store.read() as s:
        assert s.get(PrintJob, copy).language == "en"
        english = load_sale_receipt(s, sale.id, duplicate=True, lang="en")
    assert "COPY / نسخة" in english.plain_text()
    [sent] = fake_printer.jobs
    assert decode(sent, 384)[0].data == Renderer(384).render(english).data


# -- a printer that drops the line once it has the whole receipt ------------------------


def _receipt(store: Store, sale_id: str, *, duplicate: bool = False) -> bytes:
    with store.read() as s:
        return Renderer(384).render(load_sale_receipt(s, sale_id, duplicate=duplicate)).data


@pytest.mark.parametrize("answer", ["print again", "yes"])
def test_a_receipt_whose_connection_drops_at_the_very_end_is_asked_about_not_retried(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent], answer: str,
) -> None:  # fmt: skip
    printer = FakePrinter("drop_at_end")
    try:
        _drawer_setup(store, printer.port)
        sale_id = _sell(store)  # paid cash
        worker = PrintWorker(store, events.append)
        assert worker.run_once() == 0
        with store.read() as s:
            assert s.get(Sale, sale_id) is not None  # the sale stays committed
            label = load_sale_receipt(s, sale_id).metadata["label"]
        # the printer had every byte of the receipt, then dropped the line unanswered
        [sent] = printer.partial
        [page] = decode(sent, 384)
        assert page.data == _receipt(store, sale_id) and page.cut and not page.drawer
        [(status, attempts, error)] = _jobs(store)
        assert (status, attempts) == ("unsure", 1) and error.startswith(queue.CUT_OFF)
        unsure = events[-1]
        assert (unsure.state, unsure.label, unsure.reason) == ("unsure", label, "cut_off")
        assert unsure.message == queue.unsure_message("fr", "sale", label, "cut_off")
        assert unsure.message == (
            f"Le ticket {label} est-il sorti en entier ? La liaison avec "
            "l'imprimante s'est coupée tout à la fin."
        )
        # no second copy goes out by itself: not on the next sale's pass, not on "retry"
        printer.mode = "accept"
        assert worker.run_once() == 0 and worker.run_once(include_old=True) == 0
        # the question outlives a restart of the till
        store.close()
        store = Store.open(store.path)
        again: list[PrintEvent] = []
        restarted = PrintWorker(store, again.append, lang="ar")
        assert restarted.recover() == [unsure.job_id]
        assert [(e.label, e.reason) for e in again] == [(label, "cut_off")]
        assert again[0].message.startswith(f"هل خرج الوصل {label} كاملاً؟")
        assert restarted.run_once(include_old=True) == 0
        assert printer.jobs == [] and len(printer.partial) == 1
        with store.write() as s:
            copy = queue.settle(s, unsure.job_id, printed=answer == "yes")
        assert restarted.run_once() == (0 if answer == "yes" else 1)
    finally:
        printer.close()
    if answer == "yes":
        assert copy is None and printer.jobs == []
        assert [row[0] for row in _jobs(store)] == ["printed"]
    else:
        [sent] = printer.jobs  # the copy, marked DUPLICATA, which opens no drawer
        [page] = decode(sent, 384)
        assert page.data == _receipt(store, sale_id, duplicate=True) and not page.drawer
        assert page.data != _receipt(store, sale_id)
        with store.read() as s:
            assert "DUPLICATA" in load_sale_receipt(s, sale_id, duplicate=True).plain_text()
        assert [row[0] for row in _jobs(store)] == ["cancelled", "printed"]
    assert PrintWorker(store).recover() == []
    store.close()


def test_a_receipt_printed_but_not_marked_printed_is_asked_about_after_a_restart(
    gui: QGuiApplication, store: Store, open_day: int, fake_printer: FakePrinter,
    events: list[PrintEvent], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _setup(store, fake_printer.port)
    _sell(store)
    worker = PrintWorker(store, events.append)
    finish = worker._finish

    def disk_full(job_id: int, status: str, error: str, **kw: bool) -> None:
        if status == queue.PRINTED:
            raise OSError(28, "No space left on device")
        finish(job_id, status, error, **kw)

    monkeypatch.setattr(worker, "_finish", disk_full)
    assert worker.run_once() == 1
    assert events[-1].state == "printed"  # it came out: the seller is told so
    assert worker.run_once(include_old=True) == 0
    fake_printer.close()
    assert len(fake_printer.jobs) == 1
    assert _jobs(store)[0][0] == "sending"  # never printed again by itself...
    assert len(PrintWorker(store).recover()) == 1  # ...and asked about after a restart
    assert _jobs(store)[0][0] == "unsure"


# -- a USB printer's test page finds out whether it answers status requests ------------


USB = PrinterSettings(connection="usb", usb="0416:5011")


class UsbPrinters:
    """The opener of a USB printer (:class:`UsbPrinter`), a new connection each time, as
    the printer is now: ``answer`` to status requests, ``paper`` from its roll sensor."""

    def __init__(self, answer: bytes | None) -> None:
        self.answer = answer
        self.paper = ONLINE
        self.opened: list[UsbPrinter] = []

    def __call__(self, config: PrinterSettings) -> UsbPrinter:
        assert config.connection == "usb"
        self.opened.append(UsbPrinter(self.answer, self.paper))
        return self.opened[-1]


def _usb_setup(store: Store) -> None:
    _setup(store, 9100)
    with store.write() as s:
        replace(PrinterSettings.load(s), connection="usb", usb="0416:5011").save(s)


def _check_status(store: Store) -> object:
    with store.read() as s:
        return settings.get(s, settings.PRINTER).get("check_status", "unset")


def _test_page(worker: PrintWorker, store: Store) -> int:
    with store.write() as s:
        queue.enqueue(s, "test", "")
    return worker.run_once()


def test_a_usb_printer_that_answers_its_test_page_is_asked_for_paper_from_then_on(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent]
) -> None:
    _usb_setup(store)
    printers = UsbPrinters(ONLINE)
    worker = PrintWorker(store, events.append, opener=printers, lang="en")
    first = _sell(store)
    assert worker.run_once() == 1
    assert printers.opened[-1].asked == []  # not known to answer: not asked
    assert _test_page(worker, store) == 1
    page = events[-1]
    assert (page.kind, page.state, page.answers) == ("test", "printed", True)
    assert printers.opened[-1].asked == [b"\x10\x04\x01"]  # once, after the page
    assert _check_status(store) is True
    with store.read() as s:
        assert PrinterSettings.load(s).asks_status
    # the roll runs out: the next receipt waits, and the seller reads why
    printers.paper = PAPER_OUT
    sale_id = _sell(store)
    assert worker.run_once() == 0
    failed = events[-1]
    assert (failed.kind, failed.state, failed.cause) == ("sale", "failed", "no_paper")
    assert failed.message == tr("en", "printing.error.no_paper")
    assert failed.message.startswith("The printer has no paper; the sale is saved")
    empty = printers.opened[-1]
    assert empty.asked == [b"\x10\x04\x04"] and decode(empty.output, 384) == []  # no image
    with store.read() as s:
        assert s.get(Sale, sale_id) is not None
        assert [(j.ref, j.status) for j in queue.pending(s)] == [(sale_id, "queued")]
    # a new roll, "Retry printing": the receipt comes out, once
    printers.paper = ONLINE
    assert worker.run_once(include_old=True) == 1
    [printed] = decode(printers.opened[-1].output, 384)
    assert printed.data == _receipt(store, sale_id) != _receipt(store, first)
    assert printers.opened[-1].asked == [b"\x10\x04\x04", b"\x10\x04\x01"]  # paper first
    assert [row[0] for row in _jobs(store)] == ["printed", "printed", "printed"]
    assert _test_page(worker, store) == 1  # known now: not asked about again
    assert (events[-1].state, events[-1].answers) == ("printed", None)


@pytest.mark.parametrize("answer", [None, b"", b"\x00"])  # times out, silent, garbage
def test_a_usb_printer_that_never_answers_prints_without_being_asked(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent],
    answer: bytes | None,
) -> None:  # fmt: skip
    _usb_setup(store)
    printers = UsbPrinters(answer)
    worker = PrintWorker(store, events.append, opener=printers, lang="fr")
    assert _test_page(worker, store) == 1
    page = events[-1]
    assert (page.kind, page.state, page.answers) == ("test", "printed", False)
    assert decode(printers.opened[-1].output, 384)[0].cut  # the page counts as printed
    assert _check_status(store) is False
    printers.paper = PAPER_OUT  # it would not say so anyway
    sale_id = _sell(store)
    assert worker.run_once() == 1
    receipt = printers.opened[-1]
    assert receipt.asked == []
    assert decode(receipt.output, 384)[0].data == _receipt(store, sale_id)
    assert _test_page(worker, store) == 1
    assert printers.opened[-1].asked == []  # known not to answer: not asked again
    assert [row[0] for row in _jobs(store)] == ["printed", "printed", "printed"]


def test_what_a_test_page_learns_is_not_kept_for_a_printer_set_up_meanwhile(
    gui: QGuiApplication, store: Store, open_day: int, events: list[PrintEvent]
) -> None:
    _usb_setup(store)
    printers = UsbPrinters(ONLINE)

    def opener(config: PrinterSettings) -> UsbPrinter:
        with store.write() as s:  # the seller saves another printer while the page prints
            replace(PrinterSettings.load(s), usb="04b8:0e15").save(s)
        return printers(config)

    worker = PrintWorker(store, events.append, opener=opener)
    assert _test_page(worker, store) == 1
    assert (events[-1].state, events[-1].answers) == ("printed", None)
    assert printers.opened[-1].asked == [b"\x10\x04\x01"]
    assert _check_status(store) is None
    with store.read() as s:
        assert PrinterSettings.load(s).usb == "04b8:0e15"
