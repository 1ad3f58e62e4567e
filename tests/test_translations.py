"""Every message exists in Arabic, French and English, with the same placeholders, and
every message id the app uses is defined; a count is said in the plural form its number
takes in each language."""

from __future__ import annotations

import ast
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from pos.catalogue import UNITS
from pos.cldr import FORMS_OF
from pos.i18n import LANGUAGES, catalogue, placeholders, plural_base, tr_count
from pos.money import format_money
from pos.receipts import RECEIPT_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((Path(str(resources.files("resources"))) / "i18n").glob("*.json"))
CALL = re.compile(r"""\b(?:t|tr|tr_count)\(\s*(?:[\w.]+\s*,\s*)?["']([a-z][\w.]*)["']""")
UI_LITERAL = re.compile(r"""["'](ui\.[a-z][\w.]*[a-z0-9])["']""")
#: message families the UI builds from a known list of values
FAMILIES = {
    "unit.": UNITS,
    "ui.printer.": ("none", "ready", "printing", "unsure", "error"),
    "printing.unsure.": ("sale", "refund", "void", "x", "z", "test", "cut_off", "stopped", "fault"),
    "ui.printer.kind_": ("none", "usb", "network", "serial", "file", "cups", "win32"),
    "ui.printer.address_hint_": ("usb", "network", "serial", "file", "cups", "win32"),
    "ui.printer.cause_": ("offline", "no_paper", "not_configured", "bad_address", "not_here",
                          "paper_width", "document"),
    "printing.test_error.": ("offline", "no_paper", "not_configured", "bad_address", "not_here",
                             "paper_width", "document", "cut_off", "fault"),
    "ui.sales.kind_": ("sale", "refund", "void"),
    "ui.users.role_": ("manager", "cashier"),
    "ui.receipt_language.": RECEIPT_LANGUAGES,
    "ui.setup.step_": ("language", "cooperative", "manager", "printer", "catalogue"),
    "ui.figures.kpi_": ("net", "sales", "average", "refunds"),
    "ui.day.cash_": ("in_title", "out_title"),
    "ui.sales.": ("refund_done", "void_done"),
    "payment.": ("cash", "card", "mobile"),
}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_message_in_three_languages_with_the_same_placeholders(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for key, texts in data.items():
        if plural_base(key) is not None:
            problems += _plural_form_problems(key, texts)
            continue
        missing = [lang for lang in LANGUAGES if not (texts.get(lang) or "").strip()]
        if missing:
            problems.append(f"{key}: missing {missing}")
            continue
        reference = placeholders(texts["en"])
        for lang in LANGUAGES:
            if placeholders(texts[lang]) != reference:
                problems.append(f"{key}: {lang} placeholders {placeholders(texts[lang])} "
                                f"differ from {reference}")
    assert problems == []


def _plural_form_problems(key: str, texts: dict[str, str]) -> list[str]:
    """A plural form (``journal.ok_few``) is given in the languages whose rules have that
    form, at least one, with its message's placeholders; in Arabic the forms for zero, one
    and two may say their number in words instead of writing ``{count}``."""
    base = plural_base(key)
    assert base is not None
    form = key.rpartition("_")[2]
    reference = placeholders(catalogue()[base]["en"])
    problems = [f"{key}: {lang} has no form {form!r}" for lang in texts
                if form not in FORMS_OF.get(lang, ())]
    if not any(text.strip() for text in texts.values()):
        problems.append(f"{key}: no language")
    for lang, text in texts.items():
        allowed = [reference]
        if lang == "ar" and form in ("zero", "one", "two"):
            allowed.append(reference - {"count"})
        if placeholders(text) not in allowed:
            problems.append(f"{key}: {lang} placeholders {placeholders(text)}")
    return problems


def test_an_arabic_count_has_every_form_or_none() -> None:
    """Arabic puts the noun after a number in four ways (3-10 plural, 11-99 accusative
    singular, 100 genitive singular; one and two said in words): a message with one of its
    forms has them all, the message itself being the form of 100."""
    known = catalogue()
    counted = {base for key in known if (base := plural_base(key)) is not None
               and "ar" in known[key]}
    assert "journal.ok" in counted and "cli.imported" in counted
    missing = sorted(f"{base}_{form}" for base in counted
                     for form in ("zero", "one", "two", "few", "many")
                     if "ar" not in known.get(f"{base}_{form}", {}))
    assert missing == []


@pytest.mark.parametrize(("count", "said"), [
    (0, "السجل سليم: لا قيود فيه، الرأس ab12."),
    (1, "السجل سليم: قيد واحد، الرأس ab12."),
    (2, "السجل سليم: قيدان، الرأس ab12."),
    (3, "السجل سليم: 3 قيود، الرأس ab12."),
    (4, "السجل سليم: 4 قيود، الرأس ab12."),
    (10, "السجل سليم: 10 قيود، الرأس ab12."),
    (11, "السجل سليم: 11 قيدًا، الرأس ab12."),
    (99, "السجل سليم: 99 قيدًا، الرأس ab12."),
    (100, "السجل سليم: 100 قيد، الرأس ab12."),
    (102, "السجل سليم: 102 قيد، الرأس ab12."),
    (103, "السجل سليم: 103 قيود، الرأس ab12."),
    (111, "السجل سليم: 111 قيدًا، الرأس ab12."),
    (1000, "السجل سليم: 1000 قيد، الرأس ab12."),
])
def test_arabic_counts_agree_with_their_number(count: int, said: str) -> None:
    assert tr_count("ar", "journal.ok", count, head="ab12") == said


def test_french_says_zero_and_one_in_the_singular_english_only_one() -> None:
    def said(lang: str, count: int) -> str:
        return tr_count(lang, "cli.imported", count)

    assert [said("fr", n) for n in (0, 1, 2)] == [
        "0 produit importé.", "1 produit importé.", "2 produits importés."]
    assert [said("en", n) for n in (0, 1, 2)] == [
        "0 products imported.", "1 product imported.", "2 products imported."]
    assert [said("ar", n) for n in (0, 1, 2, 5, 20, 300)] == [
        "لم يُستورد أي منتج.", "تم استيراد منتج واحد.", "تم استيراد منتجين.",
        "تم استيراد 5 منتجات.", "تم استيراد 20 منتجًا.", "تم استيراد 300 منتج."]


def test_no_count_dodges_agreement() -> None:
    """A count is said in its plural forms (:func:`pos.i18n.tr_count`), never with a
    "(s)" that fits every number ("1 ticket(s)", "jour(s)") nor, in Arabic, a plural
    noun as a label ("أيام: 3", where "عدد ...: 3", "the number of...", is right) or
    "يوم/أيام"."""
    dodges = re.compile(r"\w\((?:s|e?s|x)\)")
    arabic = re.compile(r"يوم/أيام|(?:^|[-(،] ?)(?!عدد)[^-(،:]*: \{(?:count|n)\}(?:$|[.)؛؟])")
    found = sorted(key for key, texts in catalogue().items()
                   if dodges.search(texts.get("en", "") + texts.get("fr", ""))
                   or arabic.search(texts.get("ar", "")))
    assert found == []


def _ui_sources() -> list[Path]:
    return sorted((ROOT / "ui").rglob("*.py"))


def test_every_message_the_app_uses_exists() -> None:
    known = catalogue()
    modules = {f"ui.{p.stem}" for p in (ROOT / "ui").glob("*.py")}
    used: dict[str, str] = {}
    for path in _ui_sources():
        text = path.read_text(encoding="utf-8")
        for key in CALL.findall(text) + UI_LITERAL.findall(text):
            if key not in modules and not key.endswith((".", "_")):
                used.setdefault(key, path.name)
    for prefix, values in FAMILIES.items():
        for value in values:
            used.setdefault(prefix + value, "family")
    missing = sorted(f"{key} ({where})" for key, where in used.items() if key not in known)
    assert missing == []
    assert len(used) > 100


def test_ui_messages_are_prefixed() -> None:
    path = ROOT / "resources" / "i18n" / "ui.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [key for key in data if not key.startswith("ui.")] == []


def test_every_printer_failure_has_words_for_a_test_page_and_the_status_bar() -> None:
    """A receipt's failure (``printing.error.*``: the sale is saved, "Retry printing") is
    said about a test page in its own words, and in a few words in the status bar."""
    known = catalogue()
    causes = [key.rsplit(".", 1)[1] for key in known
              if key.startswith("printing.error.") and key != "printing.error.bad_width"]
    assert "offline" in causes and "bad_address" in causes
    missing = [f"{prefix}{cause}" for cause in causes
               for prefix in ("printing.test_error.", "ui.printer.cause_")
               if f"{prefix}{cause}" not in known]
    assert missing == []
    for cause in causes:
        assert placeholders(known[f"printing.test_error.{cause}"]["en"]) == placeholders(
            known[f"printing.error.{cause}"]["en"])


FRENCH_SPACE = re.compile(r" [:;!?»]|« ")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_french_punctuation_never_starts_a_line(path: Path) -> None:
    """French puts a space before ``: ; ! ?`` and inside « »: a no-break one, or a narrow
    line (the status bar, a dialog, a 58 mm receipt) starts its next line with the sign."""
    data = json.loads(path.read_text(encoding="utf-8"))
    found = [f"{key}: {texts['fr']!r}" for key, texts in data.items()
             if FRENCH_SPACE.search(texts.get("fr") or "")]
    assert not found, "plain spaces where French wants no-break ones:\n" + "\n".join(found)


#: what the code fills a placeholder with when it is an amount, or payments (each said with
#: its amount, the last one's ending the text when it has no reference)
MONEY_MADE_BY = re.compile(r"\b(?:format_money|Amount|money|parts_text|part_text)\(")
#: amounts the code passes to a message whose name it builds as it runs (out of the scan's sight)
AMOUNTS_OF_BUILT_KEYS = {"witness.differs_total": {"printed", "recorded"}}
#: an Arabic amount's currency (``65,00 د.م.``) and a full stop after it
CURRENCY_THEN_STOP = re.compile("د\\.م\\.[\\s\u200e\u200f]*\\.")


def _amount_placeholders() -> dict[str, set[str]]:
    """For each message, the placeholders the app fills with an amount: in a call naming the
    message (``t``, ``tr``, ``tr_count``, an error...), the arguments made by
    :data:`MONEY_MADE_BY`."""
    known = catalogue()
    found = {key: set(names) for key, names in AMOUNTS_OF_BUILT_KEYS.items()}
    for path in sorted(p for part in ("pos", "ui", "sync") for p in (ROOT / part).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            keys = [arg.value for arg in node.args[:3]
                    if isinstance(arg, ast.Constant) and arg.value in known]
            if keys:
                found.setdefault(keys[0], set()).update(
                    kw.arg for kw in node.keywords
                    if kw.arg and MONEY_MADE_BY.search(ast.unparse(kw.value)))
    return found


def test_no_arabic_message_puts_a_full_stop_after_an_amount() -> None:
    """An Arabic amount ends with its currency's own dots (``65,00 د.م.``): a full stop
    after it reads ``د.م..``. Every Arabic message, each amount it says written as the app
    writes it, ends at the amount, or goes on after a ``؛``."""
    amounts = _amount_placeholders()
    assert amounts["payment.mismatch"] == {"paid", "total"}  # the scan sees the app's calls
    assert amounts["ui.close_cart.taken_question"] == {"total", "parts"}
    money = format_money(6500, "ar")
    found = []
    for key, texts in catalogue().items():
        template = texts.get("ar") or ""
        filled = amounts.get(plural_base(key) or key, set())
        said = template.format(**{name: money if name in filled else "…"
                                  for name in placeholders(template)})
        if CURRENCY_THEN_STOP.search(said):
            found.append(f"{key}: {said!r}")
    assert found == []
