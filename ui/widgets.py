"""Small building blocks shared by the screens: named controls, retranslation, banners,
money fields and the manager PIN dialog."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QPainter, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pos.cldr import minus_sign
from pos.errors import InputError, SoukError
from pos.money import NBSP, parse_money
from ui.context import AppContext
from ui.scanner import BLOCK, SCANS
from ui.theme import DANGER

if TYPE_CHECKING:
    from pos.models import User

W = TypeVar("W", bound=QWidget)
RLM = "\u200f"  # RIGHT-TO-LEFT MARK


def named(widget: W, name: str, accessible: str = "") -> W:
    """Give ``widget`` a stable objectName and an accessible name."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible or name)
    return widget


def own_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction ``text`` is written in, from its first letter (None without one)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
    return None


def in_direction(text: str, direction: Qt.LayoutDirection) -> str:
    """``text`` to show in a label laid out in ``direction``. A label reads its text in
    the direction of its first letter: an Arabic message that starts with what was typed
    ("«abc» ليس مبلغًا") or with a Latin name would be laid out left to right, its words
    and full stop at the wrong ends; a right-to-left mark first makes it read as the screen
    does."""
    if direction == Qt.LayoutDirection.RightToLeft and (
            own_direction(text) != Qt.LayoutDirection.RightToLeft):
        return RLM + text
    return text


#: a field whose value the dialog's message is about (see mark_wrong)
WRONG_FIELD = f'QLineEdit[wrong="true"] {{ border: 2px solid {DANGER}; }}'


def mark_wrong(field: QLineEdit, wrong: bool = True) -> None:
    """Show, with a red border, that ``field`` is what the dialog's message is about; when
    marked, it takes the focus with its text selected, to be typed again. The dialog's
    style sheet holds :data:`WRONG_FIELD`."""
    if bool(field.property("wrong")) != wrong:
        field.setProperty("wrong", wrong)
        field.style().unpolish(field)
        field.style().polish(field)
    if wrong:
        field.setFocus()
        field.selectAll()


def confirmed_pin(pin: QLineEdit, again: QLineEdit) -> str:
    """The new PIN typed in ``pin`` and once more in ``again``, compared as
    :func:`pos.users.confirmed_pin` does (Arabic-Indic and 0-9 digits alike). A malformed
    PIN marks ``pin``; a confirmation that differs is emptied and marked, to be typed
    again (its dots cannot show what it held). Raises the InputError to show."""
    from pos import users

    for field in (pin, again):
        mark_wrong(field, False)
    try:
        return users.confirmed_pin(pin.text(), again.text())
    except InputError as exc:
        if exc.key == "pin.mismatch":
            again.clear()
            mark_wrong(again)
        else:
            mark_wrong(pin)
        raise


class ElidedLabel(QLabel):
    """One line that ends with "…" when its place is too narrow for it (a status bar on a
    1024 px screen), rather than being cut in the middle of a word; its tooltip and
    accessible name keep the whole text.

    It gives way to its neighbours in a row too narrow for all (a status bar's button
    stays whole) down to a few letters; ``shrinks=False`` keeps it whole, for a short
    text that must be read as it is. A :attr:`short` text (the cashier's name without
    "Cashier:") is shown instead of the whole one when that does not fit, before any
    "…"."""

    def __init__(self, *, shrinks: bool = True) -> None:
        super().__init__()
        self.shrinks = shrinks
        self.short = ""

    def set_short(self, short: str) -> None:
        if short != self.short:
            self.short = short
            self.updateGeometry()
            self.update()

    def set_shrinks(self, shrinks: bool) -> None:
        if shrinks != self.shrinks:
            self.shrinks = shrinks
            self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        whole = super().minimumSizeHint()
        if not self.shrinks:
            return whole
        few = self.fontMetrics().horizontalAdvance((self.short or self.text())[:3] + "…")
        margins = self.contentsMargins()
        return QSize(min(whole.width(), few + margins.left() + margins.right()), whole.height())

    def shown_text(self) -> str:
        """The text as drawn in the label's present width."""
        width = self.contentsRect().width()
        metrics = self.fontMetrics()
        text = self.text()
        if self.short and metrics.horizontalAdvance(text) > width:
            text = self.short
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()),
                                  self.palette(), self.isEnabled(), self.shown_text(),
                                  self.foregroundRole())


