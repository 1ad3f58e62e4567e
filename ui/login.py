"""Signing in with a PIN at the start of a shift (and after locking the till)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QVBoxLayout, QWidget

from pos.errors import SoukError
from ui.context import AppContext
from ui.widgets import Banner, Texts, button, card, label, named


class LoginScreen(QWidget):
    """Signals:
        signed_in(): a user entered a valid PIN (``ctx.user`` is set).
    """

    signed_in = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        named(self, "loginScreen")
        self.ctx = ctx
        self.texts = Texts(ctx)
        self._waiting = False
        box = card()
        box.setFixedWidth(380)
        title = label("loginTitle", style="title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.texts.bind(title.setText, "ui.login.title")
        self.pin = named(QLineEdit(), "loginPin")
        self.texts.bind(self.pin.setAccessibleName, "ui.pin.input")
        self.texts.bind(self.pin.setPlaceholderText, "ui.pin.input")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin.textChanged.connect(self._space_dots)
        self._space_dots("")
        self.pin.returnPressed.connect(self.submit)
        self.banner = Banner("loginError")
        pad = QGridLayout()
        for i, key in enumerate("123456789") :
            self._key(pad, key, i)
        self._key(pad, "0", 10)
        go = button("loginOk", role="primary")
        self.texts.button(go, "ui.login.ok")
        go.clicked.connect(self.submit)
        pad.addWidget(go, 3, 2)
        erase = button("loginErase", role="key")
        erase.setText("⌫")
        self.texts.bind(erase.setAccessibleName, "ui.pin.erase")
        erase.clicked.connect(self.pin.backspace)
        pad.addWidget(erase, 3, 0)
        pad_box = QWidget()
        pad_box.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        pad_box.setLayout(pad)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(24, 24, 24, 24)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(self.pin)
        inner.addWidget(self.banner)
        inner.addWidget(pad_box)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        ctx.language_changed.connect(lambda _l: self.texts.apply())

    def _key(self, pad: QGridLayout, key: str, i: int) -> None:
        btn = button(f"loginKey{key}", role="key")
        btn.setText(key)
        btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        btn.clicked.connect(lambda: self.pin.insert(key))
        pad.addWidget(btn, i // 3, i % 3)

    def _space_dots(self, text: str) -> None:
        """The PIN's dots spaced apart; not the words shown while it is empty (spaced, the
        Arabic letters of "الرمز السري" would no longer join)."""
        style = "font-size: 28px;" + (" letter-spacing: 8px;" if text else "")
        if self.pin.styleSheet() != style:
            self.pin.setStyleSheet(style)

    def scan_refused(self) -> None:
        """A code was scanned here (see :mod:`ui.scanner`): its digits were taken back and
        its Enter swallowed, so nothing was tried as a PIN; say so."""
        self.banner.notice(self.ctx.t("ui.pin.scanned"), seconds=5)
        self.pin.setFocus()

    def reset(self) -> None:
        self.pin.clear()
        self.pin.setFocus()

    def submit(self) -> None:
        if not self.pin.text().strip():  # nothing typed yet: no PIN is wrong
            self.pin.setFocus()
            return
        if not self.ctx.ready:  # the PIN is checked as soon as the store is open
            if not self._waiting:
                self._waiting = True
                self.ctx.when_ready(self.submit)
            return
        self._waiting = False
        from pos import users

        try:
            with self.ctx.read() as s:
                user = users.authenticate(s, self.pin.text())
                s.expunge(user)
        except SoukError as exc:
            words = exc.message(self.ctx.lang)
            if exc.key == "pin.wrong":  # typed again; forgotten, a manager gives a new one
                words += "\n" + self.ctx.t("ui.login.forgot")
            self.banner.error(words)
            self.pin.clear()
            return
        self.pin.clear()
        self.ctx.set_user(user)
        self.signed_in.emit()
