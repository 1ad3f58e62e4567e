"""The figures (F5) and settings (F6) on a 1024x600 screen, in Arabic and French: the four
key figures line up, each on its language's reading side; "Today" says which day it shows
and keeps the morning of a day closed and opened again; the figures of a busy day are its
Z report's; what each member made; the hours under the chart written apart; a device path
in an Arabic example keeps its slash in front; every settings tab's title shows whole."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetricsF, QTextLayout
from PySide6.QtWidgets import QApplication, QLabel, QStyleOptionTab, QToolButton
from sqlalchemy import select

from pos import catalogue, checkout, day, demo, refunds, reports, users
from pos.cart import Cart, cash
from pos.db import DB_FILENAME, Store
from pos.i18n import tr_count
from pos.models import Sale
from pos.money import format_money, parse_money, round_div
from tests.ui.conftest import click_tile, tile_row
from ui import theme

SMALL = (1024, 600)


def settle() -> None:
    for _ in range(12):
        QApplication.processEvents()


def ink(label: QLabel) -> tuple[int, int]:
    """The first and last columns of ``label`` where its text is drawn."""
    image = label.grab().toImage()
    columns = [x for x in range(image.width())
               if any(image.pixelColor(x, y).lightness() < 128 for y in range(image.height()))]
    assert columns, label.text()
    return columns[0], columns[-1]


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_key_figures_line_up_on_the_reading_side(qtbot: Any, make_window: Any,
                                                     lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    for sku in ("RUG-S", "ARG-250"):
        click_tile(qtbot, window, tile_row(window, sku))
        assert window.sale.complete([cash(window.sale.cart.totals().total)])
    window.show_screen("figures")
    settle()
    kpis = window.figures.kpis
    assert kpis["sales"][1].text() == "2"
    for caption, value in kpis.values():
        for text in (caption, value):
            left, right = ink(text)
            if lang == "ar":  # the count too, which has no direction of its own
                assert right > text.width() - 12 and left > 12, (text.text(), left, right)
            else:
                assert left < 12, (text.text(), left, right)
    tops = {(caption.mapTo(window, caption.rect().topLeft()).y(),
             value.mapTo(window, value.rect().topLeft()).y(), value.height())
            for caption, value in kpis.values()}
    assert len(tops) == 1, tops  # the captions at one height, the figures at another


@pytest.mark.parametrize("kind", ["none", "file", "serial"])
def test_an_arabic_example_path_keeps_its_slash_in_front(qtbot: Any, make_window: Any,
                                                         kind: str) -> None:
    window = make_window(lang="ar", size=SMALL)
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex(3)
    screen.printer_kind.setCurrentIndex(screen.printer_kind.findData(kind))
    settle()
    field = screen.printer_address
    shown = field.placeholderText()
    path = "/dev/usb/lp0" if kind != "serial" else "/dev/ttyUSB0"
    assert path in shown
    layout = QTextLayout(shown, field.font())
    option = layout.textOption()
    option.setTextDirection(Qt.LayoutDirection.RightToLeft)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(2000)
    layout.endLayout()
    at = shown.index(path)
    slash, d = (line.glyphRuns(at + i, 1)[0].positions()[0].x() for i in (0, 1))
    assert slash < d  # "/dev/…", not "dev/…/"


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_every_settings_tab_title_is_whole_on_a_small_screen(qtbot: Any, make_window: Any,
                                                             lang: str) -> None:
    """At 1024x600, each tab open in turn (the open one's title in bold takes more room),
    no title is shortened ("النسخ الاحتياط…") nor cut off, and no scroll arrows show; nor
    in a window made as narrow as it goes (a dock beside it, a window not maximized)."""
    window = make_window(lang=lang, size=SMALL)
    window.show_screen("settings")
    tabs = window.settings.tabs
    bar = tabs.tabBar()
    for width in (SMALL[0], 1):
        window.resize(width, SMALL[1])
        for current in range(tabs.count()):
            tabs.setCurrentIndex(current)
            settle()
            assert window.height() == SMALL[1]
            assert [arrow for arrow in bar.findChildren(QToolButton) if arrow.isVisible()] == []
            seen = QRect(bar.mapTo(window, bar.rect().topLeft()), bar.size())
            assert window.rect().contains(seen) and tabs.rect().contains(bar.geometry())
            for i in range(bar.count()):
                option = QStyleOptionTab()
                bar.initStyleOption(option, i)
                assert option.text == bar.tabText(i), (width, current)  # not shortened
                assert bar.rect().contains(bar.tabRect(i)), (bar.tabText(i), width, current)
                assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width()


def sell(qtbot: Any, window: Any, *skus: str) -> None:
    """One ticket per product, paid in cash to the centime."""
    window.show_screen("sale")
    for sku in skus:
        click_tile(qtbot, window, tile_row(window, sku))
        assert window.sale.complete([cash(window.sale.cart.totals().total)])


def close_day(window: Any) -> None:
    """Close the open day, its cash counted as expected."""
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        day.close_day(s, day.count_for(day.day_report_expected(s)), manager=manager)
    window.ctx.day_changed.emit()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_today_keeps_the_morning_of_a_day_closed_and_opened_again(
        qtbot: Any, make_window: Any, lang: str) -> None:
    """The day closed by mistake at noon and opened again: "Today" still counts the
    morning's tickets, as the date's report to the organisers does, to the centime; the
    whole edition so far is one day, not two."""
    window = make_window(lang=lang, size=SMALL)
    sell(qtbot, window, "RUG-S", "ARG-250")
    close_day(window)
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        day.open_day(s, 50000, user=manager)
    window.ctx.day_changed.emit()
    sell(qtbot, window, "TAJ-M")
    window.show_screen("figures")
    settle()
    screen = window.figures
    with window.ctx.read() as s:
        today = day.current_day(s)
        assert today is not None
        report = reports.date_report(s, today.date)
    assert report is not None and report.sales_count == 3
    kpis = {key: value.text() for key, (_caption, value) in screen.kpis.items()}
    assert kpis["net"] == format_money(report.net, lang)
    assert kpis["sales"] == "3"
    assert sum(amount for _name, amount, _text in screen.chart.bars) == report.net
    qtbot.mouseClick(screen.edition_btn, Qt.MouseButton.LeftButton)
    date = today.date.strftime("%d/%m/%Y")
    assert screen.period.text() == window.ctx.t(
        "ui.figures.edition_date", date=date, days=tr_count(lang, "ui.figures.days", 1))


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_today_says_which_day_it_shows(qtbot: Any, make_window: Any, lang: str) -> None:
    """The day open, "Today" names its date; once closed (no day opened yet), the figures
    shown are that day's, named by its date and its Z."""
    window = make_window(lang=lang, size=SMALL)
    sell(qtbot, window, "RUG-S")
    window.show_screen("figures")
    settle()
    screen, t = window.figures, window.ctx.t
    date = dt.date.today().strftime("%d/%m/%Y")
    assert screen.period.text() == t("ui.sales.day_open", date=date)
    close_day(window)
    window.show_screen("sale")
    window.show_screen("figures")
    settle()
    with window.ctx.read() as s:
        report = reports.day_report(s, day.days(s)[0])
    assert report.z_label
    assert screen.period.text() == t("ui.sales.day_closed", date=date, z=report.z_label)
    assert screen.kpis["net"][1].text() == format_money(report.net, lang)


def test_the_average_ticket_is_rounded_to_the_nearest_centime(
        qtbot: Any, make_window: Any) -> None:
    """365,00 DH in three tickets: an average of 121,67 DH (121,666…), not cut to 121,66."""
    window = make_window(size=SMALL)
    sell(qtbot, window, "AML-250", "TAJ-M", "TAJ-M")
    window.show_screen("figures")
    settle()
    kpis = window.figures.kpis
    assert kpis["net"][1].text() == format_money(36500, "fr")
    assert kpis["average"][1].text() == format_money(12167, "fr")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_what_each_member_made_adds_up_to_the_takings(qtbot: Any, make_window: Any,
                                                      lang: str) -> None:
    """The top products' card "By member": each member with what their products took,
    the most first, on the card at 1024x600 without scrolling; together the takings."""
    window = make_window(lang=lang, size=SMALL)
    sell(qtbot, window, "TAJ-M", "RUG-S", "TAJ-M", "AML-250")
    window.show_screen("figures")
    settle()
    screen = window.figures
    qtbot.mouseClick(screen.members_btn, Qt.MouseButton.LeftButton)
    settle()
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", screen.top.text()):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        rows.append(tuple(reversed(cells)) if lang == "ar" else tuple(cells))
    assert rows == [("Itto Ait Said", format_money(85000, lang)),
                    ("Said Bennani", format_money(30000, lang)),
                    ("Aicha Id Brahim", format_money(6500, lang))]
    assert screen.kpis["net"][1].text() == format_money(121500, lang)
    assert screen.scroller.verticalScrollBar().maximum() == 0
    qtbot.mouseClick(screen.members_btn, Qt.MouseButton.LeftButton)
    settle()
    assert "Tapis amazigh petit" in screen.top.text() or "زربية" in screen.top.text()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_what_was_all_given_back_is_no_top_product(qtbot: Any, make_window: Any,
                                                   lang: str) -> None:
    """A tajine sold, then refunded and a second one voided: neither the tajine nor the
    member who made it is listed at 0,00 among the top products or by member."""
    window = make_window(lang=lang, size=SMALL)
    sell(qtbot, window, "RUG-S", "TAJ-M", "TAJ-M")
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        tajines = [sale.id for sale in s.scalars(select(Sale).order_by(Sale.number))][1:]
        refunds.refund(s, tajines[0], quantities=None, reason="retour client",
                       manager=manager)
        refunds.void(s, tajines[1], reason="erreur de saisie", manager=manager)
    window.ctx.sales_changed.emit()
    window.show_screen("figures")
    settle()
    screen = window.figures
    rug = window.ctx.name_of("زربية أمازيغية صغيرة", "Tapis amazigh petit")
    assert screen.kpis["net"][1].text() == format_money(85000, lang)
    assert screen.top.text().count("<tr>") == 1 and rug in screen.top.text()
    qtbot.mouseClick(screen.members_btn, Qt.MouseButton.LeftButton)
    settle()
    assert screen.top.text().count("<tr>") == 1 and "Itto Ait Said" in screen.top.text()


def tajines_by_hour(window: Any, quantity: Callable[[int], int]) -> None:
    """A ticket of tajines (``quantity`` of the hour, in thousandths) at each hour from
    7 h to 22 h today, paid in cash."""
    with window.ctx.write() as s:
        cashier = next(u for u in users.active_users(s) if u.role != users.MANAGER)
        tajine = next(p for p in catalogue.all_products(s) if p.sku == "TAJ-M")
        for hour in range(7, 23):
            cart = Cart()
            cart.add(tajine, quantity(hour))
            at = dt.datetime.combine(dt.date.today(), dt.time(hour, 10))
            checkout.complete(s, cart, [cash(cart.totals().total)], cashier=cashier, at=at)


def ink_runs(image: Any, top: int, bottom: int, gap: int = 5) -> list[tuple[int, int]]:
    """The runs of columns of ``image`` with dark ink between rows ``top`` and ``bottom``,
    runs less than ``gap`` columns apart taken as one."""
    columns = [x for x in range(image.width())
               if any(image.pixelColor(x, y).lightness() < 200 for y in range(top, bottom))]
    runs: list[tuple[int, int]] = []
    for x in columns:
        if runs and x - runs[-1][1] < gap:
            runs[-1] = (runs[-1][0], x)
        else:
            runs.append((x, x))
    return runs


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_hours_of_a_long_day_are_written_apart(qtbot: Any, make_window: Any,
                                                   lang: str) -> None:
    """Sales from 7 h to 22 h at 1024x600: the hours under the bars never run into one
    another: one in two is written when all would not fit."""
    window = make_window(lang=lang, size=SMALL)
    tajines_by_hour(window, lambda hour: 1000 + 1000 * (hour % 3))
    window.ctx.sales_changed.emit()
    window.show_screen("figures")
    settle()
    chart = window.figures.chart
    assert len(chart.bars) == 16
    image = chart.grab().toImage()
    metrics = QFontMetricsF(theme.ui_font(12))
    widest = max(metrics.horizontalAdvance(name) for name, _v, _t in chart.bars)
    hours = ink_runs(image, image.height() - 24, image.height())
    assert len(hours) >= 8
    assert all(right - left <= widest + 2 for left, right in hours), (widest, hours)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_busy_day_adds_up_with_its_z_report(qtbot: Any, make_window: Any, data_dir: Any,
                                             lang: str) -> None:
    """A day of 1 200 tickets (weighed goods, refunds and voids among them), closed: its
    figures are its Z report's to the centime, the tickets counted as the language
    groups thousands (1 200), each payment method's amount and each member's adding up to
    the takings."""
    store = Store.open(data_dir / DB_FILENAME)
    demo.demo_sales(store, days=1, per_day=1200)
    with store.read() as s:
        report = reports.day_report(s, day.days(s)[0])
    store.close()
    window = make_window(lang=lang, size=SMALL, day_open=False)
    window.show_screen("figures")
    settle()
    screen = window.figures
    kpis = {key: value.text() for key, (_caption, value) in screen.kpis.items()}
    assert kpis == {"net": format_money(report.net, lang),
                    "sales": "1\u00a0200",
                    "average": format_money(round_div(report.net, 1200), lang),
                    "refunds": format_money(-report.refunds, lang)}
    assert report.voids and screen.voids.isVisible()
    assert format_money(-report.voids, lang) in screen.voids.text()
    assert sum(amount for _name, amount, _text in screen.chart.bars) == report.net
    methods = {p.method: p.amount for p in report.payments}
    assert sum(methods.values()) == report.net
    for method, amount in methods.items():
        assert format_money(amount, lang) in screen.methods.text(), method
    qtbot.mouseClick(screen.members_btn, Qt.MouseButton.LeftButton)
    settle()
    shown = [re.sub(r"<[^>]+>", "", cell) for cell in
             re.findall(r"<td[^>]*><b>(.*?)</b></td>", screen.top.text())]
    assert sum(parse_money(text.replace("د.م.", "").replace("DH", "")) for text in shown) \
        == report.net
    others = window.ctx.t("ui.figures.other_members", count=0).partition("(")[0]
    assert len(shown) == 6 and others in screen.top.text()  # 13 members: 5 and the others


def test_names_and_references_with_markup_characters_are_shown_as_typed(
        qtbot: Any, make_window: Any) -> None:
    """A product named with "<", ">" or "&", a card reference or a refund's reason with
    them, read as typed on the figures and the ticket's detail, not as markup."""
    from PySide6.QtGui import QTextDocument

    from pos.cart import PaymentSpec
    from pos.models import Product

    def shown(label: QLabel) -> str:
        document = QTextDocument()
        document.setHtml(label.text())
        return document.toPlainText()

    window = make_window(lang="fr", size=SMALL)
    name = "Tapis <b>petit</b> & <i>co</i>"
    with window.ctx.write() as s:
        rug = s.scalars(select(Product).where(Product.sku == "RUG-S")).one()
        rug.name_fr = name
    window.ctx.catalogue_changed.emit()
    window.show_screen("sale")
    click_tile(qtbot, window, tile_row(window, "RUG-S"))
    total = window.sale.cart.totals().total
    assert window.sale.complete([PaymentSpec("card", total, None, "<CB&1>")])
    sell(qtbot, window, "RUG-S")  # a second one, given back
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        second = s.scalars(select(Sale).order_by(Sale.number.desc())).first()
        assert second is not None
        refunds.refund(s, second.id, quantities=None, reason="<abîmé> & rendu",
                       manager=manager)
    window.ctx.sales_changed.emit()
    window.show_screen("figures")
    settle()
    assert name in shown(window.figures.top)
    window.show_screen("sales")
    settle()
    sales = window.sales
    sales.select_row(sales.table.rowCount() - 1)  # the first sale, at the bottom
    settle()
    detail = shown(sales.detail)
    assert name in detail and "(<CB&1>)" in detail
    sales.select_row(0)  # the refund, at the top
    settle()
    assert "<abîmé> & rendu" in shown(sales.detail)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_refunds_and_voids_are_apart_as_on_the_z_report(qtbot: Any, make_window: Any,
                                                         lang: str) -> None:
    """A rug refunded and a tajine voided, the day closed: the figures give the refunds
    and the voids apart, in the Z report's words and to its amounts, whole at 1024x600."""
    from pos.i18n import tr

    window = make_window(lang=lang, size=SMALL)
    sell(qtbot, window, "RUG-S", "TAJ-M", "AML-250")
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        rug, tajine = [sale.id for sale in s.scalars(select(Sale).order_by(Sale.number))][:2]
        refunds.refund(s, rug, quantities=None, reason="retour", manager=manager)
        refunds.void(s, tajine, reason="erreur", manager=manager)
    close_day(window)
    window.show_screen("figures")
    settle()
    with window.ctx.read() as s:
        report = reports.day_report(s, day.days(s)[0])
    assert report.refunds == 85000 and report.voids == 15000
    screen = window.figures
    caption, value = screen.kpis["refunds"]
    assert caption.text() == tr(lang, "receipt.report.refunds")
    assert value.text() == format_money(-report.refunds, lang)
    voids = screen.voids
    assert voids.isVisible()
    assert tr(lang, "receipt.report.voids") in voids.text()
    assert format_money(-report.voids, lang) in voids.text()
    for text in (caption, value, voids):
        assert text.width() >= text.sizeHint().width(), text.text()
        seen = QRect(text.mapTo(window, text.rect().topLeft()), text.size())
        assert window.rect().contains(seen), text.text()
    assert screen.scroller.verticalScrollBar().maximum() == 0


def sell_on(store: Store, date: dt.date, amount_skus: tuple[str, ...]) -> None:
    """A day at ``date``: opened, one ticket per product paid in cash, closed."""
    with store.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        at = dt.datetime.combine(date, dt.time(9, 0))
        day.open_day(s, 0, user=manager, at=at)
        for i, sku in enumerate(amount_skus):
            product = next(p for p in catalogue.all_products(s) if p.sku == sku)
            cart = Cart()
            cart.add(product, 1000)
            checkout.complete(s, cart, [cash(cart.totals().total)], cashier=manager,
                              at=at + dt.timedelta(hours=1, minutes=i))
        day.close_day(s, day.count_for(day.day_report_expected(s)), manager=manager,
                      at=at + dt.timedelta(hours=8))


@pytest.mark.parametrize(("lang", "market"), [("ar", True), ("fr", True), ("fr", False)])
def test_the_whole_edition_is_the_markets_dates(qtbot: Any, make_window: Any,
                                               data_dir: Any, lang: str,
                                               market: bool) -> None:
    """An earlier edition's days two months ago, this edition's three days: "Whole
    edition" counts only the days within the market's dates (its first and its last day),
    and says which dates; with no market known, the latest days, an earlier edition's
    weeks before left out, from the first to the last day counted."""
    from pos import settings

    today = dt.date.today()
    store = Store.open(data_dir / DB_FILENAME)
    demo.demo_sales(store, days=1, per_day=1)  # the demo stall, and a day long ago
    with store.write() as s:
        for d in day.days(s):
            d.date = today - dt.timedelta(days=60)
    sell_on(store, today - dt.timedelta(days=59), ("RUG-S",))
    edition = [today - dt.timedelta(days=n) for n in (4, 3, 2)]
    for date in edition:
        sell_on(store, date, ("TAJ-M",))
    sell_on(store, today - dt.timedelta(days=1), ("AML-250",))  # after the market's end
    if market:
        with store.write() as s:
            settings.put(s, settings.MARKET, {
                "name_fr": "Souk", "name_ar": "سوق", "city": "Agadir", "city_ar": "",
                "stand": "A1", "starts_on": edition[0].isoformat(),
                "ends_on": edition[-1].isoformat()})
    store.close()
    window = make_window(lang=lang, size=SMALL, day_open=False)
    window.show_screen("figures")
    screen = window.figures
    qtbot.mouseClick(screen.edition_btn, Qt.MouseButton.LeftButton)
    settle()
    counted = edition if market else [*edition, today - dt.timedelta(days=1)]
    net = 3 * 15000 + (0 if market else 6500)
    assert screen.kpis["net"][1].text() == format_money(net, lang)
    assert screen.kpis["sales"][1].text() == str(len(counted))
    first, last = counted[0], edition[-1] if market else counted[-1]
    assert screen.period.text() == window.ctx.t(
        "ui.figures.edition_period", starts=first.strftime("%d/%m/%Y"),
        ends=last.strftime("%d/%m/%Y"), days=tr_count(lang, "ui.figures.days", len(counted)))
    period = screen.period
    assert period.width() >= period.sizeHint().width()
    assert window.rect().contains(QRect(period.mapTo(window, QPoint(0, 0)), period.size()))


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_payment_shares_add_up_to_100(qtbot: Any, make_window: Any, lang: str) -> None:
    """A tajine paid a third in cash, a third by card and a third by mobile: 34, 33 and
    33 %, not three times 33 that add to 99."""
    from pos.cart import PaymentSpec

    window = make_window(lang=lang, size=SMALL)
    window.show_screen("sale")
    click_tile(qtbot, window, tile_row(window, "TAJ-M"))
    assert window.sale.cart.totals().total == 15000
    assert window.sale.complete([cash(5000), PaymentSpec("card", 5000, None, "CB1"),
                                 PaymentSpec("mobile", 5000, None, "M1")])
    window.show_screen("figures")
    settle()
    percents = [int(p) for p in re.findall(r"(\d+)\s?%", screen_text(window))]
    assert sorted(percents) == [33, 33, 34]


def screen_text(window: Any) -> str:
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(window.figures.methods.text())
    return document.toPlainText()


def ink_box(image: Any) -> tuple[int, int, int, int]:
    """The left, top, right and bottom of what is drawn dark on ``image``."""
    dark = [(x, y) for x in range(image.width()) for y in range(image.height())
            if image.pixelColor(x, y).lightness() < 200]
    assert dark
    xs, ys = [x for x, _y in dark], [y for _x, y in dark]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_closed_day_without_sales_says_so_at_body_size(qtbot: Any, make_window: Any,
                                                          lang: str) -> None:
    """The day open without a sale: no sales yet; closed without one: no sales that day,
    on the chart in letters the size of the cards' text beside it."""
    window = make_window(lang=lang, size=SMALL)
    window.show_screen("figures")
    settle()
    screen, t = window.figures, window.ctx.t
    assert screen.methods.text() == t("ui.figures.no_sales")
    close_day(window)
    window.show_screen("sale")
    window.show_screen("figures")
    settle()
    said = t("ui.figures.no_sales_day")
    assert screen.methods.text() == screen.top.text() == screen.chart.empty_text == said
    chart = screen.chart.grab().toImage()
    card = screen.methods.grab().toImage()
    left, top, right, bottom = ink_box(chart)
    card_left, card_top, card_right, card_bottom = ink_box(card)
    assert abs((right - left) - (card_right - card_left)) <= 4, (left, right, card_left,
                                                                 card_right)
    assert abs((bottom - top) - (card_bottom - card_top)) <= 2, (top, bottom, card_top,
                                                                 card_bottom)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_tallest_hour_is_written_as_an_amount(qtbot: Any, make_window: Any,
                                                  lang: str) -> None:
    """Nine tajines at 7 h, one at each hour after until 22 h: over the first bar, at the
    chart's side, "1 350 DH" (or "1 350 د.م."), whole, not "1 350"."""
    window = make_window(lang=lang, size=SMALL)
    tajines_by_hour(window, lambda hour: 9000 if hour == 7 else 1000)
    window.ctx.sales_changed.emit()
    window.show_screen("figures")
    settle()
    chart = window.figures.chart
    currency = "د.م." if lang == "ar" else "DH"
    _name, value, text = chart.bars[0]
    assert value == 135000 and text == f"1\u00a0350\u00a0{currency}"
    image = chart.grab().toImage()
    runs = ink_runs(image, 0, 20, gap=12)
    assert len(runs) == 1  # only the tallest is written
    left, right = runs[0]
    metrics = QFontMetricsF(theme.ui_font(12))
    assert right - left >= metrics.horizontalAdvance(text) - 4  # whole, not cut at the side
    assert left > 0 and right < image.width() - 1


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_an_earlier_days_figures_are_chosen_by_its_date(qtbot: Any, make_window: Any,
                                                        lang: str) -> None:
    """Yesterday closed with two rugs, today open with a tajine: the date chosen shows
    yesterday's figures, to the centime of its Z, named by its date and Z; "Today" comes
    back to today; the whole edition hides the choice."""
    window = make_window(lang=lang, day_open=False, size=SMALL)
    yesterday = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(9))
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        rug = next(p for p in catalogue.all_products(s) if p.sku == "RUG-S")
        day.open_day(s, 50000, user=manager, at=yesterday)
        for hour in (10, 11):
            cart = Cart()
            cart.add(rug, 1000)
            checkout.complete(s, cart, [cash(cart.totals().total)], cashier=manager,
                              at=yesterday.replace(hour=hour))
        closed = day.close_day(s, day.count_for(day.day_report_expected(s)), manager=manager,
                               at=yesterday.replace(hour=19))
        day.open_day(s, 50000, user=manager)
        before = reports.day_report(s, closed)
    window.ctx.day_changed.emit()
    sell(qtbot, window, "TAJ-M")
    window.show_screen("figures")
    settle()
    screen, t = window.figures, window.ctx.t
    choice = screen.date_choice
    assert choice.isVisible()
    assert [choice.itemText(i) for i in range(choice.count())] == [
        dt.date.today().strftime("%d/%m/%Y"), yesterday.strftime("%d/%m/%Y")]
    choice.setCurrentIndex(1)
    choice.activated.emit(1)
    settle()
    assert choice.currentText() == yesterday.strftime("%d/%m/%Y")  # still the one chosen
    assert not screen.today_btn.isChecked() and not screen.edition_btn.isChecked()
    kpis = {key: value.text() for key, (_caption, value) in screen.kpis.items()}
    assert kpis["net"] == format_money(before.net, lang) and kpis["sales"] == "2"
    assert sum(amount for _name, amount, _text in screen.chart.bars) == before.net
    assert screen.period.text() == t("ui.sales.day_closed",
                                     date=yesterday.strftime("%d/%m/%Y"), z="1")
    qtbot.mouseClick(screen.today_btn, Qt.MouseButton.LeftButton)
    assert screen.kpis["sales"][1].text() == "1" and choice.currentIndex() == 0
    assert screen.today_btn.isChecked()
    qtbot.mouseClick(screen.edition_btn, Qt.MouseButton.LeftButton)
    assert not choice.isVisible() and screen.kpis["sales"][1].text() == "3"
