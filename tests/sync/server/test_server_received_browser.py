"""When each stand's figures of the day shown came, in a real Chromium on the real server
(on SQLite and on PostgreSQL): the day's own receipt, not the till's last contact."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from sync.server import admin, queries
from sync.server.db import Database, utcnow
from sync.server.i18n import market_time, market_today
from sync.server.models import Cooperative, DaySummaryRow, Device, Market

from .server_support import summary
from .test_server_browser import (
    CHROMIUM,
    LAYOUT_PROBLEMS,
    PASSWORD,
    chromium,
    keep_screenshots,
    log_in,
    serving,
)

pytestmark = [
    pytest.mark.usefixtures("one_chromium"),
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium, or set SOUK_CHROMIUM)"),
]

STANDS = [  # stand, French name, Arabic name
    ("1", "Coopérative Argan Nissae", "تعاونية أركان النساء"),
    ("2", "Coopérative du miel de Tounfite", "تعاونية عسل تونفيت"),
    ("3", "Coopérative Poterie de Fès", "تعاونية فخار فاس"),
    ("4", "Coopérative du safran de Taliouine", "تعاونية زعفران تالوين"),
    ("5", "Coopérative des tapis du Haut Atlas", "تعاونية زرابي الأطلس الكبير"),
    ("6", "Coopérative des herbes d'Ifrane", "تعاونية أعشاب إفران"),
    ("7", "Coopérative de l'amlou de Tafraout", "تعاونية أملو تافراوت"),
    ("8", "Coopérative des dattes de Zagora", "تعاونية تمور زاكورة"),
]


@pytest.fixture
def live(database_url: str) -> Iterator[tuple[str, Database]]:
    db = Database.connect(database_url)
    with serving(db) as base:
        yield base, db
    db.dispose()


def seed_today(base: str, db: Database) -> dict[str, Any]:
    """A market running yesterday, today and tomorrow (in Morocco), open from midnight:
    stand 1 sent today's figures 5 minutes ago; 2 sent them 50 minutes ago, and closed
    yesterday 3 minutes ago; 3 sent today's 45 minutes ago and nothing since (its day
    open: late); 4 closed today 10 minutes ago; 5 sent only yesterday's, the last time 2
    minutes ago; 6 never sent anything; 7 sent today's 40 minutes ago and has had no sale
    since (its day open), and 8 has opened no day: their tills only asked the server which
    days it holds, as they do at every sync, a minute ago, which is contact. The
    cooperatives were set up the day before yesterday. (Each a few seconds more, so that a
    minute does not turn while the page is read.)"""
    today = market_today()
    yesterday = today - dt.timedelta(days=1)
    now = utcnow()
    with db.write() as s:
        market = admin.add_market(s, name_ar="السوق المتنقل لفاس", name_fr="Marché de Fès",
                                  city="Fès", region="Fès-Meknès", starts_on=yesterday,
                                  ends_on=today + dt.timedelta(days=1), opens=dt.time(0, 0))
        admin.add_user(s, "nadia", PASSWORD)
        coops = [admin.add_cooperative(s, admin.CooperativeInput(
            market_id=market.id, name_ar=ar, name_fr=fr, sector="food", province="Fès",
            stand=stand, members=10)).id for stand, fr, ar in STANDS]
        codes = [admin.issue_enrol_code(s, c)[0] for c in coops]
        s.execute(update(Cooperative).where(Cooperative.id.in_(coops))
                  .values(created_at=now - dt.timedelta(days=2)))
        market_id = market.id
    devices = []
    for code in codes:
        device = httpx.post(f"{base}/api/v1/enrol",
                            json={"code": code, "device_name": "stall"}).json()
        devices.append((uuid.UUID(device["device_id"]), device["token"]))

    def ago(minutes: float) -> dt.datetime:
        return now - dt.timedelta(minutes=minutes, seconds=20)

    sent = {  # stand: [(day, status, received)], its last contact
        "1": ([(today, "open", ago(5))], ago(5)),
        "2": ([(today, "open", ago(50)), (yesterday, "closed", ago(3))], ago(3)),
        "3": ([(today, "open", ago(45))], ago(45)),
        "4": ([(today, "closed", ago(10))], ago(10)),
        "5": ([(yesterday, "open", ago(2))], ago(2)),
        "7": ([(today, "open", ago(40))], ago(40)),
    }
    for (stand, *_), (device_id, token) in zip(STANDS, devices, strict=True):
        if stand not in sent:
            continue
        days, contact = sent[stand]
        body = {"summaries": [summary(device_id, day, 9, net=100_000 * int(stand),
                                      tickets=int(stand), status=status).model_dump(mode="json")
                              for day, status, _ in days]}
        reply = httpx.post(f"{base}/api/v1/push", json=body,
                           headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.text
        with db.write() as s:
            for day, _, received in days:
                s.execute(update(DaySummaryRow).where(DaySummaryRow.device_id == device_id,
                                                      DaySummaryRow.business_day == day)
                          .values(received_at=received))
            s.execute(update(Device).where(Device.id == device_id)
                      .values(last_push_at=contact, last_seen_at=contact))
    for (stand, *_), (device_id, token) in zip(STANDS, devices, strict=True):
        if stand not in ("7", "8"):
            continue
        before = utcnow()
        reply = httpx.get(f"{base}/api/v1/days", headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.text
        with db.write() as s:
            polled = s.get_one(Device, device_id)
            assert polled.last_seen_at is not None and polled.last_seen_at >= before
            polled.last_seen_at = ago(1)
    with db.read() as s:
        due = queries.figures_due(s.get_one(Market, market_id), today, utcnow())
    return {"market": market_id, "today": today, "yesterday": yesterday, "sent": sent,
            "due": due}


def at(when: dt.datetime, day: dt.date, lang: str) -> str:
    """A receipt's time as the page writes it under ``day``: its time in Morocco, with its
    date (isolated) when it came on another day."""
    local = market_time(when)
    if local.date() == day:
        return f"{local:%H:%M}"
    date = f"{local:%m-%d}" if lang == "en" else f"{local:%d/%m}"
    return f"\u2066{date} {local:%H:%M}\u2069"


SAID = {
    "fr": {"closed": "clôturée (Z)", "open": "non clôturée", "nothing": "rien reçu",
           "not_opened": "caisse en ligne, journée pas encore ouverte",
           "earlier_open": "caisse en ligne, journée du {day} encore ouverte",
           "nothing_that_day": "rien reçu pour ce jour",
           "contact": "dernier contact il y a {n} min", "never": "aucun contact",
           "late": "en retard",
           "column": "Chiffres du jour reçus"},
    "en": {"closed": "closed (Z)", "open": "not closed", "nothing": "nothing received",
           "not_opened": "till online, day not opened yet",
           "earlier_open": "till online, day of {day} still open",
           "nothing_that_day": "nothing received for this day",
           "contact": "last contact {n} min ago", "never": "no contact yet",
           "late": "late",
           "column": "Day's figures received"},
    "ar": {"closed": "مغلق (Z)", "open": "غير مغلق", "nothing": "لم يصل شيء",
           "not_opened": "الصندوق متصل، لم يُفتح اليوم بعد",
           "earlier_open": "الصندوق متصل، يوم {day} ما زال مفتوحًا",
           "nothing_that_day": "لم يصل شيء لهذا اليوم",
           "contact": "آخر اتصال منذ {n} دقائق", "never": "لم يتصل الصندوق بعد",
           "late": "متأخر",
           "column": "وصول أرقام اليوم"},
}
# "2 minutes ago" in Arabic is a dual, "3 to 10 minutes" a plural
CONTACT_AR = {1: "آخر اتصال منذ دقيقة", 2: "آخر اتصال منذ دقيقتين", 3: "آخر اتصال منذ 3 دقائق",
              5: "آخر اتصال منذ 5 دقائق", 10: "آخر اتصال منذ 10 دقائق",
              45: "آخر اتصال منذ 45 دقيقة"}


def expected(world: dict[str, Any], day: dt.date, lang: str) -> dict[str, str]:
    """What each stand's cell says on ``day``."""
    w = SAID[lang]
    sent = world["sent"]

    def contact(n: int) -> str:
        return CONTACT_AR[n] if lang == "ar" else w["contact"].format(n=n)

    def got(stand: str) -> str:
        return at(next(r for d, _, r in sent[stand][0] if d == day), day, lang)

    if day == world["today"]:
        # in contact with nothing of today: once figures are due, its day is not opened,
        # or (5) yesterday is still open on its till
        nothing = w["not_opened"] if world["due"] else w["nothing"]
        yesterday = world["yesterday"]
        still_open = w["earlier_open"].format(day="\u2066" + (
            f"{yesterday:%m-%d}" if lang == "en" else f"{yesterday:%d/%m}") + "\u2069")
        return {"1": got("1"), "2": f"{got('2')} · {contact(3)}",
                "3": f"{got('3')} · {w['late']}", "4": f"{got('4')} · {w['closed']}",
                "5": f"{still_open if world['due'] else w['nothing']} · {contact(2)}",
                # never heard of: late once the market has been open for half an hour
                "6": f"{w['never']} · {w['late']}" if world["due"] else w["never"],
                "7": f"{got('7')} · {contact(1)}", "8": f"{nothing} · {contact(1)}"}
    none = w["nothing_that_day"]
    return {"1": f"{none} · {contact(5)}", "2": f"{got('2')} · {w['closed']}",
            "3": f"{none} · {contact(45)}", "4": f"{none} · {contact(10)}",
            "5": f"{got('5')} · {w['open']}", "6": f"{w['never']} · {none}",
            "7": f"{none} · {contact(1)}", "8": f"{none} · {contact(1)}"}


