"""Fonts, colours and the application style sheet: calm surfaces, one strong accent,
large type for the figures a seller reads from a step away."""

from __future__ import annotations

from importlib import resources
from typing import Final

from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication

PRIMARY: Final = "#0f6b5c"
PRIMARY_DARK: Final = "#0b5347"
PRIMARY_LIGHT: Final = "#e3f1ee"
ACCENT: Final = "#c2410c"
DANGER: Final = "#b42318"
DANGER_LIGHT: Final = "#fdecea"
WARNING_LIGHT: Final = "#fff4d6"
OK: Final = "#067647"
INK: Final = "#1d2939"
MUTED: Final = "#667085"
LINE: Final = "#d0d5dd"
SURFACE: Final = "#ffffff"
BACKGROUND: Final = "#f2f4f7"
FAMILIES: Final = ("Noto Sans", "Noto Naskh Arabic", "DejaVu Sans")
#: the arrows of drop-down lists and spin boxes (resources/icons), as style sheet paths
ICONS: Final = str(resources.files("resources") / "icons").replace("\\", "/")

_FONT_FILES: Final = (
    "NotoSans-Regular.ttf", "NotoSans-Bold.ttf",
    "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf",
)
_loaded = False


def load_fonts() -> None:
    """Register the bundled fonts (resources/fonts) once, when they are shipped."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    folder = resources.files("resources") / "fonts"
    for name in _FONT_FILES:
        entry = folder / name
        if entry.is_file():
            QFontDatabase.addApplicationFontFromData(entry.read_bytes())


def ui_font(pixel_size: int = 15, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(list(FAMILIES))
    font.setPixelSize(pixel_size)
    font.setBold(bold)
    return font


def color(name: str) -> QColor:
    return QColor(name)


STYLE_SHEET: Final = f"""
QWidget {{ color: {INK}; }}
QMainWindow, QDialog, #screen {{ background: {BACKGROUND}; }}
QToolTip {{ color: {INK}; background: {SURFACE}; border: 1px solid {LINE}; }}
#navRail {{ background: {PRIMARY_DARK}; }}
#navRail QPushButton {{
    color: #e6f2ef; background: transparent; border: none; border-radius: 10px;
    padding: 4px 4px; font-size: 13px; min-height: 52px;
}}
#navRail QPushButton:hover {{ background: rgba(255,255,255,0.10); }}
#navRail QPushButton:checked {{ background: {SURFACE}; color: {PRIMARY_DARK}; font-weight: bold; }}
QFrame[role="card"] {{ background: {SURFACE}; border: 1px solid {LINE}; border-radius: 12px; }}
QLabel[role="title"] {{ font-size: 22px; font-weight: bold; }}
QLabel[role="subtitle"] {{ font-size: 16px; font-weight: bold; color: {INK}; }}
QLabel[role="muted"] {{ color: {MUTED}; }}
QLabel[role="bigTotal"] {{ font-size: 40px; font-weight: bold; color: {PRIMARY_DARK}; }}
QLabel[role="change"] {{ font-size: 38px; font-weight: bold; color: {OK}; }}
QLabel[role="alert"] {{
    background: {DANGER_LIGHT}; color: {DANGER}; border-radius: 8px; padding: 8px 12px;
    font-weight: bold;
}}
QLabel[role="notice"] {{
    background: {WARNING_LIGHT}; border-radius: 8px; padding: 8px 12px;
}}
QPushButton {{
    background: {SURFACE}; border: 1px solid {LINE}; border-radius: 10px;
    padding: 6px 12px; min-height: 32px; font-size: 15px;
}}
QPushButton:hover {{ border-color: {PRIMARY}; }}
QPushButton:pressed {{ background: {PRIMARY_LIGHT}; }}
QPushButton:disabled {{ color: #98a2b3; background: #f2f4f7; }}
QPushButton:checked {{ background: {PRIMARY_LIGHT}; border: 2px solid {PRIMARY}; }}
QPushButton[role="primary"] {{
    background: {PRIMARY}; color: white; border: none; font-weight: bold;
}}
QPushButton[role="primary"]:hover {{ background: {PRIMARY_DARK}; }}
QPushButton[role="primary"]:disabled {{ background: #98c5bc; }}
QPushButton[role="pay"] {{
    background: {PRIMARY}; color: white; border: none; font-size: 24px; font-weight: bold;
    min-height: 50px; border-radius: 12px;
}}
QPushButton[role="pay"]:hover {{ background: {PRIMARY_DARK}; }}
QPushButton[role="pay"]:disabled {{ background: #98c5bc; }}
QPushButton[role="danger"] {{ color: {DANGER}; border-color: #f4b4ad; }}
QPushButton[role="danger"]:disabled {{ color: #98a2b3; border-color: {LINE}; }}
QPushButton[role="money"] {{
    font-size: 18px; font-weight: bold; min-height: 34px; background: #fbfaf6;
}}
QPushButton[role="key"] {{ font-size: 24px; min-height: 44px; min-width: 64px; }}
QScrollBar:vertical {{ background: transparent; width: 12px; margin: 0; }}
QScrollBar::handle:vertical {{
    background: #c5ccd6; border-radius: 5px; min-height: 40px; margin: 2px;
}}
QScrollBar:horizontal {{ background: transparent; height: 12px; margin: 0; }}
QScrollBar::handle:horizontal {{
    background: #c5ccd6; border-radius: 5px; min-width: 40px; margin: 2px;
}}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
QLineEdit, QSpinBox, QComboBox, QPlainTextEdit, QDoubleSpinBox {{
    background: {SURFACE}; border: 1px solid {LINE}; border-radius: 8px; padding: 6px 10px;
    min-height: 28px; font-size: 15px;
}}
QLineEdit:focus, QSpinBox:focus, QComboBox:focus {{ border: 2px solid {PRIMARY}; }}
QComboBox::drop-down {{
    subcontrol-origin: border; subcontrol-position: center right; width: 34px; border: none;
    background: transparent;
}}
QSpinBox::up-button, QDoubleSpinBox::up-button, QSpinBox::down-button,
QDoubleSpinBox::down-button {{
    subcontrol-origin: border; width: 34px; border: none; background: transparent;
}}
QSpinBox::up-button, QDoubleSpinBox::up-button {{ subcontrol-position: top right; }}
QSpinBox::down-button, QDoubleSpinBox::down-button {{ subcontrol-position: bottom right; }}
QSpinBox::up-button:pressed, QDoubleSpinBox::up-button:pressed, QSpinBox::down-button:pressed,
QDoubleSpinBox::down-button:pressed {{ background: {PRIMARY_LIGHT}; border-radius: 6px; }}
QComboBox::down-arrow, QSpinBox::down-arrow, QDoubleSpinBox::down-arrow {{
    image: url("{ICONS}/arrow-down.svg"); width: 14px; height: 10px;
}}
QSpinBox::up-arrow, QDoubleSpinBox::up-arrow {{
    image: url("{ICONS}/arrow-up.svg"); width: 14px; height: 10px;
}}
QComboBox::down-arrow:disabled, QSpinBox::down-arrow:disabled, QSpinBox::down-arrow:off,
QDoubleSpinBox::down-arrow:disabled, QDoubleSpinBox::down-arrow:off {{
    image: url("{ICONS}/arrow-down-off.svg");
}}
QSpinBox::up-arrow:disabled, QSpinBox::up-arrow:off, QDoubleSpinBox::up-arrow:disabled,
QDoubleSpinBox::up-arrow:off {{ image: url("{ICONS}/arrow-up-off.svg"); }}
QLineEdit[role="search"] {{ font-size: 17px; min-height: 34px; border-radius: 10px; }}
QTabBar::tab {{
    background: transparent; border: none; padding: 10px 16px; margin: 0 2px;
    font-size: 15px; color: {MUTED}; min-height: 24px;
}}
QTabBar::tab:selected {{
    color: {PRIMARY_DARK}; font-weight: bold; border-bottom: 3px solid {PRIMARY};
}}
QListView[role="tiles"] {{ background: transparent; border: none; }}
QTableView, QTableWidget, QListWidget {{
    background: {SURFACE}; border: 1px solid {LINE}; border-radius: 10px;
    gridline-color: #eaecf0; selection-background-color: {PRIMARY_LIGHT};
    selection-color: {INK}; font-size: 15px;
}}
QHeaderView::section {{
    background: #f9fafb; border: none; border-bottom: 1px solid {LINE}; padding: 6px;
    font-weight: bold; color: {MUTED};
}}
QStatusBar {{ background: {SURFACE}; border-top: 1px solid {LINE}; }}
QStatusBar QLabel {{ padding: 2px 10px; font-size: 13px; }}
QStatusBar QLabel[role="ok"] {{ color: {OK}; }}
QStatusBar QLabel[role="bad"] {{ color: {DANGER}; font-weight: bold; }}
QStatusBar QLabel[role="warn"] {{ color: {ACCENT}; font-weight: bold; }}
QGroupBox {{
    background: {SURFACE}; border: 1px solid {LINE}; border-radius: 12px;
    margin-top: 14px; padding: 14px 10px 10px 10px; font-weight: bold;
}}
QGroupBox::title {{ subcontrol-origin: margin; left: 12px; right: 12px; padding: 0 4px; }}
QProgressBar {{ border: 1px solid {LINE}; border-radius: 6px; text-align: center; }}
QProgressBar::chunk {{ background: {PRIMARY}; border-radius: 6px; }}
"""


def apply(app: QGuiApplication) -> None:
    load_fonts()
    app.setFont(ui_font(15))
    if hasattr(app, "setStyleSheet"):
        app.setStyleSheet(STYLE_SHEET)
