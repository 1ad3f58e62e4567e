"""The edition report in a real headless Chromium, on screen and printed on A4, in Arabic
and French: the headline figures never run into each other, and the cooperatives' names in
the bar charts are never cut off or covered by a bar."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from sync.server import admin
from sync.server.db import Database

from .server_support import DAY, summary
from .test_server_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, live_server, log_in

__all__ = ["live_server"]  # the fixture, shared with the dashboard's browser tests

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium, or set SOUK_CHROMIUM)"),
]

# (name in Arabic, name in French, net sales in centimes, tickets)
COOPERATIVES = [
    ("تعاونية النحالين بصفرو", "Coopérative apicole de Sefrou", 13_977_360, 697),
    ("تعاونية النباتات الطبية والعطرية للأطلس المتوسط",
     "Coopérative des plantes médicinales et aromatiques du Moyen Atlas", 10_823_735, 4_120),
    ("تعاونية الصانعات التقليديات للزرابي الأمازيغية والنسيج اليدوي بإقليم ميدلت",
     "COOPÉRATIVE FÉMININE DES ARTISANES DU TAPIS AMAZIGH ET DU TISSAGE TRADITIONNEL DE LA "
     "PROVINCE DE MIDELT", 8_993_645, 3_605),
    ("تعاونية فخار فاس", "Coopérative de poterie de Fès", 11_166_245, 2_511),
]
# the page's width on screen, and (print) the width of an A4 page's text: 210 mm less
# the report's 12 mm margins, at 96 px to the inch
LAYOUTS: list[tuple[Literal["screen", "print"], int]] = [
    ("screen", 794), ("screen", 1366), ("print", 703)]

OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('.kpi')].map(e => e.getBoundingClientRect());
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
                      && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const found = [];
  boxes.forEach((a, i) => boxes.forEach((b, j) => {
    if (i < j && meet(a, b)) found.push([i, j]);
  }));
  const spills = [...document.querySelectorAll('.kpi')].filter(box => {
    const outer = box.getBoundingClientRect();
    return [...box.children].some(child => {
      const r = child.getBoundingClientRect();
      return child.scrollWidth > child.clientWidth + 0.5 || r.left < outer.left - 0.5
             || r.right > outer.right + 0.5;
    });
  }).map(box => box.textContent);
  return {boxes: boxes.length, overlaps: found, spills: spills};
}"""

LABELS = """() => [...document.querySelectorAll('svg')].flatMap(svg => {
  const frame = svg.getBoundingClientRect();
  const bars = [...svg.querySelectorAll('rect.bar')].map(r => r.getBoundingClientRect());
  return [...svg.querySelectorAll('text.label')].map(text => {
    const r = text.getBoundingClientRect();
    const lines = [...text.querySelectorAll('tspan')].map(line => line.textContent);
    return {text: lines.join(' '), inside: r.left >= frame.left - 0.5
              && r.right <= frame.right + 0.5,
            covered: bars.some(b => b.width > 0 && r.left < b.right && b.left < r.right
                                    && r.top < b.bottom && b.top < r.bottom)};
  });
})"""


def seed(base: str, db: Database) -> None:
    with db.write() as s:
        market = admin.add_market(s, name_ar="السوق المتنقل لفاس",
                                  name_fr="Marché itinérant de Fès", city="Fès",
                                  region="Fès-Meknès", starts_on=DAY, ends_on=DAY)
        admin.add_user(s, "nadia", PASSWORD)
        codes = []
        for i, (name_ar, name_fr, _, _) in enumerate(COOPERATIVES, start=1):
            coop = admin.add_cooperative(s, admin.CooperativeInput(
                market_id=market.id, name_ar=name_ar, name_fr=name_fr, sector="herbs",
                province="Sefrou", stand=str(i), members=1_250))
            codes.append(admin.issue_enrol_code(s, coop.id)[0])
    for code, (_, _, net, tickets) in zip(codes, COOPERATIVES, strict=True):
        device = httpx.post(f"{base}/api/v1/enrol",
                            json={"code": code, "device_name": "stall"}).json()
        body = {"summaries": [summary(device["device_id"], DAY, 3, net=net, tickets=tickets,
                                      refunds=145_100).model_dump(mode="json")]}
        reply = httpx.post(f"{base}/api/v1/push", json=body,
                           headers={"Authorization": f"Bearer {device['token']}"})
        assert reply.status_code == 200, reply.text


def test_report_figures_and_names_never_overlap(live_server: tuple[str, Database],
                                                tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, db = live_server
    seed(base, db)
    names = {"ar": [c[0] for c in COOPERATIVES], "fr": [c[1] for c in COOPERATIVES]}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            log_in(page, base, "fr")
            for lang in ("ar", "fr"):
                for media, width in LAYOUTS:
                    page.set_viewport_size({"width": width, "height": 1000})
                    page.emulate_media(media=media)
                    page.goto(f"{base}/dashboard/report?lang={lang}")
                    where = f"{lang}, {media} at {width} px"
                    kpis: dict[str, Any] = page.evaluate(OVERLAPS)
                    assert kpis == {"boxes": 6, "overlaps": [], "spills": []}, where
                    labels: list[dict[str, Any]] = page.evaluate(LABELS)
                    assert set(names[lang]) <= {x["text"] for x in labels}, where
                    bad = [x for x in labels if not x["inside"] or x["covered"]]
                    assert bad == [], where
                    page.screenshot(path=str(tmp_path / f"report-{lang}-{media}-{width}.png"),
                                    full_page=True)
        finally:
            browser.close()
    if os.environ.get("SOUK_SCREENSHOTS"):
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(os.environ["SOUK_SCREENSHOTS"]) / png.name)
