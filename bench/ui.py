"""Benchmark of the stall app.

Prints a table and, last, one line of ``key=value`` figures:

- ``startup_ratio``: wall time from process start to the sale screen painted with the demo
  catalogue, over the same for a bare PySide6 QMainWindow shown and painted, both measured
  in this run as fresh processes (median of several; target <= 2.5). The app's modules are
  compiled to bytecode first, as ``./dev.sh setup`` and any installed package have them;
- ``tap_p95_ms``: a tile tapped to the cart repainted, with 5,000 products (target <= 16);
- ``search_p95_ms``: a keystroke in the search box to the tiles repainted, with 5,000
  products (target <= 16);
- ``checkout_p95_ms``: the pay button of the payment dialog clicked to the screen ready for
  the next sale, the durable commit included, printing excluded (target <= 30).

``python bench/ui.py [--runs N]``
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASHIER_PIN = "1111"


def ean13(number: int) -> str:
    """The EAN-13 of these 12 first digits, its last digit right."""
    from pos.catalogue import check_digit

    return f"{number}{check_digit(str(number))}"


def prepare(folder: Path, extra_products: int = 0) -> None:
    from pos import catalogue, day, demo, settings, users
    from pos.catalogue import ProductData
    from pos.db import DB_FILENAME, Store

    store = Store.open(folder / DB_FILENAME)
    with store.write() as s:
        settings.device_id(s)
        demo.load_catalogue(s)
        manager = users.add_user(s, "Manager", users.MANAGER, "4321")
        users.add_user(s, "Cashier", users.CASHIER, CASHIER_PIN)
        settings.put(s, settings.SETUP_DONE, True)
        day.open_day(s, 50000, user=manager)
        cats = catalogue.categories(s)
        for i in range(extra_products):
            catalogue.add_or_update(s, ProductData(
                sku=f"GEN-{i:05d}", name_ar=f"منتج تجريبي رقم {i}",
                name_fr=f"Produit de test {i} {('miel', 'huile', 'savon', 'tapis')[i % 4]}",
                price=100 * (5 + i % 400), category=cats[i % len(cats)],
                barcodes=[ean13(700_000_000_000 + i)], stock=10_000,
                photo=("honey-thyme.png", "argan-food.png", "rug.png", "")[i % 4]))
    store.close()


# --- child processes: time to first paint ---------------------------------------------

def child_bare() -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("Souk"))
    window.resize(1366, 768)

    class Painted(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                print("painted", flush=True)
                app.quit()
            return False

    window.installEventFilter(Painted(window))
    window.show()
    app.exec()


def signed_in_cashier(db: Path) -> Any:
    """The cashier, as if their PIN had been typed (the sign-in is not part of the start);
    read with sqlite3 like the rest of the fast start."""
    import sqlite3
    from types import SimpleNamespace

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT id, name, role FROM user WHERE role = 'cashier' AND active "
                           "ORDER BY id").fetchone()
    finally:
        conn.close()
    return SimpleNamespace(id=row[0], name=row[1], role=row[2])


def child_app(data_dir: str) -> None:
    """The app's own start (``ui.app.run_app``), signed in: prints ``painted`` when the sale
    screen's tiles are first painted, then ``ready`` once the store is open and the sale
    screen has taken it (a tap rings up, Pay works)."""
    from PySide6.QtCore import QEvent, QObject

    from ui.app import application, build, start
    from ui.context import DB_FILENAME

    app = application()
    ctx = start(Path(data_dir), "fr")
    ctx.user = signed_in_cashier(Path(data_dir) / DB_FILENAME)
    window: Any = build(ctx)
    painted = False

    def ready() -> None:
        print("ready", flush=True)
        app.quit()

    class Painted(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            nonlocal painted
            if (event.type() == QEvent.Type.Paint and not painted
                    and window.sale.model.rowCount()):
                painted = True
                print("painted", flush=True)
                ctx.when_ready(ready)
            return False

    window.sale.grid.viewport().installEventFilter(Painted(window))
    window.show()
    app.exec()


def time_child(args: list[str], until: str = "painted") -> float:
    """Seconds from starting the child process to it printing ``until``."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(until):
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"child {args} never printed {until!r}")
    proc.stdout.read()
    proc.wait(timeout=30)
    return elapsed


