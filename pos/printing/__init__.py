"""Printing receipts on ESC/POS thermal printers: with :mod:`pos.photos`, the part of ``pos``
that uses QtGui.

- :mod:`pos.printing.render`: a :class:`pos.receipts.Document` drawn into a 1-bit image
  as wide as the paper (the preview, the PNG/PDF copy and what the printer gets);
- :mod:`pos.printing.escpos_out`: that image as ESC/POS raster (``GS v 0``) or column
  (``ESC *``) commands, and the printer connections (USB, network, serial, device file,
  CUPS, Windows);
- :mod:`pos.printing.queue`: the persisted print queue and its worker thread;
- :mod:`pos.printing.address`: the printer's address for each connection, checked
  before it is saved;
- :mod:`pos.printing.a4`: invoices and credit notes on A4 pages, as PDF.

Never imports QtWidgets.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtGui import QGuiApplication


def ensure_gui_app() -> QGuiApplication:
    """The running QGuiApplication, or a new headless one (for command-line tools)."""
    app = QGuiApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and (
            sys.platform.startswith("linux")
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(sys.argv[:1])
    assert isinstance(app, QGuiApplication)
    return app