def button(
    name: str, *, role: str = "", shortcut: str = "", checkable: bool = False
) -> QPushButton:
    btn = named(QPushButton(), name)
    if role:
        btn.setProperty("role", role)
    if shortcut:
        # a QShortcut of its own: QPushButton.setText() replaces the button's shortcut
        keys = QShortcut(QKeySequence(shortcut), btn)
        keys.activated.connect(lambda: btn.click() if btn.isEnabled() and btn.isVisible()
                               else None)
        btn.setProperty("shortcutText", shortcut)
    btn.setCheckable(checkable)
    btn.setCursor(Qt.CursorShape.PointingHandCursor)
    btn.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return btn


def label(name: str, *, style: str = "", wrap: bool = False) -> QLabel:
    lab = named(QLabel(), name)
    if style:
        lab.setProperty("role", style)
    lab.setWordWrap(wrap)
    return lab


def card() -> QFrame:
    frame = QFrame()
    frame.setProperty("role", "card")
    return frame


class Texts:
    """Binds translated texts to setters so a screen retranslates in one call.

    ``texts.bind(btn.setText, "ui.sale.pay")``; the button's shortcut, when it has one,
    is appended as ``Pay  (F12)``; the accessible name follows the text.
    """

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._bindings: list[tuple[Callable[[str], Any], str, dict[str, Any], QWidget | None]] = []

    def bind(self, setter: Callable[[str], Any], key: str, widget: QWidget | None = None,
             **params: Any) -> None:
        self._bindings.append((setter, key, params, widget))
        self._apply_one(setter, key, params, widget)

    def button(self, btn: QPushButton, key: str, **params: Any) -> QPushButton:
        self.bind(btn.setText, key, btn, **params)
        return btn

    def _apply_one(self, setter: Callable[[str], Any], key: str, params: dict[str, Any],
                   widget: QWidget | None) -> None:
        text = self.ctx.t(key, **{k: v() if callable(v) else v for k, v in params.items()})
        if widget is not None:
            if widget.accessibleName() in ("", widget.objectName()) or widget.property("a11y"):
                widget.setAccessibleName(text)
                widget.setProperty("a11y", True)
            shortcut = widget.property("shortcutText")
            if shortcut:
                text = f"{text}  ({shortcut})"
        setter(text)

    def apply(self) -> None:
        for setter, key, params, widget in self._bindings:
            self._apply_one(setter, key, params, widget)


#: the room a banner's padding takes on each side of its text (ui.theme)
BANNER_PADDING: Final = 14
WORD_JOINER: Final = "\u2060"


def unbroken(path: str) -> str:
    """``path`` as a wrapped line never cuts it: a word joiner after each mark a line may
    break after (separators, hyphens, an ellipsis), its spaces no-break ones."""
    text = path.replace(" ", NBSP)
    for mark in ("/", "\\", "-", "…"):
        text = text.replace(mark, mark + WORD_JOINER)
    return text


def shown_path(path: Path, metrics: QFontMetrics, width: int) -> str:
    """``path`` to show in a message on one line at most ``width`` pixels wide: whole when
    it fits, else its folder shortened in the middle (``/home/…/Sauvegardes/``), its file
    name whole; never cut by the message's wrapping (:func:`unbroken`)."""
    whole = str(path)
    if metrics.horizontalAdvance(whole) <= width:
        return unbroken(whole)
    name = path.name
    folder = whole[: len(whole) - len(name)]
    room = max(0, width - metrics.horizontalAdvance(name))
    return unbroken(metrics.elidedText(folder, Qt.TextElideMode.ElideMiddle, room) + name)


class PathsShown:
    """Paths written into a message ``room`` pixels wide in ``font`` (bold, as an alert is
    written: the wider of the two), each on one line and shortened to fit
    (:func:`shown_path`); :attr:`shortened` tells whether one was, for the message to have
    its whole text in its tooltip."""

    def __init__(self, font: QFont, room: int) -> None:
        font = QFont(font)
        font.setBold(True)
        self.metrics = QFontMetrics(font)
        self.room = room
        self.shortened = False

    def __call__(self, path: Path | str) -> str:
        path = Path(path)
        text = shown_path(path, self.metrics, self.room)
        self.shortened = self.shortened or text != unbroken(str(path))
        return text


