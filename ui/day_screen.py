"""The business day: open it with a float (offered: what the last close left in the box,
:func:`pos.day.float_guess`), put cash in or take it out, read the X report
(and the last Z on screen, with a copy to print),
and close it with a count by note and coin (running total, difference called out), then
the Z report. Closing is for good: it is confirmed first, with the cash expected, counted
and the difference in words (an empty count is called out, going back to count being the
default), and only then is the manager's PIN asked. Opening a day when the laptop's date
is outside the market's dates, or its clock went back before the till's last record
(``pos.clock.opening_doubt``), first asks whether to open anyway, saying what is wrong
(not opening is the default). Closing while the sale screen has a cart not paid yet, or
carts are parked (:mod:`pos.held`), says so first, with their lines and totals: they are
not sales and stay for the next day; the parts of their payment already taken are named,
to be finished or given back (going back is the default)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression, Qt, QTimer
from PySide6.QtGui import QRegularExpressionValidator, QShowEvent
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QWidget

from pos import backup, clock, day, receipts, settings
from pos.errors import SoukError
from pos.i18n import latin_digits
from pos.money import NOTES_AND_COINS, format_amount, format_money
from pos.reports import DayReport, day_report
from ui.context import AppContext
from ui.figures import rich_table
from ui.line_dialogs import ValueDialog, fit_texts
from ui.printing import PrintService, ReceiptDialog, since_text
from ui.tasks import Task
from ui.widgets import (
    Banner,
    Dialog,
    Texts,
    ask_manager,
    banner_paths,
    button,
    card,
    confirm,
    hbox,
    label,
    named,
    vbox,
    when_visible,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from pos.models import PrintJob

class CountField(QLineEdit):
    """How many notes or coins of one kind: digits only (Arabic-Indic accepted)."""

    def __init__(self) -> None:
        super().__init__()
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9٠-٩]{0,5}")))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setPlaceholderText("0")
        self.setMinimumWidth(80)
        self.setMaximumWidth(140)
        self.setStyleSheet("font-size: 17px; padding: 2px 8px;")

    def value(self) -> int:
        text = latin_digits(self.text())
        return int(text) if text.isdigit() else 0

    def setValue(self, value: int) -> None:
        self.setText(str(value) if value else "")


class CashDialog(Dialog):
    """Cash put in or taken out of the drawer, with a reason."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, kind: str) -> None:
        super().__init__(ctx, parent, "cashDialog", f"ui.day.cash_{kind}_title")
        self.kind = kind
        self.amount_value = 0
        cap = label("cashAmountCaption")
        self.texts.bind(cap.setText, "ui.pay.amount")
        self.amount = named(QLineEdit(), "cashAmount", ctx.t("ui.pay.amount"))
        rcap = label("cashReasonCaption")
        self.texts.bind(rcap.setText, "ui.day.reason")
        self.reason = named(QLineEdit(), "cashReason", ctx.t("ui.day.reason"))
        self.body.addWidget(cap)
        self.body.addWidget(self.amount)
        self.body.addWidget(rcap)
        self.body.addWidget(self.reason)
        fit_texts(self, self.title)
        self.fit(self.minimumWidth())
        self.amount.setFocus()

    def validate(self) -> None:
        from pos.money import parse_money

        self.amount_value = parse_money(self.amount.text(), allow_zero=False)
        with self.ctx.write() as s:
            day.cash_movement(s, self.kind, self.amount_value, self.reason.text(),
                              user=self.ctx.user)


