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
  const state = { market: null, day: null, timer: null };

  function t(key, values) {
    const text = S[key];
    if (text === undefined) throw new Error("missing translation: " + key);
    return text.replace(/\{(\w+)\}/g, (m, name) => (values && name in values ? values[name] : m));
  }

  function amount(centimes) {
    const sign = centimes < 0 ? "-" : "";
    const abs = Math.abs(centimes);
    const units = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
    return sign + units + "," + String(abs % 100).padStart(2, "0");
  }
  // A date inside an Arabic sentence would show its parts swapped: isolate it (LRI..PDI).
  function ltr(text) { return "\u2066" + text + "\u2069"; }
  function money(centimes) { return amount(centimes) + NBSP + CURRENCY; }
  function quantity(milli) {
    const text = (milli / 1000).toFixed(3).replace(/\.?0+$/, "");
    return cfg.lang === "en" ? text : text.replace(".", ",");
  }
  function count(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP); }
  function name(row, prefix) {
    const key = (prefix || "name") + (cfg.lang === "ar" ? "_ar" : "_fr");
    return row[key];
  }
  function ago(seconds) {
    if (seconds === null || seconds === undefined) return t("never");
    if (seconds < 60) return t("just_now");
    if (seconds < 3600) return t("minutes_ago", { n: Math.floor(seconds / 60) });
    if (seconds < 86400) return t("hours_ago", { n: Math.floor(seconds / 3600) });
    return t("days_ago", { n: Math.floor(seconds / 86400) });
  }
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function row(cells) {
    const tr = document.createElement("tr");
    for (const c of cells) {
      const td = el("td", c.text, c.cls);
      tr.appendChild(td);
    }
    return tr;
  }
  function fill(tableId, rows) {
    const body = document.querySelector("#" + tableId + " tbody");
    body.replaceChildren(...rows);
  }
  function setText(id, text) { document.getElementById(id).textContent = text; }

  function columnsChart(containerId, labels, values, highlight) {
    const width = 640, height = 220, left = 64, bottom = 24, top = 10;
    const plotW = width - left - 6, plotH = height - bottom - top;
    const peak = Math.max(1, ...values);
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("direction", "ltr");
    svg.setAttribute("role", "img");
    for (let i = 0; i <= 4; i++) {
      const y = top + plotH - (plotH * i) / 4;
      const line = document.createElementNS(SVG, "line");
      line.setAttribute("x1", left); line.setAttribute("x2", width - 6);
      line.setAttribute("y1", y); line.setAttribute("y2", y);
      svg.appendChild(line);
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("x", left - 4); label.setAttribute("y", y + 3);
      label.setAttribute("text-anchor", "end");
      label.textContent = amount(Math.round((peak * i) / 4));
      svg.appendChild(label);
    }
    const slot = Math.min(plotW / Math.max(1, values.length), 48);
    const every = Math.max(1, Math.ceil(values.length / 12));
    values.forEach((value, i) => {
      const h = (plotH * Math.max(0, value)) / peak;
      const x = left + i * slot + slot * 0.15;
      const bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("class", i === highlight ? "bar today" : "bar");
      bar.setAttribute("x", x); bar.setAttribute("width", slot * 0.7);
      bar.setAttribute("y", top + plotH - h); bar.setAttribute("height", h);
      const tip = document.createElementNS(SVG, "title");
      tip.textContent = labels[i] + " : " + money(value);
      bar.appendChild(tip);
      svg.appendChild(bar);
      if (i % every === 0) {
        const label = document.createElementNS(SVG, "text");
        label.setAttribute("x", x + slot * 0.35); label.setAttribute("y", height - 8);
        label.setAttribute("text-anchor", "middle");
        label.textContent = labels[i];
        svg.appendChild(label);
      }
    });
    document.getElementById(containerId).replaceChildren(svg);
  }

  function fillSelect(id, options, selected) {
    const select = document.getElementById(id);
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

  function renderControls(data) {
    fillSelect("market", data.markets.map((m) => [m.id, name(m) + " — " + m.city]), data.market.id);
    const days = marketDays(data.market);
    for (const d of data.days) if (!days.includes(d.day)) days.push(d.day);
    days.sort();
    fillSelect("day", days.map((d) => [d, d]), data.day);
    const q = `?market=${data.market.id}&lang=${cfg.lang}`;
    const base = cfg.base;
    document.getElementById("export-coops-csv").href = `${base}/export/cooperatives.csv${q}`;
    document.getElementById("export-coops-xlsx").href = `${base}/export/cooperatives.xlsx${q}`;
    document.getElementById("export-days-csv").href = `${base}/export/days.csv${q}`;
    document.getElementById("export-days-xlsx").href = `${base}/export/days.xlsx${q}`;
    document.getElementById("report").href = `${base}/report${q}`;
  }

  function renderKpis(data) {
    const tot = data.totals;
    setText("day-title", t("selected_day", { day: ltr(data.day) }));
    setText("kpi-day-net", money(tot.day.net));
    setText("kpi-day-tickets", count(tot.day.tickets));
    setText("kpi-day-stalls", count(tot.day.stalls));
    setText("kpi-coops", t("of_cooperatives", { n: tot.cooperatives }));
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

  function renderCooperatives(data) {
    fill("cooperatives", cooperatives(data).map((c) => {
      const tr = row([
        { text: c.stand }, { text: name(c) }, { text: t("sector_" + c.sector) },
        { text: t(c.inside ? "inside_region" : "outside_region") },
        { text: money(c.day_net), cls: "num" }, { text: count(c.day_tickets), cls: "num" },
        { text: money(c.edition_net), cls: "num" }, { text: count(c.days_closed), cls: "num" },
        { text: ago(c.stale_seconds) + (c.stale ? " · " + t("stale") : ""), cls: "sync" },
        { text: count(c.conflicts), cls: c.conflicts ? "num conflict" : "num" },
      ]);
      tr.dataset.cooperative = c.id;
      if (c.stale) tr.classList.add("stale");
      return tr;
    }));
  }

  function groupRows(groups, label) {
    return groups.map((g) => row([
      { text: label(g.key) }, { text: count(g.cooperatives), cls: "num" },
      { text: count(g.members), cls: "num" },
      { text: money(g.day_net), cls: "num" }, { text: money(g.edition_net), cls: "num" },
    ]));
  }

  function render(data) {
    renderControls(data);
    renderKpis(data);
    renderCooperatives(data);
    fill("sectors", data.sectors.map((g) => row([
      { text: t("sector_" + g.key) }, { text: count(g.cooperatives), cls: "num" },
      { text: money(g.day_net), cls: "num" }, { text: money(g.edition_net), cls: "num" },
    ])));
    fill("origins", groupRows(data.origins, (k) => t(k)));
    fill("programmes", groupRows(data.programmes, (k) => t(k)));
    fill("days", data.days.map((d) => row([
      { text: d.day }, { text: money(d.net), cls: "num" }, { text: count(d.tickets), cls: "num" },
      { text: count(d.devices), cls: "num" }, { text: count(d.closed), cls: "num" },
    ])));
    fill("products", data.top_products.length ? data.top_products.map((p) => row([
      { text: name(p) }, { text: name(p, "cooperative") },
      { text: quantity(p.quantity), cls: "num" }, { text: money(p.amount), cls: "num" },
    ])) : [row([{ text: t("no_data") }])]);
    columnsChart("hours-chart", data.hours.map((h) => String(h.hour).padStart(2, "0")),
      data.hours.map((h) => h.amount), -1);
    columnsChart("days-chart", data.days.map((d) => d.day.slice(5)),
      data.days.map((d) => d.net), data.days.findIndex((d) => d.day === data.day));
  }

  function status(text, isError) {
    const node = document.getElementById("status");
    node.textContent = text;
    node.classList.toggle("error", Boolean(isError));
  }

  async function load() {
    const params = new URLSearchParams();
    if (state.market !== null) params.set("market", state.market);
    if (state.day !== null) params.set("day", state.day);
    let response;
    try {
      response = await fetch(`${cfg.base}/data.json?${params}`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
    } catch (err) {
      status(t("refresh_failed"), true);
      return;
    }
    if (response.status === 401) {
      status(t("session_expired"), true);
      window.location.assign(`${cfg.base}/login?lang=${cfg.lang}`);
      return;
    }
    if (!response.ok) { status(t("refresh_failed"), true); return; }
    const data = await response.json();
    const empty = !data.market;
    document.getElementById("no-market").classList.toggle("hidden", !empty);
    document.getElementById("content").classList.toggle("hidden", empty);
    if (!empty) render(data);
    const time = new Date().toLocaleTimeString(cfg.lang === "ar" ? "ar-MA-u-nu-latn" : cfg.lang,
      { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    status(t("updated_at", { time }), false);
    document.body.dataset.loaded = data.generated_at || "empty";
  }

  function schedule() {
    clearInterval(state.timer);
    state.timer = setInterval(load, cfg.refresh_seconds * 1000);
  }

  document.getElementById("market").addEventListener("change", (e) => {
    state.market = e.target.value; state.day = null; load(); schedule();
  });
  document.getElementById("day").addEventListener("change", (e) => {
    state.day = e.target.value; load(); schedule();
  });
  load();
  schedule();
})();
