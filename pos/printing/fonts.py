"""The bundled fonts (resources/fonts), registered with Qt once per process.

Receipts are drawn with these faces only, so that they look the same on every laptop:
Noto Sans for French and digits, Noto Naskh Arabic for Arabic (both SIL OFL 1.1).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib import resources
from typing import Final

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QRawFont

LATIN_FAMILY: Final = "Noto Sans"
ARABIC_FAMILY: Final = "Noto Naskh Arabic"
FAMILIES: Final = (LATIN_FAMILY, ARABIC_FAMILY)
FONT_FILES: Final = (
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoNaskhArabic-Regular.ttf",
    "NotoNaskhArabic-Bold.ttf",
)

_lock = threading.Lock()
_loaded: list[str] = []
_raw = threading.local()


def load_fonts() -> tuple[str, ...]:
    """Register the bundled fonts with Qt (idempotent); returns their family names.

    A ``QGuiApplication`` must exist (the stall app's, or one made by
    :func:`pos.printing.ensure_gui_app` in a command-line tool).
    """
    with _lock:
        if _loaded:
            return tuple(_loaded)
        if QGuiApplication.instance() is None:
            raise RuntimeError("a QGuiApplication must exist before fonts are loaded")
        folder = resources.files("resources") / "fonts"
        families: set[str] = set()
        for name in FONT_FILES:
            data = (folder / name).read_bytes()
            font_id = QFontDatabase.addApplicationFontFromData(data)
            if font_id < 0:
                raise RuntimeError(f"Qt could not load the font {name}")
            families.update(QFontDatabase.applicationFontFamilies(font_id))
        missing = set(FAMILIES) - families
        if missing:
            raise RuntimeError(f"bundled fonts lack {sorted(missing)}")
        _loaded.extend(sorted(families))
        return tuple(_loaded)


def receipt_font(pixel_size: int, *, bold: bool = False) -> QFont:
    """The receipt face at ``pixel_size`` dots: Noto Sans (the renderer sets runs of Arabic
    letters in Noto Naskh Arabic, see :func:`pos.printing.render.arabic_format`)."""
    load_fonts()
    font = QFont()
    font.setFamilies(list(FAMILIES))
    font.setPixelSize(pixel_size)
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    # No font merging: a character that neither bundled face has is drawn as the face's
    # empty box (and reported by covers()), never borrowed from a font installed here.
    font.setStyleStrategy(
        QFont.StyleStrategy.PreferAntialias | QFont.StyleStrategy.NoFontMerging
    )
    return font


def _faces() -> tuple[QRawFont, ...]:
    """The bundled font files themselves (no system font stands in for them).

    One set per thread: a ``QRawFont`` belongs to the thread that made it.
    """
    faces: tuple[QRawFont, ...] | None = getattr(_raw, "faces", None)
    if faces is None:
        folder = resources.files("resources") / "fonts"
        faces = tuple(QRawFont((folder / name).read_bytes(), 22) for name in FONT_FILES)
        broken = [name for name, face in zip(FONT_FILES, faces, strict=True) if not face.isValid()]
        if broken:
            raise RuntimeError(f"Qt could not read the fonts {broken}")
        _raw.faces = faces
    return faces


@lru_cache(maxsize=4096)  # the bundled faces never change
def covers(char: str) -> bool:
    """Whether a bundled face has a glyph for ``char`` (spaces and format marks need none).

    Asks the font files, not Qt's font matching, which would answer for any font installed
    on this computer.
    """
    if char.isspace() or char in "\u200e\u200f\u2066\u2067\u2068\u2069\u200c\u200d":
        return True
    load_fonts()
    return any(face.supportsCharacter(ord(char)) for face in _faces())
