"""Draw a :class:`pos.receipts.Document` into a 1-bit image as wide as the paper.

Qt lays the text out (HarfBuzz shapes the Arabic, the bidi algorithm orders mixed
Arabic/Latin/digits), paints it antialiased in grey, and a plain threshold (no dithering)
turns it into the black and white dots a thermal head prints. The resulting
:class:`Raster` is at once the on-screen preview, the PNG/PDF copy and what is sent to
the printer.

Block alignment in documents is logical (``start`` is the right edge of a right-to-left
block); here it becomes absolute (``Qt.AlignAbsolute``) so that Qt never mirrors it again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final

import qrcode
from PIL import Image
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPoint,
    QPointF,
    QRectF,
    QSizeF,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QImageWriter,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextCharFormat,
    QTextLayout,
    QTextLine,
    QTextOption,
)

from pos.files import write_whole
from pos.printing.fonts import ARABIC_FAMILY, covers, receipt_font
from pos.receipts import (
    Align,
    Block,
    Columns,
    Direction,
    Document,
    Picture,
    QrCode,
    Separator,
    Size,
    Spacer,
    Text,
    characters,
    strong_direction,
)

#: Paper widths in printer dots (203 dpi heads): 58 mm rolls, and 80 mm rolls (two kinds).
PAPER_WIDTHS: Final = {"58mm": 384, "80mm": 576, "80mm-512": 512}
DOTS_PER_MM: Final = 8.0
#: Grey level at or below which a pixel is printed black (antialiased edges count as ink a
#: little past half coverage, which keeps thin strokes of small letters whole).
THRESHOLD: Final = 150
SIZES: Final[dict[Size, int]] = {"small": 18, "normal": 21, "large": 26, "huge": 40}
#: the size a label too long beside its value is set in instead (see Renderer._columns)
SMALLER: Final[dict[Size, Size]] = {"normal": "small", "large": "normal"}
MARGIN: Final = 4  # dots left blank at each side (some heads lose their edge dots)
INDENT: Final = 20  # dots per indent step of a Columns block
GAP: Final = 14  # least space between a label and its value
AMOUNT_SAMPLE: Final = "0\u00a0000,00"  # the widest amount a ``near`` row's column expects
ARABIC_SCALE: Final = 1.15  # Arabic letters are set this much larger than Latin ones
ASCENT: Final = 0.9  # share of the font ascent and descent a Latin line keeps (see _settle)
DESCENT: Final = 0.75
LEADING: Final = 2
#: blank dots kept at least between the ink of a line holding Arabic and the ink of the
#: lines above and under it (and the paper's ends)
INK_GAP: Final = 3
#: a dot more, as a glyph's ink may move by up to one when its baseline is put on a dot
_SNAP: Final = 1.0
DASH: Final = 8  # dots of ink of a dashed separator's dash...
DASH_STEP: Final = 12  # ...and from the start of one dash to the next
QR_QUIET: Final = 4  # modules of white above and below a QR code (fed, not sent)
QR_MASK: Final = 0

_WHITE = QColor(255, 255, 255)
_BLACK = QColor(0, 0, 0)


@dataclass(frozen=True)
class Raster:
    """A 1-bit image: rows of ``stride`` bytes, most significant bit first, 1 = black dot."""

    width: int
    height: int
    data: bytes
    missing: frozenset[str] = field(default_factory=frozenset)  # characters without a glyph

    @property
    def stride(self) -> int:
        return (self.width + 7) // 8

    def row(self, y: int) -> bytes:
        return self.data[y * self.stride : (y + 1) * self.stride]

    def to_image(self) -> QImage:
        """The preview: a monochrome QImage (index 0 white, 1 black)."""
        image = QImage(self.data, self.width, self.height, self.stride, QImage.Format.Format_Mono)
        image.setColorTable([_WHITE.rgb(), _BLACK.rgb()])
        return image.copy()  # own the pixels: ``data`` is not kept alive by Qt

    def png_bytes(self) -> bytes:
        """The receipt as a PNG picture, in memory (written by :meth:`save_png`)."""
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QImageWriter(buffer, QByteArray(b"PNG"))
        if not writer.write(self.to_image()):
            raise OSError(writer.errorString())
        return bytes(buffer.data().data())

    def pdf_bytes(self) -> bytes:
        """A one-page PDF the size of the printed paper (for a copy on a phone), in
        memory (written by :meth:`save_pdf`)."""
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(buffer)
        width_mm, height_mm = self.width / DOTS_PER_MM, max(self.height, 1) / DOTS_PER_MM
        size = QPageSize(QSizeF(width_mm, height_mm), QPageSize.Unit.Millimeter, "receipt")
        writer.setPageLayout(
            QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
        )
        writer.setResolution(int(DOTS_PER_MM * 25.4))
        writer.setTitle("receipt")
        painter = QPainter()
        if not painter.begin(writer):
            raise OSError("the PDF could not be made")
        try:
            target = QRectF(0, 0, writer.width(), writer.height())
            painter.drawImage(target, self.to_image())
        finally:
            painter.end()
        return bytes(buffer.data().data())

    def save_png(self, path: str | Path) -> None:
        """Write :meth:`png_bytes` to ``path``, whole or not at all (the OSError raised)."""
        write_whole(Path(path), self.png_bytes())

    def save_pdf(self, path: str | Path) -> None:
        """Write :meth:`pdf_bytes` to ``path``, whole or not at all (the OSError raised)."""
        write_whole(Path(path), self.pdf_bytes())

    def to_pil(self) -> Image.Image:
        """The image for Pillow users (mode ``1``, black on white)."""
        inverted = bytes(b ^ 0xFF for b in self.data)
        return Image.frombytes("1", (self.width, self.height), inverted)


def _flags(align: Align, direction: Direction) -> Qt.AlignmentFlag:
    if align == "center":
        return Qt.AlignmentFlag.AlignHCenter
    at_left = (align == "start") == (direction == "ltr")
    side = Qt.AlignmentFlag.AlignLeft if at_left else Qt.AlignmentFlag.AlignRight
    return side | Qt.AlignmentFlag.AlignAbsolute


def _dashes() -> QBrush:
    """The brush of dashed separators: dashes of DASH dots every DASH_STEP from the left
    margin (the paper's left edge is the brush's origin)."""
    pattern = bytes(0 if (x - MARGIN) % DASH_STEP < DASH else 255 for x in range(DASH_STEP))
    return QBrush(QImage(pattern, DASH_STEP, 1, DASH_STEP, QImage.Format.Format_Grayscale8).copy())


@cache
def _option(align: Align, direction: Direction) -> QTextOption:
    """The text option of paragraphs set this way (``QTextLayout`` keeps a copy)."""
    option = QTextOption(_flags(align, direction))
    option.setTextDirection(
        Qt.LayoutDirection.RightToLeft if direction == "rtl" else Qt.LayoutDirection.LeftToRight
    )
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    return option


_ARABIC_FIRST: Final = "\u0600"
_ARABIC_LETTER: Final = f"[{_ARABIC_FIRST}-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufeff]"
#: A stretch of Arabic letters, with the spaces between them (``\s`` is ``str.isspace``).
_ARABIC_RUN: Final = re.compile(f"{_ARABIC_LETTER}+(?:\\s+{_ARABIC_LETTER}+)*")


def arabic_runs(text: str) -> list[tuple[int, int]]:
    """(start, length) of each stretch of Arabic letters (with the spaces between them)."""
    if not text or max(text) < _ARABIC_FIRST:  # nothing from U+0600 on: most Latin text
        return []
    return [(m.start(), m.end() - m.start()) for m in _ARABIC_RUN.finditer(text)]


def arabic_format(font: QFont) -> QTextCharFormat:
    """The format of Arabic letters beside ``font``'s Latin ones: a little larger, as Naskh
    looks small beside Noto Sans."""
    arabic = QFont(font)
    arabic.setFamilies([ARABIC_FAMILY])
    arabic.setPixelSize(round(font.pixelSize() * ARABIC_SCALE))
    char_format = QTextCharFormat()
    char_format.setFont(arabic)
    return char_format


def _arabic_formats(
    runs: list[tuple[int, int]], char_format: QTextCharFormat
) -> list[QTextLayout.FormatRange]:
    """``char_format`` over each run of Arabic letters."""
    ranges = []
    for start, length in runs:
        fmt = QTextLayout.FormatRange()
        fmt.start, fmt.length, fmt.format = start, length, char_format
        ranges.append(fmt)
    return ranges


def _layout(
    text: str, font: QFont, width: float, direction: Direction, align: Align,
    arabic: QTextCharFormat | None = None,
) -> QTextLayout:  # fmt: skip
    """A paragraph wrapped to ``width`` dots: its lines, not yet put one under the other
    (see :func:`_settle`).

    Arabic letters get ``arabic``, which is ``arabic_format(font)`` (made here if not given).
    """
    layout = QTextLayout(text, font)
    layout.setCacheEnabled(True)  # keep the shaped glyphs for drawing (else shaped again)
    runs = arabic_runs(text)
    if runs:
        if arabic is None:
            arabic = arabic_format(font)
        layout.setFormats(_arabic_formats(runs, arabic))
    layout.setTextOption(_option(align, direction))
    layout.beginLayout()
    line = layout.createLine()
    while line.isValid():
        line.setLineWidth(width)
        line = layout.createLine()
    layout.endLayout()
    return layout


_RUN_FLAGS: Final = (
    QTextLayout.GlyphRunRetrievalFlag.RetrieveGlyphIndexes
    | QTextLayout.GlyphRunRetrievalFlag.RetrieveGlyphPositions
)
_Ink = tuple[float, float] | None  # the top and bottom of some ink from a baseline
#: the ink of each glyph measured so far, by font: (top, bottom) from its origin
_GLYPH_INK: dict[tuple[str, str, float], dict[int, _Ink]] = {}
#: the ink of each line measured so far, by its paragraph, the letters it holds of it, its
#: face and direction: receipts keep repeating the same names and words. Plain keys, no Qt
#: object, as it is shared by the threads that draw receipts.
_LINE_INK: dict[tuple[str, int, int, int, bool, bool], _Ink] = {}
_LINE_INK_MAX: Final = 20_000


def _ink(line: QTextLine) -> _Ink:
    """The top and the bottom of ``line``'s ink from its baseline (negative above it), None
    when it has none: the boxes of its glyphs' outlines where they are set, marks placed
    over and under letters included."""
    baseline = line.y() + line.ascent()
    top = bottom = None
    for run in line.glyphRuns(-1, -1, _RUN_FLAGS):
        raw = run.rawFont()
        font = (raw.familyName(), raw.styleName(), raw.pixelSize())
        glyphs = _GLYPH_INK.get(font)
        if glyphs is None:
            glyphs = _GLYPH_INK[font] = {}
        for glyph, at in zip(run.glyphIndexes(), run.positions(), strict=True):
            if glyph in glyphs:
                ink = glyphs[glyph]
            else:
                box = raw.boundingRect(glyph)
                ink = glyphs[glyph] = None if box.isEmpty() else (box.top(), box.bottom())
            if ink is not None:
                y = at.y() - baseline
                top = y + ink[0] if top is None else min(top, y + ink[0])
                bottom = y + ink[1] if bottom is None else max(bottom, y + ink[1])
    return None if top is None or bottom is None else (top, bottom)


class _Edge:
    """The ink at the top or the bottom of a block's box: whether a line holding Arabic
    makes it, and how far inside the box the ink stays (negative where it overhangs),
    measured when first asked (a Latin line beside Latin ones keeps its spacing unmeasured).
    """

    __slots__ = ("_clear", "_measure", "arabic")

    def __init__(self, arabic: bool, measure: Callable[[], float]) -> None:
        self.arabic = arabic
        self._measure = measure
        self._clear: float | None = None

    @classmethod
    def blank(cls, clear: float) -> _Edge:
        """The edge of a box whose ink (a rule, a code) stays ``clear`` dots inside it."""
        return cls(False, lambda: clear)

    def clear(self) -> float:
        if self._clear is None:
            self._clear = self._measure()
        return self._clear


def _nearest(*edges: tuple[_Edge, float]) -> _Edge:
    """The edge of a box holding boxes whose edges are each some dots inside its own."""
    return _Edge(any(edge.arabic for edge, _ in edges),
                 lambda: min(edge.clear() + inside for edge, inside in edges))  # fmt: skip


def _apart(upper: _Edge, lower: _Edge) -> float:
    """The room to add between two boxes, one on top of the other, for their ink to stay
    INK_GAP blank dots apart when a line holding Arabic is at either side (Latin lines
    keep the room their fonts give them)."""
    if not (upper.arabic or lower.arabic):
        return 0.0
    return max(0.0, INK_GAP + _SNAP - upper.clear() - lower.clear())


@dataclass(frozen=True)
class _Para:
    """A paragraph whose lines are put one under the other, in a box ``height`` high."""

    layout: QTextLayout
    height: float
    baseline: float  # the first line's, from the top of the box
    top: _Edge
    bottom: _Edge


def _settle(layout: QTextLayout, face: _Face) -> _Para:
    """Puts ``layout``'s lines (laid out in ``face``) one under the other, each where it
    was across, and measures the box they take.

    A line of Latin letters is set closer than its font's metrics: its baseline sits
    ``ASCENT`` of its ascent below the top of its box, and the next line starts ``DESCENT``
    of its descent further down, plus ``LEADING``. A line holding Arabic takes the box of
    a line of the face's Latin letters (Naskh's own ascent and descent reserve room for
    marks and descenders few words reach): its ink, which may overhang that box, comes
    no closer than INK_GAP blank dots to the line above; the blocks around it keep their
    distance in the same way (see Renderer.render).
    """
    lines = [layout.lineAt(i) for i in range(layout.lineCount())]
    if not lines:
        return _Para(layout, 0.0, 0.0, _Edge.blank(0.0), _Edge.blank(0.0))
    inks: dict[int, _Ink] = {}

    def ink(i: int) -> _Ink:
        if i not in inks:
            line = lines[i]
            rtl = layout.textOption().textDirection() == Qt.LayoutDirection.RightToLeft
            key = (layout.text(), line.textStart(), line.textLength(), *face.key, rtl)
            try:
                inks[i] = _LINE_INK[key]
            except KeyError:
                if len(_LINE_INK) >= _LINE_INK_MAX:
                    _LINE_INK.clear()
                inks[i] = _LINE_INK[key] = _ink(line)
        return inks[i]

    y = 0.0
    bases: list[float] = []
    arabic: list[bool] = []
    for i, line in enumerate(lines):
        ascent = line.ascent()
        holds_arabic = ascent > face.ascent + 0.5  # Noto Naskh Arabic rises higher
        if holds_arabic:
            above, below = face.above, face.below
        else:
            above, below = ascent * ASCENT, line.descent() * DESCENT + LEADING
        base = y + above
        if i and (holds_arabic or arabic[-1]):
            upper, lower = ink(i - 1), ink(i)
            if upper is not None and lower is not None:
                base = max(base, bases[-1] + upper[1] + INK_GAP + _SNAP - lower[0])
        line.setPosition(QPointF(line.x(), base - ascent))
        bases.append(base)
        arabic.append(holds_arabic)
        y = base + below
    height = y

    def top() -> float:
        first = ink(0)
        return height if first is None else bases[0] + first[0]

    def bottom() -> float:
        last = ink(len(lines) - 1)
        return height if last is None else height - bases[-1] - last[1]

    return _Para(layout, height, bases[0], _Edge(arabic[0], top), _Edge(arabic[-1], bottom))


def _one_line(layout: QTextLayout, room: float) -> QTextLine | None:
    """The layout's line when it has one only, at most ``room`` dots long."""
    if layout.lineCount() != 1:
        return None
    line = layout.lineAt(0)
    return line if line.naturalTextWidth() <= room else None


