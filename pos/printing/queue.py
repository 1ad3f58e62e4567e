"""The persisted print queue and the worker thread that empties it.

A sale never waits on the printer. Whoever records something to print adds a
:class:`~pos.models.PrintJob` in the *same* write transaction, then wakes the worker::

    with store.ledger() as db:  # or a write session
        sale = checkout.complete(db, cart, payments, cashier=user)
        queue.enqueue(db, sale.kind, sale.id)
    worker.notify()

The worker (a plain thread; no Qt) rebuilds the document from the database, renders it
for the configured paper, records that sending has started (``sending``, committed before
the first byte goes out), sends it and marks the job printed. When the printer fails
before the whole image was handed over (nothing or part of the receipt came out), the
job goes back to ``queued`` with ``last_error`` and the callback receives a message in the
user's language ("the printer is not answering; the sale is saved; ..."). Failed and old
jobs are printed again only on :meth:`PrintWorker.retry` (the seller's "Retry printing"),
as the originals they are, so a printer coming back never spills out a pile of stale
receipts by itself.

A job that may have printed whole is ``unsure``, and never printed again by itself: the
connection failed once every byte of the image was handed over (cutting, answering the
last status request, closing; ``last_error`` starts with :data:`CUT_OFF`), or the job was
still ``sending`` when the worker started, cut off by a crash or a power cut
(:meth:`PrintWorker.recover`; :data:`STOPPED`), when the cash drawer may have opened too.
The state is in the database, so the question outlives a restart: the seller is asked
"Did receipt T03-000123 come out whole?" (:func:`question`) and answers (:func:`settle`)
yes, or "print it again": a sale's receipt then comes out as a copy ("DUPLICATA / نسخة"),
which never opens the drawer, so that no receipt ever exists twice as an original.

A test page is not a receipt: it is for the moment the seller asks for it. It is never
among the documents waiting for the printer (:func:`pending`), never printed again by
itself nor by "Retry printing", and never asked about: when the printer does not take it
whole, the job is cancelled and its event says so in words about the test page
(:func:`failure_message`), for the screen where it was asked. A test page left from
before a restart is dropped. On a USB or serial printer not known to answer status
requests or not, the test page asks it once, after the page
(:func:`~pos.printing.escpos_out.print_test_page`), and the answer is kept in the printer
settings (``check_status``), written as the jobs' states are: a printer that answers is
asked for paper before every receipt from then on, so that an empty roll keeps the receipt
waiting with "no paper" rather than counting it printed.

The app closing never waits on a printer that hangs (:meth:`PrintWorker.stop`): a job the
printer hangs in the middle of is let go (:meth:`PrintWorker.give_up`); nothing more of it
goes out, and when its image had not all gone out it is back in the queue as it was, so it
prints at the next start; when all of it had, it may have come out whole and is asked
about then, as any job left ``sending``. A receipt the printer is still taking the bytes
of (a slow printer, printing) may be let finish instead (:meth:`PrintWorker.halt`, then
:meth:`PrintWorker.finishing` until it is out or the printer stops taking them), so
that it comes out whole, once, rather than cut off and again at the next start.

Callbacks run on the worker thread: the UI re-emits them as Qt signals.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos import journal, receipts, settings
from pos.db import Store
from pos.errors import Ltr
from pos.i18n import ltr, normalise_language, tr
from pos.models import PrintJob, Sale, utcnow
from pos.printing.escpos_out import (
    Gate,
    MayHavePrinted,
    Opener,
    PrinterError,
    PrinterSettings,
    open_printer,
    print_raster,
    print_test_page,
)
from pos.printing.render import Raster, Renderer
from pos.receipts import Document

log = logging.getLogger(__name__)

KINDS: Final = ("sale", "refund", "void", "x", "z", "test", "invoice", "credit_note")
QUEUED: Final = "queued"
SENDING: Final = "sending"  # committed before the bytes go out; cleared when they are out
UNSURE: Final = "unsure"  # may have printed whole: waits for the seller's answer
PRINTED: Final = "printed"
CANCELLED: Final = "cancelled"
FAILED: Final = "failed"  # the document itself could not be built; retrying will not help
FRESH_FOR: Final = dt.timedelta(minutes=10)
#: ``last_error`` of an unsure job: the till stopped while sending it...
STOPPED: Final = "interrupted while sending"
#: ...or (at its start) the connection failed after every byte of its image was handed over
CUT_OFF: Final = "sent whole, then"

State = Literal["printing", "printed", "failed", "cancelled", "unsure"]
#: why a job is unsure: the till stopped, the connection failed at the very end, or an
#: unexpected error while sending
Reason = Literal["stopped", "cut_off", "fault"]
SALE_KINDS: Final = ("sale", "refund", "void")
TEST: Final = "test"
INVOICE: Final = "invoice"  # ref: the id of the sale it invoices
CREDIT_NOTE: Final = "credit_note"  # ref: the id of the refund or void it stands for


def enqueue(writer: journal.Writer, kind: str, ref: str | int, duplicate: bool = False,
            language: str | None = None) -> int:
    """Queue a document to print; call inside the write transaction that records it.
    ``language`` is a receipt language for this job alone (None: the settings' one).
    Returns the job's id."""
    if kind not in KINDS:
        raise ValueError(f"unknown print job kind {kind!r}")
    if language is not None and language not in receipts.RECEIPT_LANGUAGES:
        raise ValueError(f"unknown receipt language {language!r}")
    cursor = journal.driver_connection(writer).execute(
        "INSERT INTO print_job (created_at, kind, ref, duplicate, language, status, attempts, "
        "last_error) VALUES (?, ?, ?, ?, ?, ?, 0, '')",
        (journal.sql_time(utcnow()), kind, str(ref), duplicate, language, QUEUED),
    )
    return int(cursor.lastrowid or 0)


def reprint(session: Session, sale_id: str, language: str | None = None) -> int:
    """Queue a copy of a sale, refund or void receipt, marked "DUPLICATA / نسخة", in
    ``language`` (a receipt language; None: the settings' one)."""
    sale = session.get(Sale, sale_id)
    if sale is None:
        raise LookupError(f"no sale {sale_id}")
    return enqueue(session, sale.kind, sale.id, duplicate=True, language=language)


def pending(session: Session) -> list[PrintJob]:
    """Receipts and reports still waiting for the printer, oldest first (a test page is
    never among them)."""
    query = (select(PrintJob).where(PrintJob.status == QUEUED, PrintJob.kind != TEST)
             .order_by(PrintJob.id))  # fmt: skip
    return list(session.scalars(query))


def waiting_for(session: Session, kind: str, ref: str | int) -> list[PrintJob]:
    """The jobs of the document ``kind`` ``ref`` (a Z report's day, a sale's id) waiting
    for the printer or being sent, original or copy, oldest first: a copy asked while one
    of them is there would only come out after it, a second time."""
    query = (select(PrintJob).where(PrintJob.kind == kind, PrintJob.ref == str(ref),
                                    PrintJob.status.in_((QUEUED, SENDING)))
             .order_by(PrintJob.id))  # fmt: skip
    return list(session.scalars(query))


def forget_waiting(session: Session) -> list[PrintJob]:
    """The seller's "Don't print them" about the receipts and reports waiting (the printer
    back after an hour, their customers long gone): every one of them is cancelled, none
    is printed by "Retry printing"; the sales are in the journal as they were, and any
    receipt can be printed again (:func:`reprint`). The jobs cancelled, oldest first."""
    jobs = pending(session)
    for job in jobs:
        job.status = CANCELLED
    return jobs


def unsure(session: Session) -> list[PrintJob]:
    """Jobs that were being sent when the till stopped (they may have printed)."""
    query = select(PrintJob).where(PrintJob.status == UNSURE).order_by(PrintJob.id)
    return list(session.scalars(query))


def reason(job: PrintJob) -> Reason:
    """Why an ``unsure`` job may have printed, from what was recorded with it."""
    if job.last_error == STOPPED:
        return "stopped"
    return "cut_off" if job.last_error.startswith(CUT_OFF) else "fault"


def question(lang: str, kind: str, label: str) -> str:
    """The question about an unsure job, in ``lang``: "Did receipt T03-000123 come out
    whole?" (``label``: the receipt's number, or a Z report's)."""
    return tr(lang, f"printing.unsure.{kind}", label=label)


def unsure_message(lang: str, kind: str, label: str, why: Reason) -> str:
    """The question and why it is asked, in ``lang``."""
    return f"{question(lang, kind, label)} {tr(lang, f'printing.unsure.{why}')}"


def settle(session: Session, job_id: int, *, printed: bool) -> int | None:
    """The seller's answer about an ``unsure`` job: it came out whole (nothing more to do),
    or it did not and is printed again: a sale, refund or void as a copy (which never opens
    the drawer), an invoice or a credit note as a copy, a report or test page as it was.
    Returns the new job's id, if any."""
    job = session.get(PrintJob, job_id)
    if job is None or job.status != UNSURE:
        return None
    if printed:
        job.status = PRINTED
        job.printed_at = utcnow()
        return None
    job.status = CANCELLED
    copy = job.duplicate or job.kind in (*SALE_KINDS, INVOICE, CREDIT_NOTE)
    return enqueue(session, job.kind, job.ref, duplicate=copy, language=job.language)


def cancel(session: Session, job_id: int) -> None:
    """Give up on a waiting job (the seller wrote the receipt by hand, or it is not wanted)."""
    job = session.get(PrintJob, job_id)
    if job is not None and job.status == QUEUED:
        job.status = CANCELLED


def failure_message(lang: str, kind: str, key: str, /, **params: object) -> str:
    """What the seller reads when the printer did not take a job, in ``lang``: for a
    receipt or report, ``key`` (``printing.error.*``: the sale is saved, what to do, then
    "Retry printing"); for a test page, the same cause in words about the test page
    (``printing.test_error.*``: it did not print, what to check, then "Test page")."""
    if kind == TEST:
        key = "printing.test_error." + key.rsplit(".", 1)[-1]
    shown = {name: ltr(value, lang) if isinstance(value, Ltr) else value
             for name, value in params.items()}  # an address reads left to right
    return tr(lang, key, **shown)


def document_label(document: Document) -> str:
    """The number the seller knows a document by: a receipt's (T03-000123), an invoice's
    (T03-F2026-00001), a credit note's (T03-A2026-00001), a Z report's."""
    return document.metadata.get("label") or document.metadata.get("z") or ""


def build_document(session: Session, job: PrintJob, config: PrinterSettings) -> Document:
    """The document of a job, rebuilt from the database."""
    if job.kind in SALE_KINDS:
        return receipts.load_sale_receipt(session, job.ref, duplicate=job.duplicate,
                                          lang=job.language)
    if job.kind == INVOICE:
        return receipts.load_invoice(session, job.ref, duplicate=job.duplicate,
                                     lang=job.language)
    if job.kind == CREDIT_NOTE:
        return receipts.load_credit_note(session, job.ref, duplicate=job.duplicate,
                                         lang=job.language)
    if job.kind in ("x", "z"):
        kind: Literal["x", "z"] = "x" if job.kind == "x" else "z"
        return receipts.load_day_report(session, int(job.ref), kind, lang=job.language,
                                        duplicate=job.duplicate)
    if job.kind == "test":
        return receipts.test_page(
            receipts.Shop.from_settings(session), receipts.receipt_language(session),
            printer=config.describe(), width_dots=config.width_dots,
        )  # fmt: skip
    raise LookupError(f"unknown print job kind {job.kind!r}")


@dataclass(frozen=True)
class PrintEvent:
    """What happened to a job; ``message`` is in the user's language. An ``unsure`` job's
    event also says what to ask about it: ``label`` (the receipt's number, a Z report's;
    see :func:`question`) and ``reason``."""

    job_id: int
    kind: str
    ref: str
    state: State
    message: str
    detail: str = ""
    label: str = ""
    reason: Reason | None = None
    cause: str = ""  # why a job failed: the end of its message's key ("offline", "no_paper")
    #: a printed test page's: whether the printer answered the status request after it,
    #: recorded in its settings (None: not asked, or not recorded)
    answers: bool | None = None


Callback = Callable[[PrintEvent], None]


class PrintWorker:
    """Prints queued jobs one at a time on its own thread.

    ``on_event`` is called (on the worker thread) when a job starts printing, is printed,
    or fails. ``opener`` connects to the printer (python-escpos; replaceable for a
    ``Dummy`` printer). ``lang`` overrides the user's language from the settings.
    """

    def __init__(
        self,
        store: Store,
        on_event: Callback | None = None,
        *,
        opener: Opener = open_printer,
        lang: str | None = None,
        fresh_for: dt.timedelta = FRESH_FOR,
    ) -> None:
        self.store = store
        self.on_event = on_event
        self.opener = opener
        self.lang = lang
        self.fresh_for = fresh_for
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._retry = False
        self._pass = threading.Lock()  # one pass over the queue at a time
        self._thread: threading.Thread | None = None
        #: the job being sent and its gate (:meth:`stop` closes it), under ``_sending_lock``
        self._current: tuple[int, Gate] | None = None
        self._sending_lock = threading.Lock()
        self._given_up: set[int] = set()  # jobs put back in the queue by :meth:`stop`

    # -- control ------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="souk-print", daemon=True)
        self._thread.start()
        self.notify()  # jobs left from before a restart, if still fresh

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop the thread, waiting at most ``timeout`` seconds for it. A thread still
        there is held up by the printer (hung in the middle of a job, or slow): the job is
        let go (:meth:`give_up`) and the thread left to end with the process. Returns the
        id of a job put back in the queue, if any."""
        self.halt()
        thread, self._thread = self._thread, None
        if thread is None:
            return None
        thread.join(timeout)
        return self.give_up() if thread.is_alive() else None

    def halt(self) -> None:
        """Print nothing after the job being sent, if any, which goes on (the app
        closing); :meth:`finishing` then tells whether the printer is still taking it."""
        self._stop.set()
        self._wake.set()
        self._moved()  # from now on

    def finishing(self, wait: float = 0.0) -> bool:
        """Once halted, wait at most ``wait`` seconds for the thread to end: whether it is
        still there, sending a job that the printer took some of since the last look (the
        receipt comes out whole if let finish). False when the thread ended, or is held
        up by a printer that took nothing meanwhile (it hangs: :meth:`stop` lets it go)."""
        thread = self._thread
        if thread is None:
            return False
        thread.join(wait)
        return thread.is_alive() and self._moved()

    def _moved(self) -> bool:
        with self._sending_lock:
            current = self._current
        return current is not None and current[1].moved()

    def give_up(self) -> int | None:
        """Let go of the job being sent: nothing more of it goes to the printer. When it
        cannot have come out whole (its image had not all gone out), it is back in the
        queue as it was before this attempt, to print at the next start; otherwise it
        stays ``sending``, and the seller is asked about it after a restart
        (:meth:`recover`). The id of the job put back, if any."""
        with self._sending_lock:
            current = self._current
            if current is None:
                return None
            job_id, gate = current
            if not gate.close():
                return None
            self._given_up.add(job_id)
            with self.store.write() as s:
                job = s.get(PrintJob, job_id)
                if job is None or job.status != SENDING:
                    return None
                job.status = QUEUED
                job.attempts = max(0, job.attempts - 1)  # this one never reached the printer
        log.info("print job %s was put back in the queue: the printer held it up", job_id)
        return job_id

    def notify(self) -> None:
        """A new job was queued: print the fresh ones."""
        self._wake.set()

    def retry(self) -> None:
        """Print everything still queued, failed and old jobs included."""
        self._retry = True
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            self.recover()
        except Exception:
            log.exception("print queue recovery failed")
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                break
            include_old, self._retry = self._retry, False
            try:
                self.run_once(include_old=include_old)
            except Exception:  # never let the thread die: the next wake tries again
                log.exception("print queue pass failed")

    # -- after a restart -----------------------------------------------------------------

    def recover(self) -> list[int]:
        """Drop the test pages left from before (queued, sending or unsure), mark the jobs
        left ``sending`` by a crash as ``unsure`` and report every unsure job (state
        ``unsure``), so the seller is asked about each. Run once when the worker starts,
        before any job is printed (the thread does it). Returns their ids."""
        with self._pass, self.store.write() as s:
            left = (QUEUED, SENDING, UNSURE)
            for job in s.scalars(select(PrintJob).where(PrintJob.kind == TEST,
                                                        PrintJob.status.in_(left))):
                job.status = CANCELLED
            for job in s.scalars(select(PrintJob).where(PrintJob.status == SENDING)):
                job.status = UNSURE
                job.last_error = STOPPED
            s.flush()
            lang = self._language(s)
            config = PrinterSettings.load(s)
            found = [(job.id, job.kind, job.ref, self._label(s, job, config), reason(job))
                     for job in unsure(s)]  # fmt: skip
        for job_id, kind, ref, label, why in found:
            self._emit_unsure(job_id, kind, ref, lang, label, why)
        return [job_id for job_id, *_ in found]

    @staticmethod
    def _label(session: Session, job: PrintJob, config: PrinterSettings) -> str:
        """The number the seller knows the job's document by ("" if it cannot be built)."""
        try:
            return document_label(build_document(session, job, config))
        except Exception:
            return ""

    def _emit_unsure(self, job_id: int, kind: str, ref: str, lang: str, label: str,
                     why: Reason, detail: str = "") -> None:
        message = unsure_message(lang, kind, label, why)
        self._emit(PrintEvent(job_id, kind, ref, "unsure", message, detail, label, why))

    # -- one pass -----------------------------------------------------------------------

    def run_once(self, *, include_old: bool = False) -> int:
        """Print what is due now, in order; stop at the first printer failure.

        Returns the number of jobs printed. Runs on the caller's thread (the worker thread
        calls it; tests and command-line tools may too).
        """
        with self._pass:
            printed = 0
            for job_id in self._due(include_old):
                if self._stop.is_set():
                    break
                outcome = self._print(job_id)
                if outcome == "printed":
                    printed += 1
                elif outcome == "offline":
                    break
            return printed

    def _due(self, include_old: bool) -> list[int]:
        with self.store.read() as s:
            query = select(PrintJob.id).where(PrintJob.status == QUEUED).order_by(PrintJob.id)
            since = utcnow() - self.fresh_for
            fresh = (PrintJob.attempts == 0) & (PrintJob.created_at >= since)
            # a retry prints the old receipts too, never an old test page
            query = query.where(fresh if not include_old else fresh | (PrintJob.kind != TEST))
            return list(s.scalars(query))

    def _language(self, session: Session) -> str:
        return normalise_language(self.lang or settings.get(session, settings.LANGUAGE))

    def _print(self, job_id: int) -> Literal["printed", "offline", "skipped", "failed"]:
        with self.store.read() as s:
            job = s.get(PrintJob, job_id)
            if job is None or job.status != QUEUED:
                return "skipped"
            kind, ref, duplicate = job.kind, job.ref, job.duplicate
            lang = self._language(s)
            config = PrinterSettings.load(s)
            try:
                document = build_document(s, job, config)
            except Exception as exc:
                log.exception("cannot build print job %s", job_id)
                detail = f"{type(exc).__name__}: {exc}"[:250]
                message = failure_message(lang, kind, "printing.error.document", detail=detail)
                self._finish(job_id, FAILED, detail, attempt=True)
                self._emit(PrintEvent(job_id, kind, ref, "failed", message, detail,
                                      cause="document"))  # fmt: skip
                return "failed"
        self._emit(PrintEvent(job_id, kind, ref, "printing", tr(lang, "printing.state.printing")))
        try:
            if config.connection == "none" and self.opener is open_printer:
                raise PrinterError("printing.error.not_configured")
            if not config.width_ok:
                width = config.width_dots
                raise PrinterError("printing.error.paper_width", f"width_dots={width!r}",
                                   width=width)  # fmt: skip
            raster = Renderer(config.width_dots).render(document)
            if raster.missing:
                log.warning("no glyph for %s in job %s", sorted(raster.missing), job_id)
        except PrinterError as exc:
            return self._failed(job_id, kind, ref, lang, exc, attempt=True)
        gate = Gate()
        if not self._sending(job_id, gate):
            return "skipped"
        drawer = document.open_drawer and not duplicate  # an original's first print only
        label = document_label(document)
        try:
            answers = self._send(kind, raster, config, drawer, gate)
        except MayHavePrinted as exc:  # the whole image went out, then the connection failed
            log.warning("print job %s may have printed: %s", job_id, exc.detail)
            error = f"{CUT_OFF} {exc.detail}"
            return self._may_have_printed(job_id, kind, ref, lang, label, "cut_off", error,
                                          exc.detail)  # fmt: skip
        except PrinterError as exc:
            return self._failed(job_id, kind, ref, lang, exc, attempt=False)
        except Exception as exc:  # a fault while sending: the receipt may be out
            log.exception("print job %s failed while sending", job_id)
            detail = f"{type(exc).__name__}: {exc}"
            return self._may_have_printed(job_id, kind, ref, lang, label, "fault", detail,
                                          detail[:250])  # fmt: skip
        finally:
            with self._sending_lock:
                self._current = None
        try:
            self._finish(job_id, PRINTED, "")
        except Exception:  # it stays "sending": after a restart the seller is asked
            log.exception("print job %s printed but could not be marked printed", job_id)
        answers = self._learned(config, answers)
        self._emit(PrintEvent(job_id, kind, ref, "printed", tr(lang, "printing.state.printed"),
                              answers=answers))  # fmt: skip
        return "printed"

    def _send(self, kind: str, raster: Raster, config: PrinterSettings,
              drawer: bool, gate: Gate) -> bool | None:  # fmt: skip
        """Print a job's image. A test page's tells whether the printer answered the
        status request asked after it (None: not asked; see
        :func:`~pos.printing.escpos_out.print_test_page`)."""
        if kind == TEST:
            return print_test_page(raster, config, opener=self.opener, gate=gate)
        print_raster(raster, config, open_drawer=drawer, opener=self.opener, gate=gate)
        return None

    def _learned(self, config: PrinterSettings, answers: bool | None) -> bool | None:
        """Record in the printer settings whether the printer of ``config`` answers status
        requests (``check_status``), unless they name another printer by now or know it
        already (the seller saved other settings while the page printed). ``answers`` when
        it was recorded, else None."""
        if answers is None:
            return None
        try:
            with self.store.write() as s:
                stored = settings.get(s, settings.PRINTER)
                now = PrinterSettings.from_dict(stored if isinstance(stored, dict) else None)
                same = (now.connection, now.address) == (config.connection, config.address)
                if not same or now.check_status is not None:
                    return None
                settings.put(s, settings.PRINTER, {**stored, "check_status": answers})
        except Exception:  # asked again at the next test page
            log.exception("whether the printer answers could not be recorded")
            return None
        log.info("the printer %s status requests", "answers" if answers else "does not answer")
        return answers

    def _failed(
        self, job_id: int, kind: str, ref: str, lang: str, exc: PrinterError, *, attempt: bool
    ) -> Literal["offline"]:
        """The printer could not take the job: a receipt or report waits for a retry; a
        test page is cancelled (the seller asks for another)."""
        detail = exc.detail or exc.key
        self._finish(job_id, CANCELLED if kind == TEST else QUEUED, detail, attempt=attempt)
        message = failure_message(lang, kind, exc.key, **exc.params)
        cause = exc.key.rsplit(".", 1)[-1]
        self._emit(PrintEvent(job_id, kind, ref, "failed", message, detail, cause=cause))
        return "offline"

    def _may_have_printed(
        self, job_id: int, kind: str, ref: str, lang: str, label: str, why: Reason, error: str,
        detail: str,
    ) -> Literal["offline"]:  # fmt: skip
        """The job may have come out whole: a receipt or report is ``unsure`` and the
        seller is asked about it (it is never printed again by itself); a test page is done
        with (the seller is at the printer, looking at it), and its event says so."""
        if kind == TEST:
            self._finish(job_id, CANCELLED, error)
            message = tr(lang, f"printing.test_error.{why}")
            self._emit(PrintEvent(job_id, kind, ref, "failed", message, detail, cause=why))
        else:
            self._finish(job_id, UNSURE, error)
            self._emit_unsure(job_id, kind, ref, lang, label, why, detail)
        return "offline"

    def _sending(self, job_id: int, gate: Gate) -> bool:
        """Record (and commit) that the job's bytes are about to go out, through ``gate``
        (unless the worker is stopping)."""
        with self._sending_lock:
            if self._stop.is_set():
                return False
            with self.store.write() as s:
                job = s.get(PrintJob, job_id)
                if job is None or job.status != QUEUED:
                    return False
                job.status = SENDING
                job.attempts += 1
            self._current = (job_id, gate)
            return True

    def _finish(self, job_id: int, status: str, error: str, *, attempt: bool = False) -> None:
        if job_id in self._given_up:  # back in the queue for the next start: left so
            return
        with self.store.write() as s:
            job = s.get(PrintJob, job_id)
            if job is None:
                return
            if attempt:
                job.attempts += 1
            job.status = status
            job.last_error = error[:300]
            if status == PRINTED:
                job.printed_at = utcnow()

    def _emit(self, event: PrintEvent) -> None:
        if self.on_event is None or event.job_id in self._given_up:
            return
        try:
            self.on_event(event)
        except Exception:
            log.exception("print event callback failed")