def banner_paths(screen: QWidget, banner: QLabel) -> PathsShown:
    """Paths written into ``banner``, which spans ``screen`` inside its margins, less its
    own padding (theme)."""
    margins = screen.layout().contentsMargins()  # type: ignore[union-attr]
    room = screen.width() - margins.left() - margins.right() - 2 * BANNER_PADDING
    return PathsShown(banner.font(), room)


#: a message: its text, or what writes it in the language of the moment (see Banner)
Message = str | Callable[[], str]


def error_words(ctx: AppContext, exc: SoukError) -> Message:
    """``exc``'s message, written in the language of the moment (see :class:`Banner`)."""
    return lambda: exc.message(ctx.lang)


class Banner(QLabel):
    """An inline message (error or notice) that hides itself after a while (or, given
    ``seconds=0``, stays until the next message).

    When the language changes (Qt's ``LanguageChange``, which :class:`AppContext` sends
    to every window) a message given as a function is written again in the new
    language; one given as a text, which cannot be, is hidden rather than left in the
    old language."""

    def __init__(self, name: str = "banner") -> None:
        super().__init__()
        named(self, name)
        self.setWordWrap(True)
        self.hide()
        self._again: Callable[[], str] | None = None
        self._tip_again: Callable[[], str] | None = None  # the tooltip, likewise
        self._said = ""  # the message shown, without the mark that sets its direction
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)

    def error(self, message: Message, *, seconds: int = 8, tip: Message = "") -> None:
        self._show(message, "alert", seconds, tip)

    def notice(self, message: Message, *, seconds: int = 5, tip: Message = "") -> None:
        self._show(message, "notice", seconds, tip)

    def _show(self, message: Message, kind: str, seconds: int, tip: Message = "") -> None:
        """``tip``: the message's tooltip (what it shortens, written whole), none if "";
        given as a function, written again with the message when the language changes."""
        self._again = None if isinstance(message, str) else message
        self._tip_again = None if isinstance(tip, str) else tip
        self.setProperty("role", kind)
        self.setToolTip(tip if isinstance(tip, str) else tip())
        self._write(message if isinstance(message, str) else message())
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
        if seconds:
            self._timer.start(seconds * 1000)
        else:  # until the next message
            self._timer.stop()

    def _write(self, text: str) -> None:
        self._said = text
        self.setText(in_direction(text, self.layoutDirection()))
        self.setAccessibleDescription(text)

    def text(self) -> str:
        """The message shown, as it was given (without the mark :meth:`_write` adds)."""
        return self._said

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LayoutDirectionChange:
            self._write(self._said)
        if event.type() != QEvent.Type.LanguageChange or self.isHidden():
            return
        if self._again is None:
            self._timer.stop()
            self.hide()
        else:
            self._write(self._again())
            # a tooltip that cannot be written again is left out rather than left behind
            self.setToolTip(self._tip_again() if self._tip_again else "")


def percent_text(value: int | str, lang: str) -> str:
    """A percentage as it reads in ``lang``: ``10 %`` in French (a no-break space, so the
    sign never starts a line), ``10%`` in English and in Arabic, where a space would send
    the sign to the other side of the number on a right-to-left line. Below zero (a
    payment method that gave back more than it took) with the language's minus
    (:func:`pos.cldr.minus_sign`), drawn before the digits in Arabic too."""
    if isinstance(value, int) and value < 0:
        value = f"{minus_sign(lang)}{-value}"
    return f"{value}\u00a0%" if lang == "fr" else f"{value}%"


def parse_money_field(edit: QLineEdit, *, allow_zero: bool = True) -> int:
    return parse_money(edit.text(), allow_zero=allow_zero)


def _filled(box: QBoxLayout, items: tuple[QWidget | int | None, ...], margins: int,
            spacing: int) -> QBoxLayout:
    """``box`` with ``items``: a widget, a fixed space (int) or a stretch (None)."""
    box.setContentsMargins(margins, margins, margins, margins)
    box.setSpacing(spacing)
    for item in items:
        if item is None:
            box.addStretch(1)
        elif isinstance(item, int):
            box.addSpacing(item)
        else:
            box.addWidget(item)
    return box