def _smaller_sizes(size: Size) -> list[Size]:
    """The sizes under ``size`` a label may be set in (:data:`SMALLER`), larger first."""
    sizes: list[Size] = []
    while (smaller := SMALLER.get(size)) is not None:
        sizes.append(smaller)
        size = smaller
    return sizes


def _smaller_rows(size: Size) -> list[tuple[Size, Size]]:
    """(label size, value size) a row of ``size`` tries in turn when its label does not fit
    beside its value: the label a size smaller, then two; then, a value larger than normal
    (a total) a size smaller too, beside its label as large as fits. A value is never set
    smaller than normal."""
    rows = [(label, size) for label in _smaller_sizes(size)]
    value = SMALLER.get(size)
    if value is not None and value != "small":
        rows += [(label, value) for label in (value, *_smaller_sizes(value))]
    return rows


Draw = Callable[[QPainter, float], None]


@dataclass(frozen=True)
class _Row:
    """A two-column row's label and value laid out in some sizes (see Renderer._row)."""

    label: QTextLayout
    label_face: _Face
    label_line: QTextLine | None  # the label's line when it fits beside the value
    value: QTextLayout
    value_face: _Face
    value_line: QTextLine | None
    value_dir: Direction
    value_align: Align
    box: float  # the label's width
    align: Align  # the label's alignment
    label_x: float


