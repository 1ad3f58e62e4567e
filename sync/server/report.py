"""The edition report: one printable HTML page with the figures and SVG charts."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from sync.server import charts, queries
from sync.server.i18n import Translator, asset, market_time
from sync.server.models import Market
from sync.server.web import render


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int],
           empty: str = "", *, ranked: bool = False, isolated: frozenset[int] = frozenset()
           ) -> str:
    """A table; with no rows and an ``empty`` text, that text in a row of its own. The
    cells of the ``isolated`` columns read in their own text's direction (a stand
    "7 bis" in an Arabic page as it is painted at the market, not "bis 7").

    Each cell names its column in ``data-label``: on a phone a row is shown as a card
    whose figures are each labelled so. The row's title is its ``key`` cell, the first,
    or (``ranked``) the second after the ``rank`` cell.
    """
    roles = ("rank", "key") if ranked else ("key",)
    columns = []  # the attributes of each column's cells
    for i, header in enumerate(headers):
        kinds = [roles[i]] if i < len(roles) else []
        if i in numeric:
            kinds.append("num")
        kind = " ".join(kinds)
        columns.append((f' class="{kind}"' if kind else "")
                       + f' data-label="{html.escape(header)}"')
    head = "".join(
        f'<th class="num">{html.escape(h)}</th>' if i in numeric else f"<th>{html.escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>" + "".join(
            f"<td{attrs}><bdi>{html.escape(v)}</bdi></td>" if i in isolated and v
            else f"<td{attrs}>{html.escape(v)}</td>"
            for i, (attrs, v) in enumerate(zip(columns, row, strict=True))
        ) + "</tr>"
        for row in rows
    )
    if not body and empty:
        body = f'<tr><td class="empty" colspan="{len(headers)}">{html.escape(empty)}</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(t: Translator, values: Sequence[int], draw: Callable[[], str],
           listed: Callable[[], str], *, say: bool = True) -> str:
    """A chart, drawn for a screen or paper and ``listed`` for a phone (the stylesheet
    shows one of them), or when it would draw nothing but zeros "no sales yet" (nothing
    if not ``say``: its table says it)."""
    if any(values):
        note = _refunded_note(t) if min(values) < 0 else ""
        return f'<div class="chart">{draw()}{listed()}{note}</div>'
    return f'<p class="empty">{html.escape(t("no_sales_yet"))}</p>' if say else ""


def _refunded_note(t: Translator) -> str:
    """The line under a chart with a bar below its axis saying what that bar is (printed
    on paper, where no tooltip is)."""
    return (f'<p class="legend"><span class="swatch" style="background: {charts.REFUNDED}">'
            f'</span>{html.escape(t("below_axis_refunds"))}</p>')


def _net(t: Translator, centimes: int) -> str:
    """A day's or an hour's net; below zero, saying that more was refunded than sold."""
    return t("more_refunded", amount=t.money(centimes)) if centimes < 0 else t.money(centimes)


def _bars(t: Translator, labels: Sequence[str], values: Sequence[int], title: str, *,
          say: bool = True) -> str:
    """Horizontal bars of amounts, the largest in the accent colour."""
    rtl = t.dir == "rtl"
    return _chart(
        t, values, lambda: charts.bars(labels, values, t.money, rtl=rtl, title=title,
                                       colon=t.colon),
        lambda: charts.bar_list(labels, values, t.money, title=title, accent=True), say=say)


def _opening_hours(hours: Sequence[dict[str, int]]) -> Sequence[dict[str, int]]:
    """The hours from the first with sales to the last (the hours between them too)."""
    sold = [i for i, h in enumerate(hours) if h["amount"]]
    return hours[sold[0]:sold[-1] + 1] if sold else []


def every_day(market: Market, rows: Sequence[dict[str, Any]], today: dt.date
              ) -> list[dict[str, Any]]:
    """The market's days from its first to ``today`` (to its last once it is over), each
    with its figures of ``rows`` (:func:`queries.day_rows`): a day no till sent figures of
    (rain, a holiday) is a row of zeros, not a gap that joins the days around it, as the
    dashboard shows it. None while no till has sent anything."""
    if not rows:
        return []
    sent = {row["day"]: row for row in rows}
    last = min(today, market.ends_on)
    days = [(market.starts_on + dt.timedelta(days=i)).isoformat()
            for i in range((last - market.starts_on).days + 1)]
    days = sorted({*days, *sent})
    zero = dict.fromkeys(("net", "gross", "refunds", "tickets", "devices", "closed"), 0)
    return [sent.get(day) or {"day": day, **zero} for day in days]


def _kpis(t: Translator, items: Sequence[tuple[str, str]]) -> str:
    return "".join(
        f'<div class="kpi"><div class="label">{html.escape(label)}</div>'
        f'<div class="value">{html.escape(value)}</div></div>'
        for label, value in items
    )


def _ltr(value: object) -> str:
    """A date kept in order inside an Arabic sentence (a left-to-right isolate)."""
    return f"\u2066{value}\u2069"


def _isolated(name: str) -> str:
    """A place's name kept whole inside a sentence of either direction (a first-strong
    isolate: a Latin name in an Arabic sentence keeps its order, and its punctuation)."""
    return f"\u2068{name}\u2069"


def _quantities(t: Translator, product: dict[str, Any]) -> str:
    """A product's quantity with its unit ("3,5 kg"); the quantities of its units side by
    side when it was sold in several."""
    return " + ".join(t.measure(q["quantity"], q["unit"]) for q in product["quantities"])


def _share(t: Translator, part: int, whole: int) -> str:
    return t.percent(round(100 * part / whole)) if whole > 0 else "—"


def _shares(t: Translator, parts: Sequence[int], whole: int) -> list[str]:
    """Each part's share of ``whole``; when the parts split it (none negative), rounded so
    that they add up to 100 % as the amounts beside them add up to the whole (the largest
    remainders rounded up), not to 99 or 101."""
    if whole <= 0 or sum(parts) != whole or min(parts, default=0) < 0:
        return [_share(t, p, whole) for p in parts]
    shares = [100 * p // whole for p in parts]
    up = sorted(range(len(parts)), key=lambda i: (-(100 * parts[i] % whole), i))
    for i in up[:100 - sum(shares)]:
        shares[i] += 1
    return [t.percent(share) for share in shares]


def _groups(t: Translator, first: str, groups: Sequence[queries.Group],
            name: Callable[[str], str], total: int) -> str:
    shares = _shares(t, [g.edition_net for g in groups], total)
    return _table(
        [first, t("cooperatives"), t("members"), t("edition_sales"), t("share")],
        [[name(g.key), t.count(g.cooperatives), t.count(g.members), t.money(g.edition_net),
          share] for g, share in zip(groups, shares, strict=True)],
        {1, 2, 3, 4},
    )


def _restored(t: Translator, rows: Sequence[dict[str, Any]], name: str) -> str:
    """The section of the stands' days restored from a backup on their till (one row per
    restore: what the server held before, what the till says now, the figures the report
    counts), or nothing when no till was restored."""
    if not rows:
        return ""
    table = _table(
        [t("day"), t("stand"), t("cooperative"), t("restored_held_net"),
         t("restored_held_tickets"), t("restored_till_net"), t("restored_till_tickets")],
        [[t.date(r["day"]), r["stand"], r[name],
          t.money(r["held_net"]), t.count(r["held_tickets"]), t.money(r["net"]),
          t.count(r["tickets"])] for r in rows],
        {3, 4, 5, 6}, isolated=frozenset({1}),
    )
    return (f'<section class="restored"><h2>{html.escape(t("restored_title"))}</h2>'
            f'<p class="note">{html.escape(t("restored_note"))}</p>{table}</section>')


def build(session: Session, market: Market, t: Translator, now: dt.datetime) -> str:
    local = market_time(now)
    day = queries.pick_day(market, None, local.date())
    # the stands of the edition: those in the market on the day it runs to (today, its
    # last day once it is over), set up by then or that sold on one of its days
    coops = [c for c in queries.cooperative_rows(session, market, day, now)
             if queries.in_market(c)]
    days = every_day(market, queries.day_rows(session, market), local.date())
    hours = queries.hour_rows(session, market, None)
    products = queries.top_products(session, market, None, limit=10)
    split = queries.breakdowns(coops)
    rtl = t.dir == "rtl"

    def net(centimes: int) -> str:
        return _net(t, centimes)

    def columns(labels: Sequence[str], values: Sequence[int], title: str) -> str:
        return charts.columns(labels, values, net, t.axis_money, unit=t.currency,
                              rtl=rtl, title=title, colon=t.colon)

    total = sum(d["net"] for d in days)
    suffix = "ar" if rtl else "fr"

    def name(product: dict[str, Any]) -> str:
        return str(product[f"name_{suffix}"])

    def coop_name(coop: queries.CoopRow) -> str:
        return coop.name_ar if rtl else coop.name_fr

    top_coops = sorted(coops, key=lambda c: -c.edition_net)[:10]
    sold = any(d["tickets"] or d["net"] for d in days)
    none = t("no_sales_yet")
    day_values = [d["net"] for d in days]
    sector_values = [g.edition_net for g in split.sectors]
    origin_values = [g.edition_net for g in split.origins]
    hour_values = [h["amount"] for h in hours]
    opening = _opening_hours(hours)
    day_labels = [t.short_date(d["day"]) for d in days]
    coop_values = [c.edition_net for c in top_coops]
    values: dict[str, Any] = {
        "lang": t.lang, "dir": t.dir,
        "title": t("report_title", market=market.name_ar if rtl else market.name_fr),
        "subtitle": t("report_subtitle", city=_isolated(market.city_in(t.lang)),
                      region=_isolated(market.region_in(t.lang)),
                      start=_ltr(t.date(market.starts_on)), end=_ltr(t.date(market.ends_on))),
        "generated": t("report_generated", date=_ltr(t.moment(now)) + f" ({t.zone})"),
        "style": asset("report.css").decode(),
        "kpis": _kpis(t, [
            (t("net_sales"), t.money(total)),
            (t("tickets"), t.count(sum(d["tickets"] for d in days))),
            (t("refunds"), t.money(sum(d["refunds"] for d in days))),
            (t("cooperatives"), t.count(len(coops))),
            (t("members"), t.count(sum(c.members for c in coops))),
            (t("days_with_sales"), t.count(sum(1 for d in days if d["tickets"]))),
        ]),
        "days_chart": _chart(t, day_values, lambda: columns(
            day_labels, day_values, t("per_day")), lambda: charts.bar_list(
            day_labels, day_values, t.money, title=t("per_day"), timed=True,
            refunded=t("more_refunded_than_sold")), say=bool(days)),
        "restored": _restored(t, queries.restored_rows(session, market),
                              "name_ar" if rtl else "name_fr"),
        "days_table": _table(
            [t("day"), t("net_sales"), t("tickets"), t("devices_reporting"), t("closed")],
            [[t.date(d["day"]), t.money(d["net"]), t.count(d["tickets"]), t.count(d["devices"]),
              t.count(d["closed"])] for d in days],
            {1, 2, 3, 4}, none,
        ),
        "sectors_chart": _bars(t, [t.sector(g.key) for g in split.sectors], sector_values,
                               t("per_sector")),
        "sectors_table": _groups(t, t("sector"), split.sectors, t.sector, total),
        "origins_chart": _bars(t, [t(g.key) for g in split.origins], origin_values,
                               t("per_origin")),
        "origins_table": _groups(t, t("origin"), split.origins, t, total),
        "programmes_table": _groups(t, t("yes_no_title"), split.programmes, t, total),
        "hours_chart": _chart(t, hour_values, lambda: columns(
            [f"{h['hour']:02d}" for h in hours], hour_values, t("sales_by_hour")),
            lambda: charts.bar_list(
                [f"{h['hour']:02d}:00" for h in opening], [h["amount"] for h in opening],
                t.money, title=t("sales_by_hour"), timed=True,
                refunded=t("more_refunded_than_sold"))),
        "top_coops_chart": _bars(t, [coop_name(c) for c in top_coops], coop_values,
                                 t("top_cooperatives"), say=sold),
        "top_coops_table": _table(
            [t("rank"), t("cooperative"), t("stand"), t("sector"), t("edition_sales"),
             t("share")],
            [[str(i), coop_name(c), c.stand, t.sector(c.sector), t.money(c.edition_net),
              _share(t, c.edition_net, total)]
             for i, c in enumerate(top_coops if sold else [], start=1)],
            {0, 4, 5}, none, ranked=True, isolated=frozenset({2}),
        ),
        "products_table": _table(
            [t("rank"), t("product"), t("cooperative"), t("quantity"), t("amount")],
            [[str(i), name(p), p[f"cooperative_{suffix}"], _quantities(t, p),
              t.money(p["amount"])] for i, p in enumerate(products, start=1)],
            {0, 3, 4}, none, ranked=True,
        ),
    }
    return render("report.html", t, **values)
