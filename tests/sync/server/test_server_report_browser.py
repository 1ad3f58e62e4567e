"""The edition report in a real headless Chromium, on screen and printed on A4, in Arabic
and French: the headline figures never run into each other, the cooperatives' names in the
bar charts are never cut off or covered by a bar, and on a phone the tables are read whole
without scrolling sideways and the charts' text at a readable size."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from sync.server import admin
from sync.server.db import Database
from sync.server.i18n import CURRENCY, NBSP, Translator, format_money

from .server_support import DAY, summary
from .test_server_browser import CHROMIUM, PASSWORD, chromium, live_server, log_in

__all__ = ["live_server"]  # the fixture, shared with the dashboard's browser tests

pytestmark = [
    pytest.mark.usefixtures("one_chromium"),
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

# each headline box: its width, its top, and whether its figure holds on one line
KPI_BOXES = """() => [...document.querySelectorAll('.kpi')].map(box => {
  const r = box.getBoundingClientRect();
  const value = box.querySelector('.value');
  const one = value.getBoundingClientRect().height
              < 1.8 * parseFloat(getComputedStyle(value).fontSize);
  return [Math.round(r.width), Math.round(r.top), one];
})"""

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
    base, db = live_server
    seed(base, db)
    names = {"ar": [c[0] for c in COOPERATIVES], "fr": [c[1] for c in COOPERATIVES]}
    with chromium() as browser:
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
                # two even rows of three (never five, and the sixth alone across the
                # page), each figure on one line
                shape = page.evaluate(KPI_BOXES)
                assert len({width for width, _, _ in shape}) == 1, (where, shape)
                assert sorted(Counter(top for _, top, _ in shape).values()) == [3, 3], (
                    where, shape)
                assert all(one for _, _, one in shape), (where, shape)
                labels: list[dict[str, Any]] = page.evaluate(LABELS)
                assert set(names[lang]) <= {x["text"] for x in labels}, where
                bad = [x for x in labels if not x["inside"] or x["covered"]]
                assert bad == [], where
                page.screenshot(path=str(tmp_path / f"report-{lang}-{media}-{width}.png"),
                                full_page=True)
    if os.environ.get("SOUK_SCREENSHOTS"):
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(os.environ["SOUK_SCREENSHOTS"]) / png.name)


# an edition of ten days: (name in Arabic, name in French, sector, region, women-led,
# youth-led, stand); the region of Fès-Meknès is the market's
EDITION_DAYS = 10
EDITION = [
    (*COOPERATIVES[0][:2], "food", "Fès-Meknès", True, False, "A-101"),
    (*COOPERATIVES[1][:2], "herbs", "Fès-Meknès", False, True, "A-102"),
    (*COOPERATIVES[2][:2], "handicrafts", "Drâa-Tafilalet", True, False, "B-14"),
    (*COOPERATIVES[3][:2], "handicrafts", "Fès-Meknès", False, False, "B-15"),
    ("تعاونية النساء القرويات لتثمين منتجات الصبار والعسل الحر",
     "Coopérative des femmes rurales pour la valorisation du cactus et du miel",
     "cosmetics", "Souss-Massa", True, True, "C-3"),
    ("تعاونية الزرابي الأمازيغية التقليدية لجبال الأطلس الكبير",
     "Coopérative des tapis amazighs traditionnels du Haut Atlas", "handicrafts",
     "Marrakech-Safi", False, True, "C-27"),
    ("تعاونية أركان النساء", "Coopérative Argan Nissae", "food", "Souss-Massa", True, False,
     "D-8"),
    ("تعاونية الأعشاب والزيوت الأساسية لإيموزار كندر", "Coopérative Imouzzer Essences",
     "other", "Fès-Meknès", False, False, "D-9"),
]
# each day's sales by hour, in shares of the day: from 9:00 to 21:59, none from 14:00 to
# 14:59 (the market's break)
HOURS = {9: 2, 10: 5, 11: 8, 12: 9, 13: 6, 15: 5, 16: 7, 17: 9, 18: 10, 19: 8, 20: 5, 21: 2}
PRODUCTS = [  # (name in Arabic, name in French)
    ("زيت أركان غذائي معصور على البارد 250 مل", "Huile d'argan alimentaire pressée à froid 250 ml"),
    ("عسل الزعتر الحر من جبال الأطلس 500 غ", "Miel de thym sauvage des montagnes de l'Atlas 500 g"),
    ("زربية أمازيغية منسوجة يدويا 2 × 3 م", "Tapis amazigh tissé à la main 2 × 3 m"),
    ("ماء الورد المقطر من قلعة مكونة", "Eau de rose distillée de Kelâat M'Gouna"),
    ("طاجين فخاري مزخرف", "Tajine en terre cuite décoré"),
    ("أملو باللوز وزيت الأركان", "Amlou aux amandes et à l'huile d'argan"),
]


def seed_edition(base: str, db: Database) -> dict[int, int]:
    """An edition of ten days and eight cooperatives (several with long names, from
    inside and outside the region, women- and youth-led), each selling six products with
    long names every day, for a little over a million dirhams each; the edition's sales by
    hour (in centimes)."""
    first = DAY - dt.timedelta(days=EDITION_DAYS - 1)
    with db.write() as s:
        market = admin.add_market(s, name_ar="المعرض الجهوي للمنتجات المجالية بفاس",
                                  name_fr="Salon régional des produits du terroir de Fès",
                                  city="Fès", region="Fès-Meknès", starts_on=first,
                                  ends_on=DAY)
        admin.add_user(s, "nadia", PASSWORD)
        codes = []
        for name_ar, name_fr, sector, region, women, youth, stand in EDITION:
            coop = admin.add_cooperative(s, admin.CooperativeInput(
                market_id=market.id, name_ar=name_ar, name_fr=name_fr, sector=sector,
                province="Fès", region=region, stand=stand, members=1_250,
                women_led=women, youth_led=youth))
            codes.append(admin.issue_enrol_code(s, coop.id)[0])
    by_hour = dict.fromkeys(HOURS, 0)
    for n, code in enumerate(codes):
        device = httpx.post(f"{base}/api/v1/enrol",
                            json={"code": code, "device_name": "stall"}).json()
        summaries = []
        for d in range(EDITION_DAYS):
            day = first + dt.timedelta(days=d)
            body = summary(device["device_id"], day, 3, net=13_977_360 - 731_145 * n + 97_531 * d,
                           tickets=2_697 - 211 * n, refunds=145_100, products=len(PRODUCTS),
                           status="closed" if day < DAY else "open").model_dump(mode="json")
            for line, (name_ar, name_fr) in zip(body["products"], PRODUCTS, strict=True):
                line["name_ar"], line["name_fr"] = name_ar, name_fr
            body["hours"] = spread(body["net"], body["sales_count"])
            for hour in body["hours"]:
                by_hour[hour["hour"]] += hour["amount"]
            summaries.append(body)
        reply = httpx.post(f"{base}/api/v1/push", json={"summaries": summaries},
                           headers={"Authorization": f"Bearer {device['token']}"})
        assert reply.status_code == 200, reply.text
        if EDITION[n][-1] == RESTORED[0]:
            restore(base, device, summaries[RESTORED[1]], by_hour)
    return by_hour


# the stand whose till was restored from a backup, the day (its index) it lost sales on,
# and what the till says of that day after the restore (net sales, tickets)
RESTORED = ("D-8", 3, 4_210_050, 512)


def restore(base: str, device: dict[str, Any], held: dict[str, Any],
            by_hour: dict[int, int]) -> None:
    """The day ``held`` as the stall's till sends it after a restore from a backup."""
    _, _, net, tickets = RESTORED
    day = summary(device["device_id"], dt.date.fromisoformat(held["business_day"]), 2,
                  net=net, tickets=tickets, refunds=145_100, products=len(PRODUCTS),
                  status="closed").model_dump(mode="json")
    body = {**day, "restores": 1, "products": [
        {**line, "name_ar": old["name_ar"], "name_fr": old["name_fr"]}
        for line, old in zip(day["products"], held["products"], strict=True)]}
    body["hours"] = spread(body["net"], body["sales_count"])
    for old, new in zip(held["hours"], body["hours"], strict=True):
        by_hour[old["hour"]] += new["amount"] - old["amount"]
    reply = httpx.post(f"{base}/api/v1/push", json={"summaries": [body]},
                       headers={"Authorization": f"Bearer {device['token']}"})
    assert reply.status_code == 200, reply.text


