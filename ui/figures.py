"""The cooperative's own figures: today's totals, payment methods, top products or what
each member made, sales by hour as a chart; and the same for the whole market edition so
far."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QWidget,
)

from pos import clock, day, sales_export
from pos.errors import SoukError
from pos.i18n import is_rtl, tr_count
from pos.models import BusinessDay
from pos.money import allocate, format_count, format_money, round_div
from pos.reports import DayReport, day_report
from ui.chart import BarChart
from ui.context import AppContext
from ui.tasks import Task
from ui.widgets import Banner, Texts, button, card, hbox, label, named, percent_text, vbox

TOP_PRODUCTS = 6
#: with no market known, days further apart than this belong to different editions
EDITION_GAP = dt.timedelta(days=7)


def whole_dirhams(centimes: int, lang: str) -> str:
    """An amount rounded to the dirham, without decimals: ``5 677`` (fr, ar), ``5,677``
    (en)."""
    return format_count(round_div(centimes, 100), lang)


def shares(amounts: Sequence[int]) -> list[int]:
    """Each amount's share in percent of what the amounts above zero took: those above
    zero add up to 100 (the largest remainders rounded up), not to 99 or 101; one below
    zero (a method that gave back more than it took) rounded on its own."""
    taken = [max(0, a) for a in amounts]
    whole = sum(taken)
    if not whole:
        return [0] * len(amounts)
    split = allocate(100, taken)
    return [share if a >= 0 else round(100 * a / whole)
            for a, share in zip(amounts, split, strict=True)]


def edition_days(days: Sequence[BusinessDay],
                 market: tuple[dt.date, dt.date] | None) -> list[BusinessDay]:
    """The business days of the edition: those within the enrolled market's dates; with
    no market known, the latest run of days none more than :data:`EDITION_GAP` after the
    one before (an earlier edition's days, weeks before, left out)."""
    if market is not None:
        first, last = market
        return [d for d in days if first <= d.date <= last]
    dates = sorted({d.date for d in days}, reverse=True)
    start = dates[0] if dates else None
    for later, earlier in itertools.pairwise(dates):
        if later - earlier > EDITION_GAP:
            break
        start = earlier
    return [d for d in days if start is not None and d.date >= start]


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
    dates: set[dt.date] = field(default_factory=set)
    z_labels: list[str] = field(default_factory=list)
    open: bool = False
    net: int = 0
    sales: int = 0
    refunds: int = 0
    voids: int = 0
    discounts: int = 0
    methods: dict[str, int] = field(default_factory=dict)
    products: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    hours: dict[int, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)

    def add(self, report: DayReport) -> None:
        """Add one business day's report; a date closed early and opened again is still
        one day of the market."""
        self.dates.add(report.date)
        self.days = len(self.dates)
        self.open = self.open or report.status == "open"
        if report.z_label:
            self.z_labels.append(report.z_label)
        self.net += report.net
        self.sales += report.sales_count
        self.refunds += report.refunds
        self.voids += report.voids
        self.discounts += report.discounts
        for m in report.payments:
            self.methods[m.method] = self.methods.get(m.method, 0) + m.amount
        for p in report.products:
            entry = self.products.setdefault((p.name_ar, p.name_fr), [0, 0])
            entry[0] += p.amount
            entry[1] += p.quantity
        for h in report.hours:
            self.hours[h.hour] = self.hours.get(h.hour, 0) + h.amount
        for mt in report.members:
            self.members[mt.member] = self.members.get(mt.member, 0) + mt.amount


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
        group = self.scope_group = QButtonGroup(self)
        group.addButton(self.today_btn)
        group.addButton(self.edition_btn)
        self.today_btn.setChecked(True)
        self.today_btn.clicked.connect(lambda: self.show_date(None))
        self.edition_btn.clicked.connect(lambda: self.set_scope("edition"))
        # an earlier day's figures: the dates with a business day, the latest first
        self.date_choice = named(QComboBox(), "figuresDate")
        t.bind(self.date_choice.setAccessibleName, "ui.figures.date_choice")
        self.date_choice.activated.connect(
            lambda i: self.show_date(self.date_choice.itemData(i) if i > 0 else None))
        self.chosen_date: dt.date | None = None  # None: the open day (or the last one)
        self.shown_days: list[int] = []  # the business days the figures add up
        self.shown_dates: list[dt.date] = []
        # the tickets of the period shown, a row per line, for the accountant and for
        # sharing the takings among the members
        self.export_btn = button("figuresExport")
        t.button(self.export_btn, "ui.figures.export")
        self.export_btn.clicked.connect(self.choose_export)
        self.banner = Banner("figuresMessage")
        self.task: Task | None = None
        self.period = label("figuresPeriod", style="muted")
        self.edition: tuple[dt.date, dt.date] | None = None
        self.kpis: dict[str, tuple[QLabel, QLabel]] = {}
        kpi_row = hbox(spacing=10)
        for key in ("net", "sales", "average", "refunds"):
            box = card()
            caption = label(f"kpi_{key}_caption", style="muted")
            value = label(f"kpi_{key}", style="bigTotal")
            value.setStyleSheet("font-size: 28px;")
            box_layout = vbox(caption, value, margins=12, spacing=2)
            if key == "refunds":
                # the voids apart from the refunds, as the Z report gives them
                self.voids = label("kpi_voids", style="muted")
                box_layout.addWidget(self.voids)
            box_layout.addStretch(1)
            box.setLayout(box_layout)
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
        # one card for the top products or, a click away, what each member's products
        # took (to share out the takings)
        top_card = card()
        self.top_title = label("topTitle", style="subtitle")
        self.members_btn = button("figuresByMember", checkable=True)
        t.button(self.members_btn, "ui.figures.by_member")
        # no taller than the card's title, so the card keeps its six lines on a small screen
        self.members_btn.setStyleSheet("QPushButton { padding: 1px 10px; min-height: 0; }")
        self.members_btn.toggled.connect(lambda _on: self.refresh())
        self.top = label("figuresTop", wrap=True)
        self.top.setTextFormat(Qt.TextFormat.RichText)
        top_layout = vbox(margins=10, spacing=4)
        top_layout.addLayout(hbox(self.top_title, None, self.members_btn))
        top_layout.addWidget(self.top)
        top_layout.addStretch(1)
        top_card.setLayout(top_layout)
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
        # the period beside the title, or under it when the line would not hold the
        # choices and the export too (French on a 1024-pixel screen): see _place_period
        self.period.setMinimumWidth(1)  # never what makes the window wider
        self.heading = QGridLayout()
        self.heading.setSpacing(0)
        self.heading.setHorizontalSpacing(8)
        self.heading.addWidget(title, 0, 0)
        self.title = title
        choices = hbox(None, self.date_choice, self.today_btn, self.edition_btn,
                       self.export_btn)
        choices.insertLayout(0, self.heading)
        self.choices = choices
        self._place_period(beside=True)
        layout.addLayout(choices)
        layout.addWidget(self.banner)
        layout.addWidget(self.scroller, 1)
        self.setLayout(layout)
        ctx.language_changed.connect(lambda _l: self.retranslate())
        ctx.sales_changed.connect(self._refresh_if_visible)
        ctx.day_changed.connect(self._refresh_if_visible)

    def _place_period(self, *, beside: bool) -> None:
        self.heading.removeWidget(self.period)
        if beside:
            self.heading.addWidget(self.period, 0, 1)
        else:
            self.heading.addWidget(self.period, 1, 0)

    def _fit_heading(self) -> None:
        """The period beside the title when the whole line fits the screen's width; under
        the title otherwise, which takes a little height rather than push the window wider
        than the screen (the choices and the export stay on the line)."""
        shown = [w for w in (self.title, self.period, self.date_choice, self.today_btn,
                             self.edition_btn, self.export_btn) if not w.isHidden()]
        margins = self.layout().contentsMargins()
        room = self.width() - margins.left() - margins.right()
        needed = (sum(w.sizeHint().width() for w in shown)
                  + self.choices.spacing() * len(shown) + self.heading.horizontalSpacing())
        beside = needed <= room
        if beside != (self.heading.getItemPosition(self.heading.indexOf(self.period))[0] == 0):
            self._place_period(beside=beside)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_heading()
        super().resizeEvent(event)

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        self.refresh()

    def show_date(self, date: dt.date | None) -> None:
        """The figures of ``date`` (every business day opened that date), or of the open day
        (or the last one) when None."""
        self.chosen_date = date
        # "Today" looks pressed for today only: an earlier date chosen, neither button is
        self.scope_group.setExclusive(date is None)
        self.today_btn.setChecked(date is None)
        self.edition_btn.setChecked(False)
        self.scope_group.setExclusive(True)
        self.set_scope("today")

    def _fill_dates(self, dates: list[dt.date], shown: dt.date | None) -> None:
        """The dates to choose from, the latest first, the first one as "Today" says it;
        ``shown`` chosen (the first when None)."""
        combo = self.date_choice
        combo.clear()
        for date in dates:
            combo.addItem(clock.date_text(date), date)
        combo.setCurrentIndex(dates.index(shown) if shown in dates else 0)
        combo.setVisible(self.scope == "today" and len(dates) > 1)

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()

    def _collect(self) -> Figures:
        figures = Figures()
        with self.ctx.read() as s:
            all_days = day.days(s)
            current = day.current_day(s) or (all_days[0] if all_days else None)
            dates = sorted({d.date for d in all_days}, reverse=True)
            if current is not None and current.date in dates:  # the open day's date first
                dates.remove(current.date)
                dates.insert(0, current.date)
            if self.chosen_date not in dates:
                self.chosen_date = None
            self._fill_dates(dates, self.chosen_date)
            if self.scope == "today":
                # the whole date of the open day (or, none open, of the last one), or of
                # the date chosen: a day closed early and opened again keeps its morning
                date = self.chosen_date or (current.date if current else None)
                chosen = day.days_of_date(s, date) if date else []
                self.edition = None
            else:
                market = clock.market_dates(s)
                chosen = edition_days(all_days, market)
                dates = [d.date for d in chosen]
                self.edition = market or ((min(dates), max(dates)) if dates else None)
            for d in chosen:
                figures.add(day_report(s, d))
            self.shown_days = [d.id for d in chosen]
            self.shown_dates = sorted({d.date for d in chosen})
        return figures

    def refresh(self) -> None:
        t, lang = self.ctx.t, self.ctx.lang
        f = self._collect()
        self.period.setText(self._edition_text(f) if self.scope == "edition"
                            else self._day_text(f))
        self._fit_heading()
        self.export_btn.setEnabled(bool(f.dates) and (self.task is None
                                                      or not self.task.isRunning()))
        average = round_div(f.net, f.sales) if f.sales else 0
        side = Qt.AlignmentFlag.AlignRight if is_rtl(lang) else Qt.AlignmentFlag.AlignLeft
        values = {"net": format_money(f.net, lang), "sales": format_count(f.sales, lang),
                  "average": format_money(average, lang),
                  "refunds": format_money(-f.refunds, lang)}  # given back, as on the Z
        self.voids.setText(t("report.row", label=t("ui.figures.kpi_voids"),
                             value=format_money(-f.voids, lang)))
        self.voids.setVisible(bool(f.voids))
        self.voids.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute)
        # a label lines up a text by its own direction, and a count ("48") has none: every
        # figure is put on the side its language reads from, at the height of the others
        # (an amount in Arabic, with its "د.م.", takes a taller line than a count)
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
              format_money(f.hours.get(h, 0), lang, whole=True)) for h in hours],
            self._no_sales_text(f))
        # each method's share of what was taken; one that gave back more than it took (a
        # refund to the card of an earlier day's sale) below zero
        methods = sorted(f.methods.items(), key=lambda x: -x[1])
        percents = shares([a for _m, a in methods])
        self.methods.setText(rich_table(
            ((t("payment." + m), f"<b>{format_money(a, lang)}</b>", percent_text(p, lang))
             for (m, a), p in zip(methods, percents, strict=True)), lang, spacing=1)
            if methods else self._no_sales_text(f))
        if self.members_btn.isChecked():
            self.top_title.setText(t("ui.figures.by_member"))
            rows = self._member_rows(f.members)
        else:
            self.top_title.setText(t("ui.figures.top_products"))
            # a product sold and given back the same day took nothing: it is no top product
            sold = [(names, a) for names, (a, _q) in f.products.items() if a]
            top = sorted(sold, key=lambda x: -x[1])[:TOP_PRODUCTS]
            rows = [(escape(self.ctx.name_of(ar, fr)), f"<b>{format_money(a, lang)}</b>")
                    for (ar, fr), a in top]
        self.top.setText(rich_table(rows, lang, spacing=1) if rows
                         else self._no_sales_text(f))

    def choose_export(self) -> None:
        """Ask where to save the sales of the period shown, a name offered with its dates."""
        if not self.shown_dates:
            return
        name = sales_export.file_name(self.shown_dates[0], self.shown_dates[-1], self.ctx.lang)
        path, _ = QFileDialog.getSaveFileName(self, self.ctx.t("ui.figures.export"),
                                              str(Path.home() / name), "CSV (*.csv)")
        if path:
            self.export_file(Path(path))

    def export_file(self, path: Path) -> None:
        """Write the sales of the days shown to ``path``, off the UI thread (a whole
        edition is thousands of lines, and the file may go to a slow USB stick); say what
        was written, or why nothing was."""
        store, lang, ids = self.ctx.store, self.ctx.lang, list(self.shown_days)

        def work(_progress: Any) -> sales_export.Exported:
            with store.read() as s:
                return sales_export.export_sales(s, path, sales_export.days_of(s, ids), lang)

        def done(exported: sales_export.Exported) -> None:
            self.banner.notice(lambda: exported.text(self.ctx.lang, path), seconds=20)

        def failed(exc: object) -> None:
            if isinstance(exc, SoukError):
                error = exc
                self.banner.error(lambda: error.message(self.ctx.lang), seconds=20)
            else:
                self.banner.error(self.ctx.t("ui.error.generic", detail=str(exc)[:160]),
                                  seconds=20)

        self.export_btn.setEnabled(False)
        self.task = Task(work, self)
        self.task.succeeded.connect(done)
        self.task.failed.connect(failed)
        self.task.finished.connect(lambda: self.export_btn.setEnabled(True))
        self.task.start()

    def _member_rows(self, members: dict[str, int]) -> list[tuple[str, str]]:
        """Each member with what their products took, the most first, as many as the card
        holds; the others together, then the lines of no member: together they make the
        takings. A member whose sales were all given back took nothing and is left out."""
        lang = self.ctx.lang
        ranked = sorted(((m, a) for m, a in members.items() if m and a),
                        key=lambda x: (-x[1], x[0]))
        unnamed = members.get("", 0)
        room = TOP_PRODUCTS - (1 if unnamed else 0)
        shown = ranked if len(ranked) <= room else ranked[:room - 1]
        rows = [(escape(m), a) for m, a in shown]
        if len(shown) < len(ranked):
            rest = ranked[len(shown):]
            rows.append((self.ctx.t("ui.figures.other_members", count=len(rest)),
                         sum(a for _m, a in rest)))
        if unnamed:
            rows.append((self.ctx.t("ui.figures.no_member"), unnamed))
        return [(name, f"<b>{format_money(a, lang)}</b>") for name, a in rows]

    def _no_sales_text(self, f: Figures) -> str:
        """What the figures say with no sale: none yet while the day is open (or none was
        ever opened); none that day, or in the edition, once over."""
        if f.open or not f.dates:
            return self.ctx.t("ui.figures.no_sales")
        return self.ctx.t("ui.figures.no_sales_edition" if self.scope == "edition"
                          else "ui.figures.no_sales_day")

    def _edition_text(self, f: Figures) -> str:
        """The edition's dates (the market's, or else the days counted) and its days."""
        days = tr_count(self.ctx.lang, "ui.figures.days", f.days)
        if self.edition is None:
            return days
        first, last = self.edition
        if first == last:
            return self.ctx.t("ui.figures.edition_date", date=clock.date_text(first), days=days)
        return self.ctx.t("ui.figures.edition_period", starts=clock.date_text(first),
                          ends=clock.date_text(last), days=days)

    def _day_text(self, f: Figures) -> str:
        """Which day "Today" shows: its date, open, or closed with its Z numbers (the day
        before's figures, until the next day is opened)."""
        if not f.dates:
            return ""
        date = clock.date_text(max(f.dates))
        if f.open or not f.z_labels:
            return self.ctx.t("ui.sales.day_open", date=date)
        return self.ctx.t("ui.sales.day_closed", date=date, z=", ".join(f.z_labels))

    def retranslate(self) -> None:
        self.texts.apply()
        if self.isVisible():
            self.refresh()
