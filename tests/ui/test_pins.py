"""PINs in the app: the PIN dialog makes the till wait after wrong PINs, a code scanned
into it or into the sign-in screen is never tried as a PIN (a PIN typed by hand, even
fast, still is), and the users' page refuses a PIN another user already has, and a new
PIN typed differently twice; a manager's own PIN is changed only with it given first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton
from sqlalchemy import select

from pos import users
from pos.db import DB_FILENAME, Store
from pos.errors import AuthError
from pos.models import User
from tests.conftest import Clock
from tests.ui.conftest import (
    CASHIER_PIN,
    MANAGER_PIN,
    click_tile,
    on_modal,
    tile_row,
    type_pin,
    type_text,
)
from tests.ui.test_first_hour import disable_chosen_user
from tests.ui.test_sale_guards import (
    RETURN,
    SCAN_PAUSE,
    THYME_CODE,
    scan,
    skus_and_quantities,
)
from tests.ui.test_sale_guards import on_modal as on_active_modal

LEFT = Qt.MouseButton.LeftButton
EAN8 = "96385074"  # fits the PIN field whole, and has a PIN's length
#: five codes: were they tried as PINs, the till would then refuse even the right one
SCANS = (THYME_CODE, EAN8, THYME_CODE, EAN8, THYME_CODE)
HAND_MS = 80  # between the keys of a PIN typed fast by hand (a scanner's: a few ms)
SCANNED = {
    "fr": (
        "Un code-barres a été scanné : ce n'est pas un code PIN, il n'a pas été compté. "
        "Tapez le code PIN."
    ),
    "ar": "قُرئ باركود: ليس رمزًا سريًا ولم يُحتسب. اكتب الرمز السري.",
}


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
    assert dialog.banner.text() == "رموز سرية خاطئة كثيرة؛ أعد المحاولة بعد 30 ثانيةً."
    assert dialog.isVisible() and dialog.user is None and dialog.pin.text() == ""
    clock.now += 20
    type_pin(qtbot, dialog, MANAGER_PIN)
    assert dialog.banner.text() == "رموز سرية خاطئة كثيرة؛ أعد المحاولة بعد 10 ثوانٍ."
    clock.now += 10
    type_pin(qtbot, dialog, MANAGER_PIN)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.user is not None and dialog.user.name == "Fatima"


def users_page(qtbot: Any, window: Any, button: str, handler: Any, name: str) -> None:
    """Press ``button`` on the users' page, give the manager's PIN, then run ``handler``
    on the dialog ``name`` that follows (closed should the handler fail)."""
    screen = window.settings

    def pin(dialog: Any) -> None:
        on_active_modal(qtbot, name, handler)
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
        qtbot.keyClicks(dialog.pin_again, CASHIER_PIN)
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(dialog.banner.text() if dialog.isVisible() else "closed")
        # the PIN is marked, to be chosen again and typed twice
        marked.append((dialog.pin.property("wrong"), dialog.pin_again.text()))
        qtbot.mouseClick(dialog.cancel, LEFT)

    marked: list[tuple[bool, str]] = []
    users_page(qtbot, window, "usersAdd", add, "userDialog")
    assert seen == ["Un autre utilisateur a déjà ce code PIN ; choisissez-en un autre."]
    assert marked == [(True, "")]
    with window.ctx.read() as s:
        assert sorted(u.name for u in users.active_users(s)) == ["Aicha", "Fatima"]

    screen = window.settings
    screen.user_list.setCurrentRow(next(i for i, p in enumerate(screen.people) if p[1] == "Aicha"))

    def change(dialog: Any) -> None:
        qtbot.keyClicks(dialog.pin, MANAGER_PIN)
        qtbot.keyClicks(dialog.pin_again, MANAGER_PIN)
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(dialog.banner.text() if dialog.isVisible() else "closed")
        qtbot.mouseClick(dialog.cancel, LEFT)

    users_page(qtbot, window, "usersPin", change, "pinChangeDialog")
    assert seen[1] == "Un autre utilisateur a déjà ce code PIN ; choisissez-en un autre."
    with window.ctx.read() as s:
        assert users.authenticate(s, CASHIER_PIN).name == "Aicha"
        assert users.require_manager(s, MANAGER_PIN).name == "Fatima"


SCANNED_NEW = ("Un code-barres a été scanné : il n'a pas été pris comme code PIN. "
               "Tapez le code PIN à la main.")


@pytest.mark.parametrize(("button", "name"), [("usersAdd", "userDialog"),
                                              ("usersPin", "pinChangeDialog")])
def test_a_code_scanned_into_a_new_pin_does_not_become_the_pin(
    qtbot: Any, make_window: Any, button: str, name: str
) -> None:
    """A barcode scanned while a new PIN is typed (a user added, a PIN changed), into the
    PIN or its confirmation, is taken back, its Enter does not save: the dialog stays open
    and says so. A PIN then typed by hand, twice, is saved."""
    window = make_window()
    window.show_screen("settings")
    screen = window.settings
    screen.user_list.setCurrentRow(next(i for i, p in enumerate(screen.people) if p[1] == "Aicha"))
    seen: list[tuple[bool, str, str]] = []

    def new_pin(dialog: Any) -> None:
        if name == "userDialog":
            qtbot.keyClicks(dialog.name, "Zahra")
        for field in (dialog.pin, dialog.pin_again):
            field.setFocus()
            scan(qtbot, field, EAN8)
            seen.append((dialog.isVisible(), field.text(), dialog.banner.text()))
            qtbot.wait(SCAN_PAUSE)
        qtbot.keyClicks(dialog.pin, "2580")
        qtbot.keyClicks(dialog.pin_again, "2580")
        qtbot.keyClick(dialog.pin_again, RETURN)

    def pin(dialog: Any) -> None:
        on_active_modal(qtbot, name, new_pin)
        type_pin(qtbot, dialog, MANAGER_PIN)

    on_modal("pinDialog", pin)
    qtbot.mouseClick(screen.findChild(QPushButton, button), LEFT)
    assert seen == [(True, "", SCANNED_NEW)] * 2
    with window.ctx.read() as s:
        assert users.authenticate(s, "2580").name == ("Zahra" if name == "userDialog"
                                                      else "Aicha")
        with pytest.raises(AuthError):
            users.authenticate(s, EAN8)


MISMATCH = {"fr": "Les deux codes ne sont pas identiques.", "ar": "الرمزان غير متطابقين."}


def pin_owners(window: Any, pin: str) -> list[str]:
    """The active users whose PIN ``pin`` is (compared without counting a wrong PIN)."""
    with window.ctx.read() as s:
        return [u.name for u in users.active_users(s) if users.check_pin(pin, u.pin_hash)]


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize(
    ("button", "name"), [("usersAdd", "userDialog"), ("usersPin", "pinChangeDialog")]
)
def test_a_new_pin_typed_twice_differently_is_not_saved(
    qtbot: Any, make_window: Any, button: str, name: str, lang: str
) -> None:
    """A new PIN (a user added, a PIN changed) is typed twice: two different PINs are
    refused in the user's language and nothing is saved, the dialog stays open with the
    confirmation emptied and marked; the same PIN typed again, in Arabic-Indic digits, is
    the same PIN and is saved."""
    window = make_window(lang=lang)
    window.show_screen("settings")
    screen = window.settings
    screen.user_list.setCurrentRow(next(i for i, p in enumerate(screen.people) if p[1] == "Aicha"))
    seen: list[Any] = []

    def new_pin(dialog: Any) -> None:
        first = dialog.name if name == "userDialog" else dialog.pin  # ready to be typed in
        seen.append(dialog.focusWidget() is first)
        if name == "userDialog":
            qtbot.keyClicks(dialog.name, "Zahra")
        qtbot.keyClicks(dialog.pin, "2580")
        qtbot.keyClicks(dialog.pin_again, "2508")
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(
            (
                dialog.isVisible(),
                dialog.banner.text(),
                dialog.pin.text(),
                dialog.pin_again.text(),
                dialog.pin_again.property("wrong"),
                bool(dialog.pin.property("wrong")),
                dialog.focusWidget() is dialog.pin_again,
            )
        )
        seen.append(
            (
                pin_owners(window, "2580"),
                pin_owners(window, "2508"),
                pin_owners(window, CASHIER_PIN),
            )
        )
        type_text(qtbot, dialog.pin_again, "٢٥٨٠")
        seen.append(bool(dialog.pin_again.property("wrong")))
        qtbot.mouseClick(dialog.ok, LEFT)

    def pin(dialog: Any) -> None:
        on_active_modal(qtbot, name, new_pin)
        type_pin(qtbot, dialog, MANAGER_PIN)

    on_modal("pinDialog", pin)
    qtbot.mouseClick(screen.findChild(QPushButton, button), LEFT)
    assert seen[0] is True
    assert seen[1] == (True, MISMATCH[lang], "2580", "", True, False, True)
    assert seen[2] == ([], [], ["Aicha"])  # nothing saved: Aicha keeps her PIN
    assert seen[3] is False  # typing again takes the mark off
    with window.ctx.read() as s:
        assert users.authenticate(s, "2580").name == ("Zahra" if name == "userDialog" else "Aicha")
        assert users.authenticate(s, "٢٥٨٠").name == users.authenticate(s, "2580").name


NAME_TAKEN = (
    "يوجد من قبل مستخدم(ة) باسم Aicha: أضف حرفًا أو اسم العائلة ليتميز الاسمان في "
    "القائمة وعلى التذاكر."
)


def test_a_second_user_of_the_same_name_is_refused_by_the_name(
    qtbot: Any, make_window: Any
) -> None:
    """Adding a user, the name is checked first, as the form reads: none typed, the dialog
    asks for it (not for the PIN below it); the name of a present user, whatever its case,
    is refused, marked, and nothing is written; with an initial, the user is added."""
    window = make_window(lang="ar", size=(1024, 600))
    window.show_screen("settings")
    seen: list[Any] = []

    def add(dialog: Any) -> None:
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(
            (
                dialog.banner.text(),
                bool(dialog.name.property("wrong")),
                dialog.focusWidget() is dialog.name,
            )
        )
        qtbot.keyClicks(dialog.name, "aicha ")
        qtbot.keyClicks(dialog.pin, "2580")
        qtbot.keyClicks(dialog.pin_again, "2580")
        qtbot.keyClick(dialog.pin_again, Qt.Key.Key_Return)
        seen.append(
            (
                dialog.isVisible(),
                dialog.banner.text(),
                bool(dialog.name.property("wrong")),
                pin_owners(window, "2580"),
            )
        )
        qtbot.keyClicks(dialog.name, "B.")
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
        seen.append(dialog.isVisible())

    users_page(qtbot, window, "usersAdd", add, "userDialog")
    assert seen[0] == ("أدخل الاسم.", True, True)
    assert seen[1] == (True, NAME_TAKEN, True, [])
    assert seen[2] is False
    assert pin_owners(window, "2580") == ["aicha B."]


def test_disabling_the_seller_signed_in_locks_the_till(qtbot: Any, make_window: Any) -> None:
    """Aicha leaves while signed in at the till: once the manager disabled her, the till
    is locked and says why, so that no sale is made in her name; she stays in the
    database (the journal names her), and her PIN no longer signs in."""
    window = make_window(lang="ar", size=(1024, 600))
    window.show_screen("settings")
    screen = window.settings
    screen.user_list.setCurrentRow(next(i for i, p in enumerate(screen.people) if p[1] == "Aicha"))

    disable_chosen_user(qtbot, screen)
    assert window.ctx.user is None
    assert window.current_screen() == "login"
    assert window.login.banner.text() == (
        "لم يعد بإمكان Aicha الدخول، فقُفل الصندوق: من يبيع الآن يكتب رمزه السري."
    )
    with window.ctx.read() as s:
        assert [(u.name, u.active) for u in s.scalars(select(User).order_by(User.id))] == [
            ("Fatima", True),
            ("Aicha", False),
        ]
    qtbot.keyClicks(window.login.pin, CASHIER_PIN)
    qtbot.keyClick(window.login.pin, Qt.Key.Key_Return)
    assert window.ctx.user is None
    assert window.login.banner.text().startswith("الرمز السري غير صحيح.\n")
    qtbot.keyClicks(window.login.pin, MANAGER_PIN)
    qtbot.keyClick(window.login.pin, Qt.Key.Key_Return)
    assert window.ctx.user is not None and window.ctx.user.name == "Fatima"


def test_a_manager_changing_their_own_pin_gives_it_first(qtbot: Any, make_window: Any) -> None:
    """At a till left signed in as the manager, changing the manager's own PIN first asks
    the manager's PIN, the one the manager has now: a cashier's PIN is refused, and
    cancelling leaves the PIN as it was without a new PIN ever asked."""
    window = make_window()
    with window.ctx.read() as s:
        manager = users.authenticate(s, MANAGER_PIN)
        s.expunge(manager)
    window.ctx.set_user(manager)
    window.show_screen("settings")
    screen = window.settings
    screen.user_list.setCurrentRow(next(i for i, p in enumerate(screen.people) if p[1] == "Fatima"))
    seen: list[str] = []

    def refuse(dialog: Any) -> None:
        type_pin(qtbot, dialog, CASHIER_PIN)
        seen.append(dialog.banner.text())
        qtbot.mouseClick(dialog.cancel, LEFT)

    def new_pin(dialog: Any) -> None:
        seen.append("new PIN asked")
        dialog.reject()

    on_modal("pinDialog", refuse)
    on_modal("pinChangeDialog", new_pin)
    qtbot.mouseClick(screen.findChild(QPushButton, "usersPin"), LEFT)
    assert seen == ["Aicha n'est pas gérant : le code du gérant est nécessaire."]
    assert pin_owners(window, MANAGER_PIN) == ["Fatima"]


def test_a_manager_changes_their_own_pin_with_the_present_one(qtbot: Any, make_window: Any) -> None:
    """The present PIN given, the new one typed twice replaces it: the old PIN no longer
    signs the manager in."""
    window = make_window()
    screen = window.settings
    window.show_screen("settings")
    screen.user_list.setCurrentRow(next(i for i, p in enumerate(screen.people) if p[1] == "Fatima"))

    def new_pin(dialog: Any) -> None:
        qtbot.keyClicks(dialog.pin, "97531")
        qtbot.keyClicks(dialog.pin_again, "97531")
        qtbot.mouseClick(dialog.ok, LEFT)

    def pin(dialog: Any) -> None:
        on_active_modal(qtbot, "pinChangeDialog", new_pin)
        type_pin(qtbot, dialog, MANAGER_PIN)

    on_modal("pinDialog", pin)
    qtbot.mouseClick(screen.findChild(QPushButton, "usersPin"), LEFT)
    assert pin_owners(window, "97531") == ["Fatima"]
    assert pin_owners(window, MANAGER_PIN) == []


def shown_pin_dialog(qtbot: Any, window: Any) -> Any:
    """The manager's PIN dialog, open and active as it is when a refund asks for it."""
    from ui.widgets import PinDialog

    dialog = PinDialog(window.ctx, window, "ui.pin.reason_refund")
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.windowHandle().requestActivate()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_code_scanned_into_the_pin_dialog_is_not_tried(
    qtbot: Any, make_window: Any, clock: Clock, lang: str
) -> None:
    """Codes scanned while the manager's PIN is asked never reach the field nor count as
    wrong PINs (after five, the right PIN is still taken), and the dialog says why; a scan
    between two digits typed leaves those digits."""
    window = make_window(lang=lang)
    dialog = shown_pin_dialog(qtbot, window)
    for code in SCANS:
        scan(qtbot, dialog.pin, code)
        assert dialog.isVisible() and dialog.pin.text() == ""
    assert dialog.banner.isVisible() and dialog.banner.text() == SCANNED[lang]
    qtbot.keyClicks(dialog.pin, MANAGER_PIN[:2])
    qtbot.wait(SCAN_PAUSE)
    scan(qtbot, dialog.pin, THYME_CODE)
    assert dialog.isVisible() and dialog.pin.text() == MANAGER_PIN[:2]
    qtbot.wait(SCAN_PAUSE)
    qtbot.keyClicks(dialog.pin, MANAGER_PIN[2:])
    qtbot.keyClick(dialog.pin, RETURN)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.user is not None and dialog.user.name == "Fatima"


