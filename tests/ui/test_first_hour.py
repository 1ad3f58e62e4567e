"""A cooperative manager's first hour, through the real widgets at 1024x600: the first-run
wizard gone through with the keyboard (Enter goes on, what is missing is said and marked in
the order of the page); a product typed by hand with a wrong field, in Arabic and French
(the field is marked and the message reads in the screen's direction), a long name shown
whole, Edit with no product chosen; a CSV from Excel that cannot be read; the users' page
when no one is chosen in its list, a user added or disabled said by name (disabled only
once the manager has said yes to who it is), and its list read name first in Arabic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from sqlalchemy import select

from pos import users
from pos.errors import AuthError
from pos.i18n import tr
from pos.models import Product
from tests.ui.conftest import CASHIER_PIN, MANAGER_PIN, on_modal, type_pin, type_text
from tests.ui.test_catalogue_pin import sign_in_manager
from tests.ui.test_wizard import wizard as wizard  # the app on an empty data folder
from ui.widgets import own_direction

LEFT = Qt.MouseButton.LeftButton
SMALL = (1024, 600)
SCREEN_DIRECTION = {"ar": Qt.LayoutDirection.RightToLeft, "fr": Qt.LayoutDirection.LeftToRight}


def disable_chosen_user(qtbot: Any, screen: Any) -> None:
    """Settings → Users: "Disable" the user chosen in the list, said yes to with the
    manager's PIN."""

    def say_yes(dialog: Any) -> None:
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("disableUser", say_yes)
    qtbot.mouseClick(screen.findChild(QPushButton, "usersDisable"), LEFT)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_wizard_goes_on_with_enter_and_says_what_is_missing_in_order(
        qtbot: Any, wizard: Any, lang: str) -> None:
    wz = wizard(lang)
    qtbot.mouseClick(wz.lang_buttons[lang], LEFT)
    qtbot.keyClick(wz.lang_buttons[lang], Qt.Key.Key_Return)
    name = wz.name_ar if lang == "ar" else wz.name_fr
    assert wz.step == 1 and wz.focusWidget() is wz.name_ar
    qtbot.keyClick(wz.city, Qt.Key.Key_Return)  # no name yet
    assert wz.step == 1 and wz.banner.text() == tr(lang, "ui.setup.name_needed")
    assert name.property("wrong") and wz.focusWidget() is name
    type_text(qtbot, name, "تعاونية الأمل" if lang == "ar" else "Coopérative Al Amal")
    assert not name.property("wrong")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert wz.step == 2 and wz.focusWidget() is wz.manager_name

    qtbot.keyClick(wz.manager_name, Qt.Key.Key_Return)  # nothing typed: the name first
    assert wz.step == 2 and wz.banner.text() == tr(lang, "user.name_empty")
    assert wz.focusWidget() is wz.manager_name and not wz.pin.property("wrong")
    qtbot.keyClicks(wz.manager_name, "Khadija")
    qtbot.keyClick(wz.manager_name, Qt.Key.Key_Return)  # then the PIN
    assert wz.step == 2 and wz.focusWidget() is wz.pin and wz.pin.property("wrong")
    qtbot.keyClicks(wz.pin, "2468")
    qtbot.keyClicks(wz.pin2, "2468")
    qtbot.keyClick(wz.pin2, Qt.Key.Key_Return)
    assert wz.step == 3, wz.banner.text()
    qtbot.keyClick(wz.printer_address, Qt.Key.Key_Return)  # no printer
    qtbot.waitUntil(lambda: wz.step == 4)
    wz.back.setFocus()
    qtbot.keyClick(wz.back, Qt.Key.Key_Return)  # Enter on Back goes back
    assert wz.step == 3


def skus(window: Any) -> list[str]:
    with window.ctx.read() as s:
        return list(s.scalars(select(Product.sku)))


