"""The products' photos: a picture file read, turned as the camera held it and made small,
kept beside the database under a name made from the product's SKU (the product dialog, a
CSV import), and found again by that name (the tiles). Backups carry the folder they are
kept in (:data:`PHOTOS`).

QtGui reads and writes the pictures (it needs no QGuiApplication); never QtWidgets. It is
imported by the functions that need it: the backups and the command line name the photos'
folder without loading Qt, and the till's first paint finds its tiles' photos without
loading the database's modules."""

from __future__ import annotations

import os
import re
import uuid
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Final

from pos import oserrors
from pos.errors import InputError, Ltr

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

#: the folder of the catalogue's photos, beside the database (backups carry it)
PHOTOS: Final = "photos"

#: the longest side of a product's photo as kept beside the database: a tile shows it
#: 92 px wide, and a phone's photo of several megabytes would go whole into every backup
SIDE: Final = 480
#: what a photo's file name, made from the product's SKU, does without (folders' slashes,
#: what Windows refuses, letters other than ASCII)
_NOT_IN_FILE_NAMES = re.compile(r"[^0-9A-Za-z_-]+")


def read_picture(path: Path, side: int) -> QImage:
    """The picture at ``path`` turned as the camera held it (a phone's photo says so in its
    EXIF data) and no larger than ``side`` pixels either way: a phone's 4000-pixel JPEG is
    decoded at a fraction of its size from the start, never whole. A null image when the
    file is no picture Qt can read."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImageReader

    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()  # as stored, before it is turned: the reader scales it first
    if size.isValid() and max(size.width(), size.height()) > side:
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if max(image.width(), image.height()) > side:
        image = image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


def cut_short(path: Path) -> bool:
    """Whether the picture file at ``path`` stops before its image ends: a JPEG or PNG
    copied in part (a USB stick pulled out, a download stopped), whose header is right,
    and which Qt would read all the same, the rest of the image grey. Pillow reads the
    image through to its end (a JPEG at an eighth of its size, which is quick) and says
    so. False for a file it does not know, or one that cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.draft("RGB", (image.width // 8, image.height // 8))  # JPEG only
            image.load()
    except (UnidentifiedImageError, FileNotFoundError, PermissionError):
        return False
    except (OSError, SyntaxError, ValueError):  # "image file is truncated", a bad chunk
        return True
    return False


def demo_photo(name: str) -> Traversable:
    """A demo product's picture, shipped in resources/demo/photos."""
    return resources.files("resources") / "demo" / PHOTOS / name


def find(name: str, data_dir: Path | None) -> Path | None:
    """The file of the photo a product names: a file's path, a photo kept in the data
    folder ``data_dir``, or one of the demo catalogue's; None when there is none."""
    if not name:
        return None
    candidate = Path(name)
    if candidate.is_absolute():
        return candidate if candidate.is_file() else None
    if data_dir is not None:
        local = data_dir / PHOTOS / name
        if local.is_file():
            return local
    shipped = demo_photo(name)
    return Path(str(shipped)) if shipped.is_file() else None


def keep(image: QImage, sku: str, data_dir: Path, current: str = "") -> Path:
    """Keep ``image`` as the photo of the product ``sku`` next to the database (backups
    carry it) under a name of its own, whole or not at all: a photo kept before, this
    product's or another's, is never written over (a product saved with it refers to it,
    one not saved leaves it unused). The product's ``current`` photo is kept as it is when
    it is this very picture (a file imported again), never copied once more. Its file,
    whose name the product keeps; :class:`InputError` if it cannot be written."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImageWriter

    folder = data_dir / PHOTOS
    kind = "png" if image.hasAlphaChannel() else "jpg"  # a cut-out keeps its transparency
    encoded = QByteArray()
    buffer = QBuffer(encoded)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, kind.encode())
    if kind == "jpg":
        writer.setQuality(85)
    written = writer.write(image)
    data = bytes(encoded.data())
    if written and current and Path(current).name == current and _holds(folder / current, data):
        return folder / current
    stem = _NOT_IN_FILE_NAMES.sub("-", sku.strip()).strip("-") or "product"
    target = folder / f"{stem}-{uuid.uuid4().hex[:8]}.{kind}"
    partial = target.with_name(target.name + ".partial")
    try:
        if not written:
            raise OSError(str(partial))
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError("product.photo_cannot_write", path=Ltr(str(target)),
                         reason=oserrors.reason(exc)) from exc
    return target


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file ``path`` holds ``data``."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def named_in_file(photo: str, folder: Path, data_dir: Path) -> Path | None:
    """The picture file a CSV file's ``photo`` cell names, to be kept beside the database
    (:func:`keep`) as the product dialog keeps a photo chosen: a path on this computer, or
    one from the file's own ``folder`` (``photos/miel.jpg``, the photos beside the file;
    backslashes read as folders, as Windows writes them). None for no photo, or for the
    name of a photo kept already (what an export writes) or of a demo one: the product
    keeps that name. :class:`InputError` when it names no file, a file that is no
    picture, or one cut short (:func:`cut_short`)."""
    if not photo:
        return None
    plain = "/" not in photo and "\\" not in photo  # a kept photo's name, or a file's
    if plain and (data_dir / PHOTOS / photo).is_file():
        return None
    path = folder / (photo if os.sep == "\\" else photo.replace("\\", "/"))
    if not path.is_file():
        if plain and demo_photo(photo).is_file():
            return None
        raise InputError("csv.photo_missing", photo=Ltr(photo))
    from PySide6.QtGui import QImageReader

    if not QImageReader(str(path)).canRead():
        raise InputError("csv.photo_not_picture", photo=Ltr(photo))
    if cut_short(path):
        raise InputError("csv.photo_damaged", photo=Ltr(photo))
    return path