def spread(net: int, tickets: int) -> list[dict[str, int]]:
    """A day's sales by hour, in the shares of ``HOURS`` (the last hour takes what is
    left)."""
    whole = sum(HOURS.values())
    hours = [{"hour": hour, "amount": net * share // whole, "tickets": tickets * share // whole}
             for hour, share in HOURS.items()]
    hours[-1]["amount"] += net - sum(h["amount"] for h in hours)
    hours[-1]["tickets"] += tickets - sum(h["tickets"] for h in hours)
    return hours


# What an organiser reading the report's tables would find wrong, from inside the page: a
# page wider than the window, a table's value not shown, out of its section or spilling
# out of its cell, a row's name not against its cell's start or a figure not against its
# cell's end (the right in French, the left in Arabic), and on a phone (``stacked``) a
# value other than the row's rank and name shown without its column's name.
TABLE_PROBLEMS = """(stacked) => {
  const problems = [];
  const width = window.innerWidth;
  const root = document.documentElement;
  if (root.scrollWidth > width) problems.push(`the page is ${root.scrollWidth} px wide`);
  const rtl = getComputedStyle(document.body).direction === "rtl";
  for (const table of document.querySelectorAll("table")) {
    const section = table.closest("section");
    const frame = section.getBoundingClientRect();
    const title = section.querySelector("h2").textContent;
    const headers = [...table.querySelectorAll("thead th")].map(th => th.textContent);
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.cells].forEach((cell, i) => {
        if (cell.classList.contains("empty")) return;
        const what = `${title}: ${headers[i]} ${cell.textContent}`;
        const range = document.createRange();
        range.selectNodeContents(cell);
        const text = range.getBoundingClientRect();
        const box = cell.getBoundingClientRect();
        const style = getComputedStyle(cell);
        if (text.width === 0 || style.visibility !== "visible") {
          problems.push(`${what}: not shown`);
          return;
        }
        if (text.left < frame.left - 0.5 || text.right > frame.right + 0.5) {
          problems.push(`${what}: out of its section`);
        }
        if (text.left < box.left - 0.5 || text.right > box.right + 0.5) {
          problems.push(`${what}: spills out of its cell`);
        }
        const left = text.left - box.left - parseFloat(style.paddingLeft);
        const right = box.right - parseFloat(style.paddingRight) - text.right;
        if (cell.classList.contains("num") && Math.abs(rtl ? left : right) > 1) {
          problems.push(`${what}: ${rtl ? left : right} px from its cell's end`);
        }
        if (cell.classList.contains("key") && Math.abs(rtl ? right : left) > 1) {
          problems.push(`${what}: ${rtl ? right : left} px from its cell's start`);
        }
        const label = getComputedStyle(cell, "::before").content;
        if (stacked && !cell.matches(".key, .rank") && label !== JSON.stringify(headers[i])) {
          problems.push(`${what}: labelled ${label}`);
        }
      });
    }
  }
  return problems;
}"""
TABLES = "[...document.querySelectorAll('table')].map(t => getComputedStyle(t).display)"
# What an organiser reading the report's charts on a phone would find wrong: a chart wider
# than the screen; a text of a chart smaller than 11 px as drawn (an SVG's text shrinks
# with its drawing), cut by the chart's edges, running into another text or into a bar;
# a row's label not against the chart's start, its bar not growing from the start of its
# track, or its figure not against the chart's end and past its bar (the start is the
# right in Arabic). Each chart's rows as read: (title, [[label, figure], ...]).
CHART_PROBLEMS = """() => {
  const problems = [];
  const read = [];
  const rtl = getComputedStyle(document.body).direction === "rtl";
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
                      && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const visible = (el) => el.checkVisibility() && el.getBoundingClientRect().width > 0;
  const textBox = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect();
  };
  const fromStart = (inner, outer) => rtl ? outer.right - inner.right : inner.left - outer.left;
  const fromEnd = (inner, outer) => rtl ? inner.left - outer.left : outer.right - inner.right;
  for (const chart of document.querySelectorAll(".chart")) {
    const title = chart.closest("section").querySelector("h2").textContent;
    const frame = chart.getBoundingClientRect();
    if (frame.left < -0.5 || frame.right > window.innerWidth + 0.5
        || chart.scrollWidth > chart.clientWidth) {
      problems.push(`${title}: wider than the screen`);
    }
    const texts = [];
    const walker = document.createTreeWalker(chart, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const el = node.parentElement;
      if (!node.textContent.trim() || el.closest("title") || !visible(el)) continue;
      const what = `${title}: ${node.textContent}`;
      const scale = el instanceof SVGElement ? el.getScreenCTM().a : 1;
      const size = parseFloat(getComputedStyle(el).fontSize) * scale;
      if (size < 11) problems.push(`${what}: a ${size.toFixed(1)} px font`);
      const range = document.createRange();
      range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5) {
        problems.push(`${what}: cut`);
      }
      texts.push([what, [...range.getClientRects()]]);
    }
    const bars = [...chart.querySelectorAll(".bar")].filter(visible)
      .map(bar => bar.getBoundingClientRect());
    texts.forEach(([what, lines], i) => {
      texts.slice(i + 1).forEach(([other, others]) => {
        if (lines.some(a => others.some(b => meet(a, b)))) {
          problems.push(`${what}: runs into ${other}`);
        }
      });
      if (lines.some(a => bars.some(b => meet(a, b)))) problems.push(`${what}: on a bar`);
    });
    const rows = [...chart.querySelectorAll("li")].filter(visible);
    for (const row of rows) {
      const [name, value] = [".name", ".value"].map(part => textBox(row.querySelector(part)));
      const [track, bar] = [".track", ".bar"]
        .map(part => row.querySelector(part).getBoundingClientRect());
      const what = `${title}: ${[...row.children].map(part => part.textContent).join(" ")}`;
      const gaps = [fromStart(name, frame), fromStart(bar, track), fromEnd(value, frame)];
      if (gaps.some(gap => Math.abs(gap) > 1)) problems.push(`${what}: ${gaps} px off`);
      if (rtl ? value.right > bar.left : value.left < bar.right) {
        problems.push(`${what}: its figure on its bar's side`);
      }
    }
    read.push([title, rows.map(row => [row.querySelector(".name").textContent,
                                       row.querySelector(".value").textContent])]);
  }
  return {problems, read};
}"""
# how each chart is shown: [its drawing, its list of bars]
CHARTS = """[...document.querySelectorAll('.chart')].map(chart =>
  [chart.querySelector('svg'), chart.querySelector('ol')].map(e => getComputedStyle(e).display))"""
# the rows of the edition's tables: days, restored stands, sectors, origins, programmes,
# cooperatives, products
ROWS = EDITION_DAYS + 1 + 5 + 2 + 3 + len(EDITION) + 10


def test_report_tables_and_charts_read_on_a_phone(live_server: tuple[str, Database],
                                                  tmp_path: Path) -> None:
    """An edition of ten days and eight cooperatives with long names (one stand's day
    restored from a backup on its till), on a phone (390 px wide) in French and in Arabic:
    the report is laid out at the phone's width and does
    not scroll sideways, every value of every table is shown whole, each figure against
    its cell's end and named by its column; each chart's text is as large as the tables',
    whole and clear of the rest, every hour of the market's day with its sales, every
    figure as money in the page's language; Arabic reads right to left. On a 1280 px
    screen the tables are read whole too and the charts are drawn; printed from the phone
    the tables stay tables and the charts are drawn."""
    base, db = live_server
    by_hour = seed_edition(base, db)
    with chromium() as browser:
        phone = browser.new_context(viewport={"width": 390, "height": 844},
                                    is_mobile=True, has_touch=True)
        desktop = browser.new_context(viewport={"width": 1280, "height": 800})
        for context, width in ((phone, 390), (desktop, 1280)):
            page = context.new_page()
            log_in(page, base, "fr")
            for lang in ("fr", "ar"):
                where = f"{lang} at {width} px"
                page.emulate_media(media="screen")
                page.goto(f"{base}/dashboard/report?lang={lang}")
                page.screenshot(path=str(tmp_path / f"report-tables-{lang}-{width}.png"),
                                full_page=True)
                assert page.evaluate("window.innerWidth") == width, where
                assert page.locator("table tbody tr").count() == ROWS, where
                problems = page.evaluate(TABLE_PROBLEMS, context is phone)
                assert problems == [], (where, problems)
                direction = page.evaluate(
                    "[document.documentElement.dir, getComputedStyle(document.body)"
                    ".direction]")
                assert direction == [{"ar": "rtl", "fr": "ltr"}[lang]] * 2, where
                shown = "block" if context is phone else "table"
                assert page.evaluate(TABLES) == [shown] * 7, where
                check_restored(page, lang)
                drawn = ["none", "grid"] if context is phone else ["block", "none"]
                assert page.evaluate(CHARTS) == [drawn] * 5, where
                if context is phone:
                    check_charts(page.evaluate(CHART_PROBLEMS), lang, by_hour)
                page.emulate_media(media="print")
                assert page.evaluate(TABLES) == ["table"] * 7, f"{where}, printed"
                assert page.evaluate(CHARTS) == [["block", "none"]] * 5, f"{where}, printed"
    if os.environ.get("SOUK_SCREENSHOTS"):
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(os.environ["SOUK_SCREENSHOTS"]) / png.name)