def test_a_code_scanned_while_a_price_is_approved_leaves_the_cart_as_it_was(
    qtbot: Any, make_window: Any, clock: Clock
) -> None:
    """After the price dialog (F10), the manager's PIN is asked over the sale screen: the
    customer's next item scanned then does not join the cart the manager is approving, and
    the dialog says the code was not taken; the PIN typed then approves the price."""
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {}

    def pin(dialog: Any) -> None:
        scan(qtbot, dialog.pin, THYME_CODE)
        seen.update(
            open=dialog.isVisible(),
            pin=dialog.pin.text(),
            said=dialog.banner.text(),
            cart=skus_and_quantities(window),
        )
        qtbot.wait(SCAN_PAUSE)
        qtbot.keyClicks(dialog.pin, MANAGER_PIN)
        qtbot.keyClick(dialog.pin, RETURN)

    def price(dialog: Any) -> None:
        qtbot.keyClicks(dialog.field, "60")
        on_active_modal(qtbot, "pinDialog", pin)
        qtbot.mouseClick(dialog.ok, LEFT)

    on_active_modal(qtbot, "priceDialog", price)
    qtbot.mouseClick(sale.price_btn, LEFT)
    assert seen == {"open": True, "pin": "", "said": SCANNED["fr"], "cart": [("AML-250", 1000)]}
    assert skus_and_quantities(window) == [("AML-250", 1000)]
    assert sale.cart.lines[0].unit_price == 6000 and sale.cart.lines[0].override_by


