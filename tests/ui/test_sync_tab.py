"""The Settings "Synchronisation" tab of an enrolled till on a 1024x600 screen, against
the real server on loopback: the window keeps its size, days and market dates are written
as elsewhere in the app, a reason too long for its column can be read whole, and a revoked
till is told what to do in its own language; when the figures last reached the organisers
is shown, and stays while the server is out of reach; a failed enrolment's message follows
the app's language."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QWidget

from pos import users
from pos.errors import SoukError
from pos.i18n import ltr, tr
from sync.client import config
from sync.client.engine import enrol_store
from sync.client.status import sent_text
from sync.server import admin
from tests.helpers import drawn_order
from tests.sync.client.conftest import FAST, options
from tests.sync.client.conftest import server as server  # the organisers' live server
from tests.sync.client.support import MARKET_DAY, MARKET_END, LiveServer, Till
from ui.sync_bridge import SyncBridge

SMALL = (1024, 600)


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_a_revoked_tills_sync_tab_on_a_small_screen(qtbot: Any, make_window: Any,
                                                     server: LiveServer, lang: str) -> None:
    window = make_window(lang=lang, day_open=False, size=SMALL)
    store = window.ctx.store
    with window.ctx.read() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        s.expunge(manager)
    window.ctx.user = manager
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    till = Till(store)
    rng = random.Random(7)
    till.sell(rng)
    till.close_day()
    bridge = SyncBridge(store, lang, parent=window, options=options())
    window.sync = bridge
    bridge.status_changed.connect(lambda _text: window.update_status())
    try:
        bridge.start()
        qtbot.waitUntil(lambda: bridge.snapshot.last_success_at is not None
                        and bridge.snapshot.waiting == 0, timeout=5000)
        assert window.sync_status.property("role") == "ok"  # green: all delivered
        with store.read() as s:
            device = config.load(s).device_id
        assert device is not None
        server.revoke(device)
        till.sell(rng)
        bridge.request_sync("manual")
        qtbot.waitUntil(lambda: bool(bridge.snapshot.revoked), timeout=5000)

        window.show_screen("settings")
        settings = window.screen("settings")
        panel = settings.findChild(QWidget, "syncPanel")
        settings.tabs.setCurrentIndex(4)
        QApplication.processEvents()
        assert (window.width(), window.height()) == SMALL
        assert window.minimumSizeHint().height() <= SMALL[1]

        assert (f"{MARKET_DAY:%d/%m/%Y}" in panel.details.text()
                and f"{MARKET_END:%d/%m/%Y}" in panel.details.text())
        table = panel.table
        assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
            "13/05/2026", "12/05/2026"]
        problem = table.item(0, 5)
        assert problem.text() == tr(lang, "sync.err.revoked")
        assert problem.toolTip() == problem.text()
        assert panel.enrol_box.isVisible() and above(panel.enrol_box, panel.details)
        assert not panel.again_button.isVisible()  # a revoked till needs the form: it is there
        assert window.sync_status.text() == tr(lang, "ui.status.sync",
                                               state=tr(lang, "sync.status.revoked"))
        assert window.sync_status.property("role") == "bad"  # red: ask for a new code
    finally:
        bridge.stop()


def manager_window(make_window: Any, lang: str) -> Any:
    window = make_window(lang=lang, day_open=False, size=SMALL)
    with window.ctx.read() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        s.expunge(manager)
    window.ctx.user = manager
    return window


def sync_tab(window: Any) -> Any:
    window.show_screen("settings")
    settings = window.screen("settings")
    settings.tabs.setCurrentIndex(4)
    QApplication.processEvents()
    return settings.findChild(QWidget, "syncPanel")


SENT_TODAY = {"ar": "آخر إرسال الساعة ", "fr": "dernier envoi à ", "en": "last sent at "}
NOTHING_SENT = {"ar": "لم يُرسل شيء بعد", "fr": "rien d'envoyé pour l'instant",
                "en": "nothing sent yet"}


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_last_sending_is_shown_and_stays_while_the_server_is_out_of_reach(
        qtbot: Any, make_window: Any, server: LiveServer, lang: str) -> None:
    window = manager_window(make_window, lang)
    store = window.ctx.store
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    till = Till(store)
    rng = random.Random(8)
    till.sell(rng)
    bridge = SyncBridge(store, lang, parent=window, options=options())
    window.sync = bridge
    bridge.status_changed.connect(lambda _text: window.update_status())
    try:
        panel = sync_tab(window)
        assert panel.last_sent.text() == NOTHING_SENT[lang]
        bridge.start()
        qtbot.waitUntil(lambda: bridge.snapshot.last_success_at is not None
                        and bridge.snapshot.waiting == 0, timeout=5000)
        when = bridge.snapshot.last_success_at
        assert when is not None
        sent = SENT_TODAY[lang] + when.astimezone().strftime("%H:%M")
        assert panel.last_sent.text() == sent
        assert window.sync_status.toolTip() == f"{window.sync_status.text()}\n{sent}"

        server.stop()  # the market's network is gone for hours
        till.sell(rng)
        bridge.request_sync("manual")
        qtbot.waitUntil(lambda: bridge.snapshot.failing, timeout=5000)
        assert panel.last_sent.text() == sent
        offline = window.sync_status.text()
        assert offline.endswith(" · " + sent)  # after "offline - 1 day waiting"
        # the whole state, which a narrow status bar may cut, the time on its own line,
        # and that the sales are safe on the till, as the panel says
        safe = f"{tr(lang, 'sync.safe.kept')} {tr(lang, 'sync.safe.later')}"
        assert window.sync_status.toolTip() == (
            f"{offline.removesuffix(' · ' + sent)}\n{sent}\n{safe}")
        assert safe in panel.safe.text()
        assert sent not in panel.status.text()  # the panel says it once, on its own line
        assert (window.width(), window.height()) == SMALL
    finally:
        bridge.stop()


@pytest.mark.parametrize(("lang", "market"), [
    ("ar", "السوق: السوق المتنقل لفاس، فاس، من "),
    ("fr", "Marché\u00a0: Marché itinérant de Fès, Fès, du "),
])
def test_the_market_city_is_written_in_the_tabs_language(
        qtbot: Any, make_window: Any, server: LiveServer, tmp_path: Any, lang: str,
        market: str) -> None:
    """A till enrolled before the organisers wrote the market's city in Arabic is told it
    at its next sync: the Arabic tab writes it in Arabic letters, the French one as
    before."""
    window = manager_window(make_window, lang)
    store = window.ctx.store
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    with server.database.write() as s:
        admin.edit_market(s, server.market_id, city_ar="فاس")
    bridge = SyncBridge(store, lang, parent=window, options=options())
    window.sync = bridge
    bridge.status_changed.connect(lambda _text: window.update_status())
    try:
        bridge.start()
        qtbot.waitUntil(lambda: bridge.snapshot.last_success_at is not None, timeout=5000)
        panel = sync_tab(window)
        qtbot.waitUntil(lambda: market in panel.details.text(), timeout=5000)
        assert ("Fès" in panel.details.text()) == (lang == "fr")
        window.grab().save(str(tmp_path / f"sync-tab-city-{lang}.png"))
    finally:
        bridge.stop()


def test_a_sending_before_today_is_told_by_its_date() -> None:
    now = dt.datetime(2026, 5, 13, 9, 30).astimezone()
    yesterday = dt.datetime(2026, 5, 12, 18, 40).astimezone()
    assert sent_text("fr", yesterday, now) == "dernier envoi le 12/05/2026"
    assert sent_text("ar", yesterday, now) == "آخر إرسال يوم 12/05/2026"
    assert sent_text("en", yesterday, now) == "last sent on 12/05/2026"
    assert sent_text("en", now.replace(hour=8, minute=5), now) == "last sent at 08:05"


def test_a_failed_enrolments_message_follows_the_apps_language(
        qtbot: Any, make_window: Any, server: LiveServer) -> None:
    window = manager_window(make_window, "fr")
    bridge = SyncBridge(window.ctx.store, "fr", parent=window, options=options())
    window.sync = bridge
    window.ctx.language_changed.connect(bridge.set_language)
    try:
        bridge.start()
        panel = sync_tab(window)
        panel.url_edit.setText(server.url)
        panel.code_edit.setText("WRON-GCOD-E234")
        panel.enrol_button.click()
        qtbot.waitUntil(panel.enrol_button.isEnabled, timeout=5000)
        assert panel.message.text() == (
            "Échec de l'inscription : Ce code est inconnu, déjà utilisé ou expiré : "
            "vérifiez-le ou demandez-en un nouveau aux organisateurs.")
        window.ctx.set_language("ar")
        assert panel.message.text() == (
            "فشل التسجيل: هذا الرمز غير معروف أو مستعمل من قبل أو منتهي الصلاحية: تحقق منه "
            "أو اطلب رمزًا جديدًا من المنظمين.")
        window.ctx.set_language("en")
        assert panel.message.text() == (
            "Enrolment failed: This code is unknown, used already or expired: check it, or "
            "ask the organisers for a new one.")
        assert panel.enrol_button.text() == "Enrol this till"
    finally:
        bridge.stop()


NOT_SET_UP = {"ar": "المزامنة: غير مضبوطة", "fr": "Synchro : non configurée",
              "en": "Sync: not set up"}


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_till_not_enrolled_says_so_once_and_cannot_sync_yet(
        qtbot: Any, make_window: Any, server: LiveServer, tmp_path: Any, lang: str) -> None:
    window = manager_window(make_window, lang)
    window.update_status()
    assert window.sync_status.text() == NOT_SET_UP[lang]  # before sync started
    bridge = SyncBridge(window.ctx.store, lang, parent=window, options=options())
    window.sync = bridge
    bridge.status_changed.connect(lambda _text: window.update_status())
    try:
        bridge.start()
        panel = sync_tab(window)
        window.update_status()
        assert window.sync_status.text() == NOT_SET_UP[lang]  # and after
        assert panel.details.text() == tr(lang, "sync.panel.not_enrolled")
        assert not panel.status.isVisible()  # no second "not set up" under it
        words = tr(lang, "sync.status.not_set_up")
        assert all(words not in label.text() for label in panel.findChildren(QLabel))
        assert not panel.sync_button.isEnabled()
        assert panel.sync_button.toolTip() == tr(lang, "sync.panel.enrol_first")

        panel.url_edit.setText(server.url)
        panel.code_edit.setText(server.code())
        panel.enrol_button.click()
        qtbot.waitUntil(lambda: bridge.snapshot.enrolled, timeout=5000)
        qtbot.waitUntil(panel.sync_button.isEnabled, timeout=5000)
        assert panel.sync_button.toolTip() == "" and panel.status.isVisible()
        assert window.sync_status.text() != NOT_SET_UP[lang]

        # enrolled: its state first, whole on the screen, and the form put away
        assert panel.message.text() == tr(lang, "sync.panel.enrolled_ok")
        assert not panel.enrol_box.isVisible()
        shown = (panel.message, panel.details, panel.status, panel.sync_button,
                 panel.again_button)
        qtbot.waitUntil(lambda: all(on_screen(window, widget) for widget in shown),
                        timeout=5000)
        assert above(panel.details, panel.table)

        # a new code (another market, a new server): the form comes back, under the days
        panel.again_button.click()
        qtbot.waitUntil(lambda: on_screen(window, panel.enrol_box), timeout=5000)
        assert above(panel.table, panel.enrol_box)
        assert panel.code_edit.hasFocus()
        assert panel.url_edit.text() == server.url  # kept: only the code is new
        panel.code_edit.setText(server.code())
        panel.enrol_button.click()
        qtbot.waitUntil(lambda: not panel.enrol_box.isVisible(), timeout=5000)
        assert panel.message.text() == tr(lang, "sync.panel.enrolled_ok")
        assert not panel.again_button.isChecked() and bridge.snapshot.enrolled
        qtbot.waitUntil(lambda: all(on_screen(window, widget) for widget in shown),
                        timeout=5000)
        window.grab().save(str(tmp_path / f"sync-tab-enrolled-{lang}.png"))
    finally:
        bridge.stop()


def on_screen(window: Any, widget: QWidget) -> bool:
    """The widget is shown whole inside the window, the tab's scrolling as it is."""
    scroller = window.screen("settings").findChild(QScrollArea, "syncScroll")
    viewport = scroller.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return widget.isVisible() and viewport.rect().contains(
        QRect(top_left, widget.size()).adjusted(1, 1, -1, -1))


