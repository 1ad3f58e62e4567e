"""``souk-pos screenshots DIR``: each main screen, in Arabic and French, drawn offscreen
into PNG files named ``<screen>-<lang>.png`` (setup, sale, payment, refund, day-close,
products, figures, settings)."""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from pos import catalogue, checkout, day, demo, settings, users
from pos.cart import Cart, PaymentSpec, cash
from pos.db import DB_FILENAME, Store

SCREENS = ("setup", "sale", "payment", "refund", "day-close", "products", "figures",
           "settings")
SIZE = (1366, 768)


def prepare(folder: Path) -> None:
    """A stall with the demo catalogue, three past days and a busy morning today."""
    store = Store.open(folder / DB_FILENAME)
    start = dt.date.today() - dt.timedelta(days=4)
    demo.demo_sales(store, days=3, per_day=60, start=start)
    rng = random.Random(3)
    with store.write() as s:
        settings.put(s, settings.COOPERATIVE, {
            "name_ar": "تعاونية تيفاوت للأركان", "name_fr": "Coopérative Tifaout Argan",
            "ice": "002345678000041", "city": "Fès", "city_ar": "فاس", "logo": "", "footer": ""})
        settings.put(s, settings.SETUP_DONE, True)
        manager, cashier = demo.ensure_demo_users(s)
        opening = dt.datetime.combine(dt.date.today(), dt.time(8, 30))
        day.open_day(s, 50000, user=manager, at=opening)
        products = [p for p in catalogue.all_products(s) if p.unit == "piece"]
        for hour, count in enumerate((3, 6, 9, 5, 2, 4, 7, 8, 4)):
            # rung one after the other: the ticket numbers follow the time
            for minute in sorted(rng.randrange(60) for _ in range(count)):
                cart = Cart()
                for product in rng.sample(products, rng.choice((1, 2, 3))):
                    cart.add(product, 1000 * rng.choice((1, 1, 2)))
                total = cart.totals().total
                at = opening + dt.timedelta(minutes=30 + 60 * hour + minute)
                pays = ([cash(total, -(-total // 5000) * 5000)] if rng.random() < 0.7
                        else [PaymentSpec("card", total, None, f"CB{rng.randrange(10**6):06d}")])
                checkout.complete(s, cart, pays, cashier=cashier, at=at)
    store.close()


def _over(base: QImage, dialog: QWidget) -> QImage:
    """``dialog`` drawn centred over a dimmed ``base``, as it appears on screen."""
    dialog.adjustSize()
    shot = dialog.grab().toImage()
    out = QImage(base)
    painter = QPainter(out)
    painter.fillRect(out.rect(), QColor(16, 24, 40, 110))
    x = (out.width() - shot.width()) // 2
    y = max(0, (out.height() - shot.height()) // 2)
    painter.drawImage(QPoint(x, y), shot)
    painter.end()
    return out


def _settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def render(out_dir: Path, langs: tuple[str, ...] = ("ar", "fr"),
           size: tuple[int, int] = SIZE) -> list[Path]:
    from ui.app import application, apply_direction
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.payment import PaymentDialog
    from ui.sales import RefundDialog
    from ui.wizard import SetupWizard

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = application()
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "stall"
        blank = Path(tmp) / "blank"
        prepare(data)
        for lang in langs:
            def save(name: str, image: QImage, lang: str = lang) -> None:
                path = out_dir / f"{name}-{lang}.png"
                image.save(str(path))
                written.append(path)

            # the first-run wizard, at the cooperative step
            ctx0 = AppContext.open(blank, lang)
            apply_direction(app, ctx0)
            holder = QMainWindow()
            wizard = SetupWizard(ctx0)
            holder.setCentralWidget(wizard)
            holder.resize(*size)
            wizard.go_next()
            wizard.name_ar.setText("تعاونية تيفاوت للأركان")
            wizard.name_fr.setText("Coopérative Tifaout Argan")
            wizard.ice.setText("002345678000041")
            wizard.city.setText("Fès")
            holder.show()
            _settle(app)
            save("setup", holder.grab().toImage())
            holder.close()
            ctx0.store.close()

            ctx = AppContext.open(data, lang)
            apply_direction(app, ctx)
            with ctx.read() as s:
                manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
                s.expunge(manager)
            ctx.user = manager
            window = MainWindow(ctx, services=False)
            window.resize(*size)
            window.show()
            sale = window.sale
            for sku, qty in (("ARG-250", 2000), ("AML-250", 1000), ("HNY-THY", 1000),
                             ("SAF-1G", 3000), ("GHS-200", 1000), ("ROS-200", 2000),
                             ("TAJ-M", 1000)):
                product = next(p for p in sale.products if p.sku == sku)
                sale.add_product(product, qty)
            _settle(app)
            sale.grid.doItemsLayout()
            _settle(app)
            base = window.grab().toImage()
            save("sale", base)

            pay = PaymentDialog(ctx, window, sale.cart.totals().total)
            for note in (20000, 20000, 20000, 20000, 2000):
                pay._add_note(note)
            pay.show()
            _settle(app)
            save("payment", _over(base, pay))
            pay.close()

            window.show_screen("sales")
            window.sales.select_row(0)
            _settle(app)
            sales_base = window.grab().toImage()
            chosen = window.sales.selected()
            if chosen is not None:
                from pos import refunds

                with ctx.read() as s:
                    left = refunds.refundable(s, chosen)
                dialog = RefundDialog(ctx, window, chosen, left,
                                      window.sales.label_of(chosen.number))
                dialog.fill_all()
                dialog.reason.setCurrentIndex(0)
                dialog.show()
                _settle(app)
                save("refund", _over(sales_base, dialog))
                dialog.close()

            window.show_screen("day")
            counts = day.count_for(window.day.expected - 1000)
            for denomination, spin in window.day.counts.items():
                spin.setValue(counts.get(denomination, 0))
            _settle(app)
            save("day-close", window.grab().toImage())

            for name, screen in (("products", "products"), ("figures", "figures"),
                                 ("settings", "settings")):
                window.show_screen(screen)
                _settle(app)
                save(name, window.grab().toImage())
            window.close()
            ctx.store.close()
    app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    return written


def command(out_dir: Path, say: Callable[[str], None] = print) -> int:
    for path in render(out_dir):
        say(str(path))
    return 0