def test_a_pin_typed_by_hand_is_a_pin_however_fast(
    qtbot: Any, make_window: Any, data_dir: Path, clock: Clock
) -> None:
    """A PIN of four digits typed as fast as keys go, then Enter, is tried; one of six
    typed fast by hand (80 ms a key) too. Six digits sent at a scanner's pace are a scan:
    not tried, and the dialog says so (the right PIN then typed is taken)."""
    six = "482915"
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        users.set_pin(next(u for u in users.active_users(s) if u.role == users.MANAGER), six)
    store.close()
    window = make_window()
    dialog = shown_pin_dialog(qtbot, window)
    qtbot.keyClicks(dialog.pin, "1234")
    qtbot.keyClick(dialog.pin, RETURN)
    assert dialog.isVisible() and dialog.banner.text() == "Code PIN incorrect."
    qtbot.wait(SCAN_PAUSE)
    scan(qtbot, dialog.pin, six)
    assert dialog.isVisible() and dialog.pin.text() == "" and dialog.banner.text() == SCANNED["fr"]
    qtbot.wait(SCAN_PAUSE)
    for key in (*six, RETURN):
        qtbot.wait(HAND_MS)
        qtbot.keyClick(dialog.pin, key)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.user is not None and dialog.user.name == "Fatima"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_code_scanned_at_sign_in_is_not_tried(
    qtbot: Any, make_window: Any, clock: Clock, lang: str
) -> None:
    """On the sign-in (or unlock) screen, scanned codes are not tried as PINs and sell
    nothing; the screen says why, and a PIN typed as fast as keys go then signs in."""
    window = make_window(lang=lang, signed_in=False)
    pin = window.login.pin
    for code in SCANS:
        scan(qtbot, pin, code)
        assert pin.text() == "" and window.ctx.user is None
    assert window.current_screen() == "login"
    assert window.login.banner.isVisible() and window.login.banner.text() == SCANNED[lang]
    qtbot.wait(SCAN_PAUSE)
    qtbot.keyClicks(pin, MANAGER_PIN)
    qtbot.keyClick(pin, RETURN)
    assert window.ctx.user is not None and window.ctx.user.name == "Fatima"
    assert window.current_screen() == "sale" and window.sale.cart.is_empty