def above(upper: QWidget, lower: QWidget) -> bool:
    window = upper.window()
    return upper.mapTo(window, QPoint(0, upper.height())).y() <= lower.mapTo(
        window, QPoint(0, 0)).y()


def test_enrolling_with_https_against_an_http_server_says_what_to_type(
        qtbot: Any, make_window: Any, server: LiveServer) -> None:
    window = manager_window(make_window, "ar")
    bridge = SyncBridge(window.ctx.store, "ar", parent=window, options=options())
    window.sync = bridge
    window.ctx.language_changed.connect(bridge.set_language)
    try:
        bridge.start()
        panel = sync_tab(window)
        tried = server.url.replace("http://", "https://")
        panel.url_edit.setText(tried)
        panel.code_edit.setText(server.code())
        panel.enrol_button.click()
        qtbot.waitUntil(lambda: panel.enrol_button.isEnabled() and bool(panel.message.text())
                        and panel.message.text() != tr("ar", "sync.panel.enrolling"),
                        timeout=5000)
        assert panel.message.text() == (
            f"فشل التسجيل: الخادم على {ltr(tried, 'ar')} يجيب دون تشفير: إذا كان العنوان الذي "
            f"قدمه المنظمون يبدأ بـ {ltr('http://', 'ar')} (خادم على شبكة السوق نفسها)، فاكتب "
            f"{ltr(server.url, 'ar')}.")
        window.ctx.set_language("fr")
        assert panel.message.text().startswith(
            f"Échec de l'inscription : Le serveur à {tried} répond sans chiffrement")
    finally:
        bridge.stop()


