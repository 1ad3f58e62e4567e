"""The first-run wizard through its real widgets, at 1024x600: the receipts' language asked
with the app's, the ICE and the logo checked before they reach a receipt, the manager's PIN
typed twice in either kind of digits, a barcode scanned into the PIN never made the PIN,
and the paper width written as Arabic reads it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from pos import receipts, settings, users
from tests.ui.conftest import choose_logo, type_text
from tests.ui.test_sale_guards import SCAN_PAUSE, scan
from ui.app import application, build
from ui.context import AppContext

LEFT = Qt.MouseButton.LeftButton
EAN8 = "96385074"  # a code with a PIN's length: typed twice it would pass as one
ICE = "001234567000089"
SCANNED_NEW = {
    "fr": (
        "Un code-barres a été scanné : il n'a pas été pris comme code PIN. "
        "Tapez le code PIN à la main."
    ),
    "ar": "قُرئ باركود: لم يُؤخذ رمزًا سريًا. اكتب الرمز السري بيدك.",
}


@pytest.fixture
def wizard(qtbot: Any, tmp_path: Path) -> Iterator[Callable[[str], Any]]:
    """Open the app on an empty data folder (the wizard), ``lang`` chosen on start."""
    made: list[tuple[Any, AppContext]] = []

    def make(lang: str) -> Any:
        application()
        ctx = AppContext.open(tmp_path / "stall", lang)
        holder = build(ctx)
        qtbot.addWidget(holder)
        holder.resize(1024, 600)
        holder.show()
        qtbot.waitExposed(holder)
        holder.windowHandle().requestActivate()
        qtbot.waitUntil(holder.isActiveWindow)
        made.append((holder, ctx))
        return holder.centralWidget()

    yield make
    for holder, ctx in made:
        window = holder.property("next")
        if window is not None:
            window.close()
        holder.close()
        ctx.close()
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def next_step(qtbot: Any, wizard: Any) -> None:
    qtbot.mouseClick(wizard.next, LEFT)


def to_manager(qtbot: Any, wizard: Any) -> None:
    next_step(qtbot, wizard)
    qtbot.keyClicks(wizard.name_fr, "Cooperative Amal")
    next_step(qtbot, wizard)
    assert wizard.step == 2, wizard.banner.text()


def finish(qtbot: Any, wizard: Any, pin: str = "2468") -> Any:
    """From the manager's step: the manager, the printer skipped, no demo products."""
    qtbot.keyClicks(wizard.manager_name, "Khadija")
    type_text(qtbot, wizard.pin, pin)
    type_text(qtbot, wizard.pin2, pin)
    next_step(qtbot, wizard)
    next_step(qtbot, wizard)  # no printer
    wizard.demo.setChecked(False)
    next_step(qtbot, wizard)
    window = wizard.window().property("next")
    assert window is not None and window.isVisible(), wizard.banner.text()
    return window


def saved(window: Any, key: str) -> Any:
    with window.ctx.read() as s:
        return settings.get(s, key)


def choose(combo: Any, value: str) -> None:
    """Pick ``value`` in ``combo`` as the manager does (the ``activated`` signal)."""
    combo.setCurrentIndex(combo.findData(value))
    combo.activated.emit(combo.currentIndex())


@pytest.mark.parametrize(
    ("lang", "shown", "kept"),
    [
        ("en", "Arabic and English", "ar_en"),
        ("ar", "العربية والفرنسية", "both"),
        ("fr", "Arabe et français", "both"),
    ],
)
def test_the_receipts_language_is_asked_with_the_apps(
    qtbot: Any, wizard: Any, lang: str, shown: str, kept: str
) -> None:
    """The first page asks the receipts' language beside the app's; untouched, it follows
    the app's language (Arabic always there, for the market's customers) and is saved as
    Settings saves it."""
    wz = wizard("fr")
    combo = wz.receipt_language
    assert combo.isVisible()
    assert [combo.itemData(i) for i in range(combo.count())] == list(receipts.RECEIPT_LANGUAGES)
    qtbot.mouseClick(wz.lang_buttons[lang], LEFT)
    assert (combo.currentText(), combo.currentData()) == (shown, kept)
    to_manager(qtbot, wz)
    window = finish(qtbot, wz)
    assert saved(window, settings.RECEIPT_LANGUAGE) == kept
    with window.ctx.read() as s:
        assert receipts.receipt_language(s) == kept
    window.show_screen("settings")
    assert window.settings.receipt_language.currentData() == kept


