"""The laptop's clock in the app: opening a day at a date outside the market's dates asks
first (not opening is the default), and a clock put back while the day is open is said
above the sale screen while the sales go through. The system clock is never changed: the
market's dates and the records' times are set around it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from pos import day, settings, users
from pos.db import DB_FILENAME, Store
from pos.models import JournalEntry, utcnow
from tests.ui.conftest import on_modal
from tests.ui.test_day_and_refunds import ring
from tests.ui.test_sale_guards import on_modal as on_modal_active

LEFT = Qt.MouseButton.LeftButton


def prepare(data_dir: Path, *, market: tuple[str, str] | None = None,
            opened_at: dt.datetime | None = None) -> None:
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        if market is not None:
            settings.put(s, settings.MARKET, {
                "name_ar": "سوق", "name_fr": "Marché", "city": "Fès", "city_ar": "فاس",
                "stand": "12", "starts_on": market[0], "ends_on": market[1]})
        if opened_at is not None:
            manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
            day.open_day(s, 50000, user=manager, at=opened_at)
    store.close()


def kinds(window: Any) -> list[str]:
    with window.ctx.read() as s:
        return list(s.scalars(select(JournalEntry.kind).order_by(JournalEntry.seq)))


def test_opening_a_day_outside_the_market_s_dates_asks_first(
    qtbot: Any, make_window: Any, data_dir: Path
) -> None:
    prepare(data_dir, market=("2019-03-01", "2019-03-05"))
    window = make_window(day_open=False)
    window.show_screen("day")
    screen = window.day
    asked: list[tuple[str, str, bool]] = []
    floats: list[str] = []

    def keep_closed(dialog: Any) -> None:
        text = dialog.findChild(QLabel, "openDayClockText").text()
        asked.append((dialog.windowTitle(), text, dialog.cancel.isDefault()))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # not opening is the default

    def float_500(dialog: Any) -> None:
        floats.append("asked")
        dialog.field.clear()
        qtbot.keyClicks(dialog.field, "500")
        qtbot.mouseClick(dialog.ok, LEFT)

    # one watcher for the float's dialog: it must not come until opening anyway is chosen
    on_modal("openDayDialog", float_500, timeout_ms=10000)
    on_modal_active(qtbot, "openDayClock", keep_closed)
    qtbot.mouseClick(screen.open_btn, LEFT)
    today = dt.date.today().strftime("%d/%m/%Y")
    assert asked == [(
        "Vérifiez la date de l'ordinateur",
        f"La date de cet ordinateur est le {today}, hors des dates du marché (du 01/03/2019 "
        "au 05/03/2019). Si elle est fausse, réglez d'abord la date et l'heure de "
        "l'ordinateur : les ventes porteraient une date fausse et n'arriveraient pas aux "
        "organisateurs.",
        True)]
    assert floats == [] and window.ctx.open_day() is None and kinds(window) == []

    on_modal_active(qtbot, "openDayClock", lambda d: qtbot.mouseClick(d.ok, LEFT))
    qtbot.mouseClick(screen.open_btn, LEFT)  # opening anyway is the manager's choice
    opened = window.ctx.open_day()
    assert opened is not None and opened.opening_float == 50000 and floats == ["asked"]
    assert kinds(window) == ["day_open"]


def test_a_day_within_the_market_s_dates_opens_without_a_question(
    qtbot: Any, make_window: Any, data_dir: Path
) -> None:
    today = dt.date.today()
    prepare(data_dir, market=((today - dt.timedelta(days=2)).isoformat(),
                              (today + dt.timedelta(days=2)).isoformat()))
    window = make_window(day_open=False)
    window.show_screen("day")
    asked: list[str] = []

    def float_500(dialog: Any) -> None:
        asked.append(dialog.objectName())
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("openDayDialog", float_500)
    qtbot.mouseClick(window.day.open_btn, LEFT)
    assert asked == ["openDayDialog"] and window.ctx.open_day() is not None


def test_a_clock_put_back_while_selling_is_said_and_the_sale_goes_through(
    qtbot: Any, make_window: Any, data_dir: Path
) -> None:
    # the day was opened three hours "later" than the laptop's clock now says
    prepare(data_dir, opened_at=utcnow() + dt.timedelta(hours=3, seconds=15))
    window = make_window(day_open=False)
    banner = window.sale.banner
    ring(qtbot, window, ["TAJ-M"], (20000,))
    assert kinds(window) == ["day_open", "sale"]  # the sale went through
    assert window.sale.last_sale.isVisible()
    assert banner.isVisible()
    assert banner.text().startswith(
        "L'horloge de cet ordinateur retarde de 3 h sur le dernier enregistrement de la caisse")
    window.ctx.set_language("ar")
    assert banner.isVisible() and banner.text().startswith(
        "توقيت هذا الحاسوب متأخر عن آخر قيد مسجل في الصندوق")
