"""CSV files as a cooperative opens them in a spreadsheet (Excel, LibreOffice, Google
Sheets): the separators of the language, codes kept as text, no cell taken for a formula,
Arabic shown (a byte order mark), and a file written whole or not at all."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from pos import oserrors
from pos.errors import InputError, Ltr
from pos.files import write_whole

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_TEXT: Final = 255  # characters of a text constant in an Excel formula
_TEXT_FORMULA = re.compile(r'="((?:[^"]|"")*)"')


def csv_dialect(lang: str) -> tuple[str, str]:
    """(field separator, decimal point) of a CSV file in ``lang``, as Excel reads it in
    that language: ``;`` and ``,`` in French and Arabic, ``,`` and ``.`` in English (as the
    organisers' exports)."""
    return (",", ".") if lang == "en" else (";", ",")


def code_cell(code: str) -> str:
    """A code (SKU, barcodes, a ticket's number) as a spreadsheet keeps it:
    ``="6111250000017"``.

    A spreadsheet reads a bare 13-digit barcode as the number 6,11125E+12, drops the zeros
    of ``0012`` and takes ``MAR-12`` for a date; a formula that is a text constant shows
    the text as it is, in Excel, LibreOffice and Google Sheets, and saving the sheet again
    as CSV writes the bare code. Excel's text constants stop at 255 characters: a longer
    list of barcodes (never a number) stays bare."""
    if not code or len(code) > _EXCEL_TEXT:
        return text_cell(code)
    return '="' + code.replace('"', '""') + '"'


def text_cell(text: str) -> str:
    """A text cell, behind a ``'`` if a spreadsheet could take it for a formula (a name
    starting with ``=``, ``+``, ``-`` or ``@``), as the organisers' exports write it."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def from_cell(cell: str) -> str:
    """A cell as :func:`code_cell` or :func:`text_cell` wrote it, or as a spreadsheet saved
    it again, back to its text."""
    code = _TEXT_FORMULA.fullmatch(cell.strip())
    if code is not None:
        return code.group(1).replace('""', '"')
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def amount_cell(centimes: int, point: str) -> str:
    """An amount as a spreadsheet reads a number in the file's language: ``-1250,50``."""
    sign = "-" if centimes < 0 else ""
    units, cents = divmod(abs(centimes), 100)
    return f"{sign}{units}{point}{cents:02d}"


def write_csv(path: Path, text: str) -> None:
    """Write the CSV ``text`` to ``path`` with a UTF-8 byte order mark, so that Excel shows
    Arabic, whole or not at all (:func:`pos.files.write_whole`): a file that was there is
    left as it was when the new one cannot be written, and the :class:`InputError` says
    why."""
    try:
        if path.is_dir():
            raise InputError("cli.is_folder", path=str(path))
        if not path.parent.is_dir():
            raise InputError("cli.folder_missing", path=str(path.parent))
        write_whole(path, "\ufeff" + text)
    except OSError as exc:  # a file open in Excel is locked on Windows: it says so too
        # (and a name too long for the file system, which even looking at it is)
        raise InputError("csv.cannot_write", path=Ltr(str(path)),
                         reason=oserrors.reason(exc)) from exc