def time_app(data_dir: Path) -> tuple[float, float]:
    """(start to sale screen painted, start to store open) of one app process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", "app", str(data_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    marks: dict[str, float] = {}
    for line in proc.stdout:
        marks[line.strip()] = time.perf_counter() - start
        if "ready" in marks:
            break
    proc.wait(timeout=30)
    if "painted" not in marks or "ready" not in marks:
        raise RuntimeError(f"the app child printed only {sorted(marks)}")
    return marks["painted"], marks["ready"]


# --- in-process interactions ------------------------------------------------------------

def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def interactions(data_dir: Path, runs: int) -> dict[str, list[float]]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    from pos import users
    from pos.cart import cash
    from ui.app import application, apply_direction
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.payment import PaymentDialog

    app = application()
    ctx = AppContext.open(data_dir, "fr")
    apply_direction(app, ctx)
    with ctx.read() as s:
        user = users.authenticate(s, CASHIER_PIN)
        s.expunge(user)
    ctx.user = user
    window = MainWindow(ctx, services=False)
    window.resize(1366, 768)
    window.show()
    for _ in range(5):
        app.processEvents()
    sale = window.sale
    panel = sale.findChild(QWidget, "cartPanel")
    grid = sale.grid
    out: dict[str, list[float]] = {"tap": [], "search": [], "checkout": []}
    assert sale.model.rowCount() >= 5000, sale.model.rowCount()

    for i in range(runs):
        # a few taps, then a checkout
        for k in range(3):
            index = sale.model.index((i * 7 + k * 3) % 40, 0)
            center = grid.visualRect(index).center()
            t0 = time.perf_counter()
            QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=center)
            panel.repaint()
            out["tap"].append((time.perf_counter() - t0) * 1000)
        total = sale.cart.totals().total
        dialog = PaymentDialog(ctx, window, total)
        dialog.show()
        dialog._exact()
        app.processEvents()
        t0 = time.perf_counter()
        QTest.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.payments == [cash(total, total)], dialog.banner.text()
        assert sale.complete(dialog.payments)
        sale.repaint()
        out["checkout"].append((time.perf_counter() - t0) * 1000)
        dialog.deleteLater()
        app.processEvents()

    for word in ("miel", "huile", "tapis", "savon", "argan", "عسل", "produit 12")[: max(3, runs)]:
        sale.search.clear()
        app.processEvents()
        for ch in word:
            t0 = time.perf_counter()
            if ch.isascii():
                QTest.keyClick(sale.search, ch)
            else:
                sale.search.insert(ch)
            grid.viewport().repaint()
            out["search"].append((time.perf_counter() - t0) * 1000)
    window.close()
    ctx.store.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--child", choices=("bare", "app"))
    parser.add_argument("data", nargs="?")
    args = parser.parse_args()
    if args.child == "bare":
        child_bare()
        return 0
    if args.child == "app":
        child_app(args.data)
        return 0
    for package in ("pos", "ui", "sync"):  # as installed (./dev.sh setup): in bytecode
        compileall.compile_dir(ROOT / package, quiet=2)
    with tempfile.TemporaryDirectory() as tmp:
        demo_dir = Path(tmp) / "demo"
        big_dir = Path(tmp) / "big"
        prepare(demo_dir)
        print("building a 5,000-product catalogue…", file=sys.stderr)
        prepare(big_dir, extra_products=5000 - 33)
        time_child(["--child", "bare"])  # warm the file cache
        time_app(demo_dir)
        bare: list[float] = []
        app: list[float] = []
        ready: list[float] = []
        for _ in range(args.starts):  # interleaved, so that load on the machine hits both
            bare.append(time_child(["--child", "bare"]))
            painted, opened = time_app(demo_dir)
            app.append(painted)
            ready.append(opened)
        figures = interactions(big_dir, args.runs)
    ratio = statistics.median(app) / statistics.median(bare)
    rows = [
        ("bare QMainWindow start to paint (ms, median)", statistics.median(bare) * 1000),
        ("app start to sale screen painted (ms, median)", statistics.median(app) * 1000),
        ("app start to store open, sale possible (ms, median)",
         statistics.median(ready) * 1000),
        ("startup ratio", ratio),
        ("tile tap to cart repainted, p95 (ms)", p95(figures["tap"])),
        ("keystroke to tiles repainted, p95 (ms)", p95(figures["search"])),
        ("pay click to ready for next sale, p95 (ms)", p95(figures["checkout"])),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:10.2f}")
    print(f"startup_ratio={ratio:.2f} tap_p95_ms={p95(figures['tap']):.1f} "
          f"search_p95_ms={p95(figures['search']):.1f} "
          f"checkout_p95_ms={p95(figures['checkout']):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
