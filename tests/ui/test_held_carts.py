"""Parking and bringing back carts on the real sale screen, and the cart in progress
coming back after a restart or a crash, with the parts of its payment already taken."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from pos import held
from pos.cart import PaymentSpec
from pos.db import DB_FILENAME
from tests.ui.conftest import CASHIER_PIN, click_tile, open_day, tile_row
from tests.ui.test_payment_parts import take_card_and_leave
from tests.ui.test_sale_flow import journal_ok, sales
from tests.ui.test_sale_guards import on_modal

LEFT = Qt.MouseButton.LeftButton
DH = "\u00a0DH"
CB777 = PaymentSpec("card", 50000, None, "CB777")
TILL = Path(__file__).with_name("held_crash_till.py")


def skus(window: Any) -> list[str]:
    return [line.sku for line in window.sale.cart.lines]


def kept(window: Any) -> tuple[held.HeldCart | None, list[held.HeldCart]]:
    """(the cart in progress, the carts parked) as the database holds them."""
    with window.ctx.read() as s:
        return held.current(s), held.parked(s)


def rows(dialog: Any) -> list[list[str]]:
    table = dialog.table
    return [[table.item(r, c).text() for c in range(1, table.columnCount())]
            for r in range(table.rowCount())]


def restart(make_window: Any, window: Any, **kwargs: Any) -> Any:
    """Close the till (its cart kept) and start it again on the same folder."""
    window.close()
    window.ctx.store.close()
    return make_window(day_open=False, **kwargs)


def test_park_then_bring_back_with_another_cart_on_the_screen(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    assert sale.park_btn.text() == "Mettre de côté  (F11)"
    assert sale.parked_btn.text() == "En attente (0)  (Shift+F11)"
    assert not sale.parked_btn.isEnabled() and not sale.park_btn.isEnabled()
    click_tile(qtbot, window, tile_row(window, "ARG-250"))  # 120,00
    click_tile(qtbot, window, tile_row(window, "ARG-250"))
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    qtbot.keyClick(sale.search, Qt.Key.Key_F11)
    assert sale.cart.is_empty and sale.total.text() == f"0,00{DH}"
    assert sale.banner.text() == (f"Panier mis de côté (305,00{DH}). Pour le reprendre : "
                                  "En attente (Shift+F11).")
    assert sale.parked_btn.text() == "En attente (1)  (Shift+F11)"
    assert sales(window) == [] and journal_ok(window) == 1  # the day's opening only

    click_tile(qtbot, window, tile_row(window, "THY-50"))  # the next customer, 15,00
    seen: dict[str, Any] = {}

    def choose(dialog: Any) -> None:
        seen["rows"] = rows(dialog)
        seen["hint"] = dialog.hint.text()
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "parkedDialog", choose)
    qtbot.keyClick(sale.search, Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)
    assert seen["rows"] == [["3", f"305,00{DH}",
                             "Huile d'argan alimentaire 250\u00a0ml, Amlou aux amandes 250\u00a0g"]]
    assert seen["hint"] == ("Le panier à l'écran n'est pas vide : il sera mis de côté à la "
                            "place de celui repris.")
    assert skus(window) == ["ARG-250", "AML-250"] and sale.total.text() == f"305,00{DH}"
    assert sale.banner.text() == (
        f"Panier repris (305,00{DH}). Le panier qui était à l'écran a été mis de côté à sa "
        "place (En attente, Shift+F11).")
    assert sale.parked_btn.text() == "En attente (1)  (Shift+F11)"
    current, parked = kept(window)
    assert current is not None and [ln.sku for ln in current.cart.lines] == skus(window)
    assert [[ln.sku for ln in p.cart.lines] for p in parked] == [["THY-50"]]


def test_a_parked_cart_keeps_its_discounts_parts_and_prices(qtbot: Any,
                                                            make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "RUG-S"))  # 850,00
    take_card_and_leave(qtbot, window)
    qtbot.mouseClick(sale.park_btn, LEFT)
    assert sale.cart.is_empty and sale.taken == [] and not sale.taken_label.isVisible()
    with window.ctx.write() as s:  # the catalogue's price goes up meanwhile
        from sqlalchemy import update

        from pos.models import Product

        s.execute(update(Product).where(Product.sku == "RUG-S").values(price=90000))
    window.ctx.catalogue_changed.emit()

    seen: dict[str, Any] = {}

    def choose(dialog: Any) -> None:
        seen["rows"] = rows(dialog)
        seen["hint"] = dialog.hint.isVisible()
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "parkedDialog", choose)
    qtbot.mouseClick(sale.parked_btn, LEFT)
    assert seen["rows"] == [["1", f"850,00{DH}",
                             f"Tapis amazigh petit\nDéjà payé : Carte  500,00{DH}  (CB777)"]]
    assert not seen["hint"]
    assert sale.taken == [CB777] and sale.total.text() == f"850,00{DH}"
    assert sale.taken_label.text() == f"Déjà payé 500,00{DH} · reste 350,00{DH}"
    assert sale.banner.text() == (
        f"Panier repris (850,00{DH}). Déjà payé : Carte  500,00{DH}  (CB777) ; reste "
        f"350,00{DH}. Prix gardés tels qu'annoncés au client : Tapis amazigh petit "
        f"850,00{DH} (prix actuel : 900,00{DH}).")
    assert not sale.parked_btn.isEnabled()


def test_parked_carts_and_the_cart_in_progress_survive_a_restart(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "RUG-S"))
    take_card_and_leave(qtbot, window)
    qtbot.keyClick(sale.search, Qt.Key.Key_F11)
    click_tile(qtbot, window, tile_row(window, "THY-50"))  # on the screen when it closes

    window = restart(make_window, window)
    sale = window.sale
    assert skus(window) == ["THY-50"] and sale.taken == []
    assert sale.banner.text() == "Le panier en cours quand la caisse s'est arrêtée est de retour."
    assert sale.parked_btn.text() == "En attente (1)  (Shift+F11)"

    def choose(dialog: Any) -> None:
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "parkedDialog", choose)
    qtbot.keyClick(sale.search, Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)
    assert skus(window) == ["RUG-S"] and sale.taken == [CB777]

    def finish(dialog: Any) -> None:
        qtbot.keyClick(dialog.tendered, Qt.Key.Key_F11)  # the exact rest, in cash
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", finish)
    qtbot.mouseClick(sale.pay, LEFT)
    recorded = sales(window)
    assert [[(p.method, p.amount, p.reference) for p in r.payments] for r in recorded] == [
        [("card", 50000, "CB777"), ("cash", 35000, "")]]
    current, parked = kept(window)
    assert current is None  # sold: never brought back
    assert [[ln.sku for ln in p.cart.lines] for p in parked] == [["THY-50"]]

    window = restart(make_window, window)
    assert window.sale.cart.is_empty and not window.sale.banner.isVisible()
    assert len(sales(window)) == 1


def test_the_cart_and_its_card_part_come_back_after_a_crash_mid_payment(
        qtbot: Any, make_window: Any, data_dir: Path) -> None:
    open_day(data_dir)
    env = {**os.environ, "PYTHONPATH": str(Path.cwd()), "QT_QPA_PLATFORM": "offscreen"}
    till = subprocess.Popen([sys.executable, str(TILL), str(data_dir), CASHIER_PIN],
                            stdout=subprocess.PIPE, env=env)
    try:
        assert till.stdout is not None
        assert till.stdout.readline() == b"TAKEN\n"
    finally:
        till.send_signal(signal.SIGKILL)  # the battery dies with the payment dialog open
        till.communicate()
    assert till.returncode == -signal.SIGKILL

    window = make_window(day_open=False)
    sale = window.sale
    assert skus(window) == ["RUG-S", "AML-250"] and sale.taken == [CB777]
    assert sale.banner.text() == (
        "Le panier en cours quand la caisse s'est arrêtée est de retour, avec les paiements "
        f"déjà pris : Carte  500,00{DH}  (CB777).")
    assert sale.taken_label.text() == f"Déjà payé 500,00{DH} · reste 415,00{DH}"
    seen: dict[str, Any] = {}

    def finish(dialog: Any) -> None:
        seen["due"] = dialog.due.text()
        qtbot.keyClick(dialog.tendered, Qt.Key.Key_F11)
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", finish)
    qtbot.keyClick(sale.search, Qt.Key.Key_F12)
    assert seen["due"] == f"415,00{DH}"
    recorded = sales(window)
    assert len(recorded) == 1 and recorded[0].total == 91500
    assert [(p.method, p.amount, p.reference) for p in recorded[0].payments] == [
        ("card", 50000, "CB777"), ("cash", 41500, "")]
    assert kept(window) == (None, [])
    assert journal_ok(window) == 2


def test_closing_the_day_with_parked_carts_warns_first(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "RUG-S"))
    take_card_and_leave(qtbot, window)
    qtbot.keyClick(sale.search, Qt.Key.Key_F11)
    window.show_screen("day")
    asked: list[str] = []

    def back(dialog: Any) -> None:
        text = dialog.findChild(QLabel, "closeDayParkedText")
        asked.append(text.text())
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # going back is the default

    on_modal(qtbot, "closeDayParked", back)
    qtbot.mouseClick(window.day.close_btn, LEFT)
    assert asked == [
        f"1 panier est en attente (850,00{DH}).\n"
        f"Attention, des paiements sont déjà pris pour eux : Carte  500,00{DH}  (CB777). Cet "
        "argent n'est dans aucun chiffre tant que leur vente n'est pas enregistrée : "
        "terminez ces ventes ou rendez-le avant de fermer.\n"
        "Ce ne sont pas des ventes : ils ne comptent dans aucun chiffre de la journée, et "
        "restent en attente pour la journée suivante. Fermer la journée quand même ?"]
    assert window.ctx.open_day() is not None


def test_closing_the_day_with_a_cart_on_the_sale_screen_warns_first(
        qtbot: Any, make_window: Any) -> None:
    """F3 from the sale screen with a cart not paid yet: the warning names its lines, its
    total and the card part taken for it, with the carts parked; going back keeps all."""
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "THY-50"))  # parked: 15,00
    qtbot.keyClick(sale.search, Qt.Key.Key_F11)
    click_tile(qtbot, window, tile_row(window, "RUG-S"))  # 850,00
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    take_card_and_leave(qtbot, window)
    qtbot.keyClick(sale.search, Qt.Key.Key_F3)
    assert window.current_screen() == "day"
    asked: list[tuple[str, str]] = []

    def back(dialog: Any) -> None:
        asked.append((dialog.windowTitle(), dialog.findChild(QLabel, "closeDayParkedText").text()))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # going back is the default

    on_modal(qtbot, "closeDayParked", back)
    qtbot.mouseClick(window.day.close_btn, LEFT)
    assert asked == [(
        "Un panier est en cours",
        f"L'écran de vente a un panier en cours, pas encore payé\u00a0: 2 lignes (915,00{DH}).\n"
        f"Attention, des paiements sont déjà pris pour ce panier\u00a0: Carte  500,00{DH}  "
        "(CB777). Cet argent n'est dans aucun chiffre tant que sa vente n'est pas "
        "enregistrée\u00a0: terminez la vente ou rendez-le avant de fermer.\n"
        f"1 panier est en attente (15,00{DH}).\n"
        "Ce ne sont pas des ventes\u00a0: ils ne comptent dans aucun chiffre de la journée, et "
        "restent en attente pour la journée suivante. Fermer la journée quand même\u00a0?")]
    assert window.ctx.open_day() is not None

    window.show_screen("sale")  # the parked cart back, the one on the screen parked instead
    assert skus(window) == ["RUG-S", "AML-250"] and sale.taken == [CB777]
    on_modal(qtbot, "parkedDialog", lambda dialog: qtbot.mouseClick(dialog.ok, LEFT))
    qtbot.mouseClick(sale.parked_btn, LEFT)
    assert skus(window) == ["THY-50"]
    window.ctx.set_language("ar")
    window.show_screen("day")
    on_modal(qtbot, "closeDayParked", back)
    qtbot.mouseClick(window.day.close_btn, LEFT)
    assert asked[1][1].startswith(
        "في شاشة البيع سلة قيد التسجيل لم تُدفع بعد: سطر واحد (15,00\u00a0د.م.).\n")
    assert asked[1][1].endswith("وتبقى معلّقة لليوم التالي. هل تريد إغلاق اليوم رغم ذلك؟")


def test_the_parked_list_in_arabic(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="ar")
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    qtbot.keyClick(sale.search, Qt.Key.Key_F11)
    assert sale.banner.text() == ("عُلّقت السلة (65,00\u00a0د.م.). لاستئنافها: المعلّقة "
                                  "(Shift+F11).")
    seen: dict[str, Any] = {}

    def look(dialog: Any) -> None:
        seen["rtl"] = dialog.isRightToLeft()
        seen["rows"] = rows(dialog)
        seen["title"] = dialog.title.text()
        table = dialog.table
        # the products' caption starts where their names start (at the right), not in the
        # middle of the table, far from them
        seen["aligned"] = (int(table.model().headerData(3, Qt.Orientation.Horizontal,
                                                        Qt.ItemDataRole.TextAlignmentRole))
                           == int(table.item(0, 3).textAlignment()))
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal(qtbot, "parkedDialog", look)
    qtbot.mouseClick(sale.parked_btn, LEFT)
    assert seen == {"rtl": True, "title": "السلال المعلّقة", "aligned": True,
                    "rows": [["1", "65,00\u00a0د.م.", "أملو باللوز 250\u00a0غ"]]}
    assert sale.cart.is_empty  # closing the list brought nothing back


def test_the_cart_rung_up_is_kept_a_moment_after_the_taps(qtbot: Any,
                                                          make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "ARG-250"))
    click_tile(qtbot, window, tile_row(window, "THY-50"))
    qtbot.waitUntil(lambda: kept(window)[0] is not None)  # no payment, no screen left
    current, parked = kept(window)
    assert current is not None and [ln.sku for ln in current.cart.lines] == skus(window)
    assert parked == [] and sales(window) == []


#: a cart kept by a newer version (a format this one does not know), and a damaged one
NEWER = '{"format":2,"lines":[],"basket":{"kind":"gift"}}'
DAMAGED = '{"format":1,"lines":[{"sku":'
UNREAD_CURRENT = (
    "Le panier gardé de la dernière fois n'a pas pu être lu (écrit par une version plus "
    "récente de Souk POS, ou abîmé) : la caisse démarre avec un panier vide. Ce panier est "
    "mis à l'écart dans la base de données ; rien n'est effacé.")
UNREAD_PARKED = (
    "1 panier en attente n'a pas pu être lu (écrit par une version plus récente de Souk "
    "POS, ou abîmé) : il est mis à l'écart dans la base de données et n'est plus proposé ; "
    "rien n'est effacé.")


def file_rows(data_dir: Path) -> list[tuple[str, str]]:
    """(state, text) of every kept cart in the till's file, read with plain sqlite3."""
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        return conn.execute("SELECT state, data FROM held_cart ORDER BY id").fetchall()
    finally:
        conn.close()