class DayScreen(QWidget):
    def __init__(self, ctx: AppContext, printer: PrintService) -> None:
        super().__init__()
        named(self, "dayScreen")
        self.ctx = ctx
        self.printer = printer
        self.texts = Texts(ctx)
        self.counts: dict[int, CountField] = {}
        self.expected = 0
        self.last_z: int | None = None
        t = self.texts
        title = label("dayTitle", style="title")
        t.bind(title.setText, "ui.day.title")
        self.state = label("dayState", style="subtitle", wrap=True)
        self.summary = label("daySummary", wrap=True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.banner = Banner("dayMessage")
        self.open_btn = button("dayOpen", role="primary")
        self.cash_in_btn = button("dayCashIn")
        self.cash_out_btn = button("dayCashOut")
        self.x_btn = button("dayXReport")
        self.last_z_btn = button("dayLastZ")
        for btn, key, slot in (
            (self.open_btn, "ui.day.open", self.open_day),
            (self.cash_in_btn, "ui.day.cash_in", lambda: self.cash("in")),
            (self.cash_out_btn, "ui.day.cash_out", lambda: self.cash("out")),
            (self.x_btn, "ui.day.x_report_short", self.x_report),
            (self.last_z_btn, "ui.day.last_z", self.view_last_z),
        ):
            t.button(btn, key)
            btn.clicked.connect(slot)
        left = card()
        column_left = vbox(title, self.state, self.summary, None, self.open_btn, margins=16)
        column_left.addLayout(hbox(self.cash_in_btn, self.cash_out_btn))
        column_left.addLayout(hbox(self.x_btn, self.last_z_btn))
        left.setLayout(column_left)
        left.setMinimumWidth(300)
        left.setMaximumWidth(420)
        self.count_card = self._count_card()
        layout = hbox(spacing=12, margins=12)
        column = vbox(self.banner, spacing=8)
        column.addLayout(hbox(left, self.count_card, spacing=12))
        layout.addLayout(column)
        self.setLayout(layout)
        ctx.language_changed.connect(lambda _l: self.retranslate())
        ctx.day_changed.connect(when_visible(self, self.refresh))
        ctx.sales_changed.connect(when_visible(self, self.refresh))

    def _count_card(self) -> QWidget:
        t = self.texts
        box = card()
        title = label("countTitle", style="subtitle")
        t.bind(title.setText, "ui.day.count_title")
        hint = label("countHint", style="muted", wrap=True)
        t.bind(hint.setText, "ui.day.count_hint")
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        rows = -(-len(NOTES_AND_COINS) // 2)  # two columns, the notes first
        for i, value in enumerate(NOTES_AND_COINS):
            row, col = i % rows, (i // rows) * 3
            name = label(f"countLabel_{value}")
            name.setText(format_money(value, self.ctx.lang))
            spin = named(CountField(), f"count_{value}", format_money(value, self.ctx.lang))
            spin.textChanged.connect(self._update_count)
            self.counts[value] = spin
            grid.addWidget(name, row, col)
            grid.addWidget(spin, row, col + 1)
        grid.setColumnMinimumWidth(2, 24)
        self.counted_label = label("countTotal", style="subtitle")
        self.expected_label = label("countExpected")
        self.difference = label("countDifference", style="bigTotal", wrap=True)
        self.close_btn = button("dayClose", role="pay")
        t.button(self.close_btn, "ui.day.close")
        self.close_btn.clicked.connect(self.close_day)
        layout = vbox(title, hint, spacing=8, margins=16)
        layout.addLayout(grid)
        layout.addSpacing(8)
        layout.addWidget(self.counted_label)
        layout.addWidget(self.expected_label)
        layout.addWidget(self.difference)
        layout.addStretch(1)
        layout.addWidget(self.close_btn)
        box.setLayout(layout)
        return box

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._focus_first)  # once the screen is refreshed

    def _focus_first(self) -> None:
        """Where the manager starts on coming to the screen: the first note of the count
        on an open day (typing counts, Enter opens nothing), the Open button on a closed
        one."""
        if self.isVisible():
            opened = self.count_card.isVisible()
            (next(iter(self.counts.values())) if opened else self.open_btn).setFocus()

    # --- state ------------------------------------------------------------------
    def refresh(self) -> None:
        lang, t = self.ctx.lang, self.ctx.t
        with self.ctx.read() as s:
            current = day.current_day(s)
            report = day_report(s, current) if current else None
            closed = [d for d in day.days(s) if d.z_number is not None]
            self.last_z = closed[0].id if closed else None
        is_open = current is not None
        for btn in (self.cash_in_btn, self.cash_out_btn, self.x_btn):
            btn.setEnabled(is_open)
        self.open_btn.setVisible(not is_open)
        self.count_card.setVisible(is_open)
        self.last_z_btn.setVisible(self.last_z is not None)
        if report is None:
            self.state.setText(t("ui.day.closed_state"))
            self.summary.setText(t("ui.day.closed_hint"))
            self.expected = 0
            return
        self.state.setText(t("ui.day.open_state", date=report.date.strftime("%d/%m/%Y")))
        cash = report.cash
        rows = [
            (t("report.float"), format_money(cash.opening_float, lang)),
            (t("ui.day.cash_sales"), format_money(cash.cash_sales, lang)),
            (t("report.cash_in"), format_money(cash.cash_in, lang)),
            (t("report.cash_out"), format_money(-cash.cash_out, lang)),
            (t("report.expected"), format_money(cash.expected, lang)),
            *self._sales_rows(report),
        ]
        self.summary.setText(rich_table(((a, f"<b>{b}</b>") for a, b in rows), lang))
        self.expected = cash.expected
        self._update_count()

    def _sales_rows(self, report: DayReport) -> list[tuple[str, str]]:
        """The day's sales, refunds (and voids, when any) with their counts, and the net
        they leave, as the X and Z reports give them: a sale refunded shows why the net
        is back to nothing."""
        lang, t = self.ctx.lang, self.ctx.t
        rows = [
            (f"{t('report.sales')} ({report.sales_count})", format_money(report.gross, lang)),
            (f"{t('report.refunds')} ({report.refunds_count})",
             format_money(-report.refunds, lang)),
        ]
        if report.voids_count:
            rows.append((f"{t('report.voids')} ({report.voids_count})",
                         format_money(-report.voids, lang)))
        rows.append((t("report.net"), format_money(report.net, lang)))
        return rows

    def counted(self) -> dict[int, int]:
        return {d: spin.value() for d, spin in self.counts.items() if spin.value()}

    def _update_count(self) -> None:
        lang, t = self.ctx.lang, self.ctx.t
        counts = self.counted()
        total = day.counted_total(counts)
        for value, spin in self.counts.items():
            n = spin.value()
            spin.setToolTip(format_money(value * n, lang))
        self.counted_label.setText(t("ui.day.counted", amount=format_money(total, lang)))
        self.expected_label.setText(t("ui.day.expected", amount=format_money(self.expected, lang)))
        if counts or not self.expected:
            text, colour = self._difference(total - self.expected)
        else:  # nothing typed yet: no shortfall to call out before the count starts
            text, colour = t("ui.day.not_counted"), "#475467"
        self.difference.setText(text)
        self.difference.setStyleSheet(f"color: {colour}; font-size: 26px;")
        self.difference.setAccessibleName(text)

    def _difference(self, diff: int) -> tuple[str, str]:
        """The difference counted minus expected in words, and its colour."""
        lang, t = self.ctx.lang, self.ctx.t
        if diff == 0:
            return t("ui.day.exact"), "#067647"
        if diff < 0:
            return t("ui.day.missing", amount=format_money(-diff, lang)), "#b42318"
        return t("ui.day.surplus", amount=format_money(diff, lang)), "#b54708"

    # --- actions ----------------------------------------------------------------
    def open_day(self) -> None:
        if self.ctx.open_day() is not None or not self._clock_right_or_confirmed():
            return
        dialog = self._float_dialog()
        if not dialog.exec():
            return
        try:
            with self.ctx.write() as s:
                day.open_day(s, dialog.value, user=self.ctx.user)
        except SoukError as exc:
            self.banner.error(exc.message(self.ctx.lang))
            return
        self.ctx.day_changed.emit()

    def _float_dialog(self) -> ValueDialog:
        """The float's dialog, offering what the last close left in the box (or that
        day's float, when nothing was counted), said under the field; the first day, the
        usual float."""
        lang, t = self.ctx.lang, self.ctx.t
        with self.ctx.read() as s:
            guess = day.float_guess(s)
        dialog = ValueDialog(self.ctx, self, "openDayDialog", "ui.day.open",
                             t("ui.day.float_caption"), format_amount(guess.amount, lang),
                             kind="money")
        if guess.date is not None:
            hint = label("openDayHint", style="muted", wrap=True)
            key = "ui.day.float_counted" if guess.source == "counted" else (
                "ui.day.float_not_counted")
            hint.setText(t(key, date=f"{guess.date:%d/%m/%Y}",
                           amount=format_money(guess.amount, lang)))
            dialog.body.addWidget(hint)
            fit_texts(dialog, dialog.title, dialog.caption, hint)
        return dialog

    def _clock_right_or_confirmed(self) -> bool:
        """Whether to go on opening the day: the laptop's clock looks right, or the manager,
        told what looks wrong with it, opens anyway."""
        with self.ctx.read() as s:
            doubt = clock.opening_doubt(s)
        if doubt is None:
            return True
        return confirm(self.ctx, self, "openDayClock", "ui.day.clock_title",
                       doubt.message(self.ctx.lang), "ui.day.clock_open", "ui.day.clock_back",
                       risky=True)

    def cash(self, kind: str) -> None:
        if CashDialog(self.ctx, self, kind).exec():
            self.banner.notice(self.ctx.t("ui.day.cash_done"))
            self.ctx.day_changed.emit()

    def x_report(self) -> None:
        current = self.ctx.open_day()
        if current is None:
            return
        with self.ctx.read() as s:
            document = receipts.load_day_report(s, current.id, "x")
        self.printer.print_job("x", current.id)
        self.printer.show_document(self, document)

    def show_last_z(self, *, duplicate: bool = False) -> None:
        if self.last_z is None:
            return
        with self.ctx.read() as s:
            document = receipts.load_day_report(s, self.last_z, "z", duplicate=duplicate)
        self.printer.show_document(self, document)

    def view_last_z(self) -> None:
        """The last Z report on screen, as a copy of it prints (marked as a duplicate, the
        original having printed at the close), with "Print a copy" when a printer is set
        up. A copy is queued on that press alone, and never while the report (its original
        or a copy) still waits for the printer: pressed twice, or with the printer off, it
        would come out twice; the dialog says it is waiting instead."""
        if self.last_z is None:
            return
        with self.ctx.read() as s:
            document = receipts.load_day_report(s, self.last_z, "z", duplicate=True)
        dialog = self.printer.dialog(self, document)
        if self.printer.configured:
            copy = button("receiptPrintCopy")
            copy.setText(self.ctx.t("ui.day.z_copy"))
            copy.clicked.connect(lambda: self._print_z_copy(dialog, copy))
            dialog.add_action(copy)
            with self.ctx.read() as s:
                waiting = self._z_waiting(s)
                since = waiting[0].created_at if waiting else None
            if since is not None:
                self._z_copy_held(dialog, copy, "ui.day.z_copy_waiting", since)
        dialog.exec()

    def _z_waiting(self, session: Session) -> list[PrintJob]:
        """The last Z's jobs still waiting for the printer (:func:`queue.waiting_for`)."""
        from pos.printing import queue

        return queue.waiting_for(session, "z", self.last_z or 0)

    def _print_z_copy(self, dialog: ReceiptDialog, copy: QPushButton) -> None:
        """Queue a copy of the last Z, unless the report already waits for the printer."""
        with self.ctx.write() as s:
            waiting = self._z_waiting(s)
            since = waiting[0].created_at if waiting else None
            if not waiting:
                self.printer.enqueue(s, "z", self.last_z or 0, duplicate=True)
        if since is not None:
            self._z_copy_held(dialog, copy, "ui.day.z_copy_waiting", since)
            return
        self.printer.notify()
        self.printer.refresh_queue()
        self._z_copy_held(dialog, copy, "ui.day.z_copy_sent")

    def _z_copy_held(self, dialog: ReceiptDialog, copy: QPushButton, key: str,
                     since: dt.datetime | None = None) -> None:
        """"Print a copy" disabled, and why: a copy sent, or the report waiting for the
        printer ``since`` (naive UTC: the oldest of its jobs waiting, said in local time,
        with its date when not today)."""
        copy.setEnabled(False)
        params = {} if since is None else {"time": since_text(since, self.ctx.lang)}
        dialog.banner.notice(self.ctx.t(key, **params), seconds=0)

    def _confirm_close(self) -> bool:
        """Whether the seller, shown the cash expected, counted and the difference, still
        closes the day. An empty count while cash is expected is called out; then, as with
        any difference, going back to the count is the default (Enter closes nothing)."""
        lang, t = self.ctx.lang, self.ctx.t
        counts = self.counted()
        total = day.counted_total(counts)
        figures = "\n".join((t("ui.day.expected", amount=format_money(self.expected, lang)),
                             t("ui.day.counted", amount=format_money(total, lang)),
                             self._difference(total - self.expected)[0]))
        if not counts and self.expected:
            title, question, yes = ("ui.day.close_empty_title", "ui.day.close_empty_question",
                                    "ui.day.close_empty_yes")
        else:
            title, question, yes = ("ui.day.close_confirm_title",
                                    "ui.day.close_confirm_question", "ui.day.close_confirm_yes")
        return confirm(self.ctx, self, "closeDayConfirm", title, t(question, figures=figures),
                       yes, "ui.day.close_back", risky=total != self.expected)

    def _held_confirmed(self) -> bool:
        """Whether to go on closing with a cart in progress on the sale screen (not paid:
        the sale screen keeps it in the database as it changes, and when it is left) or
        carts parked: they count in no figure and stay for the next day; their lines and
        totals, and the payments already taken for them, are named."""
        from pos import held
        from pos.i18n import tr_count
        from ui.payment import parts_text

        with self.ctx.read() as s:
            current = held.current(s)
            carts = held.parked(s)
        if current is None and not carts:
            return True
        lang, t = self.ctx.lang, self.ctx.t
        words = []
        if current is not None:
            words.append(tr_count(lang, "ui.day.current_question", len(current.cart.lines),
                                  total=format_money(current.total, lang)))
            if current.payments:
                words.append(t("ui.day.current_taken",
                               parts=parts_text(self.ctx, current.payments)))
        if carts:
            total = format_money(sum(kept.total for kept in carts), lang)
            words.append(tr_count(lang, "ui.day.parked_question", len(carts), total=total))
            taken = [part for kept in carts for part in kept.payments]
            if taken:
                words.append(t("ui.day.parked_taken", parts=parts_text(self.ctx, taken)))
        words.append(t("ui.day.parked_rest" if carts else "ui.day.current_rest"))
        title = "ui.day.current_title" if current is not None else "ui.day.parked_title"
        return confirm(self.ctx, self, "closeDayParked", title, "\n".join(words),
                       "ui.day.parked_yes", "ui.day.parked_back", risky=True)

    def close_day(self) -> None:
        if not self._held_confirmed():
            return
        if not self._confirm_close():
            first = next(iter(self.counts.values()))
            first.setFocus()
            return
        manager = ask_manager(self.ctx, self, "ui.pin.reason_close")
        if manager is None:
            return
        try:
            with self.ctx.write() as s:
                closed = day.close_day(s, self.counted(), manager=manager)
                self.printer.enqueue(s, "z", closed.id)
                day_id = closed.id
                keep = int(settings.get(s, settings.BACKUPS_KEPT, backup.DEFAULT_KEPT))
                chosen = settings.get(s, settings.BACKUP_FOLDER)
        except SoukError as exc:
            self.banner.error(exc.message(self.ctx.lang))
            return
        self.printer.notify()
        self.backup_after_close(keep, chosen)
        for spin in self.counts.values():
            spin.setValue(0)
        self.ctx.day_changed.emit()
        self.ctx.sync_requested.emit()
        self.last_z = day_id
        self.show_last_z()

    def backup_after_close(self, keep: int, chosen: str | None = None) -> None:
        """A rolling backup of the closed day, off the UI thread, in the folder the manager
        chose (else, and when it is missing or full, the laptop's own, which the banner
        says, as it says when the folder chosen is on the laptop's own disk: a USB stick's
        mount point while the stick is out); where it went is said, a failure is shown, the
        day stays closed."""
        path = self.ctx.db_path
        self.backup_task = Task(
            lambda _progress: backup.backup_to(path, chosen, label="z", keep=keep), self)
        self.backup_task.succeeded.connect(self._backed_up)
        self.backup_task.failed.connect(lambda exc: self.banner.error(
            exc.message(self.ctx.lang) if isinstance(exc, SoukError)
            else self.ctx.t("ui.backup.failed", reason=str(exc)[:160]), seconds=20))
        self.backup_task.start()

    def _backed_up(self, written: backup.Written) -> None:
        """Where the closed day's backup went, said either way: the manager closing the day
        learns that it is safe, and where. A path longer than the banner's line is
        shortened in its folder (:func:`~ui.widgets.shown_path`), the message with the paths
        whole in its tooltip."""
        shown = banner_paths(self, self.banner)
        text = backup.done_text(self.ctx.lang, written, shown=shown)
        tip = backup.done_text(self.ctx.lang, written) if shown.shortened else ""
        if written.as_meant:
            self.banner.notice(text, seconds=20, tip=tip)
        else:
            self.banner.error(text, seconds=20, tip=tip)

    def retranslate(self) -> None:
        self.texts.apply()
        for value, spin in self.counts.items():
            spin.setAccessibleName(format_money(value, self.ctx.lang))
            lab = self.findChild(QWidget, f"countLabel_{value}")
            if lab is not None:
                lab.setText(format_money(value, self.ctx.lang))  # type: ignore[attr-defined]
        if self.isVisible():
            self.refresh()
