"""Draws the demo catalogue's pictures (resources/demo/photos): flat illustrations made
by the project with QPainter, 256x256 PNG. ``python -m ui.demo_photos [DIR]``."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

SIZE = 256
Draw = Callable[[QPainter], None]


def _fill(p: QPainter, colour: str) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))


def background(p: QPainter, colour: str) -> None:
    _fill(p, colour)
    p.drawEllipse(QRectF(16, 16, 224, 224))


def bottle(body: str, liquid: str, cap: str, label: str, *, tall: bool = True) -> Draw:
    def draw(p: QPainter) -> None:
        background(p, "#f3ead8")
        top = 40 if tall else 80
        _fill(p, cap)
        p.drawRoundedRect(QRectF(110, top, 36, 26), 6, 6)
        path = QPainterPath()
        path.moveTo(116, top + 24)
        path.lineTo(140, top + 24)
        path.lineTo(140, top + 52)
        path.cubicTo(176, top + 66, 176, top + 80, 176, 110 if tall else 130)
        path.lineTo(176, 214)
        path.quadTo(176, 222, 168, 222)
        path.lineTo(88, 222)
        path.quadTo(80, 222, 80, 214)
        path.lineTo(80, 110 if tall else 130)
        path.cubicTo(80, top + 80, 80, top + 66, 116, top + 52)
        path.closeSubpath()
        _fill(p, body)
        p.drawPath(path)
        _fill(p, liquid)
        p.drawRoundedRect(QRectF(86, 128 if tall else 146, 84, 88), 6, 6)
        _fill(p, label)
        p.drawRoundedRect(QRectF(92, 150 if tall else 160, 72, 40), 5, 5)
        _fill(p, liquid)
        p.drawEllipse(QRectF(118, 160 if tall else 170, 20, 20))
    return draw


def jar(body: str, lid: str, label: str, *, dots: str = "") -> Draw:
    def draw(p: QPainter) -> None:
        background(p, "#f6efe2")
        _fill(p, lid)
        p.drawRoundedRect(QRectF(74, 56, 108, 30), 8, 8)
        _fill(p, body)
        p.drawRoundedRect(QRectF(64, 82, 128, 140), 26, 26)
        _fill(p, label)
        p.drawRoundedRect(QRectF(78, 126, 100, 54), 8, 8)
        if dots:
            _fill(p, dots)
            for i in range(3):
                p.drawEllipse(QRectF(98 + i * 22, 146, 14, 14))
        _fill(p, "#55ffffff")
        p.drawRoundedRect(QRectF(74, 94, 12, 100), 6, 6)
    return draw


def sack(cloth: str, grain: str, *, grain_size: float = 7) -> Draw:
    def draw(p: QPainter) -> None:
        background(p, "#efe6d2")
        path = QPainterPath()
        path.moveTo(70, 96)
        path.cubicTo(50, 150, 52, 220, 92, 224)
        path.lineTo(164, 224)
        path.cubicTo(204, 220, 206, 150, 186, 96)
        path.closeSubpath()
        _fill(p, cloth)
        p.drawPath(path)
        _fill(p, QColor(cloth).darker(115).name())
        p.drawRoundedRect(QRectF(62, 86, 132, 22), 10, 10)
        _fill(p, grain)
        p.drawEllipse(QRectF(74, 62, 108, 40))
        _fill(p, QColor(grain).darker(120).name())
        for i in range(14):
            x = 86 + (i * 37) % 84
            y = 68 + (i * 17) % 26
            p.drawEllipse(QRectF(x, y, grain_size, grain_size * 0.8))
    return draw


def vial(glass: str, spice: str) -> Draw:
    def draw(p: QPainter) -> None:
        background(p, "#f7ead6")
        _fill(p, "#6b4b2a")
        p.drawRoundedRect(QRectF(100, 52, 56, 30), 6, 6)
        _fill(p, glass)
        p.drawRoundedRect(QRectF(92, 80, 72, 140), 14, 14)
        pen = QPen(QColor(spice), 5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        for i in range(16):
            x = 104 + (i * 23) % 48
            y = 130 + (i * 29) % 80
            p.drawLine(QPointF(x, y), QPointF(x + 6, y - 12))
    return draw


def soap(colour: str) -> Draw:
    def draw(p: QPainter) -> None:
        background(p, "#e8eee6")
        _fill(p, "#c9b38c")
        p.drawEllipse(QRectF(40, 96, 176, 118))
        _fill(p, colour)
        p.drawEllipse(QRectF(70, 104, 116, 82))
        _fill(p, "#40ffffff")
        p.drawEllipse(QRectF(92, 116, 40, 20))
    return draw


def herbs(leaf: str, stem: str, *, tie: str = "#b45309", fine: bool = False) -> Draw:
    def draw(p: QPainter) -> None:
        background(p, "#e9f2e4")
        p.setPen(QPen(QColor(stem), 5))
        for angle in (-24, -12, 0, 12, 24):
            rad = math.radians(angle)
            p.drawLine(QPointF(128, 214), QPointF(128 + 96 * math.sin(rad), 214 - 150))
        _fill(p, leaf)
        for angle in (-24, -12, 0, 12, 24):
            rad = math.radians(angle)
            for k in range(4 if fine else 3):
                d = 70 + k * (24 if fine else 30)
                x = 128 + d * math.sin(rad)
                y = 214 - d * math.cos(rad)
                w = 14 if fine else 26
                p.save()
                p.translate(x, y)
                p.rotate(angle + (30 if k % 2 else -30))
                p.drawEllipse(QRectF(-w / 2, -w, w, w * 2))
                p.restore()
        _fill(p, tie)
        p.drawRoundedRect(QRectF(112, 182, 32, 14), 4, 4)
    return draw


def rug(field: str, accent: str, border: str) -> Draw:
    def draw(p: QPainter) -> None:
        background(p, "#f3e8da")
        _fill(p, border)
        p.drawRect(QRectF(52, 40, 152, 180))
        _fill(p, field)
        p.drawRect(QRectF(62, 50, 132, 160))
        p.setPen(QPen(QColor(accent), 6))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for cy in (90, 130, 170):
            diamond = QPainterPath()
            diamond.moveTo(128, cy - 22)
            diamond.lineTo(160, cy)
            diamond.lineTo(128, cy + 22)
            diamond.lineTo(96, cy)
            diamond.closeSubpath()
            p.drawPath(diamond)
        p.setPen(QPen(QColor(border), 3))
        for x in range(56, 204, 10):
            p.drawLine(QPointF(x, 220), QPointF(x, 232))
            p.drawLine(QPointF(x, 28), QPointF(x, 40))
    return draw


def cushion(cloth: str, thread: str) -> Draw:
    def draw(p: QPainter) -> None:
        background(p, "#f1e9e0")
        path = QPainterPath()
        path.moveTo(48, 64)
        path.quadTo(128, 84, 208, 64)
        path.quadTo(190, 136, 208, 208)
        path.quadTo(128, 188, 48, 208)
        path.quadTo(66, 136, 48, 64)
        _fill(p, cloth)
        p.drawPath(path)
        p.setPen(QPen(QColor(thread), 5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QRectF(96, 104, 64, 64))
        for i in range(8):
            a = math.radians(i * 45)
            p.drawLine(QPointF(128 + 36 * math.cos(a), 136 + 36 * math.sin(a)),
                       QPointF(128 + 52 * math.cos(a), 136 + 52 * math.sin(a)))
    return draw


def tajine(p: QPainter) -> None:
    background(p, "#f4e6d6")
    _fill(p, "#9a3412")
    p.drawEllipse(QRectF(36, 170, 184, 44))
    cone = QPainterPath()
    cone.moveTo(56, 186)
    cone.cubicTo(80, 120, 112, 90, 120, 60)
    cone.lineTo(136, 60)
    cone.cubicTo(144, 90, 176, 120, 200, 186)
    cone.closeSubpath()
    _fill(p, "#c2410c")
    p.drawPath(cone)
    _fill(p, "#fbbf24")
    p.drawEllipse(QRectF(116, 44, 24, 24))
    p.setPen(QPen(QColor("#fde68a"), 4))
    p.drawLine(QPointF(84, 150), QPointF(172, 150))
    p.drawLine(QPointF(100, 120), QPointF(156, 120))


def bowl(p: QPainter) -> None:
    background(p, "#e6eef5")
    path = QPainterPath()
    path.moveTo(40, 110)
    path.lineTo(216, 110)
    path.cubicTo(210, 180, 170, 206, 128, 206)
    path.cubicTo(86, 206, 46, 180, 40, 110)
    _fill(p, "#1e3a8a")
    p.drawPath(path)
    _fill(p, "#93c5fd")
    p.drawEllipse(QRectF(40, 96, 176, 30))
    p.setPen(QPen(QColor("#fbbf24"), 4))
    p.setBrush(Qt.BrushStyle.NoBrush)
    for x in (80, 128, 176):
        p.drawEllipse(QRectF(x - 12, 140, 24, 24))
    _fill(p, "#1e3a8a")
    p.drawRoundedRect(QRectF(100, 204, 56, 12), 4, 4)


def basket(p: QPainter) -> None:
    background(p, "#f3ecd9")
    p.setPen(QPen(QColor("#92400e"), 8))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(72, 46, 112, 120), 0, 180 * 16)
    path = QPainterPath()
    path.moveTo(46, 104)
    path.lineTo(210, 104)
    path.lineTo(190, 214)
    path.lineTo(66, 214)
    path.closeSubpath()
    _fill(p, "#d6a35c")
    p.drawPath(path)
    p.setPen(QPen(QColor("#a16207"), 4))
    for y in range(122, 214, 16):
        p.drawLine(QPointF(52 + (y - 104) * 0.18, y), QPointF(204 - (y - 104) * 0.18, y))
    p.setPen(QPen(QColor("#0f766e"), 6))
    p.drawLine(QPointF(60, 140), QPointF(196, 140))


def hat(p: QPainter) -> None:
    background(p, "#eaf1f4")
    _fill(p, "#d6a35c")
    p.drawEllipse(QRectF(28, 134, 200, 64))
    _fill(p, "#c08a45")
    crown = QPainterPath()
    crown.moveTo(80, 166)
    crown.cubicTo(80, 70, 176, 70, 176, 166)
    crown.closeSubpath()
    p.drawPath(crown)
    _fill(p, "#b91c1c")
    p.drawRect(QRectF(82, 138, 92, 14))
    p.setPen(QPen(QColor("#a16207"), 3))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QRectF(52, 148, 152, 40))


def dates(p: QPainter) -> None:
    background(p, "#f5ebdc")
    _fill(p, "#e7d3b0")
    p.drawEllipse(QRectF(40, 150, 176, 60))
    _fill(p, "#6b2f1a")
    for x, y, a in ((88, 120, -20), (128, 110, 10), (168, 124, 30), (108, 150, 60),
                    (150, 150, -40)):
        p.save()
        p.translate(x, y)
        p.rotate(a)
        p.drawEllipse(QRectF(-18, -34, 36, 68))
        p.restore()


def almonds(p: QPainter) -> None:
    background(p, "#f5ede0")
    _fill(p, "#e7d3b0")
    p.drawEllipse(QRectF(40, 150, 176, 60))
    for i, (x, y, a) in enumerate(((92, 124, -30), (130, 112, 10), (168, 130, 40),
                                   (110, 160, 70), (152, 160, -50), (130, 140, 0))):
        p.save()
        p.translate(x, y)
        p.rotate(a)
        path = QPainterPath()
        path.moveTo(0, -30)
        path.cubicTo(26, -10, 20, 26, 0, 30)
        path.cubicTo(-20, 26, -26, -10, 0, -30)
        _fill(p, "#b7794a" if i % 2 else "#a0623a")
        p.drawPath(path)
        p.restore()


PHOTOS: dict[str, Draw] = {
    "argan-food.png": bottle("#fde68a", "#d97706", "#78350f", "#fffbeb"),
    "argan-cosmetic.png": bottle("#fef3c7", "#f59e0b", "#1f2937", "#ffffff", tall=False),
    "olive-oil.png": bottle("#d9f99d", "#65a30d", "#14532d", "#f7fee7"),
    "rose-oil.png": bottle("#fce7f3", "#db2777", "#831843", "#ffffff", tall=False),
    "rose-water.png": bottle("#fdf2f8", "#f9a8d4", "#9d174d", "#ffffff"),
    "amlou.png": jar("#92400e", "#b45309", "#fef3c7", dots="#d97706"),
    "honey-thyme.png": jar("#d97706", "#7c2d12", "#fef9c3", dots="#65a30d"),
    "honey-euphorbia.png": jar("#b45309", "#1f2937", "#fef3c7", dots="#a16207"),
    "honey-orange.png": jar("#f59e0b", "#ea580c", "#ffffff", dots="#f97316"),
    "honey-bulk.png": jar("#ca8a04", "#78350f", "#fefce8"),
    "ghassoul.png": jar("#a8a29e", "#57534e", "#f5f5f4", dots="#78716c"),
    "henna.png": jar("#4d7c0f", "#365314", "#ecfccb", dots="#84cc16"),
    "black-soap.png": soap("#3f2a1d"),
    "couscous.png": sack("#d6c7a1", "#f5d58a", grain_size=5),
    "cumin.png": sack("#b8a07a", "#a16207", grain_size=8),
    "ras-el-hanout.png": sack("#c2b08a", "#b45309", grain_size=6),
    "saffron.png": vial("#fff7ed", "#b91c1c"),
    "mint.png": herbs("#16a34a", "#15803d"),
    "thyme.png": herbs("#4d7c0f", "#3f6212", fine=True),
    "verbena.png": herbs("#65a30d", "#4d7c0f", tie="#7c3aed"),
    "rug.png": rug("#b91c1c", "#fde68a", "#1f2937"),
    "cushion.png": cushion("#1d4ed8", "#fbbf24"),
    "tajine.png": tajine,
    "bowl.png": bowl,
    "basket.png": basket,
    "hat.png": hat,
    "dates.png": dates,
    "almonds.png": almonds,
}


def render(draw: Draw) -> QImage:
    image = QImage(SIZE, SIZE, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QBrush())
    draw(painter)
    painter.end()
    return image


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication(argv[:1])
    folder = Path(argv[1]) if len(argv) > 1 else Path("resources/demo/photos")
    folder.mkdir(parents=True, exist_ok=True)
    for name, draw in PHOTOS.items():
        render(draw).save(str(folder / name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