def check_restored(page: Any, lang: str) -> None:
    """The section of the stand restored from a backup: its one row as the organiser reads
    it, what the server held before against what the till says now."""
    t = Translator(lang)
    n = next(i for i, c in enumerate(EDITION) if c[-1] == RESTORED[0])
    name_ar, name_fr = EDITION[n][:2]
    _, index, net, tickets = RESTORED
    day = DAY - dt.timedelta(days=EDITION_DAYS - 1 - index)
    section = page.locator("section.restored")
    assert section.locator("h2").inner_text() == t("restored_title")
    cells = section.locator("tbody td").all_text_contents()
    assert cells == [t.date(day), RESTORED[0], name_ar if lang == "ar" else name_fr,
                     t.money(13_977_360 - 731_145 * n + 97_531 * index),
                     t.count(2_697 - 211 * n), t.money(net), t.count(tickets)], lang


def check_charts(charts: dict[str, Any], lang: str, by_hour: dict[int, int]) -> None:
    """The charts on a phone: no problem (see ``CHART_PROBLEMS``); the sales of every hour
    from the first with sales to the last, the best cooperatives' names whole; each figure
    money in the page's language."""
    assert charts["problems"] == [], (lang, charts["problems"])
    t = Translator(lang)
    read = dict(charts["read"])
    assert list(read) == [t(title) for title in (
        "per_day", "per_sector", "per_origin", "sales_by_hour", "top_cooperatives")]
    assert read[t("sales_by_hour")] == [
        [f"{hour:02d}:00", format_money(by_hour.get(hour, 0), lang)] for hour in range(9, 22)]
    names = [name for name, _ in read[t("top_cooperatives")]]
    assert sorted(names) == sorted(c[0 if lang == "ar" else 1] for c in EDITION)
    money = re.compile(rf"\d{{1,3}}({NBSP}\d{{3}})*,\d\d{NBSP}{re.escape(CURRENCY[lang])}")
    odd = [figure for rows in read.values() for _, figure in rows
           if not money.fullmatch(figure)]
    assert odd == [], lang


def test_the_printed_report_fits_an_a4_page(live_server: tuple[str, Database],
                                            tmp_path: Path) -> None:
    """Printed on A4 (its text 703 px wide), in French and in Arabic, every table of an
    edition with a stand restored from a backup is read whole within the page: the
    restored stands' table, whose figures' headers are long, does not run off its edge."""
    base, db = live_server
    seed_edition(base, db)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 703, "height": 1000})
        log_in(page, base, "fr")
        for lang in ("fr", "ar"):
            page.emulate_media(media="print")
            page.goto(f"{base}/dashboard/report?lang={lang}")
            page.screenshot(path=str(tmp_path / f"report-print-{lang}.png"), full_page=True)
            assert page.locator("section.restored tbody tr").count() == 1, lang
            problems = page.evaluate(TABLE_PROBLEMS, False)
            assert problems == [], (lang, problems)
    if os.environ.get("SOUK_SCREENSHOTS"):
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(os.environ["SOUK_SCREENSHOTS"]) / png.name)