@pytest.mark.parametrize(("field", "typed"), [("price", "abc"), ("stock", "1x"),
                                              ("low", "-2"), ("barcodes", "6111245780054"),
                                              ("barcodes", "6111245780050")])
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_wrong_field_of_a_new_product_is_marked_and_said_in_the_screens_direction(
        qtbot: Any, make_window: Any, lang: str, field: str, typed: str) -> None:
    window = make_window(lang=lang, day_open=False, size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    seen: dict[str, Any] = {}

    def fill(dialog: Any) -> None:
        qtbot.keyClicks(dialog.sku, "OIL-1L")
        type_text(qtbot, dialog.name_ar, "زيت أركان 1 ل")
        qtbot.keyClicks(dialog.price, "250")
        getattr(dialog, field).setText(typed)
        qtbot.mouseClick(dialog.ok, LEFT)
        wrong = getattr(dialog, field)
        seen["open"] = dialog.isVisible()
        seen["marked"] = wrong.property("wrong")
        seen["focus"] = dialog.focusWidget() is wrong
        seen["message"] = QLabel.text(dialog.banner)  # as drawn
        qtbot.keyClicks(wrong, "1")  # typing again takes the mark off
        seen["unmarked"] = not wrong.property("wrong")
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("productDialog", fill)
    window.products.add()
    assert seen["open"] and seen["marked"] and seen["focus"], seen
    assert own_direction(seen["message"]) == SCREEN_DIRECTION[lang], seen["message"]
    assert seen["unmarked"]
    assert "OIL-1L" not in skus(window)


def active_names(window: Any) -> list[str]:
    with window.ctx.read() as s:
        return sorted(u.name for u in users.active_users(s))


def test_the_users_page_asks_to_choose_someone_and_names_who_is_disabled(
        qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="fr", day_open=False, size=SMALL)
    sign_in_manager(window)
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex(2)
    opened: list[str] = []

    def note(dialog: Any) -> None:
        opened.append(dialog.objectName())
        dialog.reject()

    screen.user_list.setFocus()  # the list has a current row, but no one is highlighted
    for button in ("usersPin", "usersDisable"):
        for dialog in ("pinDialog", "disableUser"):
            on_modal(dialog, note, timeout_ms=300)
        qtbot.mouseClick(screen.findChild(QPushButton, button), LEFT)
        assert screen.banner.isVisible() and screen.banner.text() == (
            "Choisissez d'abord une personne dans la liste, puis appuyez de nouveau sur le "
            "bouton.")
        qtbot.wait(400)
        assert opened == []  # no PIN asked for nobody

    screen.user_list.setCurrentRow([name for _id, name, _role in screen.people].index("Aicha"))
    asked: list[str] = []

    def say_no(dialog: Any) -> None:
        asked.append(dialog.findChild(type(dialog.title), "disableUserText").text())
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("disableUser", say_no)
    qtbot.mouseClick(screen.findChild(QPushButton, "usersDisable"), LEFT)
    assert asked == ["Désactiver Aicha\u00a0? Cette personne ne pourra plus se connecter. "
                     "Ses ventes restent dans les chiffres."]
    assert active_names(window) == ["Aicha", "Fatima"]

    disable_chosen_user(qtbot, screen)
    assert active_names(window) == ["Fatima"]
    assert screen.banner.text() == tr("fr", "ui.users.disabled", name="Aicha")
    assert screen.banner.property("role") == "notice"
    with window.ctx.read() as s, pytest.raises(AuthError):
        users.authenticate(s, CASHIER_PIN)


def test_a_csv_from_excel_that_cannot_be_read_says_how_to_save_it(
        qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    window = make_window(lang="fr", day_open=False, size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    screen = window.products
    before = skus(window)
    ansi = tmp_path / "produits.csv"  # Excel's plain "CSV": the Windows code page
    ansi.write_bytes("sku;name_ar;name_fr;price\nMIEL-1;عسل;Miel d'été;80\n".encode("cp1256"))
    screen.import_file(ansi)
    qtbot.waitUntil(lambda: screen.banner.isVisible() and screen.import_btn.isEnabled())
    assert screen.banner.text() == (
        "Le fichier n'est pas du texte UTF-8\u00a0: l'arabe et les accents seraient "
        "illisibles. Rien n'a été importé. Dans Excel, enregistrez le fichier à nouveau au "
        "format «\u00a0CSV UTF-8\u00a0», puis importez ce fichier.")
    made_by_hand = tmp_path / "miel.csv"
    made_by_hand.write_text("sku;name_fr;prix\nMIEL-1;Miel;80\n", encoding="utf-8")
    screen.banner.hide()
    screen.import_file(made_by_hand)
    qtbot.waitUntil(lambda: screen.banner.isVisible() and screen.import_btn.isEnabled())
    assert screen.banner.text() == (
        "Il manque au fichier CSV les colonnes\u00a0: price. Pour un fichier avec toutes "
        "les colonnes\u00a0: «\u00a0Exporter CSV\u00a0» en écrit un, à remplir puis importer.")
    assert skus(window) == before


def test_edit_with_no_product_chosen_says_to_choose_one(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="ar", day_open=False, size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    screen = window.products
    opened: list[str] = []
    on_modal("productDialog", lambda dialog: (opened.append("yes"), dialog.reject()),
             timeout_ms=300)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    assert screen.banner.isVisible()
    assert screen.banner.text() == "اختر أولًا منتجًا في الجدول، ثم اضغط «تعديل»."
    qtbot.wait(400)
    assert opened == []


def test_a_long_product_name_shows_whole_in_the_product_dialog(
        qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="fr", day_open=False, size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    seen: dict[str, Any] = {}
    name = "Huile d'argan cosmétique 100 ml"

    def look(dialog: Any) -> None:
        type_text(qtbot, dialog.name_fr, name)
        field = dialog.name_fr
        room = field.contentsRect().width() - 2 * field.textMargins().left() - 16  # padding
        seen["fits"] = field.fontMetrics().horizontalAdvance(name) <= room
        seen["size"] = (dialog.frameGeometry().width(), dialog.frameGeometry().height())
        dialog.reject()

    on_modal("productDialog", look)
    window.products.add()
    assert seen["fits"], seen
    assert seen["size"][0] <= SMALL[0] and seen["size"][1] <= SMALL[1], seen


def test_a_user_added_is_said_by_name(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="fr", day_open=False, size=SMALL)
    sign_in_manager(window)
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex(2)

    def add(dialog: Any) -> None:
        qtbot.keyClicks(dialog.name, "Samira")
        qtbot.keyClicks(dialog.pin, "3579")
        qtbot.keyClicks(dialog.pin_again, "3579")
        qtbot.mouseClick(dialog.ok, LEFT)

    def manager_pin(pin: Any) -> None:
        on_modal("userDialog", add)
        type_pin(qtbot, pin, MANAGER_PIN)

    on_modal("pinDialog", manager_pin)
    qtbot.mouseClick(screen.findChild(QPushButton, "usersAdd"), LEFT)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert active_names(window) == ["Aicha", "Fatima", "Samira"]
    assert screen.banner.isVisible() and screen.banner.property("role") == "notice"
    assert screen.banner.text() == "Samira peut maintenant se connecter avec le code."


def test_the_users_list_reads_name_then_role_in_arabic(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="ar", day_open=False, size=SMALL)
    window.show_screen("settings")
    shown = [window.settings.user_list.item(i).text()
             for i in range(window.settings.user_list.count())]
    assert sorted(text.strip("\u200f") for text in shown) == [
        "Aicha — بائع(ة)", "Fatima — مسير(ة)"]
    assert all(own_direction(text) == Qt.LayoutDirection.RightToLeft for text in shown)