def cells(page: Any) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries(Array.from(
      document.querySelectorAll("#cooperatives tbody tr"),
      (tr) => [tr.querySelector("td.stand").textContent,
               tr.querySelector("td.sync").textContent]))""")


def test_each_stand_says_when_its_figures_of_the_day_came(
        live: tuple[str, Database], tmp_path: Path) -> None:
    """Today, each stand's cell says when its figures of today came (their time in
    Morocco), whether its day is closed (Z), and its till's last contact when that came
    after them (stand 2 sent yesterday's closing since, 7 and 8 only asked the server what
    it holds); a stand silent for 45 minutes with its day open is late, one whose day is
    open with no sale for 40 minutes but whose till is in contact is not, and one that sent
    nothing of today once the market has opened is late when its till is silent too, and
    flagged as its day not opened when its till is in contact. Yesterday, each
    says when yesterday's figures came (the date too when they came today) and whether the
    day was closed, or is flagged as having sent nothing for it. Pressed, the column puts
    the flagged stands first, then those whose figures came the longest ago. In French,
    English and Arabic, on a 1366 px laptop and a 390 px phone, nothing overflows."""
    from playwright.sync_api import expect

    base, db = live
    world = seed_today(base, db)
    today, yesterday = world["today"], world["yesterday"]
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        log_in(page, base, "fr")
        for lang in ("fr", "en", "ar"):
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                for day in (today, yesterday):
                    page.goto(f"{base}/dashboard/?lang={lang}&market={world['market']}"
                              f"&day={day.isoformat()}")
                    page.wait_for_selector("body[data-loaded]")
                    expect(page.locator("#cooperatives tbody tr")).to_have_count(8)
                    where = (lang, width, day)
                    assert cells(page) == expected(world, day, lang), where
                    column = page.locator("#cooperatives thead th").nth(8)
                    expect(column).to_have_text(SAID[lang]["column"])
                    assert page.evaluate(LAYOUT_PROBLEMS, width > 600) == [], where
                    page.locator("#cooperatives").scroll_into_view_if_needed()
                    name = "today" if day == today else "yesterday"
                    page.screenshot(path=str(tmp_path / f"received-{lang}-{width}-{name}.png"),
                                    full_page=width > 600)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{base}/dashboard/?lang=fr&market={world['market']}")
        page.wait_for_selector("body[data-loaded]")
        page.locator("#cooperatives thead th").nth(8).get_by_role("button").click()
        order = ["6", "5", "8", "3", "2", "7", "4", "1"] if world["due"] else [
            "3", "6", "5", "8", "2", "7", "4", "1"]
        expect(page.locator("#cooperatives tbody td.stand")).to_have_text(order)
        late = ["6", "5", "8", "3"] if world["due"] else ["3"]
        expect(page.locator("#cooperatives tbody tr.stale td.stand")).to_have_text(late)
    keep_screenshots(tmp_path)


WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
}
MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر",
           "أكتوبر", "نونبر", "دجنبر"),
}
HEADING = {  # today's, another day's
    "fr": ("Aujourd'hui, {day}", "Journée du {day}"),
    "en": ("Today, {day}", "{day}"),
    "ar": ("اليوم، {day}", "يوم {day}"),
}
TO_COME = {
    "fr": "Le {day} n'est pas encore passé (nous sommes le {today})\u00a0: il n'a pas encore "
          "de chiffres. Le tableau de bord montre le {today} à la place.",
    "en": "{day} has not come yet (today is {today}): it has no figures yet. The dashboard "
          "shows {today} instead.",
    "ar": "يوم {day} لم يأت بعد (اليوم هو {today}): لا أرقام له بعد. تعرض اللوحة بدلًا منه "
          "يوم {today}.",
}


def heading(day: dt.date, today: dt.date, lang: str) -> str:
    """The day's heading: "Aujourd'hui, lundi 30 novembre 2026" ("mardi 1er décembre")."""
    number = "1er" if day.day == 1 and lang == "fr" else str(day.day)
    words = f"{WEEKDAYS[lang][day.weekday()]} {number} {MONTHS[lang][day.month - 1]} {day.year}"
    return HEADING[lang][day != today].format(day=words)