def hbox(*items: QWidget | int | None, margins: int = 0, spacing: int = 8) -> QHBoxLayout:
    box = QHBoxLayout()
    _filled(box, items, margins, spacing)
    return box


def vbox(*items: QWidget | int | None, margins: int = 0, spacing: int = 8) -> QVBoxLayout:
    box = QVBoxLayout()
    _filled(box, items, margins, spacing)
    return box


def search_field(texts: Texts, name: str, key: str) -> QLineEdit:
    """A search box with a clear button, its placeholder and accessible name ``key``."""
    edit = named(QLineEdit(), name)
    edit.setProperty("role", "search")
    edit.setClearButtonEnabled(True)
    texts.bind(edit.setPlaceholderText, key)
    texts.bind(edit.setAccessibleName, key)
    return edit


class Dialog(QDialog):
    """A dialog with a title, a body, an inline error banner and OK / Cancel buttons.

    OK is the default button: Enter in a field presses it, once (a field's own
    ``returnPressed`` must not validate too, or a step that keeps the dialog open, such
    as a part of a split payment, is validated a second time)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, name: str, title_key: str,
                 /, **params: Any) -> None:
        super().__init__(parent)
        self.ctx = ctx
        named(self, name, ctx.t(title_key, **params))
        self.setWindowTitle(ctx.t(title_key, **params))
        self.setModal(True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.texts = Texts(ctx)
        self.title = label(f"{name}Title", style="title", wrap=True)
        self.title.setText(ctx.t(title_key, **params))
        self.body = QVBoxLayout()
        self.body.setSpacing(10)
        self.banner = Banner(f"{name}Error")
        self.ok = button(f"{name}Ok", role="primary")
        self.cancel = button(f"{name}Cancel")
        self.texts.button(self.ok, "ui.ok")
        self.texts.button(self.cancel, "ui.cancel")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self._try_accept)
        self.cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.setSpacing(12)
        layout.addWidget(self.title)
        layout.addLayout(self.body)
        layout.addWidget(self.banner)
        self.buttons = hbox(None, self.cancel, self.ok)  # a dialog may add its own
        layout.addLayout(self.buttons)

    def validate(self) -> None:
        """Raise a SoukError to keep the dialog open with its message."""

    def fit(self, width: int) -> None:
        """Make the dialog ``width`` wide and as tall as its wrapped texts need there."""
        layout = self.layout()
        assert layout is not None
        layout.activate()
        self.resize(width, layout.totalHeightForWidth(width))

    def tell(self, text: Message, *, error: bool = False, seconds: int = 8) -> None:
        """Show ``text`` in the banner while the dialog stays open (what a scan did), the
        window grown if it must be to show it whole: an open window keeps its size, and
        the banner would take the room of its caption."""
        if error:
            self.banner.error(text, seconds=seconds)
        else:
            self.banner.notice(text, seconds=seconds)
        layout = self.layout()
        if not self.isVisible() or layout is None:
            return
        layout.activate()
        width = self.width()
        needed = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
                  else layout.totalSizeHint().height())
        if needed > self.height():
            self.resize(width, needed)

    def _try_accept(self) -> None:
        try:
            self.validate()
        except Kept:
            return
        except SoukError as exc:
            self.tell(exc.message(self.ctx.lang), error=True)  # grown to show it whole
            return
        self.accept()


class Kept(Exception):
    """Raised by a dialog's ``validate`` when the person backed out of a step it asked for
    (a PIN cancelled, a confirmation answered no): nothing was done and the dialog stays
    open, without a message."""


class PinDialog(Dialog):
    """Asks for the manager's PIN (a keypad for touch screens); ``user`` is the manager.

    A code scanned while it is open is dropped (see :mod:`ui.scanner`): its digits would be
    tried as a PIN and count as a wrong one. Nor does it join the cart when the dialog is
    over the sale screen: the manager approves the cart the seller showed, which must not
    change under the approval; the dialog says the scan was not taken."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, reason_key: str,
                 *, manager: bool = True) -> None:
        super().__init__(ctx, parent, "pinDialog", "ui.pin.title")
        self.setProperty(SCANS, BLOCK)
        self.setMinimumWidth(400)
        self.manager = manager
        self.user: User | None = None
        reason = label("pinReason", wrap=True)
        reason.setText(ctx.t(reason_key))
        self.pin = named(QLineEdit(), "pinInput", ctx.t("ui.pin.input"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin.setStyleSheet("font-size: 28px; letter-spacing: 8px;")
        pad = QGridLayout()
        pad.setSpacing(6)
        for i, key in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "C"]):
            btn = button(f"pinKey{i}", role="key")
            btn.setText(key)
            btn.setAccessibleName(
                {"⌫": ctx.t("ui.pin.erase"), "C": ctx.t("ui.pin.clear")}.get(key, key))
            btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            btn.clicked.connect(lambda _=False, k=key: self._key(k))
            pad.addWidget(btn, i // 3, i % 3)
        pad_box = QWidget()
        pad_box.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        pad_box.setLayout(pad)
        self.body.addWidget(reason)
        self.body.addWidget(self.pin)
        self.body.addWidget(pad_box)
        self.pin.setFocus()

    def _key(self, key: str) -> None:
        if key == "⌫":
            self.pin.backspace()
        elif key == "C":
            self.pin.clear()
        else:
            self.pin.insert(key)

    def scan_refused(self) -> None:
        """A code was scanned into the PIN: its digits were taken back, nothing was tried."""
        self.tell(self.ctx.t("ui.pin.scanned"), seconds=5)
        self.pin.setFocus()

    def validate(self) -> None:
        from pos import users

        with self.ctx.read() as s:
            if self.manager:
                self.user = users.require_manager(s, self.pin.text())
            else:
                self.user = users.authenticate(s, self.pin.text())
            s.expunge(self.user)

    def _try_accept(self) -> None:
        try:
            self.validate()
        except SoukError as exc:
            self.banner.error(exc.message(self.ctx.lang))
            self.pin.clear()
            self.pin.setFocus()
            return
        self.accept()


def confirm(ctx: AppContext, parent: QWidget | None, name: str, title_key: str,
            question: str, yes_key: str, no_key: str, *, risky: bool = False,
            style: str = "", width: int | None = None) -> bool:
    """Ask ``question`` (already in words) and whether the seller answered yes.

    A scanner's Enter never answers it (the scan is dropped). ``risky``: the yes button
    is marked dangerous and No is the default, so Enter keeps things as they are;
    otherwise Yes is the default. ``width``: the dialog that wide and as tall as a long
    question needs there (several paragraphs), shown whole."""
    dialog = Dialog(ctx, parent, name, title_key)
    dialog.setProperty(SCANS, BLOCK)
    dialog.setMinimumWidth(420)
    text = label(f"{name}Text", style=style, wrap=True)
    text.setText(question)
    dialog.body.addWidget(text)
    dialog.setAccessibleDescription(question)
    dialog.texts.button(dialog.ok, yes_key)
    dialog.texts.button(dialog.cancel, no_key)
    if risky:
        dialog.ok.setDefault(False)
        dialog.ok.setAutoDefault(False)
        dialog.ok.setProperty("role", "danger")
        dialog.cancel.setDefault(True)
        dialog.cancel.setFocus()
    else:
        dialog.ok.setFocus()
    if width is not None:
        dialog.fit(width)
    return bool(dialog.exec())


def ask_manager(ctx: AppContext, parent: QWidget | None, reason_key: str) -> User | None:
    dialog = PinDialog(ctx, parent, reason_key)
    return dialog.user if dialog.exec() == QDialog.DialogCode.Accepted else None


def when_visible(widget: QWidget, refresh: Callable[[], Any]) -> Callable[..., None]:
    """A slot that refreshes ``widget`` now if it is on screen; a hidden screen is
    refreshed when it is shown (``MainWindow.show_screen``), so a sale stays fast."""

    def slot(*_args: Any) -> None:
        if widget.isVisible():
            refresh()

    return slot


def expanding(widget: W) -> W:
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return widget
