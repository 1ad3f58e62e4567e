"""A barcode scanner types like a keyboard: a fast burst of digits ending with Enter (a 2D
scanner reading a receipt's QR code types ``SOUK1:...`` the same way).

:class:`ScannerFilter` watches key presses application-wide (wherever the focus is). When
Enter ends a burst (at least :data:`MIN_LENGTH` digits, or a receipt's code) typed less than
:data:`MAX_GAP` seconds apart, it swallows the Enter, takes the digits back out of the
field that received them (the field is left as it was), and emits ``scanned(code)``. A
person typing is never that fast, so their digits and Enter go through untouched.

A scanner sends the keys of its digits, which the laptop's keyboard layout turns into
characters: Arabic-Indic digits (٦١١...) with an Arabic layout, and with the French AZERTY
layout of most Moroccan laptops, the unshifted keys of the digit row (``-&&&é'(...`` for
6111245...) when the scanner is set for a QWERTY keyboard. Both are read as the digits
they stand for (:func:`code_of`).

Modal dialogs (amounts, names) are left alone, unless the dialog sets the property
:data:`SCANS` (``dialog.setProperty(SCANS, ...)``): with :data:`TO_CART` a scan made while
it is open is read as everywhere else (the payment dialog and the sale screen's weight,
quantity, discount and price dialogs: the product joins the cart instead of the digits
going into the field and Enter confirming it); with :data:`BLOCK` the scan is dropped, its
digits taken back and its Enter swallowed (a confirmation that a scanner's Enter must not
answer; the PIN dialog, where a code would be tried as a PIN), and a dialog that has a
``scan_refused()`` method is told, to say so. (The sign-in screen is no dialog: the window
that receives ``scanned`` tells it.)

A PIN typed by hand is safe: PINs of 4 or 5 digits are shorter than any scan, and a
longer one is read as a scan only if every key, Enter too, came within :data:`MAX_GAP` of
the one before, a pace no hand keeps up over six keys (a scanner sends its keys a few ms
apart). Should it happen, the scan is dropped with the dialog's message, never tried.

Signals:
    scanned(str): a code was read.
"""

from __future__ import annotations

import time
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QWidget,
)

from pos.i18n import latin_digits

MIN_LENGTH: Final = 6
MAX_GAP: Final = 0.05  # seconds between two keys of a scan
_INPUTS: Final = (QLineEdit, QAbstractItemView, QAbstractSpinBox, QAbstractButton)
SCANS: Final = "scans"  # dialog property: what a scan made while the dialog is open does
TO_CART: Final = "cart"
BLOCK: Final = "block"
RECEIPT: Final = "SOUK1:"  # what a receipt's QR code starts with (:mod:`pos.witness`)


_AZERTY_DIGITS: Final = str.maketrans("&é\"'(-è_çà", "1234567890")  # the unshifted keys


def code_of(typed: str) -> str:
    """The code a scanner's burst ``typed`` stands for: its digits written 0-9 whatever the
    keyboard layout made of them (see the module's text); else ``typed``."""
    code = latin_digits(typed)
    azerty = code.translate(_AZERTY_DIGITS)
    return azerty if azerty.isdigit() and not is_receipt(code) else code


def is_scan(code: str) -> bool:
    """Whether a burst typed as fast as a scanner types is a code to act on: a product's
    barcode (digits), or a receipt's QR code (``SOUK1:...``, read by a 2D scanner)."""
    return (code.isdigit() and len(code) >= MIN_LENGTH) or is_receipt(code)


def is_receipt(code: str) -> bool:
    """Whether ``code`` is read off a receipt's QR code, not a product's barcode."""
    return code.upper().startswith(RECEIPT)