def written(day: dt.date, lang: str) -> str:
    """A date in a sentence, as the page writes it (isolated)."""
    return "\u2066" + (day.isoformat() if lang == "en" else f"{day:%d/%m/%Y}") + "\u2069"


def test_the_day_heading_says_today_and_the_picker_offers_no_day_to_come(
        live: tuple[str, Database]) -> None:
    """The heading says the day in words, and that it is today when it is; the day picker
    offers the market's days up to today, not tomorrow (one of the market's days all the
    same); a link to tomorrow shows today and says why, in French, English and Arabic."""
    from playwright.sync_api import expect

    base, db = live
    world = seed_today(base, db)
    today, yesterday = world["today"], world["yesterday"]
    tomorrow = today + dt.timedelta(days=1)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        log_in(page, base, "fr")
        for lang in ("fr", "en", "ar"):
            page.goto(f"{base}/dashboard/?lang={lang}&market={world['market']}")
            page.wait_for_selector("body[data-loaded]")
            expect(page.locator("#day-title")).to_have_text(heading(today, today, lang))
            options = page.locator("#day option")
            expect(options).to_have_count(2)
            assert [options.nth(i).get_attribute("value") for i in range(2)] == [
                yesterday.isoformat(), today.isoformat()]
            page.select_option("#day", yesterday.isoformat())
            expect(page.locator("#day-title")).to_have_text(heading(yesterday, today, lang))
            expect(page.locator("#replaced")).to_be_hidden()

            page.goto(f"{base}/dashboard/?lang={lang}&market={world['market']}"
                      f"&day={tomorrow.isoformat()}")
            page.wait_for_selector("body[data-loaded]")
            expect(page.locator("#replaced")).to_have_text(TO_COME[lang].format(
                day=written(tomorrow, lang), today=written(today, lang)))
            expect(page.locator("#day-title")).to_have_text(heading(today, today, lang))
            expect(page.locator("#cooperatives tbody tr")).to_have_count(8)
            assert tomorrow.isoformat() not in page.url
