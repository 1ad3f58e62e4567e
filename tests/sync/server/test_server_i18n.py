"""Every string the dashboard shows exists in Arabic, French and English."""

from __future__ import annotations

import html.parser
import re

import pytest

from sync.server import i18n, queries, web
from sync.server.i18n import LANGS, Translator, catalogue, format_money, placeholders
from sync.server.models import SECTORS

TEMPLATES = ("index.html", "login.html", "report.html", "error.html")


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    """The same placeholders in every language; only a plural form may leave out the
    count, which its words say ("قطعتان": two pieces)."""
    reference = catalogue("fr")
    for lang in LANGS:
        strings = catalogue(lang)
        assert set(strings) == set(reference), f"{lang}: {set(strings) ^ set(reference)}"
        for key, text in strings.items():
            assert text.strip(), f"{lang}.{key} is empty"
            expected = placeholders(reference[key])
            allowed = [expected]
            if i18n.plural_base(key, strings) is not None:
                allowed.append(expected - {i18n.COUNT})
            assert placeholders(text) in allowed, f"{lang}.{key}"


def test_only_plural_forms_may_leave_out_the_count() -> None:
    strings = {"unit_piece": "{n} pièces", "unit_piece_two": "قطعتان", "sector": "Secteur",
               "sector_other": "Autres", "unit_piece_dozen": "{n} douzaines"}
    assert i18n.plural_base("unit_piece_two", strings) == "unit_piece"
    assert i18n.plural_base("unit_piece", strings) is None
    assert i18n.plural_base("sector_other", strings) is None  # "Secteur" counts nothing
    assert i18n.plural_base("unit_piece_dozen", strings) is None
    assert i18n.plural_base("unit_l_two", strings) is None  # no "unit_l" to be a form of


@pytest.mark.parametrize("lang", LANGS)
def test_plural_forms_write_their_number_unless_their_words_say_it(lang: str) -> None:
    """A form for one or two either writes the count or, in Arabic, says it in words
    (never a digit of its own, as "من أصل 1 تعاونية" did); the other forms write it."""
    strings = catalogue(lang)
    forms = {k: v for k, v in strings.items() if i18n.plural_base(k, strings) is not None}
    assert len(forms) >= 20
    for key, text in forms.items():
        if lang == "ar" and key.endswith(("_one", "_two")):
            assert not re.search(r"[0-9\u0660-\u0669]|\{n\}", text), key
        else:
            assert "{n}" in text and not re.search(r"[0-9]", text.replace("{n}", "")), key


def test_french_punctuation_stays_with_its_word() -> None:
    """In French a colon, semicolon, question or exclamation mark, a closing guillemet
    and a unit follow a no-break space: a narrow report's title never starts a line with
    ": Marché…" ("Rapport de l'édition : Marché…" wrapped)."""
    loose = re.compile(r" [:;!?»]|« |\} s\b")
    assert [key for key, text in catalogue("fr").items() if loose.search(text)] == []


def test_arabic_strings_are_arabic() -> None:
    untranslated = [k for k, v in catalogue("ar").items()
                    if not re.search(r"[\u0600-\u06ff]", v) and not k.startswith("lang_")
                    and not re.fullmatch(r"[\W\d]*(CSV|Excel)?[\W\d]*", v)]
    assert untranslated == []


def test_arabic_names_a_stand_and_a_till_one_way() -> None:
    """The Arabic pages name a stand رواق and a till صندوق everywhere, as the tables'
    headers do: the restored stands' panel, the report and the files' columns do not
    speak of a جناح or of its جهاز, which an organiser would take for something else."""
    other = re.compile(r"جناح|أجنحة|جهاز|أجهزة")
    assert [k for k, v in catalogue("ar").items() if other.search(v)] == []
    assert re.search("رواق", catalogue("ar")["stand"])


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_use_only_known_keys(template: str) -> None:
    used = web.template_keys(template)
    assert used
    assert used <= set(catalogue("ar")), used - set(catalogue("ar"))


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.text.append(data.strip())


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_have_no_text_outside_the_catalogue(template: str) -> None:
    parser = _Text()
    parser.feed(web.template(template))
    leftovers = [t for t in parser.text if re.sub(r"\{\{[^}]+\}\}|[·\s]", "", t)]
    assert leftovers == []


def test_the_script_asks_only_for_known_keys() -> None:
    js = i18n.asset("dashboard.js").decode()
    keys = set(re.findall(r"""\bt\(\s*["']([a-z_]+)["']\s*[,)]""", js))
    # keys made from data: sectors, and the breakdowns' group names
    keys |= {f"sector_{s}" for s in SECTORS}
    groups = queries.breakdowns([])
    keys |= {g.key for g in groups.origins + groups.programmes}
    assert {"never", "minutes_ago", "refresh_failed", "updated_at"} <= keys
    assert keys <= set(catalogue("ar")), keys - set(catalogue("ar"))
    # strings in the script are data or keys, never French or Arabic prose
    assert not re.search(r"[\u0600-\u06ff]", js.replace('ar: "د.م."', ""))


def test_money_as_people_in_morocco_write_it() -> None:
    assert format_money(12_550, "fr") == "125,50\u00a0DH"
    assert format_money(12_550, "ar") == "125,50\u00a0د.م."
    assert format_money(123_456_705, "fr") == "1\u00a0234\u00a0567,05\u00a0DH"
    assert format_money(-5, "fr") == "-0,05\u00a0DH"
    # in Arabic the CLDR's minus (a left-to-right mark before it keeps it before the
    # digits in a right-to-left line), and a right-to-left mark first, as the stalls write
    assert format_money(-52_100, "ar") == "\u200f\u200e-521,00\u00a0د.م."
    assert Translator("ar").quantity(-1_500) == "\u200e-1,5"
    assert Translator("fr").quantity(-1_500) == "-1,5"
    # in English as the stalls' receipts write it
    assert format_money(123_456_705, "en") == "MAD\u00a01,234,567.05"
    assert Translator("en").quantity(1_234_500) == "1,234.5"
    assert Translator("fr").quantity(1_234_500) == "1\u00a0234,5"
    assert Translator("en").count(10_933) == "10,933"


@pytest.mark.parametrize("lang", LANGS)
def test_amounts_read_as_the_stalls_write_them(lang: str) -> None:
    """The same amount reads the same on a stall's screen and on the organisers' pages,
    below zero too."""
    from pos.money import format_money as stall_money

    for centimes in (-123_456_705, -52_100, -5, 0, 12_550):
        assert format_money(centimes, lang) == stall_money(centimes, lang)


@pytest.mark.parametrize(("requested", "cookie", "accept", "expected"), [
    ("fr", "ar", "en", "fr"), (None, "en", "fr", "en"), (None, None, "fr-MA,fr;q=0.9", "fr"),
    (None, None, "de-DE", "ar"), ("xx", None, None, "ar"),
])
def test_language_choice(requested: str | None, cookie: str | None, accept: str | None,
                         expected: str) -> None:
    assert i18n.choose_lang(requested, cookie, accept) == expected