OFFLINE_TWO = {"ar": "غير متصل - يومان في الانتظار", "fr": "hors ligne - 2 journées en attente",
               "en": "offline - 2 days waiting"}


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_days_waiting_are_counted_as_each_language_says_them(
        qtbot: Any, make_window: Any, server: LiveServer, tmp_path: Any, lang: str) -> None:
    """Two days that could not be sent: "two days" in Arabic's dual (not "days: 2"), in
    the status bar and in the tab, whole on a 1024x600 screen."""
    window = manager_window(make_window, lang)
    store = window.ctx.store
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    server.stop()  # out of reach before anything was sent
    till = Till(store)
    rng = random.Random(9)
    till.sell(rng)
    till.close_day()
    till.sell(rng)
    bridge = SyncBridge(store, lang, parent=window, options=options())
    window.sync = bridge
    bridge.status_changed.connect(lambda _text: window.update_status())
    try:
        panel = sync_tab(window)
        bridge.start()
        # the first failure may be told before the days waiting are counted: the panel
        # and the status bar say both once the bridge has counted them
        qtbot.waitUntil(lambda: panel.status.text() == OFFLINE_TWO[lang], timeout=5000)
        words = tr(lang, "ui.status.sync", state=OFFLINE_TWO[lang])
        qtbot.waitUntil(lambda: window.sync_status.shown_text() == words, timeout=5000)
        assert bridge.snapshot.failing and window.sync_status.text() == words  # whole
        assert (window.width(), window.height()) == SMALL
        window.grab().save(str(tmp_path / f"sync-offline-{lang}.png"))
    finally:
        bridge.stop()


