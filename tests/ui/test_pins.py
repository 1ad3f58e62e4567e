"""PINs in the app: the PIN dialog makes the till wait after wrong PINs, and the users'
page refuses a PIN another user already has."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton

from pos import users
from tests.conftest import Clock
from tests.ui.conftest import CASHIER_PIN, MANAGER_PIN, on_modal, type_pin

LEFT = Qt.MouseButton.LeftButton



def test_the_pin_dialog_says_how_long_to_wait_after_wrong_pins(
    qtbot: Any, make_window: Any, clock: Clock
) -> None:
    from ui.widgets import PinDialog

    window = make_window(lang="ar")
    dialog = PinDialog(window.ctx, window, "ui.pin.reason_refund")
    dialog.show()
    qtbot.waitExposed(dialog)
    for guess in ("1000", "2000", "3000", "4000", "5000"):
        type_pin(qtbot, dialog, guess)
        assert dialog.banner.text() == "الرمز السري غير صحيح."
    type_pin(qtbot, dialog, MANAGER_PIN)
    assert dialog.banner.text() == "رموز سرية خاطئة كثيرة؛ أعد المحاولة بعد 30 ثانية."
    assert dialog.isVisible() and dialog.user is None and dialog.pin.text() == ""
    clock.now += 20
    type_pin(qtbot, dialog, MANAGER_PIN)
    assert dialog.banner.text() == "رموز سرية خاطئة كثيرة؛ أعد المحاولة بعد 10 ثانية."
    clock.now += 10
    type_pin(qtbot, dialog, MANAGER_PIN)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.user is not None and dialog.user.name == "Fatima"


def users_page(qtbot: Any, window: Any, button: str, handler: Any, name: str) -> None:
    """Press ``button`` on the users' page, give the manager's PIN, then run ``handler``
    on the dialog ``name`` that follows."""
    screen = window.settings

    def pin(dialog: Any) -> None:
        on_modal(name, handler)
        type_pin(qtbot, dialog, MANAGER_PIN)

    on_modal("pinDialog", pin)
    qtbot.mouseClick(screen.findChild(QPushButton, button), LEFT)


def test_the_users_page_refuses_a_pin_another_user_has(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show_screen("settings")
    seen: list[str] = []

    def add(dialog: Any) -> None:
        qtbot.keyClicks(dialog.name, "Zahra")
        qtbot.keyClicks(dialog.pin, CASHIER_PIN)
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(dialog.banner.text() if dialog.isVisible() else "closed")
        qtbot.mouseClick(dialog.cancel, LEFT)

    users_page(qtbot, window, "usersAdd", add, "userDialog")
    assert seen == ["Un autre utilisateur a déjà ce code PIN ; choisissez-en un autre."]
    with window.ctx.read() as s:
        assert sorted(u.name for u in users.active_users(s)) == ["Aicha", "Fatima"]

    screen = window.settings
    screen.user_list.setCurrentRow(
        next(i for i, p in enumerate(screen.people) if p[1] == "Aicha"))

    def change(dialog: Any) -> None:
        qtbot.keyClicks(dialog.pin, MANAGER_PIN)
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(dialog.banner.text() if dialog.isVisible() else "closed")
        qtbot.mouseClick(dialog.cancel, LEFT)

    users_page(qtbot, window, "usersPin", change, "pinChangeDialog")
    assert seen[1] == "Un autre utilisateur a déjà ce code PIN ; choisissez-en un autre."
    with window.ctx.read() as s:
        assert users.authenticate(s, CASHIER_PIN).name == "Aicha"
        assert users.require_manager(s, MANAGER_PIN).name == "Fatima"
