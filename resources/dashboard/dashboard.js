"use strict";
// The organisers' dashboard: fetches data.json every few seconds and draws it.
// Every string comes from the catalogue embedded in the page; data is inserted as text.
(() => {
  const cfg = JSON.parse(document.getElementById("config").textContent);
  const S = cfg.strings;
  const CURRENCY = { ar: "د.م.", fr: "DH", en: "MAD" }[cfg.lang] || "DH";
  const SVG = "http://www.w3.org/2000/svg";
  // A no-break space is a bidi "common separator": the groups of a number stay in order
  // in a right-to-left line, where a plain space would let them swap.
  const NBSP = "\u00a0";
  // the market and day the organiser chose (null: the server's, today's); ``asked``
  // numbers the requests, so that only the latest one's answer is drawn
  const state = { market: null, day: null, timer: null, asked: 0, data: null,
                  sort: { column: 0, way: 1 }, offline: false, late: null, replaced: null };
  // which of the catalogue's forms a number takes ("one", "two", "few"… in Arabic)
  const PLURAL = new Intl.PluralRules(cfg.lang);
  // names in a sentence, as the language joins them ("A, B et C")
  const LIST = new Intl.ListFormat(cfg.lang, { type: "conjunction" });

  function t(key, values) {
    const text = S[key];
    if (text === undefined) throw new Error("missing translation: " + key);
    return text.replace(/\{(\w+)\}/g, (m, name) => (values && name in values ? values[name] : m));
  }

  // 1 250,50 (a no-break space between thousands); in English 1,250.50, as the stalls write it.
  // Below zero with the language's minus (in Arabic a left-to-right mark before it keeps it
  // before the digits), and a negative amount with its currency starts with the mark the
  // server gives (in Arabic a right-to-left one), as the server's own pages write them.
  const GROUP = cfg.lang === "en" ? "," : NBSP, POINT = cfg.lang === "en" ? "." : ",";
  const MINUS = cfg.signs.minus, MONEY_MARK = cfg.signs.money_mark;
  // a label's colon: in French after a no-break space ("13/05 : 0,00 DH")
  const COLON = (cfg.lang === "fr" ? NBSP : "") + ": ";
  function amount(centimes) {
    const sign = centimes < 0 ? MINUS : "";
    const abs = Math.abs(centimes);
    const units = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
    return sign + units + POINT + String(abs % 100).padStart(2, "0");
  }
  // A date inside an Arabic sentence would show its parts swapped: isolate it (LRI..PDI).
  function ltr(text) { return "\u2066" + text + "\u2069"; }
  // a text read in its own direction inside a sentence (a stand "7 bis" in Arabic)
  function isolated(text) { return "\u2068" + text + "\u2069"; }
  function money(centimes) {
    if (cfg.lang === "en") return CURRENCY + NBSP + amount(centimes);
    return (centimes < 0 ? MONEY_MARK : "") + amount(centimes) + NBSP + CURRENCY;
  }
  function count(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, GROUP); }
  function quantity(milli) {
    const sign = milli < 0 ? MINUS : "";
    const abs = Math.abs(milli);
    const rest = String(abs % 1000).padStart(3, "0").replace(/0+$/, "");
    return sign + count(Math.floor(abs / 1000)) + (rest ? POINT + rest : "");
  }
  // "2026-05-12" as people read it here: 12/05/2026 (English keeps the ISO date)
  function date(iso) {
    if (cfg.lang === "en") return iso;
    const [y, m, d] = iso.split("-");
    return `${d}/${m}/${y}`;
  }
  // "2026-11-30" in words, as a heading says it: "lundi 30 novembre 2026", "mardi 1er
  // décembre 2026" (the weekday, the day, the month and the year, in this order in the
  // three languages)
  function longDate(iso) {
    const d = new Date(iso + "T00:00:00Z");
    const day = d.getUTCDate() === 1 ? t("first_of_month") : String(d.getUTCDate());
    return [t("weekday_" + (((d.getUTCDay() + 6) % 7) + 1)), day,
            t("month_" + (d.getUTCMonth() + 1)), String(d.getUTCFullYear())].join(" ");
  }
  function shortDate(iso) {
    return cfg.lang === "en" ? iso.slice(5) : date(iso).slice(0, 5);
  }
  function name(row, prefix) {
    const key = (prefix || "name") + (cfg.lang === "ar" ? "_ar" : "_fr");
    return row[key];
  }
  // a market's city as this language writes it (in Arabic its Arabic name, when given)
  function city(market) { return cfg.lang === "ar" ? market.city_ar : market.city; }
  // the catalogue's text for n of something when the language has one for n's plural
  // form (key_one, key_two, key_few, key_many), else null; n written as ``shown``
  function counted(key, n, shown) {
    const form = key + "_" + PLURAL.select(n);
    return form in S ? t(form, { n: shown === undefined ? count(n) : shown }) : null;
  }
  // a quantity with its unit as the stalls name units: "3,5 kg", "12 pièces", in Arabic a
  // dual for two pieces; the number alone when the stall did not say its unit
  function measured(milli, unit) {
    const n = quantity(milli);
    const key = "unit_" + unit;
    if (!unit || !(key in S)) return n;
    return counted(key, milli / 1000, n) || t(key, { n });
  }
  function ago(seconds) {
    if (seconds === null || seconds === undefined) return t("never");
    if (seconds < 60) return t("just_now");
    let n = Math.floor(seconds / 60);
    if (seconds < 3600) return counted("minutes_ago", n) || t("minutes_ago", { n: count(n) });
    n = Math.floor(seconds / 3600);
    if (seconds < 86400) return counted("hours_ago", n) || t("hours_ago", { n: count(n) });
    n = Math.floor(seconds / 86400);
    return counted("days_ago", n) || t("days_ago", { n: count(n) });
  }
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  // A row's first cell names it (the ``key``): on a phone a row is a card headed by it.
  // A cell ``isolate``d reads in its own text's direction (a stand "7 bis" on an Arabic
  // page reads as it is painted at the market, not "bis 7").
  function row(cells) {
    const tr = document.createElement("tr");
    cells.forEach((c, i) => {
      const td = el("td", c.isolate ? null : c.text, c.cls);
      if (c.isolate && c.text) td.append(el("bdi", c.text));
      if (i === 0 && !c.cls) td.classList.add("key");
      tr.appendChild(td);
    });
    return tr;
  }
  // a table's rows, or one line saying there is nothing to show (``empty``, by default
  // that there is nothing yet); each cell names its column in ``data-label``, shown
  // before it on a phone
  function fill(tableId, rows, empty) {
    const table = document.getElementById(tableId);
    const labels = Array.from(table.tHead.rows[0].cells, (th) => th.textContent.trim());
    for (const tr of rows) {
      Array.from(tr.cells).forEach((td, i) => { td.dataset.label = labels[i]; });
    }
    if (!rows.length) {
      const td = el("td", empty || t("no_data"), "empty");
      td.colSpan = table.tHead.rows[0].cells.length;
      const tr = document.createElement("tr");
      tr.appendChild(td);
      rows = [tr];
    }
    table.tBodies[0].replaceChildren(...rows);
  }
  function setText(id, text) { document.getElementById(id).textContent = text; }

  // A value axis in whole dirhams: its step, 1, 2 or 5 times a power of ten, about four
  // steps from the lowest value to the highest; its top, and its bottom (below zero when
  // a bar is: an hour or a day with more refunded than sold).
  function axis(peakCentimes, troughCentimes = 0) {
    const peak = Math.max(0, peakCentimes) / 100, depth = Math.max(0, -troughCentimes) / 100;
    const rough = (peak + depth) / 4;
    let step = 1;
    if (rough > 1) {
      const magnitude = 10 ** Math.floor(Math.log10(rough));
      step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough);
    }
    return { step, top: Math.max(step, Math.ceil(peak / step) * step),
             bottom: -Math.ceil(depth / step) * step };
  }
  // an axis's figure, with the language's minus below zero
  function tick(v) { return v < 0 ? MINUS + count(-v) : count(v); }

  function svgNode(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Columns drawn at the container's width (one unit a pixel, so the text is drawn at its
  // CSS size); drawn again when the container changes width.
  const charts = new Map();
  const resized = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const chart = charts.get(entry.target.id);
      if (chart && Math.round(entry.contentRect.width) !== chart.width) drawColumns(chart);
    }
  });

  // ``empty``: what the chart says when it has no sales to draw
  function columnsChart(containerId, labels, values, highlight, empty) {
    const container = document.getElementById(containerId);
    // named as its panel, for screen readers (the figures are the bars' titles)
    const title = container.closest("section").querySelector("h2").textContent;
    const chart = { container, title, labels, values, highlight, empty, width: 0 };
    if (!charts.has(containerId)) resized.observe(container);
    charts.set(containerId, chart);
    drawColumns(chart);
  }

  // An amount below zero (more refunded than sold) is a bar of its own colour below the
  // axis, its tooltip saying so, and a line under the chart saying what that colour is:
  // the bars still add up to the total.
  function drawColumns(chart) {
    const { container, labels, values, highlight } = chart;
    chart.width = Math.round(container.clientWidth);
    if (!values.some((v) => v !== 0)) {
      container.replaceChildren(el("p", chart.empty, "empty"));
      return;
    }
    const width = Math.max(200, chart.width), height = 200, bottom = 24, top = 22, right = 6;
    const { step, top: max, bottom: min } = axis(Math.max(...values), Math.min(...values));
    const ticks = [];
    for (let v = min; v <= max; v += step) ticks.push(v);
    const left = 12 + 7 * Math.max(...ticks.map((v) => tick(v).length));
    const plotW = width - left - right, plotH = height - bottom - top;
    const y = (v) => top + (plotH * (max - v)) / (max - min);  // v in whole dirhams
    const svg = svgNode("svg", { viewBox: `0 0 ${width} ${height}`, direction: "ltr",
                                 role: "img", "aria-label": chart.title });
    // (the drawing is left to right: the Arabic unit is isolated to keep its letters' order)
    svg.appendChild(svgNode("text", { x: left - 6, y: 12, "text-anchor": "end", class: "unit" },
                            cfg.lang === "ar" ? "\u2067" + CURRENCY + "\u2069" : CURRENCY));
    for (const v of ticks) {
      svg.appendChild(svgNode("line", { x1: left, x2: width - right, y1: y(v), y2: y(v),
                                        class: v === 0 && min < 0 ? "zero" : "grid" }));
      svg.appendChild(svgNode("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end",
                                        class: "tick-y" }, tick(v)));
    }
    const slot = Math.min(plotW / Math.max(1, values.length), 56);
    const labelWidth = 10 + 7.5 * Math.max(...labels.map((l) => l.length));
    const every = Math.max(1, Math.ceil(labelWidth / slot));
    values.forEach((value, i) => {
      const h = (plotH * Math.abs(value)) / 100 / (max - min);
      const x = left + i * slot + slot * 0.15;
      const kind = value < 0 ? "bar refunded" : i === highlight ? "bar today" : "bar";
      const bar = svgNode("rect", { class: kind, x, width: slot * 0.7,
                                    y: value < 0 ? y(0) : y(0) - h, height: h });
      const figure = value < 0 ? t("more_refunded", { amount: money(value) }) : money(value);
      bar.appendChild(svgNode("title", {}, labels[i] + COLON + figure));
      svg.appendChild(bar);
      if (i % every === 0) {
        svg.appendChild(svgNode("text", { x: x + slot * 0.35, y: height - 6,
                                          "text-anchor": "middle", class: "tick-x" },
                                labels[i]));
      }
    });
    const shown = [svg];
    if (min < 0) {
      const note = el("p", null, "legend");
      note.append(el("span", null, "swatch refunded"), el("span", t("below_axis_refunds")));
      shown.push(note);
    }
    container.replaceChildren(...shown);
  }

  // A picker's options; a refresh that brings the same ones leaves the picker as it is (an
  // organiser may have it open, or be moving through it with the keyboard).
  function fillSelect(id, options, selected) {
    const select = document.getElementById(id);
    const same = select.options.length === options.length
      && options.every(([value, label], i) => select.options[i].value === String(value)
                                             && select.options[i].textContent === label);
    if (same) {
      if (select.value !== String(selected)) select.value = String(selected);
      return;
    }
    const nodes = options.map(([value, label]) => {
      const option = el("option", label);
      option.value = value;
      option.selected = String(value) === String(selected);
      return option;
    });
    select.replaceChildren(...nodes);
  }

  function marketDays(market) {
    const days = [];
    const d = new Date(market.starts_on + "T00:00:00Z");
    const end = new Date(market.ends_on + "T00:00:00Z");
    while (d <= end && days.length < 400) {
      days.push(d.toISOString().slice(0, 10));
      d.setUTCDate(d.getUTCDate() + 1);
    }
    return days;
  }

  // The market's days from its first to today (to its last once it is over), each with
  // its figures: a day no till sent figures of (rain, a holiday) is a row of zeros and a
  // bar of its own, not a gap that joins the days around it. (None at all while no till
  // has sent anything: the table says there is nothing yet.)
  function everyDay(data) {
    if (!data.days.length) return [];
    const last = data.today < data.market.ends_on ? data.today : data.market.ends_on;
    const sent = new Map(data.days.map((d) => [d.day, d]));
    const days = marketDays(data.market).filter((d) => d <= last);
    for (const d of sent.keys()) if (!days.includes(d)) days.push(d);
    return days.sort().map((d) => sent.get(d)
      || { day: d, net: 0, gross: 0, refunds: 0, tickets: 0, devices: 0, closed: 0 });
  }

  // The days the picker offers: the market's, to today in Morocco (a day to come has no
  // figures); while the market is still to come, its first day, which the page shows.
  function renderControls(data) {
    fillSelect("market", data.markets.map((m) => [m.id, name(m) + " — " + city(m)]), data.market.id);
    const days = marketDays(data.market).filter((d) => d <= data.today);
    if (!days.includes(data.day)) days.push(data.day);
    days.sort();
    fillSelect("day", days.map((d) => [d, date(d)]), data.day);
    // the exports are of the market and day shown (the cooperatives' day figures and the
    // day's products, and their files' names); the report is the whole edition's
    const q = `?market=${data.market.id}&lang=${cfg.lang}`;
    const shown = `${q}&day=${data.day}`;
    const base = cfg.base;
    document.getElementById("export-coops-csv").href = `${base}/export/cooperatives.csv${shown}`;
    document.getElementById("export-coops-xlsx").href = `${base}/export/cooperatives.xlsx${shown}`;
    document.getElementById("export-days-csv").href = `${base}/export/days.csv${shown}`;
    document.getElementById("export-days-xlsx").href = `${base}/export/days.xlsx${shown}`;
    document.getElementById("export-products-csv").href = `${base}/export/products.csv${shown}`;
    document.getElementById("export-products-xlsx").href = `${base}/export/products.xlsx${shown}`;
    document.getElementById("export-day-products-csv").href = `${base}/export/day-products.csv${shown}`;
    document.getElementById("export-day-products-xlsx").href = `${base}/export/day-products.xlsx${shown}`;
    document.getElementById("report").href = `${base}/report${q}`;
  }

  function renderKpis(data) {
    const tot = data.totals;
    // the day in words, saying when it is today
    const day = longDate(data.day);
    setText("day-title", data.day === data.today ? t("today_heading", { day })
                                                 : t("selected_day", { day }));
    setText("kpi-day-net", money(tot.day.net));
    setText("kpi-day-tickets", count(tot.day.tickets));
    setText("kpi-day-refunds", money(tot.day.refunds));
    setText("kpi-day-stalls", count(tot.day.stalls));
    setText("kpi-coops", counted("of_cooperatives", tot.cooperatives)
      || t("of_cooperatives", { n: count(tot.cooperatives) }));
    setText("kpi-edition-net", money(tot.edition.net));
    setText("kpi-edition-tickets", count(tot.edition.tickets));
    setText("kpi-edition-refunds", money(tot.edition.refunds));
  }

  // the cooperatives come as rows of values with their field names once (a market can have
  // thousands of stalls)
  function cooperatives(data) {
    const names = data.cooperative_fields;
    return data.cooperatives.map((values) => {
      const c = {};
      names.forEach((n, i) => { c[n] = values[i]; });
      return c;
    });
  }

  // The cooperatives table sorts by the column whose header was pressed (again: the other
  // way), and stays sorted through the refreshes; by stand number until then.
  const collator = new Intl.Collator(cfg.lang, { numeric: true, sensitivity: "base" });
  const SORTS = [  // per column: the value compared, and whether it is a figure
    [(c) => c.stand, false], [(c) => name(c), false], [(c) => t("sector_" + c.sector), false],
    [(c) => t(c.inside ? "inside_region" : "outside_region"), false],
    [(c) => c.day_net, true], [(c) => c.day_tickets, true], [(c) => c.edition_net, true],
    [(c) => c.days_closed, true],
    // the late stands (and those whose figures are refused, or that need an eye for what
    // did not come: a day not opened, nothing of a day gone by), then those whose figures of
    // the day came the longest ago (none came yet: the longest; never in contact: before),
    // then the tills silent the longest; the stands not in the market yet that day last
    [(c) => (notJoined(c) ? -1 : (c.stale || c.refused || c.missing ? 1e12 : 0)
      + (c.received_seconds !== null ? c.received_seconds : 1e11)
      + (c.stale_seconds === null ? 1e10 : c.stale_seconds / 1e10)), true],
    [(c) => c.conflicts, true],
  ];
  function sorted(list) {
    const [value, figure] = SORTS[state.sort.column];
    const by = (a, b) => (figure ? value(a) - value(b) : collator.compare(value(a), value(b)));
    const stand = (a, b) => collator.compare(a.stand, b.stand);
    return list.slice().sort((a, b) => state.sort.way * by(a, b) || stand(a, b));
  }
  function sortBy(column) {
    const figure = SORTS[column][1];
    // a first press shows the largest figures, or the names from A
    state.sort = { column, way: state.sort.column === column ? -state.sort.way : (figure ? -1 : 1) };
    document.querySelectorAll("#cooperatives thead th").forEach((th, i) => {
      if (i === column) th.setAttribute("aria-sort", state.sort.way > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    if (state.data) renderCooperatives(state.data);
  }

  // A stand not in the market yet on the day shown (its cooperative set up after that
  // day, and no figures of it): not one of the day's stands, which the page counts
  // ("N of M cooperatives", the groups' tables) without it; its row is greyed, says so,
  // and has no figures of that day (its edition's are those of the days since it joined).
  function notJoined(c) { return c.missing === "not_joined"; }

  function renderCooperatives(data) {
    state.data = data;
    fill("cooperatives", sorted(cooperatives(data)).map((c) => {
      const out = notJoined(c);
      const tr = row([
        { text: c.stand, cls: "stand", isolate: true }, { text: name(c), cls: "key" },
        { text: t("sector_" + c.sector) },
        { text: t(c.inside ? "inside_region" : "outside_region"), cls: "origin" },
        { text: out ? "—" : money(c.day_net), cls: "num day-net" },
        { text: out ? "—" : count(c.day_tickets), cls: "num" },
        { text: money(c.edition_net), cls: "num" }, { text: count(c.days_closed), cls: "num" },
        { cls: "sync" },
        { text: count(c.conflicts), cls: c.conflicts ? "num conflict" : "num" },
      ]);
      tr.cells[8].replaceChildren(received(c, data));
      tr.dataset.cooperative = c.id;
      if (out) tr.classList.add("not-joined");
      if (c.stale || c.refused || (c.missing && !out)) tr.classList.add("stale");
      return tr;
    }));
  }

  // When the day's figures came from the stand ("18:42", the day shown being said above;
  // "14/05 09:10" when they came on another day) and whether its tills closed the day, or
  // that nothing came; then the till's last contact ("last contact 3 min ago") when it
  // came after them and the day is today or not closed (figures may still come), and
  // "late", or what did not come when it needs an eye ("till online, day not opened yet";
  // "nothing received for this day" of a day gone by); of a stand not in the market yet
  // that day, only that ("not yet in the market"). Each piece on one line ("3 hours
  // ago" never breaks in two), wrapping between them in a narrow column. (One box: on a
  // phone the cell puts its column's name and its box at its two ends.)
  function received(c, data) {
    const today = data.day === data.today;
    const parts = [];  // each a list of pieces, and its class
    if (notJoined(c)) {
      // not in the market yet that day: that alone (its till's contact is of the days
      // since it joined; its figures refused now, if they are, are said below)
      parts.push([[t("not_yet_in_market")], "not-joined"]);
    } else {
      if (c.received) {
        const [day, time] = c.received.split("T");
        const at = [day === data.day ? time : ltr(shortDate(day) + " " + time)];
        if (c.day_closed) at.push("· " + t("day_closed"));
        else if (!today) at.push("· " + t("day_not_closed"));
        parts.push([at, "at"]);
      }
      // nothing of the day, when that needs an eye: why (its till in contact, the day not
      // opened on it yet, or an earlier day still open on it; a day gone by that nothing
      // came for)
      const missing = missingText(c);
      if (c.stale_seconds === null) {
        parts.push([[t("no_contact")], "contact"]);
        if (missing) parts.push([[missing], "missing"]);
      } else {
        if (!c.received) parts.push([[missing || t("nothing_received")], missing ? "missing" : "at"]);
        const later = !c.received || c.stale_seconds < c.received_seconds;
        if (later && (today || !c.day_closed)) {
          // "last contact" and "3 hours ago" may go on two lines in a narrow column
          const [before, after] = t("contact_ago").split("{ago}");
          parts.push([[before.trim(), ago(c.stale_seconds) + after.trimEnd()]
            .filter((piece) => piece), "contact"]);
        }
      }
    }
    // late with nothing of the day (whatever it sent of other days, just now maybe), or
    // with its day open and silent
    if (c.stale) parts.push([[t("stale")], "late"]);
    // its till's pushes refused since a push was last stored: since when, and why
    if (c.refused) {
      const [day, time] = c.refused.split("T");
      parts.push([[t("figures_refused", {
        time: day === data.today ? time : ltr(shortDate(day) + " " + time),
        reason: refusal(c.refused_key, c.refused_params || {}),
      })], "refused"]);
    }
    const when = el("span", null, "when");
    parts.forEach(([pieces, cls], i) => {
      const part = el("span", null, cls);
      pieces.forEach((piece, k) => {
        if (k) part.append(" ");
        part.append(el("span", (i && !k ? "· " : "") + piece));
      });
      if (i) when.append(" ");
      when.append(part);
    });
    return when;
  }

  // what did not come of the day shown, as the cooperatives' export says it
  // (sync.server.exports): null when nothing needs saying
  const MISSING = { not_opened: "day_not_opened", nothing_sent: "nothing_for_day" };
  function missingText(c) {
    if (c.missing === "earlier_open") {
      return t("earlier_day_open", { day: ltr(shortDate(c.open_day)) });
    }
    return c.missing in MISSING ? t(MISSING[c.missing]) : null;
  }

  // why a till's push was refused, from its message id and parameters (as the server's
  // exports say it: sync.server.i18n.refusal_reason)
  const REFUSAL_REASONS = {
    "server.err.day_outside_market": "refused_outside_market",
    "server.err.body_too_large": "refused_too_large",
    "server.err.day_too_large": "refused_too_large",
  };
  function refusal(key, params) {
    const reason = REFUSAL_REASONS[key] || "refused_invalid";
    if (reason !== "refused_outside_market") return t(reason);
    return params.day ? t(reason, { day: ltr(date(params.day)) }) : t("refused_invalid");
  }

  function groupRows(groups, label) {
    return groups.map((g) => row([
      { text: label(g.key) }, { text: count(g.cooperatives), cls: "num" },
      { text: count(g.members), cls: "num" },
      { text: money(g.day_net), cls: "num" }, { text: money(g.edition_net), cls: "num" },
    ]));
  }

  // the stands whose till was restored from a backup on the day shown: what the server
  // held before, against what the till says now
  function renderRestored(data) {
    const lines = (data.restored || []).map((r) => el("li", t("restored_line", {
      stand: isolated(r.stand), cooperative: name(r), held_net: money(r.held_net),
      held_tickets: count(r.held_tickets), net: money(r.net), tickets: count(r.tickets),
    })));
    document.getElementById("restored-panel").classList.toggle("hidden", !lines.length);
    document.getElementById("restored").replaceChildren(...lines);
  }

  // What the address asked for that is not there (a market that is not, or no longer,
  // there; a day that is not one of its market's), and what the page shows instead: said
  // until the organiser picks a market or a day, never a silent swap.
  function replacedText(data) {
    const asked = data.replaced || {};
    const said = [];
    if (asked.market !== undefined) {
      said.push(t("unknown_market", { id: asked.market }),
                t("market_shown_instead", { market: name(data.market) }));
    }
    if (asked.day_to_come !== undefined) {
      said.push(t("day_to_come", { day: ltr(date(asked.day_to_come)),
                                   today: ltr(date(data.today)) }),
                t("day_shown_instead", { day: ltr(date(data.day)) }));
    }
    if (asked.day !== undefined) {
      const m = data.market;
      said.push(t("not_a_market_day", { day: ltr(date(asked.day)), market: name(m),
                                        first: ltr(date(m.starts_on)), last: ltr(date(m.ends_on)) }),
                t("day_shown_instead", { day: ltr(date(data.day)) }));
    }
    return said.length ? said.join(" ") : null;
  }
  function renderReplaced() {
    const node = document.getElementById("replaced");
    const text = state.replaced || "";
    if (node.textContent !== text) node.textContent = text;  // an alert is said once
    node.classList.toggle("hidden", !text);
  }

  function render(data) {
    renderControls(data);
    renderKpis(data);
    renderRestored(data);
    renderCooperatives(data);
    fill("sectors", data.sectors.map((g) => row([
      { text: t("sector_" + g.key) }, { text: count(g.cooperatives), cls: "num" },
      { text: money(g.day_net), cls: "num" }, { text: money(g.edition_net), cls: "num" },
    ])));
    fill("origins", groupRows(data.origins, (k) => t(k)));
    fill("programmes", groupRows(data.programmes, (k) => t(k)));
    const days = everyDay(data);
    // what a day without sales says: of a day gone by, of a market whose tills send their
    // figures, that none came for it (not "yet": the day is over)
    const none = data.day < data.today && data.days.length ? t("no_sales_that_day") : null;
    fill("days", days.map((d) => {
      const tr = row([
        { text: date(d.day), cls: "key date" }, { text: money(d.net), cls: "num" },
        { text: count(d.tickets), cls: "num" }, { text: count(d.devices), cls: "num" },
        { text: count(d.closed), cls: "num" },
      ]);
      tr.dataset.day = d.day;
      return tr;
    }));
    fill("products", data.top_products.map((p) => row([
      { text: name(p) }, { text: name(p, "cooperative") },
      { text: p.quantities.map((q) => measured(q.quantity, q.unit)).join(" + "), cls: "num" },
      { text: money(p.amount), cls: "num" },
    ])), none);
    columnsChart("hours-chart", data.hours.map((h) => String(h.hour).padStart(2, "0")),
      data.hours.map((h) => h.amount), -1, none || t("no_sales_yet"));
    columnsChart("days-chart", days.map((d) => shortDate(d.day)),
      days.map((d) => d.net), days.findIndex((d) => d.day === data.day), t("no_sales_yet"));
  }

  // The status line is shown, not read out: it changes at every refresh. What matters is
  // told to screen readers, politely, in a live region of its own: the server lost or
  // back, cooperatives turning late. A refresh that changes nothing leaves it as it is.
  function status(text, isError) {
    const node = document.getElementById("status");
    node.textContent = text;
    node.classList.toggle("error", Boolean(isError));
  }
  function announce(news) {
    if (news.length) document.getElementById("announce").textContent = news.join(" ");
  }
  // the refresh failed: said once, when the server is lost
  function lost() {
    status(t("refresh_failed"), true);
    if (!state.offline) announce([t("refresh_failed")]);
    state.offline = true;
  }
  // The cooperatives late now that were not at the last refresh of the same market and
  // day (a new market or day is read from its tables, not announced).
  function newlyLate(data) {
    const view = data.market.id + "/" + data.day;
    const late = new Map(cooperatives(data).filter((c) => c.stale).map((c) => [c.id, c]));
    const before = state.late && state.late.view === view ? state.late.ids : null;
    state.late = { view, ids: new Set(late.keys()) };
    if (before === null) return [];
    const fresh = Array.from(late.values()).filter((c) => !before.has(c.id));
    if (!fresh.length) return [];
    if (fresh.length > 3) {
      return [counted("late_now_count", fresh.length) || t("late_now_count", { n: count(fresh.length) })];
    }
    return [t("late_now", { names: LIST.format(fresh.map((c) => name(c))) })];
  }

  // The chosen market and day are kept in the page's address, beside its language, and in
  // the language links: a reload, a shared link or another language shows them again.
  function chosen(lang) {
    const params = new URLSearchParams({ lang });
    if (state.market !== null) params.set("market", state.market);
    if (state.day !== null) params.set("day", state.day);
    return params;
  }
  function remember() {
    const here = window.location;
    history.replaceState(null, "", `${here.pathname}?${chosen(cfg.lang)}${here.hash}`);
    for (const link of document.querySelectorAll("nav.languages a[lang]")) {
      link.href = `${cfg.base}/?${chosen(link.getAttribute("lang"))}`;
    }
  }
  // a date the server takes: yyyy-mm-dd of a day that exists
  function isDay(text) {
    if (!/^[12]\d{3}-\d{2}-\d{2}$/.test(text || "")) return false;
    const d = new Date(text + "T00:00:00Z");
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
  }
  function readAddress() {
    const params = new URLSearchParams(window.location.search);
    const market = params.get("market"), day = params.get("day");
    if (/^[1-9]\d{0,8}$/.test(market || "")) state.market = market;
    if (isDay(day)) state.day = day;
  }

  async function load() {
    const params = new URLSearchParams();
    if (state.market !== null) params.set("market", state.market);
    if (state.day !== null) params.set("day", state.day);
    const asked = ++state.asked;
    let response;
    try {
      response = await fetch(`${cfg.base}/data.json?${params}`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
    } catch (err) {
      if (asked === state.asked) lost();
      return;
    }
    if (asked !== state.asked) return;
    if (response.status === 401) {
      status(t("session_expired"), true);
      // back to this very page (its market and day) once logged in again
      const here = window.location.pathname + window.location.search;
      // (the login page says that the session ended)
      const query = new URLSearchParams({ lang: cfg.lang, next: here, expired: "1" });
      window.location.assign(`${cfg.base}/login?${query}`);
      return;
    }
    if (!response.ok) { lost(); return; }
    const data = await response.json();
    if (asked !== state.asked) return;
    if (!data.market && state.market !== null) {
      // a market of an old address that is no longer there: the current one instead
      state.market = null; state.day = null; remember();
      load();
      return;
    }
    const replaced = replacedText(data);
    if (replaced) {
      // the address now names what is shown: a reload shows it again, without the notice
      state.replaced = replaced;
      if (data.replaced.market !== undefined) state.market = null;
      if (data.replaced.day !== undefined || data.replaced.day_to_come !== undefined) {
        state.day = null;
      }
      remember();
    }
    renderReplaced();
    const news = state.offline ? [t("connection_back")] : [];
    state.offline = false;
    const empty = !data.market;
    document.getElementById("no-market").classList.toggle("hidden", !empty);
    document.getElementById("content").classList.toggle("hidden", empty);
    if (!empty) {
      render(data);
      news.push(...newlyLate(data));
    }
    announce(news);
    // the server's time of the figures, in Morocco's time as every time here
    status(t("updated_at", { time: data.updated_time }), false);
    document.body.dataset.loaded = data.generated_at || "empty";
  }

  function schedule() {
    clearInterval(state.timer);
    state.timer = setInterval(load, cfg.refresh_seconds * 1000);
  }

  // the page's own formatting, for checks from the browser (console, tests)
  window.soukDashboard = Object.freeze({ ago, date, axis, measured });

  document.getElementById("market").addEventListener("change", (e) => {
    state.market = e.target.value; state.day = null; state.replaced = null;
    remember(); load(); schedule();
  });
  document.getElementById("day").addEventListener("change", (e) => {
    state.day = e.target.value; state.replaced = null; remember(); load(); schedule();
  });
  document.querySelectorAll("#cooperatives thead th").forEach((th, i) => {
    const press = document.createElement("button");
    press.type = "button";
    press.className = "sort";
    press.append(...th.childNodes);
    press.addEventListener("click", () => sortBy(i));
    th.appendChild(press);
  });
  readAddress();
  remember();
  load();
  schedule();
})();
