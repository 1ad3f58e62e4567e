"""The page of a market's enrolment codes (``enrol-code --market ID --html FILE``) printed
on A4 by a real headless Chromium, in Arabic and French: a slip per stand with its cut
lines, its QR code and its code in large letters on one line, the server's address on one
line however long, nothing running out of its slip, no slip taller than a page (none is cut
across two)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from sync.server.cli import main

from .test_server_browser import CHROMIUM, chromium, keep_screenshots

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium, or set SOUK_CHROMIUM)"),
]

#: an A4 page's text at 96 px to the inch: 210 x 297 mm less the sheet's 10 mm margins
PAGE_W, PAGE_H = round(190 / 25.4 * 96), round(277 / 25.4 * 96)
LONG_AR = "تعاونية الصانعات التقليديات للزرابي الأمازيغية والنسيج اليدوي بإقليم ميدلت"
LONG_FR = ("COOPÉRATIVE FÉMININE DES ARTISANES DU TAPIS AMAZIGH ET DU TISSAGE TRADITIONNEL "
           "DE LA PROVINCE DE MIDELT")
#: an address as long as an organiser's domain makes it, with hyphens a line could break at
URL = "https://souk-mobile.entraide-nationale.gov.ma:8443"

#: what a person checking the printed slips would find wrong, measured in the page
SLIPS = """() => [...document.querySelectorAll('.slip')].map(slip => {
  const box = slip.getBoundingClientRect();
  const out = [...slip.querySelectorAll('*')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5);
  }).map(e => e.className || e.tagName);
  const lines = (sel) => {
    const e = slip.querySelector(sel);
    return Math.round(e.getBoundingClientRect().height
                      / (1.5 * parseFloat(getComputedStyle(e).fontSize)) + 0.49);
  };
  const qr = slip.querySelector('.qr svg').getBoundingClientRect();
  return {height: box.height, out, code: lines('.code > bdi'), url: lines('.url > bdi'),
          qr: [qr.width, qr.height], border: getComputedStyle(slip).borderTopStyle,
          codeSize: parseFloat(getComputedStyle(slip.querySelector('.code')).fontSize)};
})"""


def sheet(tmp_path: Path, lang: str) -> Path:
    """A market of seven stands (long names, long stands) and its page of codes."""
    url = f"sqlite:///{tmp_path / 'souk.sqlite3'}"
    rows = ["stand;name_ar;name_fr;sector;province;province_ar;members"]
    for i in range(1, 8):
        stand = f"Allée B {i} bis" if i % 3 == 0 else str(i)
        ar, fr = (LONG_AR, LONG_FR) if i % 2 else (f"تعاونية رقم {i}", f"Coopérative n° {i}")
        rows.append(f"{stand};{ar};{fr};handicrafts;Midelt;ميدلت;{10 + i}")
    csv = tmp_path / "cooperatives.csv"
    csv.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8-sig")
    page = tmp_path / f"codes-{lang}.html"
    for args in (["market", "add", "--name-ar", "السوق المتنقل لميدلت", "--name-fr",
                  "Marché itinérant de Midelt", "--city", "Midelt", "--city-ar", "ميدلت",
                  "--region", "Drâa-Tafilalet", "--region-ar", "جهة درعة تافيلالت",
                  "--starts", "2026-05-12", "--ends", "2026-05-16"],
                 ["cooperative", "import", str(csv), "--market", "1"],
                 ["enrol-code", "--market", "1", "--url", URL, "--html", str(page)]):
        assert main(["--lang", lang, "--database-url", url, *args]) == 0
    return page


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_codes_print_one_slip_per_stand_on_a4(tmp_path: Path, lang: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    page_file = sheet(tmp_path, lang)
    capsys.readouterr()
    with chromium() as browser:
        page: Any = browser.new_page(viewport={"width": PAGE_W, "height": PAGE_H})
        page.goto(page_file.as_uri())
        page.emulate_media(media="print")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PAGE_W
        slips = page.evaluate(SLIPS)
        assert len(slips) == 7
        for slip in slips:
            assert slip["out"] == [], slip
            assert (slip["code"], slip["url"]) == (1, 1), slip
            assert slip["codeSize"] >= 24  # 20 pt: read across a stand
            assert min(slip["qr"]) >= 90  # 24 mm and more: a phone reads it
            assert slip["border"] == "dashed"  # where to cut
            assert slip["height"] < PAGE_H / 2  # two rows of slips at least on a page
        page.screenshot(path=str(tmp_path / f"enrol-sheet-{lang}.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        (tmp_path / f"enrol-sheet-{lang}.pdf").write_bytes(pdf)
    keep_screenshots(tmp_path)