def test_the_sign_in_words_are_not_spaced_apart(qtbot: Any, make_window: Any) -> None:
    """The PIN's dots are spaced apart, but not the words the empty field shows: spaced,
    the letters of "الرمز السري" would be drawn apart, no longer joined."""
    window = make_window(lang="ar", size=(1024, 600))
    window.lock()
    pin = window.login.pin
    assert pin.placeholderText() == "الرمز السري"
    assert pin.font().letterSpacing() == 0
    type_text(qtbot, pin, "١٢")
    assert pin.font().letterSpacing() == 8
    pin.clear()
    assert pin.font().letterSpacing() == 0


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_wrong_pin_at_sign_in_says_what_to_do_when_it_is_forgotten(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    """A seller who forgot the PIN is told who gives a new one, and where, whole on the
    sign-in screen of a 1024 x 600 till."""
    window = make_window(lang=lang, size=(1024, 600))
    window.lock()
    banner = window.login.banner
    qtbot.mouseClick(window.login.findChild(QPushButton, "loginOk"), LEFT)
    assert banner.isHidden()  # nothing typed yet: no PIN is wrong
    qtbot.keyClicks(window.login.pin, "9999")
    qtbot.keyClick(window.login.pin, Qt.Key.Key_Return)
    said = {
        "fr": "Code PIN incorrect.\nCode oublié\u00a0? Un gérant vous en donne un nouveau\u00a0: "
        "Réglages → Utilisateurs → Changer le code. Un gérant sans autre gérant\u00a0: la "
        "commande souk-pos users reset-pin sur cet ordinateur.",
        "ar": "الرمز السري غير صحيح.\nنسيت رمزك السري؟ يعطيك المسير(ة) رمزًا جديدًا: "
        "الإعدادات ← المستخدمون ← تغيير الرمز. مسير بلا مسير آخر: الأمر "
        "\u200esouk-pos users reset-pin\u200e على هذا الحاسوب.",
    }
    assert banner.text() == said[lang]
    qtbot.waitUntil(lambda: banner.height() >= banner.heightForWidth(banner.width()))
    card = banner.parentWidget()
    assert card.geometry().bottom() <= window.login.height()


def test_a_name_longer_than_a_receipt_keeps_is_refused_in_the_dialog(
    qtbot: Any, make_window: Any
) -> None:
    """A receipt keeps 80 characters of the seller's name: a longer name is refused in
    words and marked, and no one is added; shortened, it is."""
    window = make_window(lang="en")
    window.show_screen("settings")
    seen: list[Any] = []

    def add(dialog: Any) -> None:
        qtbot.keyClicks(dialog.name, "N" * 81)
        qtbot.keyClicks(dialog.pin, "2580")
        qtbot.keyClicks(dialog.pin_again, "2580")
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append((dialog.isVisible(), dialog.banner.text(),
                     bool(dialog.name.property("wrong")), pin_owners(window, "2580")))
        qtbot.keyClick(dialog.name, Qt.Key.Key_Backspace)
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(dialog.isVisible())

    users_page(qtbot, window, "usersAdd", add, "userDialog")
    assert seen[0] == (True, "A name has at most 80 characters, this one has 81: shorten it.",
                       True, [])
    assert seen[1] is False
    assert pin_owners(window, "2580") == ["N" * 80]


def test_a_pin_changed_for_a_user_disabled_meanwhile_is_refused(
    qtbot: Any, make_window: Any
) -> None:
    """Aicha is disabled (in another window, or with a command) while her new PIN is
    typed: the dialog says so and saves nothing, no "Saved" follows, and the list no
    longer shows her."""
    window = make_window(lang="fr")
    window.show_screen("settings")
    screen = window.settings
    screen.user_list.setCurrentRow(next(i for i, p in enumerate(screen.people) if p[1] == "Aicha"))
    seen: list[Any] = []

    def change(dialog: Any) -> None:
        with window.ctx.write() as s:
            s.scalars(select(User).where(User.name == "Aicha")).one().active = False
        qtbot.keyClicks(dialog.pin, "2580")
        qtbot.keyClicks(dialog.pin_again, "2580")
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append((dialog.isVisible(), dialog.banner.text()))
        qtbot.mouseClick(dialog.cancel, LEFT)

    users_page(qtbot, window, "usersPin", change, "pinChangeDialog")
    assert seen == [(True, "Aicha a été désactivé entre-temps\u00a0: rien n'a été enregistré.")]
    assert screen.banner.isHidden() or screen.banner.text() != "Enregistré."
    assert [p[1] for p in screen.people] == ["Fatima"]
    with window.ctx.read() as s:
        aicha = s.scalars(select(User).where(User.name == "Aicha")).one()
        assert users.check_pin(CASHIER_PIN, aicha.pin_hash)


@pytest.mark.parametrize(
    ("button", "name"), [("usersAdd", "userDialog"), ("usersPin", "pinChangeDialog")]
)
def test_a_malformed_new_pin_is_typed_again_from_the_first_field(
    qtbot: Any, make_window: Any, button: str, name: str
) -> None:
    """A new PIN too short, typed twice: both fields are emptied and the first one takes
    the keys, so that the PIN typed next twice is saved (not refused as two PINs that
    differ, the confirmation still holding the short one)."""
    window = make_window(lang="fr")
    window.show_screen("settings")
    screen = window.settings
    screen.user_list.setCurrentRow(next(i for i, p in enumerate(screen.people) if p[1] == "Aicha"))
    seen: list[Any] = []

    def new_pin(dialog: Any) -> None:
        if name == "userDialog":
            qtbot.keyClicks(dialog.name, "Zahra")
        qtbot.keyClicks(dialog.pin, "258")
        qtbot.keyClicks(dialog.pin_again, "258")
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append((dialog.banner.text(), dialog.pin.text(), dialog.pin_again.text(),
                     dialog.focusWidget() is dialog.pin))
        qtbot.keyClicks(dialog.focusWidget(), "2580")
        qtbot.keyClicks(dialog.pin_again, "2580")
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(dialog.isVisible())

    users_page(qtbot, window, button, new_pin, name)
    assert seen[0] == ("Un code PIN compte 4 à 8 chiffres.", "", "", True)
    assert seen[1] is False
    assert pin_owners(window, "2580") == ["Zahra" if name == "userDialog" else "Aicha"]


def test_no_screen_looks_chosen_while_the_till_is_locked(qtbot: Any, make_window: Any) -> None:
    """Locked, the till shows the sign-in screen and the rail shows no screen as chosen
    (not the sales screen used last); signed in again, the screen shown is chosen."""
    window = make_window()
    window.show_screen("sale")
    assert window.nav_buttons["sale"].isChecked()
    window.lock()
    assert window.current_screen() == "login"
    assert [n for n, b in window.nav_buttons.items() if b.isChecked()] == []
    qtbot.keyClicks(window.login.pin, CASHIER_PIN)
    qtbot.keyClick(window.login.pin, Qt.Key.Key_Return)
    assert window.current_screen() == "sale"
    assert [n for n, b in window.nav_buttons.items() if b.isChecked()] == ["sale"]
