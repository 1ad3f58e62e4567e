"""Every message exists in Arabic, French and English, with the same placeholders, and
every message id the app uses is defined."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from pos.catalogue import UNITS
from pos.i18n import LANGUAGES, catalogue, placeholders
from pos.receipts import RECEIPT_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((Path(str(resources.files("resources"))) / "i18n").glob("*.json"))
CALL = re.compile(r"""\b(?:t|tr)\(\s*(?:[\w.]+\s*,\s*)?["']([a-z][\w.]*)["']""")
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
