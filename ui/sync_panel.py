"""The sync page of the app's settings.

``SyncPanel(bridge, lang)`` shows, above, the enrolment: the server's address, the
organiser's one-time code (typed, or pasted from the QR code's text), an optional CA file
(a PEM bundle for a server with its own certificate authority; verification itself can
never be turned off), and the "Enrol this till" button. Once enrolled it shows first the
cooperative, stand, market, dates and device id the server gave, and the enrolment only
when asked ("Enrol again with a new code…", under the days) or when the server revoked
the till, which needs a new code. Below, one row per
business day: its local version, the version the server acknowledged, its state (on the
server / waiting / set aside with the server's reason / not synced because the server
holds newer figures) and the last problem in words, when the figures last reached the
organisers ("last sent at 14:05", kept while offline), while they cannot reach them
the last problem whole and that the sales are safe on the till (sent by themselves once
the connection is back), the "Sync now" button (disabled
until the till is enrolled, its tooltip saying so), and the "Retry
the days set aside" button (enabled while a day is held back), which clears the set-aside
marks and syncs at once. A warning above the table says when the server holds newer
figures than this stall (its database was restored from a backup by hand), and, for each
day whose figures sent after a ``souk-pos restore`` replaced the server's, that it was
restored and what the server held before against what the till says now (the day's row
says "restored from a backup" too), and when this laptop's clock is more than five
minutes from the server's, by how much and which way. Everything goes
through :class:`ui.sync_bridge.SyncBridge`; the panel never touches the network and reads
no database.

Call ``retranslate(lang)`` when the language changes: every text follows, the message under
the enrolment (kept as what to say, not as words) too.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos.errors import SoukError
from pos.i18n import comma, is_rtl, tr, tr_count
from pos.settings import market_city
from sync.client.errors import date_text, describe
from sync.client.status import DayRow, Snapshot, clock_text, restored_text, safe_text
from ui.sync_bridge import SyncBridge
from ui.widgets import in_direction

COLUMNS = ("sync.panel.col_date", "sync.panel.col_z", "sync.panel.col_local",
           "sync.panel.col_server", "sync.panel.col_state", "sync.panel.col_error")


class SyncPanel(QWidget):
    def __init__(self, bridge: SyncBridge, lang: str = "fr", parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.lang = lang
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://souk.example.ma")
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("7KMX-3HR9W-PC4T")
        self.ca_edit = QLineEdit()
        self.browse_button = QPushButton()
        self.ca_button = QPushButton()
        self.enrol_button = QPushButton()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self._said: Callable[[str], str] | None = None  # the message, in a language
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.last_sent = QLabel()  # its own line: the status above leaves it out
        self.last_sent.setWordWrap(True)
        # while the figures cannot reach the organisers: the last problem whole (the
        # table's column cuts it), and that the sales are safe on the till
        self.safe = QLabel()
        self.safe.setWordWrap(True)
        self.safe.setProperty("role", "notice")
        self.safe.setVisible(False)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # the room left, at least a few days: a small screen's page does not scroll for it
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.table.setMinimumHeight(140)
        self.sync_button = QPushButton()
        self.retry_button = QPushButton()
        self.again_button = QPushButton()  # the enrolment, shown again on an enrolled till
        self.again_button.setCheckable(True)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setProperty("role", "alert")
        self.warning.setVisible(False)
        self._build()
        self.enrol_button.clicked.connect(self._enrol)
        self.browse_button.clicked.connect(self._browse)
        self.ca_button.clicked.connect(self._use_ca)
        self.sync_button.clicked.connect(lambda: bridge.request_sync("manual"))
        self.retry_button.clicked.connect(bridge.retry_set_aside)
        self.again_button.toggled.connect(self._show_enrolment)
        bridge.snapshot_changed.connect(self.show_snapshot)
        bridge.status_changed.connect(self._on_status)
        bridge.enrolled.connect(self._on_enrolled)
        bridge.enrol_failed.connect(self._on_enrol_failed)
        bridge.problem.connect(self._on_problem)
        self.retranslate(lang)
        self.show_snapshot(bridge.snapshot)

    def _build(self) -> None:
        self.enrol_box = QGroupBox()
        form = QFormLayout(self.enrol_box)
        self._labels = {key: QLabel() for key in
                        ("sync.panel.server", "sync.panel.code", "sync.panel.ca_file")}
        form.addRow(self._labels["sync.panel.server"], self.url_edit)
        form.addRow(self._labels["sync.panel.code"], self.code_edit)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(self.browse_button)
        ca_row.addWidget(self.ca_button)
        form.addRow(self._labels["sync.panel.ca_file"], ca_row)
        form.addRow(self.enrol_button)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.enrol_box)  # moved under the days once enrolled: _place_enrolment
        layout.addWidget(self.message)
        layout.addWidget(self.details)
        bottom = QHBoxLayout()
        state = QVBoxLayout()
        state.addWidget(self.status)
        state.addWidget(self.last_sent)
        bottom.addLayout(state, 1)
        bottom.addWidget(self.sync_button)
        bottom.addWidget(self.retry_button)
        layout.addLayout(bottom)
        layout.addWidget(self.safe)
        layout.addWidget(self.warning)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.again_button, 0, Qt.AlignmentFlag.AlignTrailing)

    def retranslate(self, lang: str) -> None:
        self.lang = lang
        t = self._t
        self.enrol_box.setTitle(t("sync.panel.title"))
        for key, label in self._labels.items():
            label.setText(t(key))
        self.browse_button.setText(t("sync.panel.browse"))
        self.ca_button.setText(t("sync.panel.save_ca"))
        self.enrol_button.setText(t("sync.panel.enrol"))
        self.sync_button.setText(t("sync.panel.sync_now"))
        self.retry_button.setText(t("sync.panel.retry"))
        self.again_button.setText(t("sync.panel.enrol_again"))
        self.table.setHorizontalHeaderLabels([t(k) for k in COLUMNS])
        self._show_message()
        self._on_status()
        self.show_snapshot(self.bridge.snapshot)

    def _t(self, key: str, **params: object) -> str:
        return tr(self.lang, key, **params)

    # --- actions -----------------------------------------------------------------------

    def _say(self, said: Callable[[str], str]) -> None:
        """Show the message ``said`` gives in the panel's language (and in the next one)."""
        self._said = said
        self._show_message()

    def _show_message(self) -> None:
        direction = (Qt.LayoutDirection.RightToLeft if is_rtl(self.lang)
                     else Qt.LayoutDirection.LeftToRight)
        self.message.setText(in_direction(self._said(self.lang), direction) if self._said
                             else "")

    def _enrol(self) -> None:
        """Enrol with the address and code typed; no address is asked for first (else the
        manager would be told that nothing is not a server's address)."""
        if not self.url_edit.text().strip():
            self._say(lambda lang: tr(lang, "ui.sync.url_needed"))
            self.url_edit.setFocus()
            return
        self.enrol_button.setEnabled(False)
        self._say(lambda lang: tr(lang, "sync.panel.enrolling"))
        self.bridge.enrol(self.url_edit.text(), self.code_edit.text(), self.ca_edit.text())

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self._t("sync.panel.ca_file"), "",
                                              "PEM (*.pem *.crt);;*")
        if path:
            self.ca_edit.setText(path)

    def _use_ca(self) -> None:
        self.bridge.set_ca_file(self.ca_edit.text().strip())

    def _on_enrolled(self) -> None:
        self.enrol_button.setEnabled(True)
        self.code_edit.clear()
        self.again_button.setChecked(False)
        self._say(lambda lang: tr(lang, "sync.panel.enrolled_ok"))

    def _on_enrol_failed(self, error: SoukError) -> None:
        self.enrol_button.setEnabled(True)
        self._say(lambda lang: tr(lang, "sync.panel.enrol_failed", error=error.message(lang)))

    def _on_problem(self, error: SoukError) -> None:
        self._say(error.message)

    def _on_status(self, _text: str = "") -> None:
        """The state under the enrolment; none before it (the words above say what to do),
        and "Sync now" only once there is a server to send to."""
        enrolled = self.bridge.snapshot.enrolled
        self.status.setText(self.bridge.state_text(self.lang, sent=False) if enrolled else "")
        self.status.setVisible(enrolled)
        self.last_sent.setText(self.bridge.last_sent(self.lang))
        snap = self.bridge.snapshot
        safe = safe_text(snap, self.lang)
        problem = describe(snap.last_error, self.lang, brief=True) if safe else ""
        self.safe.setText("\n".join(line for line in (problem, safe) if line))
        self.safe.setVisible(bool(safe))
        self.sync_button.setEnabled(enrolled)
        self.sync_button.setToolTip("" if enrolled else self._t("sync.panel.enrol_first"))
        self._place_enrolment()

    def _place_enrolment(self) -> None:
        """The enrolment comes first on a till not enrolled, or revoked (it needs a new
        code); an enrolled till shows its state first, and the enrolment under the days
        only when "Enrol again…" is pressed."""
        snap = self.bridge.snapshot
        needed = not snap.enrolled or bool(snap.revoked)
        self.again_button.setVisible(not needed)
        layout, box = self._layout, self.enrol_box
        if layout.indexOf(box) != (0 if needed else layout.indexOf(self.again_button) + 1):
            layout.removeWidget(box)
            layout.insertWidget(0 if needed else layout.indexOf(self.again_button) + 1, box)
        self.enrol_box.setVisible(needed or self.again_button.isChecked())

    def _show_enrolment(self, shown: bool) -> None:
        self._place_enrolment()
        if shown:
            self.code_edit.setFocus()
            scroller = self.parentWidget()
            while scroller is not None and not isinstance(scroller, QScrollArea):
                scroller = scroller.parentWidget()
            if scroller is not None:  # once the layout has made room for it
                QTimer.singleShot(0, lambda: scroller.ensureWidgetVisible(self.enrol_box))

    # --- state -------------------------------------------------------------------------

    def show_snapshot(self, snap: Snapshot) -> None:
        if snap.url and not self.url_edit.text():
            self.url_edit.setText(snap.url)
        if snap.ca_file and not self.ca_edit.text():
            self.ca_edit.setText(snap.ca_file)
        self.details.setText(self._details(snap))
        self._on_status()
        self.retry_button.setEnabled(snap.set_aside + snap.server_newer > 0)
        said = [restored_text(self.lang, day) for day in snap.restored]
        if snap.server_newer:
            said.insert(0, tr_count(self.lang, "sync.panel.server_newer", snap.server_newer))
        if snap.enrolled and (clock := clock_text(self.lang, snap.clock_offset)):
            said.insert(0, clock)
        self.warning.setVisible(bool(said))
        self.warning.setText("\n".join(said))
        self.table.setRowCount(len(snap.days))
        for row, day in enumerate(snap.days):
            for col, text in enumerate(self._cells(day)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # the whole reason, when the column cuts it short
                self.table.setItem(row, col, item)

    def _details(self, snap: Snapshot) -> str:
        if not snap.enrolled:
            return self._t("sync.panel.not_enrolled")
        coop = snap.cooperative
        market = coop.get("market", {})
        ar = self.lang == "ar"
        name = coop.get("name_ar" if ar else "name_fr", "")
        market_name = market.get("name_ar" if ar else "name_fr", "")
        dates = self._t("sync.panel.dates", starts=date_text(market.get("starts_on", "")),
                        ends=date_text(market.get("ends_on", "")))
        place = comma(self.lang).join([market_name, market_city(market, self.lang), dates])
        return "\n".join(
            self._t("report.row", label=self._t(key), value=value) for key, value in (
                ("sync.panel.cooperative", name), ("sync.panel.stand", coop.get("stand", "")),
                ("sync.panel.market", place), ("sync.panel.device", snap.device_id)))

    def _cells(self, day: DayRow) -> tuple[str, ...]:
        if day.set_aside:
            state = self._t("sync.day.set_aside",
                            reason=describe(day.rejected_reason, self.lang))
        elif day.server_newer:
            state = self._t("sync.day.server_newer",
                            reason=describe(day.rejected_reason, self.lang))
        elif day.outside:
            state = self._t("sync.day.outside")
        elif day.waiting:
            state = self._t("sync.day.waiting")
        else:
            state = self._t("sync.day.synced")
        if day.restored is not None:
            state += " · " + self._t("sync.day.restored")
        z = f"Z{day.z_label}" if day.z_number else self._t("sync.day.open")
        error = describe(day.last_error, self.lang) if day.waiting or day.last_error else ""
        return (date_text(day.date), z, str(day.local_version), str(day.acked_version), state,
                error)


