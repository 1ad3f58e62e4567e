"""Settings: language (switches at once, right-to-left for Arabic), the cooperative, users
and PINs, the printer, the sync server and backups. Switching the language relabels the
page and keeps whatever was typed and not yet saved in the other tabs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QWidget,
)

from pos import backup, settings, users
from pos.errors import InputError, SoukError
from pos.i18n import LANGUAGES, ltr, tr_count
from pos.receipts import RECEIPT_LANGUAGES
from ui.context import AppContext
from ui.printing import (
    CONNECTIONS,
    PrinterForm,
    PrintService,
    paper_watch,
    paper_width,
    printer_address,
    printer_config,
)
from ui.scanner import BLOCK, SCANS
from ui.tasks import Task
from ui.widgets import (
    RLM,
    WRONG_FIELD,
    Banner,
    Dialog,
    Message,
    PathsShown,
    Texts,
    ask_manager,
    banner_paths,
    button,
    card,
    confirm,
    confirmed_pin,
    error_words,
    hbox,
    label,
    mark_wrong,
    named,
    vbox,
    when_visible,
)

LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
#: the paper widths offered (mm of the roll, dots of the head): those a receipt is laid out
#: for (``pos.printing.render.PAPER_WIDTHS``), the 80 mm rolls of heads of 576 or 512 dots
PAPER = (("58", 384), ("80", 576), ("80", 512))
IMAGE_PATTERNS = "*.png *.jpg *.jpeg *.bmp"  # the kinds pos.settings.check_logo takes


def set_choices(combo: QComboBox, items: Iterable[tuple[str, Any]]) -> None:
    """Fill ``combo`` with (text, data) items; filled already, its items take these texts
    (the language changed) and the choice stays."""
    for i, (text, data) in enumerate(items):
        if i < combo.count():
            combo.setItemText(i, text)
        else:
            combo.addItem(text, data)


def paper_choices(ctx: AppContext, widths: Iterable[int] = ()) -> list[tuple[str, int]]:
    """The paper widths, in words of the UI language: ``58 مم (384 نقطةً)`` in Arabic, the
    unit after the number as Arabic reads (a Latin ``mm`` in a right-to-left box shows
    ``mm 58``); then each of ``widths`` that is none of them (set by hand), in dots."""

    def dots_text(dots: int) -> str:
        return tr_count(ctx.lang, "ui.printer.dots", dots)

    choices = [(ctx.t("ui.printer.paper_mm", mm=mm, dots=dots_text(dots)), dots)
               for mm, dots in PAPER]
    offered = {dots for _mm, dots in PAPER}
    return choices + [(dots_text(width), width) for width in dict.fromkeys(widths)
                      if width not in offered]


def show_paper(ctx: AppContext, combo: QComboBox, width: int | None = None) -> None:
    """Fill ``combo`` with the paper widths in the UI language (their texts only, once it
    is filled: the choice stays), and choose ``width`` (a saved setting's) when given; a
    width set by hand, none of those offered, is added to them, so it is kept when saved."""
    widths = [combo.itemData(i) for i in range(combo.count())]
    if width is not None:
        widths.append(width)
    set_choices(combo, paper_choices(ctx, widths))
    if width is not None:
        combo.setCurrentIndex(combo.findData(width))


def receipt_language_choices(ctx: AppContext) -> list[tuple[str, str]]:
    return [(ctx.t(f"ui.receipt_language.{value}"), value) for value in RECEIPT_LANGUAGES]


def logo_row(texts: Texts, parent: QWidget, name: str) -> tuple[QLineEdit, QHBoxLayout]:
    """The logo's field and its "Choose…" button (images only), side by side."""
    edit = named(QLineEdit(), name)
    texts.bind(edit.setAccessibleName, "ui.setup.logo")
    texts.bind(edit.setPlaceholderText, "ui.setup.optional")
    choose = button(f"{name}Choose")
    texts.button(choose, "ui.setup.choose")
    choose.clicked.connect(lambda: choose_logo(texts.ctx, parent, edit))
    return edit, hbox(edit, choose)


def choose_logo(ctx: AppContext, parent: QWidget, edit: QLineEdit) -> None:
    """Ask for the logo's image file; the one chosen goes into ``edit``."""
    path, _ = QFileDialog.getOpenFileName(
        parent, ctx.t("ui.setup.logo"), "", ctx.t("ui.file.images", patterns=IMAGE_PATTERNS))
    if path:
        edit.setText(path)
        mark_wrong(edit, False)


def ice_field(texts: Texts, name: str) -> QLineEdit:
    edit = named(QLineEdit(), name)
    texts.bind(edit.setAccessibleName, "ui.setup.ice")
    texts.bind(edit.setPlaceholderText, "ui.setup.ice_hint")
    return edit


def checked_coop(fields: dict[str, QLineEdit]) -> dict[str, str]:
    """The cooperative's fields as they are saved, the ICE as its 15 digits; a field that
    cannot be saved (the ICE, the logo) raises, marked wrong."""
    values = {key: edit.text().strip() for key, edit in fields.items()}
    for key, check in (("ice", settings.check_ice), ("logo", settings.check_logo)):
        mark_wrong(fields[key], False)
        try:
            values[key] = check(values[key])
        except SoukError:
            mark_wrong(fields[key])
            raise
    return values


def pick_backup(ctx: AppContext, parent: QWidget, path: Path | None,
                banner: Banner | None = None) -> bool:
    """Restore a backup from the app: ``path`` (else one the manager picks from the disk),
    once it is checked, the manager's PIN typed when the till has a manager, and a question
    answered that says what it holds, whose till it is when not this one's and what the
    sales this till holds that it lacks become (set aside, never deleted). The window then
    closes for the restore (:func:`ui.app.request_restore`). Whether it was asked for.

    A file that is no backup, a damaged one or a newer version's is refused in words, on
    ``banner`` or in a message box, and nothing changes."""
    from PySide6.QtWidgets import QMessageBox

    from ui.app import request_restore

    if path is None:
        start = str(backup.backup_dir(ctx.db_path))
        with ctx.read() as s:
            start = str(settings.get(s, settings.BACKUP_FOLDER) or start)
        chosen, _filter = QFileDialog.getOpenFileName(
            parent, ctx.t("ui.backup.pick_title"), start,
            f"{ctx.t('ui.backup.files')} (souk-*.sqlite3 *.sqlite3);;* (*)")
        if not chosen:
            return False
        path = Path(chosen)
    try:
        backup.check_backup(path)
        found = backup.contents(path)
        if found is None:  # a journal that holds, in a database that is not a till's
            raise InputError("backup.invalid", path=str(path))
    except SoukError as exc:
        if banner is not None:
            banner.error(error_words(ctx, exc), seconds=20)
        else:
            box = QMessageBox(QMessageBox.Icon.Warning, ctx.t("ui.backup.restore_title"),
                              exc.message(ctx.lang), QMessageBox.StandardButton.Ok, parent)
            box.setObjectName("restoreRefused")
            box.exec()
        return False
    with ctx.read() as s:
        has_manager = any(u.role == users.MANAGER for u in users.active_users(s))
    replacing = backup.replaced(ctx.db_path, found)
    lines = backup.before_text(ctx.lang, found, replacing)
    if not replacing.sales and has_manager:
        lines.append(ctx.t("ui.backup.restore_all_in"))
    lines.append(ctx.t("ui.backup.restore_then"))
    if not confirm(ctx, parent, "restoreBackup", "ui.backup.restore_title",
                   "\n\n".join(lines), "ui.backup.restore_go", "ui.cancel", risky=True,
                   width=640):
        return False
    if has_manager and ask_manager(ctx, parent, "ui.pin.reason_restore") is None:
        return False
    return request_restore(parent.window(), path)


class NewPinDialog(Dialog):
    """A dialog where a new PIN is typed, twice: a PIN mistyped once is not saved (a
    manager could lock themselves out of every manager action); the confirmation that
    differs is emptied and marked, and nothing is saved. A barcode scanned into either
    field is dropped (see :mod:`ui.scanner`), never made a PIN, and the dialog says so."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, name: str, pin_name: str,
                 title_key: str, /, **params: Any) -> None:
        super().__init__(ctx, parent, name, title_key, **params)
        self.setProperty(SCANS, BLOCK)
        self.setStyleSheet(WRONG_FIELD)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        self.body.addLayout(self.form)
        self.pin = self._pin_field(pin_name, "ui.users.pin")
        self.pin_again = self._pin_field(f"{pin_name}Again", "ui.setup.pin_again")

    def _pin_field(self, name: str, key: str) -> QLineEdit:
        edit = named(QLineEdit(), name, self.ctx.t(key))
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.textEdited.connect(lambda _t: mark_wrong(edit, False))
        return edit

    def add_pin_rows(self) -> None:
        """The two PIN fields, last in the form."""
        self.form.addRow(self.ctx.t("ui.users.pin"), self.pin)
        self.form.addRow(self.ctx.t("ui.setup.pin_again"), self.pin_again)

    def scan_refused(self) -> None:
        self.tell(lambda: self.ctx.t("ui.pin.scanned_new"), seconds=5)
        focus = self.focusWidget()
        (self.pin_again if focus is self.pin_again else self.pin).setFocus()

    def validate(self) -> None:
        try:
            pin = confirmed_pin(self.pin, self.pin_again)
        except InputError as exc:
            if exc.key == "pin.format":  # its confirmation was typed after it: both again
                self.pin.clear()
                self.pin_again.clear()
                self.pin.setFocus()
            raise
        try:
            self.save(pin)
        except InputError as exc:
            self.mark(exc)
            raise

    def save(self, pin: str) -> None:
        """Write the new PIN (checked, typed twice alike)."""
        raise NotImplementedError

    def mark(self, exc: InputError) -> None:
        """Mark the field ``exc`` is about: a PIN another user has is typed again, twice."""
        if exc.key == "pin.taken":
            self.pin_again.clear()
            mark_wrong(self.pin)
            self.pin.setFocus()


class UserDialog(NewPinDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None) -> None:
        super().__init__(ctx, parent, "userDialog", "userPin", "ui.users.add")
        self.name = named(QLineEdit(), "userName", ctx.t("ui.users.name"))
        self.name.textEdited.connect(lambda _t: mark_wrong(self.name, False))
        self.role = named(QComboBox(), "userRole", ctx.t("ui.users.role"))
        for role in users.ROLES:
            self.role.addItem(ctx.t(f"ui.users.role_{role}"), role)
        self.role.setCurrentIndex(1)
        self.added = ""  # the name of the user added
        for key, widget in (("ui.users.name", self.name), ("ui.users.role", self.role)):
            self.form.addRow(ctx.t(key), widget)
        self.add_pin_rows()
        self.name.setFocus()

    def validate(self) -> None:
        """The name first, as the form reads: none, or one another user has, is said and
        marked before the PINs are."""
        mark_wrong(self.name, False)
        try:
            with self.ctx.read() as s:
                users.check_name(s, self.name.text())
        except InputError as exc:
            self.mark(exc)
            self.name.setFocus()
            self.name.end(False)  # an initial is added after the name, which stays
            raise
        super().validate()

    def save(self, pin: str) -> None:
        with self.ctx.write() as s:
            self.added = users.add_user(s, self.name.text(), self.role.currentData(), pin).name

    def mark(self, exc: InputError) -> None:
        super().mark(exc)
        if exc.key in ("user.name_empty", "user.name_long", "user.name_taken"):
            mark_wrong(self.name)


class PinChangeDialog(NewPinDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None, user_id: int, name: str) -> None:
        super().__init__(ctx, parent, "pinChangeDialog", "newPin", "ui.users.change_pin_title",
                         name=name)
        self.user_id = user_id
        self.user_name = name
        self.add_pin_rows()
        self.pin.setFocus()

    def save(self, pin: str) -> None:
        """Refused (``user.disabled``) for a user disabled since the list was shown, in
        another window or with a ``souk-pos`` command: nothing is saved."""
        from pos.models import User

        with self.ctx.write() as s:
            user = s.get(User, self.user_id)
            if user is None:
                raise InputError("user.disabled", name=self.user_name)
            users.set_pin(user, pin)


class SettingsScreen(QWidget):
    def __init__(self, ctx: AppContext, printer: PrintService,
                 sync_panel: Callable[[], QWidget | None] | None = None) -> None:
        super().__init__()
        named(self, "settingsScreen")
        self.make_sync_panel = sync_panel
        self.ctx = ctx
        self.printer = printer
        self.texts = Texts(ctx)
        self.task: Task | None = None
        self.people: list[tuple[int, str, str]] = []
        t = self.texts
        title = label("settingsTitle", style="title")
        t.bind(title.setText, "ui.settings.title")
        self.banner = Banner("settingsMessage")
        self.tabs = named(QTabWidget(), "settingsTabs")
        self.pages: list[tuple[QWidget, str]] = [
            (self._general(), "ui.settings.general"),
            (self._cooperative(), "ui.settings.cooperative"),
            (self._users(), "ui.settings.users"),
            (self._printer(), "ui.settings.printer"),
            (self._sync(), "ui.settings.sync"),
            (self._backups(), "ui.settings.backups"),
        ]
        for page, key in self.pages:
            self.tabs.addTab(page, ctx.t(key))
        # Every title whole, whatever the platform's style does by default: the tabs never
        # scroll nor shorten a title, and the screen is never laid out narrower than they
        # need (a 1024 px screen has room for them in every language).
        bar = self.tabs.tabBar()
        bar.setUsesScrollButtons(False)
        bar.setElideMode(Qt.TextElideMode.ElideNone)
        layout = vbox(title, self.banner, spacing=8, margins=12)
        layout.addWidget(self.tabs, 1)
        self.setLayout(layout)
        ctx.language_changed.connect(lambda _l: self.retranslate())

    # --- pages ------------------------------------------------------------------
    def _form_page(self) -> tuple[QWidget, QFormLayout]:
        page = card()
        form = QFormLayout()
        form.setContentsMargins(16, 16, 16, 16)
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        page.setLayout(form)
        return page, form

    def _caption(self, key: str) -> QLabel:
        cap = QLabel()
        self.texts.bind(cap.setText, key)
        return cap

    def _general(self) -> QWidget:
        page, form = self._form_page()
        self.language = named(QComboBox(), "settingsLanguage")
        for lang in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[lang], lang)
        self.texts.bind(self.language.setAccessibleName, "ui.settings.language")
        self.language.activated.connect(
            lambda _i: self.ctx.set_language(self.language.currentData()))
        self.receipt_language = named(QComboBox(), "settingsReceiptLanguage")
        set_choices(self.receipt_language, receipt_language_choices(self.ctx))
        self.texts.bind(self.receipt_language.setAccessibleName, "ui.settings.receipt_language")
        self.receipt_language.activated.connect(self._save_receipt_language)
        form.addRow(self._caption("ui.settings.language"), self.language)
        form.addRow(self._caption("ui.settings.receipt_language"), self.receipt_language)
        return page

    def _cooperative(self) -> QWidget:
        page, form = self._form_page()
        page.setStyleSheet(WRONG_FIELD)
        self.coop: dict[str, QLineEdit] = {}
        logo, logo_choice = logo_row(self.texts, self, "coop_logo")
        for key in ("name_ar", "name_fr", "ice", "city", "city_ar", "footer", "logo"):
            if key == "ice":
                edit = ice_field(self.texts, "coop_ice")
            elif key == "logo":
                edit = logo
            else:
                edit = named(QLineEdit(), f"coop_{key}")
                self.texts.bind(edit.setAccessibleName, f"ui.setup.{key}")
            if key in ("name_ar", "city_ar"):
                edit.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            edit.textEdited.connect(lambda _t, e=edit: mark_wrong(e, False))
            self.coop[key] = edit
            if key == "city":  # one row holds the city in Latin letters and in Arabic
                continue
            if key == "city_ar":
                self.texts.bind(edit.setPlaceholderText, "ui.setup.city_ar")
                form.addRow(self._caption("ui.setup.city"), hbox(self.coop["city"], edit))
            elif key == "logo":
                form.addRow(self._caption("ui.setup.logo"), logo_choice)
            else:
                form.addRow(self._caption(f"ui.setup.{key}"), edit)
        save = button("coopSave", role="primary")
        self.texts.button(save, "ui.save")
        save.clicked.connect(self._save_coop)
        form.addRow("", save)
        return page

    def _users(self) -> QWidget:
        page = card()
        self.user_list = named(QListWidget(), "usersList")
        self.texts.bind(self.user_list.setAccessibleName, "ui.settings.users")
        add = button("usersAdd", role="primary")
        change = button("usersPin")
        disable = button("usersDisable", role="danger")
        for btn, key, slot in ((add, "ui.users.add", self._add_user),
                               (change, "ui.users.change_pin", self._change_pin),
                               (disable, "ui.users.disable", self._disable_user)):
            self.texts.button(btn, key)
            btn.clicked.connect(slot)
        layout = vbox(self.user_list, margins=16)
        layout.addLayout(hbox(add, change, disable, None))
        page.setLayout(layout)
        return page

    def _printer(self) -> QWidget:
        page, form = self._form_page()
        self.printer_kind = named(QComboBox(), "printerKind")
        for kind in CONNECTIONS:
            self.printer_kind.addItem(self.ctx.t(f"ui.printer.kind_{kind}"), kind)
        self.texts.bind(self.printer_kind.setAccessibleName, "ui.printer.kind")
        self.printer_address = named(QLineEdit(), "printerAddress")
        self.texts.bind(self.printer_address.setAccessibleName, "ui.printer.address")
        self.paper = named(QComboBox(), "printerPaper")
        self.texts.bind(self.paper.setAccessibleName, "ui.printer.paper")
        show_paper(self.ctx, self.paper)
        self.printer_form = PrinterForm(self.ctx, self.printer_kind, self.printer_address,
                                        self.paper, self)
        self.printer_found = self.printer_form.found
        self.printer_search = self.printer_form.search_again
        self.printer_baud = self.printer_form.baud
        self.printer_form.checked.connect(self._printer_checked)
        self.printer_form.refused.connect(lambda text: self.banner.error(text, seconds=20))
        self.printer_form.checking.connect(lambda text: self.banner.notice(text, seconds=30))
        self.printer.test_done.connect(self._test_done)
        self.then_test = False  # the Test page button asked for the check
        self.printer_save = save = button("printerSave", role="primary")
        self.texts.button(save, "ui.save")
        save.clicked.connect(lambda: self._save_printer())
        self.printer_test = test = button("printerTest")
        self.texts.button(test, "ui.printer.test")
        test.clicked.connect(self._test_page)
        form.addRow(self._caption("ui.printer.kind"), self.printer_kind)
        form.addRow(self._caption("ui.printer.address"), self.printer_address)
        form.addRow(self._caption("ui.printer.paper"), self.paper)
        form.addRow("", hbox(save, test, None))
        # whether the printer says when its paper runs out (learnt from a test page)
        self.printer_paper = label("printerPaperWatch", style="muted", wrap=True)
        self.printer_paper.setSizePolicy(QSizePolicy.Policy.Expanding,
                                         QSizePolicy.Policy.Preferred)
        form.addRow("", self.printer_paper)
        self.printer_form.add_rows(form, self._caption)
        return page

    def _show_paper_watch(self, config: dict[str, Any] | None = None) -> None:
        """Say whether the saved printer tells when its paper runs out (``config``: the
        PRINTER setting, read when not given)."""
        if config is None:
            with self.ctx.read() as s:
                config = printer_config(s)
        watch = paper_watch(config)
        text = self.ctx.t(f"ui.printer.paper_{watch}") if watch else ""
        self.printer_paper.setText(text)
        self.printer_paper.setAccessibleName(text)
        self.printer_paper.setVisible(bool(text))

    def _sync(self) -> QWidget:
        panel = self.make_sync_panel() if self.make_sync_panel else None
        if panel is not None:
            panel.setObjectName("syncPanel")
            # On a small screen the page scrolls rather than push the window past its height.
            scroller = named(QScrollArea(), "syncScroll")
            scroller.setWidget(panel)
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QFrame.Shape.NoFrame)
            scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            return scroller
        page = card()
        text = label("syncNotSetUp", wrap=True)
        self.texts.bind(text.setText, "ui.sync.not_set_up_long")
        page.setLayout(vbox(text, None, margins=16))
        return page

    def _backups(self) -> QWidget:
        page = card()
        self.backup_list = named(QListWidget(), "backupsList")
        self.texts.bind(self.backup_list.setAccessibleName, "ui.settings.backups")
        self.keep = named(QSpinBox(), "backupsKept")
        self.keep.setRange(1, 365)
        self.texts.bind(self.keep.setAccessibleName, "ui.backup.kept")
        self.keep.valueChanged.connect(self._save_keep)
        now = button("backupNow", role="primary")
        self.texts.button(now, "ui.backup.now")
        now.clicked.connect(self.backup_now)
        self.backup_progress = named(QProgressBar(), "backupProgress")
        self.backup_progress.setRange(0, 0)
        self.backup_progress.hide()
        keep_caption = self._caption("ui.backup.kept")
        self.chosen_folder: str | None = None  # the folder the manager chose (a USB stick)
        self.backup_folder = named(QLineEdit(), "backupFolder")
        self.backup_folder.setReadOnly(True)
        self.texts.bind(self.backup_folder.setAccessibleName, "ui.backup.folder")
        choose = button("backupChooseFolder")
        self.texts.button(choose, "ui.backup.choose")
        choose.clicked.connect(self.choose_backup_folder)
        self.own_folder_btn = button("backupOwnFolder")
        self.texts.button(self.own_folder_btn, "ui.backup.own_folder")
        self.own_folder_btn.clicked.connect(lambda: self._set_backup_folder(None))
        restore = button("backupRestore")
        self.texts.button(restore, "ui.backup.restore")
        restore.clicked.connect(self.restore_chosen)
        restore_file = button("backupRestoreFile")
        self.texts.button(restore_file, "ui.backup.restore_file")
        restore_file.clicked.connect(
            lambda: pick_backup(self.ctx, self, None, self.banner))
        self.backup_where = label("backupWhere", wrap=True)
        # its paths are shortened to the width it is shown at: written again when it changes
        self.backup_where.installEventFilter(self)
        # an empty list says why it is empty and how it fills
        self.no_backup = label("backupsNone", style="muted", wrap=True)
        self.texts.bind(self.no_backup.setText, "ui.backup.none_yet")
        self.ctx.language_changed.connect(when_visible(self, self._list_backups))
        layout = vbox(margins=16)
        layout.addLayout(hbox(now, None, keep_caption, self.keep))
        folder_row = hbox(self._caption("ui.backup.folder"))
        folder_row.addWidget(self.backup_folder, 1)
        folder_row.addWidget(choose)
        folder_row.addWidget(self.own_folder_btn)
        layout.addLayout(folder_row)
        layout.addWidget(self.backup_where)
        layout.addWidget(self.backup_progress)
        layout.addWidget(self.no_backup)
        layout.addWidget(self.backup_list, 1)
        layout.addLayout(hbox(restore, restore_file, None))
        page.setLayout(layout)
        return page

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.backup_where and event.type() == QEvent.Type.Resize
                and isinstance(event, QResizeEvent)
                and event.size().width() != event.oldSize().width()):
            self._show_backup_folder()
        return super().eventFilter(watched, event)

    # --- data -------------------------------------------------------------------
    def refresh(self) -> None:
        with self.ctx.read() as s:
            coop = settings.get(s, settings.COOPERATIVE, {}) or {}
            receipt_lang = settings.get(s, settings.RECEIPT_LANGUAGE, "both")
            printer = printer_config(s)
            keep = settings.get(s, settings.BACKUPS_KEPT, backup.DEFAULT_KEPT)
        self.language.setCurrentIndex(LANGUAGES.index(self.ctx.lang))
        self.receipt_language.setCurrentIndex(max(0, self.receipt_language.findData(receipt_lang)))
        for key, edit in self.coop.items():
            value = coop.get(key) or ""
            edit.setText(value if isinstance(value, str) else str(value))
        self._list_users()
        idx = self.printer_kind.findData(printer.get("connection") or "none")
        self.printer_kind.setCurrentIndex(max(idx, 0))
        self.printer_address.setText(printer_address(printer))
        self.printer_form.set_baudrate(printer.get("baudrate"))
        show_paper(self.ctx, self.paper, paper_width(printer))
        self._show_paper_watch(printer)
        self.keep.blockSignals(True)
        self.keep.setValue(int(keep))
        self.keep.blockSignals(False)
        self._list_backups()

    def _list_users(self) -> None:
        with self.ctx.read() as s:
            people = [(u.id, u.name, u.role) for u in users.active_users(s)]
        self.user_list.clear()
        self.people = people
        self.user_list.addItems([self._user_label(name, role) for _id, name, role in people])

    def _list_backups(self) -> None:
        """The backups of both folders, newest first (the folder beside each name when the
        manager chose one), and where the next backup goes."""
        with self.ctx.read() as s:
            chosen = settings.get(s, settings.BACKUP_FOLDER)
        self.chosen_folder = str(chosen) if chosen else None
        self.backup_list.clear()
        folder = Path(self.chosen_folder) if self.chosen_folder else None
        lang = self.ctx.lang
        for path in backup.list_backups(self.ctx.db_path, folder):
            found = backup.contents(path, ids=False)
            text = (found.line(lang) if found is not None
                    else self.ctx.t("ui.backup.unreadable", name=ltr(path.name, lang)))
            if folder:  # which folder: the USB stick's or the laptop's
                text += f"  —  {ltr(str(path.parent), lang)}"
            item = QListWidgetItem(f"{RLM}{text}" if self.ctx.rtl else text)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.backup_list.addItem(item)
        # an empty list leaves its room to the lines above it (a 1024x600 screen)
        self.no_backup.setHidden(self.backup_list.count() > 0)
        self.backup_list.setHidden(self.backup_list.count() == 0)
        self._show_backup_folder()

    def _show_backup_folder(self) -> None:
        """The folder backups go to, and a warning when the one chosen is not there (a USB
        stick pulled): then they go to the laptop's own folder; or when it is on the
        laptop's own disk (a stick's mount point while the stick is out): then they go
        there, and are no copy off the laptop."""
        own, chosen, lang = backup.backup_dir(self.ctx.db_path), self.chosen_folder, self.ctx.lang
        self.backup_folder.setText(chosen or str(own))
        self.backup_folder.setToolTip(chosen or str(own))
        self.own_folder_btn.setEnabled(chosen is not None)
        role = ""

        def where(shown: Callable[[str | Path], str]) -> str:
            if chosen is None:
                return self.ctx.t("ui.backup.where_own")
            if not Path(chosen).is_dir():
                return self.ctx.t("ui.backup.where_missing", folder=ltr(shown(chosen), lang),
                                  own=ltr(shown(own), lang))
            if backup.on_laptop(Path(chosen), self.ctx.db_path):
                return self.ctx.t("ui.backup.where_on_laptop", folder=ltr(shown(chosen), lang))
            return self.ctx.t("ui.backup.where_chosen", own=ltr(shown(own), lang))

        if chosen is not None and (not Path(chosen).is_dir()
                                   or backup.on_laptop(Path(chosen), self.ctx.db_path)):
            role = "alert"
        shown = PathsShown(self.backup_where.font(), self._where_room())
        text = where(shown)
        self.backup_where.setToolTip(where(str) if shown.shortened else "")
        self.backup_where.setText(text)
        self.backup_where.setProperty("role", role)
        self.backup_where.style().unpolish(self.backup_where)
        self.backup_where.style().polish(self.backup_where)

    def _where_room(self) -> int:
        """The width of the line saying where backups go: the label's, once the Backups
        page is laid out; before, the page's inside its margins."""
        if self.backup_where.isVisible():
            return self.backup_where.contentsRect().width()
        margins = self.backup_where.parentWidget().layout().contentsMargins()  # type: ignore[union-attr]
        page = self.tabs.currentWidget() or self.tabs
        return page.width() - margins.left() - margins.right()

    def _banner_paths(self) -> PathsShown:
        return banner_paths(self, self.banner)

    def _folder_error(self, key: str, folder: str, seconds: int,
                      **params: Callable[[], str]) -> None:
        """The error ``key`` naming ``folder`` on one line, shortened to fit (the whole in
        the banner's tooltip), written again if the language changes while it shows."""

        def words(shown: Callable[[str], str]) -> str:
            return self.ctx.t(key, folder=ltr(shown(folder), self.ctx.lang),
                              **{name: said() for name, said in params.items()})

        paths = self._banner_paths()
        words(paths)
        self.banner.error(lambda: words(self._banner_paths()), seconds=seconds,
                          tip=(lambda: words(str)) if paths.shortened else "")

    def choose_backup_folder(self) -> None:
        """Ask for a folder (a USB stick's), and keep it only if a backup can be written
        there; one on the laptop's own disk is kept with a warning: no copy off the
        laptop."""
        start = self.chosen_folder or str(Path.home())
        path = QFileDialog.getExistingDirectory(self, self.ctx.t("ui.backup.choose_title"),
                                                start)
        if not path:
            return
        try:
            backup.check_folder(Path(path))
        except backup.BackupFailed as exc:
            reason = exc.reason
            self._folder_error("ui.backup.folder_refused", path, 15,
                               reason=lambda: reason.message(self.ctx.lang))
            return
        if self._set_backup_folder(path) and backup.on_laptop(Path(path), self.ctx.db_path):
            self._folder_error("ui.backup.chosen_on_laptop", path, 20)

    def _set_backup_folder(self, folder: str | None) -> bool:
        saved = self._save(settings.BACKUP_FOLDER, folder)
        self._list_backups()
        return saved

    def _error(self, exc: SoukError) -> None:
        self.banner.error(error_words(self.ctx, exc))

    def _notice(self, key: str, **params: Any) -> None:
        self.banner.notice(self._words(key, **params))

    def _words(self, key: str, **params: Any) -> Message:
        """The message ``key``, written again if the language changes while it shows."""
        return lambda: self.ctx.t(key, **params)

    def _save(self, key: str, value: Any) -> bool:
        try:
            with self.ctx.write() as s:
                settings.put(s, key, value)
        except SoukError as exc:
            self._error(exc)
            return False
        self._notice("ui.saved")
        self.ctx.settings_changed.emit()
        return True

    def _save_receipt_language(self) -> None:
        self._save(settings.RECEIPT_LANGUAGE, self.receipt_language.currentData())

    def _save_coop(self) -> None:
        with self.ctx.read() as s:
            coop = dict(settings.get(s, settings.COOPERATIVE, {}) or {})
        try:
            coop.update(checked_coop(self.coop))
        except SoukError as exc:
            self._error(exc)
            return
        self.coop["ice"].setText(coop["ice"])
        self._save(settings.COOPERATIVE, coop)

    def _save_printer(self, *, then_test: bool = False) -> None:
        """Check the printer's fields (see :class:`~ui.printing.PrinterForm`), then save
        them (:meth:`_printer_checked`); nothing is saved when the address is refused."""
        if self.printer_form.busy:
            return
        self.then_test = then_test
        with self.ctx.read() as s:
            old = printer_config(s)
        self.printer_form.check(old, hold=(self.printer_save, self.printer_test))

    def _printer_checked(self, config: dict[str, Any], warning: str) -> None:
        with self.ctx.read() as s:
            changed = config != printer_config(s)
        if changed or not self.then_test:
            self._save(settings.PRINTER, config)
            self.printer.reload_settings()
            self._show_paper_watch()
            if warning:
                self.banner.notice(f"{self.ctx.t('ui.saved')} {warning}", seconds=30)
        if self.then_test:
            self.then_test = False
            self._send_test_page()

    def _test_page(self) -> None:
        """A test page of the printer as set in the fields (saved first when changed)."""
        self._save_printer(then_test=True)

    def _test_done(self, printed: bool, message: str) -> None:
        self.printer_test.setEnabled(True)
        self._show_paper_watch()  # what the page found out
        if printed:
            self.banner.notice(message, seconds=20)
        else:
            self.banner.error(message, seconds=30)

    def _send_test_page(self) -> None:
        from pos import receipts

        if self.printer.print_job("test", ""):
            self.banner.notice(self.ctx.t("ui.printer.test_sending"), seconds=30)
            if self.printer.worker is not None:  # one page at a time: it says how it went
                self.printer_test.setEnabled(False)
            return
        with self.ctx.read() as s:
            shop = receipts.Shop.from_settings(s)
            lang = receipts.receipt_language(s)  # as the printed page
        document = receipts.test_page(shop, lang, width_dots=self.paper.currentData())
        self.printer.show_document(self, document)

    def _save_keep(self, value: int) -> None:
        with self.ctx.write() as s:
            settings.put(s, settings.BACKUPS_KEPT, value)

    def _selected_user(self) -> tuple[int, str, str] | None:
        """The person chosen (highlighted) in the list; none chosen, the manager is told to
        choose one. The list's current row alone is not a choice: the focus gives it one
        that is not highlighted, and a PIN would be changed for someone not seen chosen."""
        chosen = self.user_list.selectedIndexes()
        if chosen and 0 <= chosen[0].row() < len(self.people):
            return self.people[chosen[0].row()]
        self.banner.error(self._words("ui.users.choose_first"))
        return None

    def _add_user(self) -> None:
        if ask_manager(self.ctx, self, "ui.pin.reason_users") is None:
            return
        dialog = UserDialog(self.ctx, self)
        dialog.accepted.connect(lambda: self._notice("ui.users.added", name=dialog.added))
        if dialog.exec():
            self.refresh()

    def _change_pin(self) -> None:
        chosen = self._selected_user()
        if chosen is None or ask_manager(self.ctx, self, "ui.pin.reason_users") is None:
            return
        if PinChangeDialog(self.ctx, self, chosen[0], chosen[1]).exec():
            self._notice("ui.saved")
        else:  # it may have said the user was disabled meanwhile
            self._list_users()

    def _disable_user(self) -> None:
        from pos.models import User

        chosen = self._selected_user()
        if chosen is None:
            return
        name = chosen[1]
        question = self.ctx.t("ui.users.disable_question", name=name)
        if not confirm(self.ctx, self, "disableUser", "ui.users.disable", question,
                       "ui.users.disable", "ui.cancel", risky=True):
            return
        if ask_manager(self.ctx, self, "ui.pin.reason_users") is None:
            return
        with self.ctx.write() as s:
            user = s.get(User, chosen[0])
            managers = [u for u in users.active_users(s) if u.role == users.MANAGER]
            if user is None or (user.role == users.MANAGER and len(managers) == 1):
                disabled = False
            else:
                user.active = False
                disabled = True
        self.refresh()
        if not disabled:
            self.banner.error(self._words("ui.users.last_manager"))
            return
        self._notice("ui.users.disabled", name=name)
        signed_in = self.ctx.user
        if signed_in is not None and signed_in.id == chosen[0]:
            self._sign_out(name)

    def _sign_out(self, name: str) -> None:
        """The person disabled is the one signed in at the till: the till is locked, and
        says why, so that no sale is made in the name of someone who has left."""
        from ui.main_window import MainWindow

        window = self.window()
        if isinstance(window, MainWindow):
            window.lock()
            window.login.banner.notice(
                self._words("ui.users.disabled_signed_out", name=name), seconds=20
            )
        else:
            self.ctx.set_user(None)

    def backup_now(self) -> None:
        path, keep, chosen = self.ctx.db_path, self.keep.value(), self.chosen_folder
        self.backup_progress.show()
        self.task = Task(lambda _p: backup.backup_to(path, chosen, keep=keep), self)
        self.task.succeeded.connect(self._backed_up)
        self.task.failed.connect(lambda exc: self._error(
            exc if isinstance(exc, SoukError)
            else SoukError("ui.error.generic", detail=str(exc)[:160])))
        self.task.finished.connect(self._backup_finished)
        self.task.start()

    def restore_chosen(self) -> None:
        """Restore the backup chosen (highlighted) in the list."""
        chosen = self.backup_list.selectedItems()
        if not chosen:
            self.banner.error(self._words("ui.backup.choose_first"))
            return
        pick_backup(self.ctx, self, Path(chosen[0].data(Qt.ItemDataRole.UserRole)),
                    self.banner)

    def _backed_up(self, written: backup.Written) -> None:
        """Where the backup went, its paths on one line each, shortened to fit the banner
        (:class:`~ui.widgets.PathsShown`), the message whole in its tooltip."""
        shown = self._banner_paths()
        text = backup.done_text(self.ctx.lang, written, shown=shown)
        tip = backup.done_text(self.ctx.lang, written) if shown.shortened else ""
        if written.as_meant:
            self.banner.notice(text, tip=tip)
        else:  # on the laptop's disk: the chosen folder could not take it, or is there
            self.banner.error(text, seconds=20, tip=tip)

    def _backup_finished(self) -> None:
        self.backup_progress.hide()
        self._list_backups()

    def _relabel(self) -> None:
        """The texts of the lists' items in the UI language; what is chosen and typed stays."""
        t = self.ctx.t
        self.language.setCurrentIndex(LANGUAGES.index(self.ctx.lang))
        set_choices(self.receipt_language, receipt_language_choices(self.ctx))
        show_paper(self.ctx, self.paper)
        for i, kind in enumerate(CONNECTIONS):
            self.printer_kind.setItemText(i, t(f"ui.printer.kind_{kind}"))
        self._show_paper_watch()
        for row, (_id, name, role) in enumerate(self.people):
            item = self.user_list.item(row)
            if item is not None:
                item.setText(self._user_label(name, role))

    def _user_label(self, name: str, role: str) -> str:
        """The name, then the role, in the reading order of the screen (a Latin name would
        otherwise lay an Arabic line out left to right, the role read first)."""
        mark = RLM if self.ctx.rtl else ""
        return f"{mark}{name} — {self.ctx.t('ui.users.role_' + role)}"

    def retranslate(self) -> None:
        """Relabel the page in the new language, without reading the settings again: edits
        not yet saved in the other tabs are kept."""
        self.texts.apply()
        for i, (_page, key) in enumerate(self.pages):
            self.tabs.setTabText(i, self.ctx.t(key))
        self._relabel()
