"""A market's cooperatives read from a CSV file, as an organiser prepares it in Excel.

One row per cooperative, under a header naming its columns as ``cooperative add`` names
its options (``stand;name_ar;name_fr;sector;province;members``, and optionally
``province_ar``, ``region``, ``women_led``, ``youth_led``) or by their French or Arabic
names (``nom_ar``, ``secteur``, ``membres``, ``القطاع``...), in any order. The file is
UTF-8, with the byte order mark Excel's "CSV UTF-8" writes or without; the fields are
separated by ``;`` (Excel in French or Arabic), ``,`` or tabs. A sector is its code
(``food``) or its name in Arabic, French or English (``Produits alimentaires``); a yes or
no column takes ``oui``/``non``, ``نعم``/``لا``, ``yes``/``no``, ``1``/``0``, ``x`` or
nothing, and Excel's ``VRAI``/``FAUX``. Empty rows are skipped.

:func:`read_cooperatives` checks the whole file before anything is written and raises
:class:`AdminError` naming the first bad row by its line; :func:`add_cooperatives` then
adds them all, or none (the caller's transaction).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from sync.server import admin
from sync.server.i18n import LANGS, Translator
from sync.server.messages import AdminError, InLanguage, listed
from sync.server.models import SECTORS, Cooperative

REQUIRED = ("stand", "name_ar", "name_fr", "sector", "province", "members")
OPTIONAL = ("province_ar", "region", "women_led", "youth_led")
COLUMNS = REQUIRED + OPTIONAL
_YES = {"1", "x", "oui", "o", "yes", "y", "vrai", "true", "نعم"}
_NO = {"", "0", "non", "n", "no", "faux", "false", "لا"}
_DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True)
class Row:
    """A cooperative of the file, checked, and the line it starts on."""

    line: int
    data: admin.CooperativeInput


#: the columns' names as an organiser may write them in French or Arabic, after
#: :func:`_column`'s folding (``Nom AR``, ``Secteur``, ``عدد الأعضاء``)
_NAMED: dict[str, str] = {
    "nom_ar": "name_ar", "nom_arabe": "name_ar", "nom_en_arabe": "name_ar",
    "nom_fr": "name_fr", "nom_français": "name_fr", "nom_francais": "name_fr",
    "nom_en_français": "name_fr", "nom_en_francais": "name_fr",
    "secteur": "sector", "membres": "members", "nombre_de_membres": "members",
    "région": "region", "province_arabe": "province_ar",
    "الرواق": "stand", "الاسم_بالعربية": "name_ar", "الاسم_بالفرنسية": "name_fr",
    "القطاع": "sector", "الإقليم": "province", "الإقليم_بالعربية": "province_ar",
    "عدد_الأعضاء": "members", "الأعضاء": "members", "الجهة": "region",
}


def _column(header: str) -> str:
    """A header as a column's name: ``Name-AR``, ``--name-ar`` and ``name ar`` alike, and
    the French or Arabic names of the columns (``Nom AR``, ``Secteur``, ``القطاع``)."""
    name = header.strip().lstrip("-").strip().lower().replace("-", "_").replace(" ", "_")
    return _NAMED.get(name, name)


def _sectors() -> dict[str, str]:
    """Each sector by its code and by its name in every language, in lower case."""
    names = {code: code for code in SECTORS}
    for lang in LANGS:
        t = Translator(lang)
        names.update({t.sector(code).casefold(): code for code in SECTORS})
    return names


def _yes_no(text: str, column: str) -> bool:
    value = text.strip().casefold()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise AdminError("server.err.csv_yes_no", column=column, text=text)


def _members(text: str) -> int:
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    try:
        return int(value)
    except ValueError:
        raise AdminError("server.err.bad_int", text=text) from None


def _arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def _decoded(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AdminError("server.err.csv_encoding", path=path) from None


def _delimiter(first_line: str) -> str:
    return max(_DELIMITERS, key=first_line.count)


def read_cooperatives(path: Path, raw: bytes, market_id: int) -> list[Row]:
    """The cooperatives ``raw`` (the file ``path``) lists for market ``market_id``, each
    checked as ``cooperative add`` checks it; raises :class:`AdminError` on the first
    problem, the row's line named."""
    text = _decoded(path, raw)
    if not text.strip():
        raise AdminError("server.err.csv_blank", path=path)
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""),
                        delimiter=_delimiter(lines[0] if lines else ""))
    header = next(reader, None)
    names = [_column(h) for h in header or []]
    while names and not names[-1]:  # Excel's empty columns at the right
        names.pop()
    unknown = [h for h in names if h not in COLUMNS]
    if unknown:
        raise AdminError("server.err.csv_column_unknown", path=path, column=unknown[0],
                         columns=", ".join(COLUMNS))
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise AdminError("server.err.csv_columns_missing", path=path,
                         columns=", ".join(missing))
    twice = [c for c in names if names.count(c) > 1]
    if twice:
        raise AdminError("server.err.csv_column_twice", path=path, column=twice[0])
    sectors = _sectors()
    rows: list[Row] = []
    stands: dict[str, int] = {}
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells[len(names):]):
            raise AdminError("server.err.csv_row", path=path, line=line,
                             problem=AdminError("server.err.csv_extra_cells",
                                                columns=len(names)))
        values = dict(zip(names, cells, strict=False))
        if any(v.strip() for v in values.values()):
            try:
                rows.append(Row(line, _cooperative(values, market_id, sectors, stands, line)))
            except AdminError as exc:
                raise AdminError("server.err.csv_row", path=path, line=line,
                                 problem=exc) from None
        line = reader.line_num + 1
    if not rows:
        raise AdminError("server.err.csv_empty", path=path)
    return rows


