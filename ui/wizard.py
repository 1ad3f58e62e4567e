"""The first-run wizard: the languages (the app's and the receipts'), the cooperative, the
manager's PIN, the printer (can be skipped) and the demo catalogue."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QWidget,
)

from pos import demo, settings, users
from pos.errors import InputError, SoukError
from pos.i18n import LANGUAGES
from pos.receipts import RECEIPT_LANGUAGE_FOR
from ui.context import AppContext
from ui.printing import CONNECTIONS, PrinterForm
from ui.scanner import ScannerFilter
from ui.settings_screen import (
    LANGUAGE_NAMES,
    checked_coop,
    ice_field,
    logo_row,
    receipt_language_choices,
    set_choices,
    show_paper,
)
from ui.widgets import (
    WRONG_FIELD,
    Banner,
    Texts,
    button,
    card,
    confirmed_pin,
    error_words,
    hbox,
    label,
    mark_wrong,
    named,
    vbox,
)

STEPS = ("language", "cooperative", "manager", "printer", "catalogue")


class SetupWizard(QWidget):
    """Signals:
        completed(): the stall is set up; ``ctx.user`` is the new manager.

    While the manager's PIN is asked, a barcode scanned into the page is dropped (see
    :mod:`ui.scanner`; the main window, which watches scans otherwise, is not there yet):
    an 8-digit code typed twice would otherwise become the manager's PIN.
    """

    completed = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        named(self, "setupWizard")
        self.ctx = ctx
        self.texts = Texts(ctx)
        t = self.texts
        self.step = 0
        self.heading = label("setupHeading", style="title", wrap=True)
        self.progress = label("setupStep", style="muted")
        self.receipt_chosen = False  # the receipt language follows the app's until chosen
        self.scanner = ScannerFilter(self)
        self.scanner.scanned.connect(lambda _code: self.scan_refused())
        self.stack = named(QStackedWidget(), "setupPages")
        for build in (self._language, self._cooperative, self._manager, self._printer,
                      self._catalogue):
            self.stack.addWidget(build())
        self.banner = Banner("setupError")
        self.back = button("setupBack")
        self.next = button("setupNext", role="primary")
        t.button(self.back, "ui.setup.back")
        self.back.clicked.connect(self.go_back)
        self.next.clicked.connect(self.go_next)
        for btn in (self.back, self.next):
            btn.setAutoDefault(True)  # Enter presses the one that has the focus
        self.next.setMinimumWidth(180)
        box = card()
        box.setMinimumWidth(560)
        box.setMaximumWidth(720)
        inner = vbox(self.progress, self.heading, self.stack, self.banner, margins=22,
                     spacing=10)
        inner.addLayout(hbox(self.back, None, self.next))
        box.setLayout(inner)
        welcome = label("setupWelcome", style="muted")
        welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        t.bind(welcome.setText, "ui.setup.welcome")
        brand = label("setupBrand", style="title")
        brand.setAlignment(Qt.AlignmentFlag.AlignCenter)
        brand.setText("Souk POS")
        outer = vbox(None, brand, welcome, margins=12)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.setLayout(outer)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#setupWizard { background: #f2f4f7; } " + WRONG_FIELD)
        ctx.language_changed.connect(lambda _l: self.retranslate())
        self._show()

    # --- pages ------------------------------------------------------------------
    def _form(self) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        return page, form

    def _edit(self, form: QFormLayout, name: str, key: str, *, secret: bool = False,
              edit: QLineEdit | None = None) -> QLineEdit:
        if edit is None:
            edit = named(QLineEdit(), name)
            self.texts.bind(edit.setAccessibleName, key)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.textEdited.connect(lambda _t: mark_wrong(edit, False))
        form.addRow(self._caption(key), edit)
        return edit

    def _caption(self, key: str) -> QLabel:
        cap = QLabel()
        self.texts.bind(cap.setText, key)
        return cap

    def _language(self) -> QWidget:
        page = QWidget()
        group = QButtonGroup(page)
        row = hbox(spacing=12)
        self.lang_buttons = {}
        for lang in LANGUAGES:
            btn = button(f"setupLang_{lang}", checkable=True)
            btn.setText(LANGUAGE_NAMES[lang])
            btn.setMinimumHeight(72)
            btn.setStyleSheet("font-size: 22px;")
            btn.clicked.connect(lambda _=False, code=lang: self.ctx.set_language(code, save=False))
            group.addButton(btn)
            self.lang_buttons[lang] = btn
            row.addWidget(btn)
        self.lang_buttons[self.ctx.lang].setChecked(True)
        hint = label("setupLangHint", style="muted", wrap=True)
        self.texts.bind(hint.setText, "ui.setup.language_hint")
        self.receipt_language = named(QComboBox(), "setupReceiptLanguage")
        self.texts.bind(self.receipt_language.setAccessibleName, "ui.settings.receipt_language")
        set_choices(self.receipt_language, receipt_language_choices(self.ctx))
        self._receipt_default()
        self.receipt_language.activated.connect(self._receipt_language_chosen)
        receipt_hint = label("setupReceiptLanguageHint", style="muted", wrap=True)
        self.texts.bind(receipt_hint.setText, "ui.setup.receipt_language_hint")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        form.addRow(self._caption("ui.settings.receipt_language"), self.receipt_language)
        form.addRow("", receipt_hint)
        layout = vbox(hint, spacing=12)
        layout.addLayout(row)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addStretch(1)
        page.setLayout(layout)
        return page

    def _receipt_default(self) -> None:
        """Receipts in the language(s) that go with the app's (see
        :data:`pos.receipts.RECEIPT_LANGUAGE_FOR`), until the manager picks them."""
        if not self.receipt_chosen:
            index = self.receipt_language.findData(RECEIPT_LANGUAGE_FOR[self.ctx.lang])
            self.receipt_language.setCurrentIndex(max(index, 0))

    def _receipt_language_chosen(self) -> None:
        self.receipt_chosen = True

    def _cooperative(self) -> QWidget:
        page, form = self._form()
        self.name_ar = self._edit(form, "setupNameAr", "ui.setup.name_ar")
        self.name_ar.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.name_fr = self._edit(form, "setupNameFr", "ui.setup.name_fr")
        self.ice = self._edit(form, "setupIce", "ui.setup.ice",
                              edit=ice_field(self.texts, "setupIce"))
        self.city = named(QLineEdit(), "setupCity")  # in Latin letters and in Arabic
        self.city_ar = named(QLineEdit(), "setupCityAr")
        self.city_ar.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.texts.bind(self.city.setAccessibleName, "ui.setup.city")
        self.texts.bind(self.city_ar.setAccessibleName, "ui.setup.city_ar")
        self.texts.bind(self.city_ar.setPlaceholderText, "ui.setup.city_ar")
        form.addRow(self._caption("ui.setup.city"), hbox(self.city, self.city_ar))
        self.logo, logo_choice = logo_row(self.texts, self, "setupLogo")
        self.logo.textEdited.connect(lambda _t: mark_wrong(self.logo, False))
        form.addRow(self._caption("ui.setup.logo"), logo_choice)
        return page

    def _manager(self) -> QWidget:
        page, form = self._form()
        self.manager_name = self._edit(form, "setupManagerName", "ui.setup.manager_name")
        self.pin = self._edit(form, "setupPin", "ui.setup.pin", secret=True)
        self.pin2 = self._edit(form, "setupPin2", "ui.setup.pin_again", secret=True)
        hint = label("setupPinHint", style="muted", wrap=True)
        self.texts.bind(hint.setText, "ui.setup.pin_hint")
        form.addRow("", hint)
        return page

    def _printer(self) -> QWidget:
        page, form = self._form()
        self.printer_kind = named(QComboBox(), "setupPrinterKind")
        self.texts.bind(self.printer_kind.setAccessibleName, "ui.printer.kind")
        cap = QLabel()
        self.texts.bind(cap.setText, "ui.printer.kind")
        form.addRow(cap, self.printer_kind)
        self.printer_address = self._edit(form, "setupPrinterAddress", "ui.printer.address")
        self.paper = named(QComboBox(), "setupPaper")
        self.texts.bind(self.paper.setAccessibleName, "ui.printer.paper")
        show_paper(self.ctx, self.paper)
        self.printer_form = PrinterForm(self.ctx, self.printer_kind, self.printer_address,
                                        self.paper, self, name="setupPrinter")
        self.printer_form.checked.connect(self._printer_checked)
        self.printer_form.refused.connect(lambda text: self.banner.error(text, seconds=20))
        self.printer_form.checking.connect(lambda text: self.banner.notice(text, seconds=30))
        self.printer_setting: dict[str, object] = {}  # as checked when leaving the step
        cap2 = QLabel()
        self.texts.bind(cap2.setText, "ui.printer.paper")
        form.addRow(cap2, self.paper)
        hint = label("setupPrinterHint", style="muted", wrap=True)
        self.texts.bind(hint.setText, "ui.setup.printer_hint")
        form.addRow("", hint)
        self.printer_form.add_rows(form, self._caption)
        self._fill_printer_kinds()
        return page

    def _fill_printer_kinds(self) -> None:
        current = self.printer_kind.currentData() or "none"
        self.printer_kind.clear()
        for kind in CONNECTIONS:
            self.printer_kind.addItem(self.ctx.t(f"ui.printer.kind_{kind}"), kind)
        self.printer_kind.setCurrentIndex(max(self.printer_kind.findData(current), 0))

    def _catalogue(self) -> QWidget:
        page = QWidget()
        self.demo = named(QCheckBox(), "setupDemo")
        self.demo.setChecked(True)
        self.texts.bind(self.demo.setText, "ui.setup.demo", self.demo)
        hint = label("setupDemoHint", style="muted", wrap=True)
        self.texts.bind(hint.setText, "ui.setup.demo_hint")
        page.setLayout(vbox(self.demo, hint, None))
        return page

    # --- flow -------------------------------------------------------------------
    def _show(self) -> None:
        t = self.ctx.t
        self.stack.setCurrentIndex(self.step)
        self.heading.setText(t(f"ui.setup.step_{STEPS[self.step]}"))
        self.progress.setText(t("ui.setup.progress", step=self.step + 1, steps=len(STEPS)))
        self.back.setEnabled(self.step > 0)
        last = self.step == len(STEPS) - 1
        self.next.setText(t("ui.setup.finish" if last else "ui.setup.next"))
        self.next.setAccessibleName(self.next.text())
        self.banner.hide()
        self.scanner.enabled = STEPS[self.step] == "manager"
        first = {"cooperative": self.name_ar, "manager": self.manager_name,
                 "printer": self.printer_kind}.get(STEPS[self.step])
        if first is not None:  # typed at once, without a click into the page first
            first.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter goes on, as it presses a dialog's OK: the fields, the lists and the language
        buttons let it through (Back and Next, focused, take it themselves)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.go_next()
            return
        super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scanner)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.scanner)

    def scan_refused(self) -> None:
        """A code was scanned while the PIN is asked: its digits were taken back and its
        Enter swallowed; say so."""
        self.banner.notice(lambda: self.ctx.t("ui.pin.scanned_new"), seconds=5)

    def _check(self) -> None:
        page = STEPS[self.step]
        if page == "cooperative":
            for edit in (self.name_ar, self.name_fr):
                mark_wrong(edit, False)
            if not (self.name_ar.text().strip() or self.name_fr.text().strip()):
                mark_wrong(self.name_ar if self.ctx.rtl else self.name_fr)
                raise InputError("ui.setup.name_needed")
            checked = checked_coop({"ice": self.ice, "logo": self.logo})
            self.ice.setText(checked["ice"])  # as it will be printed
        if page == "manager":
            self._check_manager()

    def _check_manager(self) -> None:
        """The name, then the PIN (typed twice: the same digits, Arabic-Indic or not), in
        the order of the page; what is wrong is marked."""
        mark_wrong(self.manager_name, False)
        try:
            users.plain_name(self.manager_name.text())  # none, or too long for a receipt
        except InputError:
            mark_wrong(self.manager_name)
            raise
        confirmed_pin(self.pin, self.pin2)

    def go_next(self) -> None:
        if self.printer_form.busy:  # the printer's address is being checked
            return
        try:
            self._check()
            if self.step == len(STEPS) - 1:
                self.finish()
                return
        except SoukError as exc:
            self.banner.error(error_words(self.ctx, exc))
            return
        if STEPS[self.step] == "printer":  # checked first; _printer_checked goes on
            self.printer_form.check({}, hold=(self.back, self.next))
            return
        self.step += 1
        self._show()

    def _printer_checked(self, config: dict[str, object], warning: str) -> None:
        """The printer's address is right: on to the next step, told of anything to
        know about the printer (a USB printer not plugged in yet)."""
        if STEPS[self.step] != "printer":
            return
        self.printer_setting = config
        self.step += 1
        self._show()
        if warning:
            self.banner.notice(warning, seconds=30)

    def go_back(self) -> None:
        if self.step:
            self.step -= 1
            self._show()

    def finish(self) -> None:
        printer = self.printer_setting
        with self.ctx.write() as s:
            settings.device_id(s)
            settings.put(s, settings.LANGUAGE, self.ctx.lang)
            settings.put(s, settings.RECEIPT_LANGUAGE, self.receipt_language.currentData())
            settings.put(s, settings.COOPERATIVE, {
                "name_ar": self.name_ar.text().strip(), "name_fr": self.name_fr.text().strip(),
                "ice": settings.check_ice(self.ice.text()), "city": self.city.text().strip(),
                "city_ar": self.city_ar.text().strip(),
                "logo": settings.check_logo(self.logo.text()), "footer": "",
            })
            if printer.get("connection", "none") != "none":
                settings.put(s, settings.PRINTER, printer)
            manager = users.add_user(s, self.manager_name.text(), users.MANAGER, self.pin.text())
            if self.demo.isChecked():
                demo.load_catalogue(s, user=manager)
            settings.put(s, settings.SETUP_DONE, True)
            s.flush()
            s.expunge(manager)
        self.ctx.set_user(manager)
        self.ctx.catalogue_changed.emit()
        self.completed.emit()

    def retranslate(self) -> None:
        self.texts.apply()
        self._fill_printer_kinds()
        set_choices(self.receipt_language, receipt_language_choices(self.ctx))
        self._receipt_default()
        show_paper(self.ctx, self.paper)
        self.lang_buttons[self.ctx.lang].setChecked(True)
        self._show()