def test_enrolling_with_an_empty_field_asks_for_it_and_the_details_read_as_french(
        qtbot: Any, make_window: Any, server: LiveServer) -> None:
    """The address asked for before anything is sent, then the code; once enrolled, the
    cooperative's details are written with French punctuation ("Stand : 12")."""
    window = manager_window(make_window, "fr")
    bridge = SyncBridge(window.ctx.store, "fr", parent=window, options=options())
    window.sync = bridge
    try:
        bridge.start()
        panel = sync_tab(window)
        panel.enrol_button.click()
        assert panel.message.text() == (
            "Saisissez l'adresse du serveur donnée par les organisateurs (comme "
            "https://souk.example.ma).")
        assert panel.enrol_button.isEnabled() and panel.focusWidget() is panel.url_edit
        panel.url_edit.setText(server.url)
        panel.enrol_button.click()
        qtbot.waitUntil(panel.enrol_button.isEnabled, timeout=5000)
        assert panel.message.text() == (
            "Échec de l'inscription\u00a0: Saisissez le code à usage unique donné par les "
            "organisateurs (comme 7KMX-3HR9W-PC4T).")
        assert not bridge.snapshot.enrolled
        panel.code_edit.setText(server.code())
        panel.enrol_button.click()
        qtbot.waitUntil(lambda: bridge.snapshot.enrolled, timeout=5000)
        qtbot.waitUntil(lambda: "Stand" in panel.details.text(), timeout=5000)
        lines = panel.details.text().split("\n")
        assert [line.split("\u00a0: ")[0] for line in lines] == [
            "Coopérative", "Stand", "Marché", "Appareil"], lines
    finally:
        bridge.stop()


def test_an_arabic_message_that_starts_with_an_address_reads_right_to_left(
        qtbot: Any, make_window: Any) -> None:
    """«ftp://x» ليس عنوان خادم: laid out from its first letter, the Latin address, the
    message would read left to right, the full stop at its right end; it keeps the screen's
    direction, the address at the start of the line, on the right."""
    window = manager_window(make_window, "ar")
    bridge = SyncBridge(window.ctx.store, "ar", parent=window, options=options())
    window.sync = bridge
    panel = sync_tab(window)
    bridge.problem.emit(SoukError("sync.bad_url", url="ftp://x"))
    shown = panel.message.text()
    drawn = drawn_order(shown)  # as the label lays it out, from its first strong letter
    assert drawn.startswith(".")  # the full stop ends the line on the left
    assert drawn.endswith("»ftp://x«")  # the address starts it on the right