def write_kept(data_dir: Path, state: str, text: str) -> None:
    """A kept cart as another version of the till (or a damaged disk) left it."""
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        with conn:
            conn.execute("INSERT INTO held_cart (state, saved_at, cashier_name, data) "
                         "VALUES (?, '2026-11-29 10:00:00', 'Aicha', ?)", (state, text))
    finally:
        conn.close()


def test_a_kept_cart_this_version_cannot_read_never_stops_the_till(
        qtbot: Any, make_window: Any, data_dir: Path) -> None:
    open_day(data_dir)
    write_kept(data_dir, "current", NEWER)
    write_kept(data_dir, "parked", DAMAGED)
    window = make_window(day_open=False)
    sale = window.sale
    assert sale.cart.is_empty and sale.total.text() == f"0,00{DH}"
    assert sale.banner.isVisible()
    assert sale.banner.text() == f"{UNREAD_CURRENT} {UNREAD_PARKED}"
    assert sale.parked_btn.text() == "En attente (0)  (Shift+F11)"
    assert file_rows(data_dir) == [("aside", NEWER), ("aside", DAMAGED)]  # kept as they were
    window.ctx.set_language("ar")
    assert sale.banner.text().startswith("تعذّرت قراءة السلة التي كانت قيد التسجيل (كتبها "
                                         "إصدار أحدث من Souk POS، أو أنها تالفة)")
    window.ctx.set_language("fr")

    click_tile(qtbot, window, tile_row(window, "AML-250"))  # the till sells on
    window = restart(make_window, window)
    assert skus(window) == ["AML-250"]
    assert window.sale.banner.text() == (
        "Le panier en cours quand la caisse s'est arrêtée est de retour.")  # said once
    assert file_rows(data_dir)[:2] == [("aside", NEWER), ("aside", DAMAGED)]


def test_a_parked_cart_this_version_cannot_read_is_set_aside_from_the_list(
        qtbot: Any, make_window: Any, data_dir: Path) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    qtbot.keyClick(sale.search, Qt.Key.Key_F11)
    write_kept(data_dir, "parked", NEWER)  # written by a newer till on this folder since
    seen: dict[str, Any] = {}

    def look(dialog: Any) -> None:
        seen["rows"] = rows(dialog)
        seen["banner"] = sale.banner.text()
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal(qtbot, "parkedDialog", look)
    qtbot.keyClick(sale.search, Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)
    assert seen == {"rows": [["1", f"65,00{DH}", "Amlou aux amandes 250\u00a0g"]],
                    "banner": UNREAD_PARKED}
    assert sale.parked_btn.text() == "En attente (1)  (Shift+F11)"
    assert [state for state, _text in file_rows(data_dir)] == ["parked", "aside"]
    assert file_rows(data_dir)[1] == ("aside", NEWER)
