"""The page of a market's enrolment codes (``enrol-code --market ID --html FILE``) printed
on A4 by a real headless Chromium, in Arabic and French: a slip per stand with its cut
lines, its QR code and its code in large letters on one line, its stand and the server's
address on one line however long, nothing running out of its slip, and, in the printed PDF,
four slips a page with the longest names, none cut across two pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from sync.server.cli import main

from .test_server_browser import CHROMIUM, chromium, keep_screenshots

pytestmark = [
    pytest.mark.usefixtures("one_chromium"),
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
          stand: lines('.stand > bdi'),
          qr: [qr.width, qr.height], border: getComputedStyle(slip).borderTopStyle,
          codeSize: parseFloat(getComputedStyle(slip.querySelector('.code')).fontSize)};
})"""


def sheet(tmp_path: Path, lang: str, stands: list[tuple[str, str, str]] | None = None) -> Path:
    """A market of seven stands (long names, long stands), or of ``stands`` (stand, Arabic
    and French names), and its page of codes."""
    url = f"sqlite:///{tmp_path / 'souk.sqlite3'}"
    rows = ["stand;name_ar;name_fr;sector;province;province_ar;members"]
    if stands is None:
        stands = [(f"Allée B {i} bis" if i % 3 == 0 else str(i), LONG_AR if i % 2 else
                   f"تعاونية رقم {i}", LONG_FR if i % 2 else f"Coopérative n° {i}")
                  for i in range(1, 8)]
    for i, (stand, ar, fr) in enumerate(stands, 1):
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
            assert (slip["stand"], slip["code"], slip["url"]) == (1, 1, 1), slip
            assert slip["codeSize"] >= 24  # 20 pt: read across a stand
            assert min(slip["qr"]) >= 90  # 24 mm and more: a phone reads it
            assert slip["border"] == "dashed"  # where to cut
            assert slip["height"] < PAGE_H / 2  # two rows of slips at least on a page
        page.screenshot(path=str(tmp_path / f"enrol-sheet-{lang}.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        (tmp_path / f"enrol-sheet-{lang}.pdf").write_bytes(pdf)
    keep_screenshots(tmp_path)


#: the longest names a cooperative is given (its full legal name), and its stand in an
#: aisle of a big market
LONGEST_AR = ("التعاونية الفلاحية النسوية لإنتاج زيت الأركان وتثمين المنتجات المجالية بالجماعة "
              "القروية آيت باها إقليم اشتوكة آيت باها")
LONGEST_FR = ("COOPÉRATIVE AGRICOLE FÉMININE DE PRODUCTION D'HUILE D'ARGAN ET DE VALORISATION "
              "DES PRODUITS DU TERROIR DE LA COMMUNE RURALE D'AÏT BAHA")
#: a link at the top and at the bottom of each slip (its first label, its last line), for
#: the PDF to say which page each is printed on
MARK_SLIPS = """() => document.querySelectorAll('.slip').forEach((slip, i) => {
  for (const [end, sel] of [['top', '.who .label'], ['bottom', '.how p:last-child']]) {
    const where = slip.querySelector(sel), link = document.createElement('a');
    link.href = `https://slip.test/${i}/${end}`;
    link.append(...where.childNodes);
    where.append(link);
  }
})"""


def links_by_page(pdf: bytes) -> list[set[str]]:
    """The addresses of the links on each page of a PDF as Chromium writes it (its
    objects uncompressed, the pages' ``/Kids`` in order, each page's ``/Annots``)."""
    objects = {int(m[1]): m[2] for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)\s*endobj", pdf, re.S)}
    (pages,) = [body for body in objects.values() if re.search(rb"/Type\s*/Pages\b", body)]
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", pages)
    assert kids is not None
    found = []
    for page in re.findall(rb"(\d+) 0 R", kids[1]):
        annots = re.search(rb"/Annots\s*\[([^\]]*)\]", objects[int(page)])
        refs = re.findall(rb"(\d+) 0 R", annots[1]) if annots else []
        found.append({uri.decode() for ref in refs
                      for uri in re.findall(rb"/URI\s*\(([^)]*)\)", objects[int(ref)])})
    return found


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_page_of_the_longest_names_keeps_every_slip_whole(
        tmp_path: Path, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Printed to PDF by Chromium on A4: with the longest names and stands, each page holds
    four slips, each whole on its page (its first label and its last line on the same
    one), its stand on one line."""
    stands = ["Allée B 12 bis", "Allée C 104 bis", "Pavillon A 7", "12", "Allée D 9 bis",
              "B 3", "Allée A 11 bis", "Allée E 108 bis"]
    page_file = sheet(tmp_path, lang, [(stand, LONGEST_AR, LONGEST_FR) for stand in stands])
    capsys.readouterr()
    with chromium() as browser:
        page: Any = browser.new_page(viewport={"width": PAGE_W, "height": PAGE_H})
        page.goto(page_file.as_uri())
        page.emulate_media(media="print")
        assert [slip["stand"] for slip in page.evaluate(SLIPS)] == [1] * len(stands)
        page.evaluate(MARK_SLIPS)
        pdf = page.pdf(format="A4", print_background=True)
    (tmp_path / f"longest-names-{lang}.pdf").write_bytes(pdf)
    pages = links_by_page(pdf)
    assert [{link.split("/")[3] for link in links} for links in pages] == [
        {"0", "1", "2", "3"}, {"4", "5", "6", "7"}]
    for links in pages:
        slips = {link.split("/")[3] for link in links}
        assert links == {f"https://slip.test/{i}/{end}" for i in slips
                         for end in ("top", "bottom")}