def _cooperative(values: dict[str, str], market_id: int, sectors: dict[str, str],
                 stands: dict[str, int], line: int) -> admin.CooperativeInput:
    """One row's cooperative, checked; ``stands``: the file's stands so far, by line."""
    sector = values.get("sector", "").strip()
    if sector.casefold() not in sectors:  # the names the file may give, in their language
        raise AdminError("server.err.sector", sector=sector, choices=InLanguage(
            lambda lang: listed(lang, [Translator(lang).sector(code) for code in SECTORS])))
    name_ar = values.get("name_ar", "")
    if "?" in name_ar and not _arabic(name_ar):
        raise AdminError("server.err.csv_arabic_lost", text=name_ar)
    data = admin.check_cooperative(admin.CooperativeInput(
        market_id=market_id, name_ar=name_ar, name_fr=values.get("name_fr", ""),
        sector=sectors[sector.casefold()], province=values.get("province", ""),
        province_ar=values.get("province_ar", "").strip() or None,
        region=values.get("region", "").strip() or None,
        stand=values.get("stand", ""), members=_members(values.get("members", "")),
        women_led=_yes_no(values.get("women_led", ""), "women_led"),
        youth_led=_yes_no(values.get("youth_led", ""), "youth_led"),
    ))
    first = stands.setdefault(admin.stand_key(data.stand), line)
    if first != line:
        raise AdminError("server.err.csv_stand_twice", stand=data.stand, first=first)
    return data


def add_cooperatives(session: Session, path: Path, market_id: int,
                     rows: list[Row]) -> list[Cooperative]:
    """Add the cooperatives :func:`read_cooperatives` read to market ``market_id``; raises
    :class:`AdminError` naming the row of a stand taken there already (the caller's
    transaction, rolled back, then holds none of them)."""
    admin.get_market(session, market_id)
    added = []
    for row in rows:
        try:
            added.append(admin.add_cooperative(session, row.data))
        except AdminError as exc:
            raise AdminError("server.err.csv_row", path=path, line=row.line,
                             problem=exc) from None
    return added