@dataclass
class _Item:
    height: float
    draw: Draw
    top: _Edge  # the ink at the top of its box and at the bottom
    bottom: _Edge

    @classmethod
    def blank(cls, height: float, draw: Draw, top: float, bottom: float) -> _Item:
        """An item whose ink stays ``top`` dots under its top, ``bottom`` over its bottom."""
        return cls(height, draw, _Edge.blank(top), _Edge.blank(bottom))


@dataclass(frozen=True)
class _Face:
    """A receipt font and what its blocks keep reusing."""

    font: QFont
    arabic: QTextCharFormat  # arabic_format(font)
    amount_width: float  # the width of the value column of ``near`` rows (AMOUNT_SAMPLE)
    key: tuple[int, bool]  # its size and weight
    ascent: float  # the font's (Latin) ascent...
    above: float  # ...the room a line keeps above its baseline and under it (see _settle)
    below: float

    @classmethod
    def of(cls, font: QFont) -> _Face:
        metrics = QFontMetricsF(font)
        amount_width = metrics.horizontalAdvance(AMOUNT_SAMPLE)
        ascent = metrics.ascent()
        return cls(font, arabic_format(font), amount_width, (font.pixelSize(), font.bold()),
                   ascent, ascent * ASCENT, metrics.descent() * DESCENT + LEADING)  # fmt: skip