def test_a_receipt_language_chosen_stays_whatever_the_apps(qtbot: Any, wizard: Any) -> None:
    wz = wizard("ar")
    combo = wz.receipt_language
    choose(combo, "fr")
    qtbot.mouseClick(wz.lang_buttons["en"], LEFT)
    assert (combo.currentText(), combo.currentData()) == ("French", "fr")
    to_manager(qtbot, wz)
    assert saved(finish(qtbot, wz), settings.RECEIPT_LANGUAGE) == "fr"


def test_an_ice_or_a_logo_that_receipts_cannot_print_is_refused(
    qtbot: Any, wizard: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ICE is 15 digits (Arabic-Indic ones and spaces taken, written as printed); a logo
    is an image that is there, chosen with the "Choose…" button. What is refused is said in
    the manager's language, its field marked, and the step stays."""
    wz = wizard("ar")
    next_step(qtbot, wz)
    qtbot.keyClicks(wz.name_fr, "Cooperative Amal")
    qtbot.keyClicks(wz.ice, "12AB")
    next_step(qtbot, wz)
    assert wz.step == 1 and wz.banner.isVisible()
    assert wz.banner.text() == "التعريف الموحد للمقاولة (ICE) من 15 رقمًا، ولا تُحتسب الفراغات."
    assert wz.ice.property("wrong") is True
    wz.ice.clear()
    type_text(qtbot, wz.ice, "٠٠١ ٢٣٤ ٥٦٧ ٠٠٠ ٠٨٩")
    assert not wz.ice.property("wrong")
    qtbot.keyClicks(wz.logo, "/nowhere/logo.png")
    next_step(qtbot, wz)
    assert wz.step == 1
    assert wz.banner.text() == "لا توجد صورة يمكن قراءتها هنا: اختر الشعار من جديد."
    assert wz.logo.property("wrong") is True and not wz.ice.property("wrong")
    text = tmp_path / "logo.png"
    text.write_text("not a picture", encoding="utf-8")
    wz.logo.setText(str(text))
    next_step(qtbot, wz)
    assert wz.step == 1
    assert wz.banner.text() == "هذا الملف ليس صورة PNG أو JPEG أو BMP: اختر صورة الشعار."

    logo = tmp_path / "argan.png"
    asked = choose_logo(qtbot, monkeypatch, wz.findChild(QPushButton, "setupLogoChoose"), logo)
    assert asked == ["الصور (*.png *.jpg *.jpeg *.bmp)"]  # images only
    assert wz.logo.text() == str(logo) and not wz.logo.property("wrong")
    next_step(qtbot, wz)
    assert wz.step == 2 and wz.ice.text() == ICE  # written as it will be printed
    coop = saved(finish(qtbot, wz), settings.COOPERATIVE)
    assert (coop["ice"], coop["logo"]) == (ICE, str(logo))


def test_the_same_pin_in_arabic_digits_is_the_same_pin(qtbot: Any, wizard: Any) -> None:
    """The PIN typed in Arabic-Indic digits and confirmed in 0-9 is one PIN (the till signs
    in with either); two different PINs are refused, the confirmation emptied and marked."""
    wz = wizard("fr")
    to_manager(qtbot, wz)
    qtbot.keyClicks(wz.manager_name, "Khadija")
    type_text(qtbot, wz.pin, "١٢٣٤")
    qtbot.keyClicks(wz.pin2, "1234")
    next_step(qtbot, wz)
    assert wz.step == 3, wz.banner.text()
    qtbot.mouseClick(wz.back, LEFT)
    wz.pin2.clear()
    qtbot.keyClicks(wz.pin2, "1243")
    next_step(qtbot, wz)
    assert wz.step == 2 and wz.banner.text() == "Les deux codes ne sont pas identiques."
    assert wz.pin2.property("wrong") is True and wz.pin2.text() == ""
    wz.pin2.clear()
    qtbot.keyClicks(wz.pin2, "1234")
    assert not wz.pin2.property("wrong")
    next_step(qtbot, wz)
    next_step(qtbot, wz)
    wz.demo.setChecked(False)
    next_step(qtbot, wz)
    window = wz.window().property("next")
    assert window is not None and window.ctx.user.name == "Khadija"
    with window.ctx.read() as s:
        assert users.authenticate(s, "1234").name == "Khadija"
        assert users.authenticate(s, "١٢٣٤").name == "Khadija"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_code_scanned_into_the_pin_does_not_become_the_pin(
    qtbot: Any, wizard: Any, lang: str
) -> None:
    """A barcode scanned into either PIN field leaves it as it was and the page says so; it
    would otherwise be the manager's PIN. A PIN then typed by hand is taken."""
    wz = wizard(lang)
    to_manager(qtbot, wz)
    qtbot.keyClicks(wz.manager_name, "Khadija")
    for field in (wz.pin, wz.pin2):
        field.setFocus()
        scan(qtbot, field, EAN8)
        assert field.text() == ""
    assert wz.banner.isVisible() and wz.banner.text() == SCANNED_NEW[lang]
    assert wz.step == 2
    qtbot.wait(SCAN_PAUSE)
    qtbot.keyClicks(wz.pin, "2468")
    qtbot.keyClicks(wz.pin2, "2468")
    next_step(qtbot, wz)
    assert wz.step == 3, wz.banner.text()


def test_the_paper_width_reads_as_arabic_writes_it(qtbot: Any, wizard: Any) -> None:
    """In Arabic the unit follows the number ("58 مم"), not a Latin "mm" that a
    right-to-left box puts before it; the width chosen stays across a language switch."""
    wz = wizard("ar")
    paper = wz.paper
    assert [paper.itemText(i) for i in range(paper.count())] == [
        "58 مم (384 نقطةً)", "80 مم (576 نقطةً)", "80 مم (512 نقطةً)"]
    paper.setCurrentIndex(2)
    qtbot.mouseClick(wz.lang_buttons["fr"], LEFT)
    assert [paper.itemText(i) for i in range(paper.count())] == [
        "58 mm (384 points)", "80 mm (576 points)", "80 mm (512 points)"]
    assert paper.currentData() == 512


def test_the_cooperatives_city_is_asked_in_latin_letters_and_in_arabic(
        qtbot: Any, wizard: Any) -> None:
    """The receipts of an Arabic stall print its city in Arabic from the first sale."""
    wizard = wizard("ar")
    next_step(qtbot, wizard)
    qtbot.keyClicks(wizard.name_fr, "Cooperative Amal")
    qtbot.keyClicks(wizard.city, "Essaouira")
    wizard.city_ar.insert("الصويرة")  # typed on an Arabic keyboard
    assert wizard.city_ar.layoutDirection() == Qt.LayoutDirection.RightToLeft
    next_step(qtbot, wizard)
    coop = saved(finish(qtbot, wizard), settings.COOPERATIVE)
    assert (coop["city"], coop["city_ar"]) == ("Essaouira", "الصويرة")


def test_a_manager_name_longer_than_a_receipt_keeps_is_refused_on_its_page(
    qtbot: Any, wizard: Any
) -> None:
    """The manager's name is printed on receipts, which keep 80 characters of it: a
    longer one is refused on the manager's page, marked, before anything is saved."""
    wz = wizard("en")
    to_manager(qtbot, wz)
    qtbot.keyClicks(wz.manager_name, "K" * 81)
    type_text(qtbot, wz.pin, "2468")
    type_text(qtbot, wz.pin2, "2468")
    next_step(qtbot, wz)
    assert wz.step == 2
    assert wz.banner.text() == "A name has at most 80 characters, this one has 81: shorten it."
    assert wz.manager_name.property("wrong") is True
    wz.manager_name.end(False)
    qtbot.keyClick(wz.manager_name, Qt.Key.Key_Backspace)
    next_step(qtbot, wz)
    assert wz.step == 3, wz.banner.text()