class ScannerFilter(QObject):
    scanned = Signal(str)

    def __init__(self, window: QWidget, clock: object = time.monotonic) -> None:
        super().__init__(window)
        self.window = window
        self._clock = clock
        self._typed: list[str] = []
        self._last = 0.0
        self._receiver: QObject | None = None  # the widget the burst's keys go to
        self._field: QLineEdit | None = None
        self._before = self._state(None)
        self.enabled = True

    def _reset(self) -> None:
        self._typed.clear()
        self._receiver = None
        self._field = None

    def _editor(self, widget: QObject) -> QLineEdit | None:
        if isinstance(widget, QLineEdit):
            return widget
        if isinstance(widget, QAbstractSpinBox):
            return widget.findChild(QLineEdit)
        return None

    @staticmethod
    def _state(field: QLineEdit | None) -> tuple[str, int, int, int]:
        """``field``'s text, cursor and selection (start, length), to put back after a scan."""
        if field is None:
            return ("", 0, -1, 0)
        return (
            field.text(),
            field.cursorPosition(),
            field.selectionStart(),
            len(field.selectedText()),
        )

    def _restore(self, field: QLineEdit) -> None:
        """Put ``field`` back as it was before the scan, its selection too: a value shown
        selected (the quantity of a line) is still replaced by what the seller types."""
        text, cursor, start, length = self._before
        field.setText(text)
        if start >= 0 and length:
            field.setSelection(start, length)
        else:
            field.setCursorPosition(cursor)

    def _holds(self, field: QLineEdit, code: str) -> bool:
        """Whether ``field`` holds the scan's digits: all of them, or as many as its maximum
        length let in (the PIN field takes 8 of an EAN-13's 13)."""
        text = field.text()
        if code in text:
            return True
        before, cursor, start, length = self._before
        if start >= 0 and length:
            head, tail = before[:start], before[start + length :]
        else:
            head, tail = before[:cursor], before[cursor:]
        room = max(field.maxLength() - len(head) - len(tail), 0)
        return text == head + code[:room] + tail

    @staticmethod
    def _refused() -> None:
        """Tell the dialog that a scan was dropped, if it has something to say about it."""
        tell = getattr(QApplication.activeModalWidget(), "scan_refused", None)
        if callable(tell):
            tell()

    def _is_receiver(self, watched: QObject) -> bool:
        """Whether ``watched`` is the first receiver of the key (not a parent it propagated
        to): the focus widget, or with no focus (a window not yet active) an input widget of
        this window."""
        focus = QApplication.focusWidget()
        if focus is not None and focus.window().isVisible():
            return watched is focus
        if not isinstance(watched, _INPUTS):
            return False
        return isinstance(watched, QWidget) and watched.window() is self.window

    @staticmethod
    def _policy() -> str | None:
        """What a scan does now: :data:`TO_CART`, :data:`BLOCK`, or None (left alone)."""
        modal = QApplication.activeModalWidget()
        if modal is None:
            return TO_CART
        policy = modal.property(SCANS)
        return policy if policy in (TO_CART, BLOCK) else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not self.enabled:
            return False
        if not self._is_receiver(watched):
            return False
        policy = self._policy()
        if policy is None:
            self._reset()
            return False
        assert isinstance(event, QKeyEvent)
        now = self._clock()  # type: ignore[operator]
        fast = now - self._last <= MAX_GAP
        self._last = now
        text = event.text()
        if len(text) == 1 and code_of(text).isascii() and text.isprintable():
            if not (fast and self._typed and watched is self._receiver):
                # a new burst; one that goes on into another widget (a dialog closed,
                # the next one opened) is a new one too, its old field may be gone
                self._reset()
                self._receiver = watched
                self._field = self._editor(watched)
                self._before = self._state(self._field)
            self._typed.append(text)  # as the field received it
            return False
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        typed = "".join(self._typed)
        code = code_of(typed)
        if enter and fast and watched is self._receiver and is_scan(code):
            if self._field is not None and self._holds(self._field, typed):
                self._restore(self._field)
            self._reset()
            if policy == TO_CART:
                self.scanned.emit(code)
            else:
                self._refused()
            return True
        self._reset()
        return False