class Renderer:
    """Lays documents out for one paper width (in dots)."""

    def __init__(self, width: int = 384, *, threshold: int = THRESHOLD) -> None:
        if width < 96 or width > 2048:
            raise ValueError(f"paper width {width} dots is not a receipt printer's")
        self.width = width
        self.inner = width - 2 * MARGIN
        self.threshold = threshold
        self._faces: dict[tuple[Size, bool], _Face] = {}
        # grey levels as the colours of an indexed image: black to the threshold, then white
        self._levels = [_BLACK.rgb() if v <= threshold else _WHITE.rgb() for v in range(256)]
        # QR module size in dots: 3 (0.375 mm) on 58 mm paper, which phones read easily
        self.module = max(3, round(width / 128))
        self._dashes = _dashes()

    def font(self, size: Size, bold: bool) -> QFont:
        return self._face(size, bold).font

    def _face(self, size: Size, bold: bool) -> _Face:
        key = (size, bold)
        face = self._faces.get(key)
        if face is None:
            face = self._faces[key] = _Face.of(receipt_font(SIZES[size], bold=bold))
        return face

    @property
    def line_height(self) -> float:
        return SIZES["normal"] * 1.36

    # -- blocks -------------------------------------------------------------------------

    def _wrapped(
        self, text: str, size: Size, bold: bool, width: float, direction: Direction,
        align: Align,
    ) -> _Para:  # fmt: skip
        """``text`` laid out ``width`` dots wide, as few lines as it can take without a word
        left alone or letters smaller than the receipts' smallest size.

        A paragraph of ``normal`` size that wraps is set ``small`` (the size of the VAT
        lines) when that takes fewer lines: a long name or footer on 58 mm paper keeps its
        last words with the others, on a shorter receipt. Headings keep their size (the
        cooperative's two names stay alike). A centred paragraph that still wraps is set
        as narrow as its number of lines allows, so that its lines are even and none holds
        a word alone."""
        face = self._face(size, bold)
        layout = _layout(text, face.font, width, direction, align, face.arabic)
        smaller = SMALLER.get(size) if size == "normal" else None
        if layout.lineCount() > 1 and smaller is not None:
            small = self._face(smaller, bold)
            fitted = _layout(text, small.font, width, direction, align, small.arabic)
            if fitted.lineCount() < layout.lineCount():
                face, layout = small, fitted
        lines = layout.lineCount()
        if align != "center" or lines < 2:
            return _settle(layout, face)
        narrow, wide = width / lines, width  # too narrow, wide enough
        while wide - narrow > 4:
            middle = (narrow + wide) / 2
            trial = _layout(text, face.font, middle, direction, align, face.arabic)
            if trial.lineCount() > lines:
                narrow = middle
            else:
                wide, layout = middle, trial
        for i in range(layout.lineCount()):  # centred on the paper, not on the narrow box
            layout.lineAt(i).setPosition(QPointF((width - wide) / 2, 0))
        return _settle(layout, face)

    def _text(self, block: Text) -> _Item:
        pad = 4 if block.inverse else 0
        para = self._wrapped(
            block.text, block.size, block.bold, self.inner - 2 * pad, block.direction,
            block.align,
        )  # fmt: skip
        layout = para.layout
        if not block.inverse:
            return _Item(para.height, lambda p, y: layout.draw(p, QPointF(MARGIN, y)),
                         para.top, para.bottom)  # fmt: skip
        # white letters on black: Arabic marks that overhang the lines' box stay on black
        over = max(pad, INK_GAP - para.top.clear()) if para.top.arabic else pad
        under = max(pad, INK_GAP - para.bottom.clear()) if para.bottom.arabic else pad
        height = over + para.height + under

        def draw(painter: QPainter, y: float) -> None:
            painter.fillRect(QRectF(MARGIN, y, self.inner, height), _BLACK)
            painter.setPen(_WHITE)
            layout.draw(painter, QPointF(MARGIN + pad, y + over))
            painter.setPen(_BLACK)

        return _Item.blank(height, draw, 0.0, 0.0)

    def _columns(self, block: Columns) -> _Item:
        # The value shares the label's line when the whole label fits beside it. A label
        # too long (a bilingual one on 58 mm paper) is set a size smaller, then two, rather
        # than sending the value to a line of its own; when it still does not fit, a value
        # larger than normal (a total) is set a size smaller too (see _smaller_rows).
        # Otherwise the label keeps the row's size and the value goes under it, at the end
        # side.
        values: dict[Size, QTextLayout] = {}
        row = first = self._row(block, block.size, block.size, values)
        if row.label_line is None and row.value_line is not None and block.shrink:
            for label_size, value_size in _smaller_rows(block.size):
                row = self._row(block, label_size, value_size, values)
                if row.label_line is not None:
                    break
            else:
                row = first
        label_line, value_line = row.label_line, row.value_line
        if label_line is None and row.label.lineCount() > 1:  # wraps, the value under it
            label = self._wrapped(block.label, block.size, block.bold, row.box,
                                  block.direction, row.align)  # fmt: skip
        else:
            label = _settle(row.label, row.label_face)
        label_y = value_y = 0.0
        if label_line is not None and value_line is not None:
            # the label's and the value's baselines level; whichever is lower starts the row
            value = _settle(row.value, row.value_face)
            rise = label.baseline - value.baseline
            label_y, value_y = max(0.0, -rise), max(0.0, rise)
            height = max(label_y + label.height, value_y + value.height)
            top = _nearest((label.top, label_y), (value.top, value_y))
            bottom = _nearest((label.bottom, height - label_y - label.height),
                              (value.bottom, height - value_y - value.height))  # fmt: skip
        else:
            if row.value.lineCount() > 1:  # under the label, a long Arabic name
                value = self._wrapped(block.value, block.size, block.bold, self.inner,
                                      row.value_dir, row.value_align)  # fmt: skip
            else:
                value = _settle(row.value, row.value_face)
            value_y = label.height + _apart(label.bottom, value.top)
            height = value_y + value.height
            top, bottom = label.top, value.bottom
        label_x = row.label_x
        label_layout, value_layout = label.layout, value.layout

        def draw(painter: QPainter, y: float) -> None:
            label_layout.draw(painter, QPointF(label_x, y + label_y))
            value_layout.draw(painter, QPointF(MARGIN, y + value_y))

        return _Item(height, draw, top, bottom)

    def _row(
        self, block: Columns, label_size: Size, value_size: Size,
        values: dict[Size, QTextLayout],
    ) -> _Row:  # fmt: skip
        """``block``'s label set in ``label_size`` beside its value in ``value_size``
        (``values`` keeps the value's layouts of each size)."""
        indent = INDENT * block.indent
        ltr = block.direction == "ltr"
        value_dir = strong_direction(block.value)
        # Laid out across the paper in its own direction, every line of it flush with the
        # block's end edge (the right one of a left-to-right block, whatever the value's
        # direction): a long Arabic name wraps with its second line at the same edge.
        value_align: Align = "end" if value_dir == block.direction else "start"
        value_face = self._face(value_size, block.bold)
        if value_size not in values:
            values[value_size] = _layout(block.value, value_face.font, self.inner, value_dir,
                                         value_align, value_face.arabic)  # fmt: skip
        value = values[value_size]
        value_line = value.lineAt(0) if value.lineCount() else None
        value_w = value_line.naturalTextWidth() if value_line is not None else 0.0
        # A ``near`` label ends against the value column (as wide as the widest amount)
        # rather than starting at the edge.
        align: Align
        if block.near:
            column = max(value_w, value_face.amount_width) + GAP
            box, align = self.inner - column, "end"
            label_x = MARGIN + (0 if ltr else column)
        else:
            box, align = self.inner - indent, "start"
            label_x = MARGIN + (indent if ltr else 0)
        room = box - value_w - GAP if not block.near else box
        face = self._face(label_size, block.bold)
        label = _layout(block.label, face.font, box, block.direction, align, face.arabic)
        return _Row(label, face, _one_line(label, room), value, value_face, value_line,
                    value_dir, value_align, box, align, label_x)  # fmt: skip

    def _separator(self, block: Separator) -> _Item:
        def draw(painter: QPainter, y: float) -> None:
            top = y + 6
            if block.style == "dashed":
                painter.fillRect(QRectF(MARGIN, top, self.inner, 2), self._dashes)
                return
            painter.fillRect(QRectF(MARGIN, top, self.inner, 2), _BLACK)
            if block.style == "double":
                painter.fillRect(QRectF(MARGIN, top + 4, self.inner, 2), _BLACK)

        return _Item.blank(18 if block.style == "double" else 14, draw, 6.0, 6.0)

    def _qr(self, block: QrCode) -> _Item:
        # one fixed mask (any of the eight is valid): choosing the best of eight by their
        # penalty scores would cost most of a receipt's rendering time. ``make(fit=True)``
        # picks the smallest version from 1 up that holds the payload (given no version to
        # start from, qrcode would search twice).
        code = qrcode.QRCode(
            version=1, error_correction=qrcode.constants.ERROR_CORRECT_M, border=0,
            mask_pattern=QR_MASK,
        )  # fmt: skip
        code.add_data(block.payload)
        code.make(fit=True)
        matrix: list[list[bool]] = code.get_matrix()
        size = len(matrix) * self.module
        left = (self.width - size) // 2
        quiet = QR_QUIET * self.module

        # The code as a grey image at its printed size (a module is m × m dots), drawn in one
        # go: dark modules black, light ones white like the paper under them.
        m = self.module
        line = (size + 3) // 4 * 4  # QImage rows start on 32-bit boundaries
        pad = bytes(line - size)
        cells = (b"\xff" * m, b"\x00" * m)  # light, dark
        pixels = b"".join((b"".join([cells[dark] for dark in row]) + pad) * m for row in matrix)
        image = QImage(pixels, size, size, line, QImage.Format.Format_Grayscale8).copy()

        def draw(painter: QPainter, y: float) -> None:
            painter.drawImage(QPoint(left, int(y) + quiet), image)

        return _Item.blank(size + 2 * quiet, draw, quiet, quiet)

    def _picture(self, block: Picture) -> _Item | None:
        image = QImage(block.path)
        if image.isNull():
            return None
        box_h = int(block.max_lines * self.line_height)
        scaled = image.scaled(
            self.inner, box_h, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )  # fmt: skip
        if scaled.hasAlphaChannel():
            flat = QImage(scaled.size(), QImage.Format.Format_RGB32)
            flat.fill(_WHITE)
            p = QPainter(flat)
            p.drawImage(0, 0, scaled)
            p.end()
            scaled = flat
        # Pictures are dithered (they have greys); text never is.
        mono = scaled.convertToFormat(
            QImage.Format.Format_Mono, Qt.ImageConversionFlag.DiffuseDither
        ).convertToFormat(QImage.Format.Format_Grayscale8)
        left = (self.width - mono.width()) // 2

        def draw(painter: QPainter, y: float) -> None:
            painter.drawImage(QPointF(left, y + 4), mono)

        return _Item.blank(mono.height() + 8, draw, 4.0, 4.0)

    def _item(self, block: Block) -> _Item | None:
        if isinstance(block, Text):
            return self._text(block)
        if isinstance(block, Columns):
            return self._columns(block)
        if isinstance(block, Separator):
            return self._separator(block)
        if isinstance(block, QrCode):
            return self._qr(block)
        if isinstance(block, Picture):
            return self._picture(block)
        if isinstance(block, Spacer):
            height = block.lines * self.line_height
            return _Item.blank(height, lambda _p, _y: None, height, height)
        raise TypeError(f"unknown block {block!r}")

    # -- document -----------------------------------------------------------------------

    def render(self, document: Document) -> Raster:
        items = [item for block in document.blocks if (item := self._item(block)) is not None]
        # Each item under the one before; where a line holding Arabic meets the next
        # block, their ink kept INK_GAP dots apart (and from the paper's ends).
        y, above = 4.0, _Edge.blank(4.0)  # 4 dots of paper above the first item...
        tops = []
        for item in items:
            y += _apart(above, item.top)
            tops.append(y)
            y += item.height
            above = item.bottom
        height = int(y + 8 + _apart(above, _Edge.blank(8.0)))  # ...and 8 under the last
        canvas = QImage(self.width, height, QImage.Format.Format_Grayscale8)
        canvas.fill(_WHITE)
        painter = QPainter(canvas)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setPen(_BLACK)
        for item, top in zip(items, tops, strict=True):
            item.draw(painter, top)
        painter.end()
        # The threshold: Qt reads the grey pixels in place as indices into ``_levels`` and
        # converts that image to 1 bit per pixel (1 = black), rows padded to 32 bits.
        levels = QImage(
            canvas.constBits(), self.width, height, canvas.bytesPerLine(),
            QImage.Format.Format_Indexed8,
        )  # fmt: skip
        levels.setColorTable(self._levels)
        mono = levels.convertToFormat(
            QImage.Format.Format_Mono, Qt.ImageConversionFlag.ThresholdDither
        )
        bits = bytes(mono.constBits())
        stride, line = (self.width + 7) // 8, mono.bytesPerLine()
        if line != stride:
            bits = b"".join([bits[i : i + stride] for i in range(0, line * height, line)])
        missing = frozenset(c for c in characters(document) if not covers(c))
        return Raster(self.width, height, bits, missing)


def render(document: Document, width: int = 384) -> Raster:
    """``document`` drawn for paper ``width`` dots wide."""
    return Renderer(width).render(document)


def preview(document: Document, width: int = 384) -> QImage:
    """The on-screen preview: exactly the dots the printer will print."""
    return render(document, width).to_image()
