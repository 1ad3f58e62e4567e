"""The cooperative's own figures: today's totals, payment methods, top products, sales by
hour as a chart; and the same for the whole market edition so far."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QFrame, QLabel, QScrollArea, QWidget

from pos import day, settings
from pos.i18n import is_rtl, tr_count
from pos.money import format_amount, format_money, round_div
from pos.reports import DayReport, day_report
from ui.chart import BarChart
from ui.context import AppContext
from ui.widgets import Texts, button, card, hbox, label, named, percent_text, vbox

TOP_PRODUCTS = 6


def whole_dirhams(centimes: int, lang: str) -> str:
    """An amount rounded to the dirham, without decimals: ``5 677`` (fr, ar), ``5,677``
    (en)."""
    text = format_amount(round_div(centimes, 100) * 100, lang)
    return text.rpartition("." if lang == "en" else ",")[0]


def rich_table(rows: Iterable[Sequence[str]], lang: str, *, spacing: int = 4) -> str:
    """An HTML table for a rich-text label: the first cell of each row names it, the
    others are its figures, lined up at the far side. Qt's rich text does not mirror a
    table, so in a right-to-left language the cells are written in the mirrored order:
    the name at the right, its figures at the left."""
    rtl = is_rtl(lang)
    near, far = ("right", "left") if rtl else ("left", "right")
    lines = []
    for name, *figures in rows:
        cells = [f"<td align='{near}'>{name}</td>"]
        cells += [f"<td align='{far}'>{figure}</td>" for figure in figures]
        if rtl:
            cells.reverse()
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table width='100%' cellspacing='{spacing}'>{''.join(lines)}</table>"


@dataclass
class Figures:
    days: int = 0
    net: int = 0
    sales: int = 0
    refunds: int = 0
    discounts: int = 0
    methods: dict[str, int] = field(default_factory=dict)
    products: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    hours: dict[int, int] = field(default_factory=dict)

    def add(self, report: DayReport) -> None:
        self.days += 1
        self.net += report.net
        self.sales += report.sales_count
        self.refunds += report.refunds + report.voids
        self.discounts += report.discounts
        for m in report.payments:
            self.methods[m.method] = self.methods.get(m.method, 0) + m.amount
        for p in report.products:
            entry = self.products.setdefault((p.name_ar, p.name_fr), [0, 0])
            entry[0] += p.amount
            entry[1] += p.quantity
        for h in report.hours:
            self.hours[h.hour] = self.hours.get(h.hour, 0) + h.amount


class FiguresScreen(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        named(self, "figuresScreen")
        self.ctx = ctx
        self.texts = Texts(ctx)
        self.scope = "today"
        t = self.texts
        title = label("figuresTitle", style="title")
        t.bind(title.setText, "ui.figures.title")
        self.today_btn = button("figuresToday", checkable=True)
        self.edition_btn = button("figuresEdition", checkable=True)
        t.button(self.today_btn, "ui.figures.today")
        t.button(self.edition_btn, "ui.figures.edition")
        group = QButtonGroup(self)
        group.addButton(self.today_btn)
        group.addButton(self.edition_btn)
        self.today_btn.setChecked(True)
        self.today_btn.clicked.connect(lambda: self.set_scope("today"))
        self.edition_btn.clicked.connect(lambda: self.set_scope("edition"))
        self.period = label("figuresPeriod", style="muted")
        self.kpis: dict[str, tuple[QLabel, QLabel]] = {}
        kpi_row = hbox(spacing=10)
        for key in ("net", "sales", "average", "refunds"):
            box = card()
            caption = label(f"kpi_{key}_caption", style="muted")
            value = label(f"kpi_{key}", style="bigTotal")
            value.setStyleSheet("font-size: 28px;")
            box.setLayout(vbox(caption, value, None, margins=12, spacing=2))
            self.kpis[key] = (caption, value)
            kpi_row.addWidget(box)
        chart_card = card()
        chart_title = label("chartTitle", style="subtitle")
        t.bind(chart_title.setText, "ui.figures.by_hour")
        self.chart = BarChart("hourChart")
        t.bind(self.chart.setAccessibleName, "ui.figures.by_hour")
        chart_card.setLayout(vbox(chart_title, self.chart, margins=12))
        methods_card = card()
        methods_title = label("methodsTitle", style="subtitle")
        t.bind(methods_title.setText, "ui.figures.by_method")
        self.methods = label("figuresMethods", wrap=True)
        self.methods.setTextFormat(Qt.TextFormat.RichText)
        methods_card.setLayout(vbox(methods_title, self.methods, None, margins=10, spacing=4))
        top_card = card()
        top_title = label("topTitle", style="subtitle")
        t.bind(top_title.setText, "ui.figures.top_products")
        self.top = label("figuresTop", wrap=True)
        self.top.setTextFormat(Qt.TextFormat.RichText)
        top_card.setLayout(vbox(top_title, self.top, None, margins=10, spacing=4))
        row = hbox(spacing=10)
        row.addWidget(chart_card, 3)
        side = vbox(methods_card, top_card, spacing=10)
        row.addLayout(side, 2)
        body = named(QWidget(), "figuresBody")
        body_layout = vbox(spacing=10)
        body_layout.addLayout(kpi_row)
        body_layout.addLayout(row, 1)
        body.setLayout(body_layout)
        # On a small screen the figures scroll rather than push the window past its height.
        self.scroller = named(QScrollArea(), "figuresScroll")
        self.scroller.setWidget(body)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setStyleSheet("QScrollArea, #figuresBody { background: transparent; }")
        self.scroller.viewport().setAutoFillBackground(False)
        layout = vbox(spacing=10, margins=12)
        layout.addLayout(hbox(title, None, self.period, self.today_btn, self.edition_btn))
        layout.addWidget(self.scroller, 1)
        self.setLayout(layout)
        ctx.language_changed.connect(lambda _l: self.retranslate())
        ctx.sales_changed.connect(self._refresh_if_visible)
        ctx.day_changed.connect(self._refresh_if_visible)

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        self.refresh()

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()

    def _collect(self) -> Figures:
        figures = Figures()
        with self.ctx.read() as s:
            all_days = day.days(s)
            if self.scope == "today":
                current = day.current_day(s) or (all_days[0] if all_days else None)
                chosen = [current] if current else []
            else:
                market = settings.get(s, settings.MARKET, {}) or {}
                start = market.get("starts_on")
                chosen = [d for d in all_days if not start or d.date.isoformat() >= start]
            for d in chosen:
                figures.add(day_report(s, d))
        return figures

    def refresh(self) -> None:
        t, lang = self.ctx.t, self.ctx.lang
        f = self._collect()
        self.period.setText(tr_count(lang, "ui.figures.days", f.days)
                            if self.scope == "edition" else "")
        average = f.net // f.sales if f.sales else 0
        values = {"net": format_money(f.net, lang), "sales": str(f.sales),
                  "average": format_money(average, lang),
                  "refunds": format_money(-f.refunds, lang)}  # given back, as on the day
        # a label lines up a text by its own direction, and a count ("48") has none: every
        # figure is put on the side its language reads from, at the height of the others
        # (an amount in Arabic, with its "د.م.", takes a taller line than a count)
        side = Qt.AlignmentFlag.AlignRight if is_rtl(lang) else Qt.AlignmentFlag.AlignLeft
        for key, (caption, value) in self.kpis.items():
            caption.setText(t(f"ui.figures.kpi_{key}"))
            value.setText(values[key])
            for text in (caption, value):
                text.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute
                                  | Qt.AlignmentFlag.AlignVCenter)
        tallest = max(value.sizeHint().height() for _caption, value in self.kpis.values())
        for _caption, value in self.kpis.values():
            value.setMinimumHeight(tallest)
        hours = range(min(f.hours, default=9), max(f.hours, default=18) + 1) if f.hours else []
        self.chart.set_bars(
            [(t("ui.figures.hour", hour=h), f.hours.get(h, 0),
              whole_dirhams(f.hours.get(h, 0), lang)) for h in hours],
            t("ui.figures.no_sales"))
        # each method's share of what was taken; one that gave back more than it took (a
        # refund to the card of an earlier day's sale) below zero
        total = sum(a for a in f.methods.values() if a > 0) or 1
        methods = sorted(f.methods.items(), key=lambda x: -x[1])
        self.methods.setText(rich_table(
            ((t("payment." + m), f"<b>{format_money(a, lang)}</b>",
              percent_text(round(100 * a / total), lang)) for m, a in methods), lang, spacing=1)
            if methods else t("ui.figures.no_sales"))
        top = sorted(f.products.items(), key=lambda x: -x[1][0])[:TOP_PRODUCTS]
        self.top.setText(rich_table(
            ((self.ctx.name_of(ar, fr), f"<b>{format_money(a, lang)}</b>")
             for (ar, fr), (a, _q) in top), lang, spacing=1) if top else t("ui.figures.no_sales"))

    def retranslate(self) -> None:
        self.texts.apply()
        if self.isVisible():
            self.refresh()
