"""A market's cooperatives read from a CSV file, as an organiser prepares it in Excel.

One row per cooperative, under a header naming its columns as ``cooperative add`` names
its options (``stand;name_ar;name_fr;sector;province;members``, and optionally
``province_ar``, ``region``, ``women_led``, ``youth_led``) or by their French or Arabic
names (``Nom AR``, ``N° stand``, ``Secteur``, ``القطاع``, ``الإقليم``...), in any order; a
province is put where its letters say (:func:`_provinces`), a region written in Arabic is
the one of the market whose region has that Arabic name (:func:`admin.latin_region`). The
file is UTF-8, with the byte order mark Excel's "CSV UTF-8" writes or without; the fields
are separated by ``;`` (Excel in French or Arabic), ``,`` or tabs. A sector is its code
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
import re
import unicodedata
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


_SEPARATORS = re.compile(r"[\s_\-.()/'’]+")


def _fold(header: str) -> str:
    """A header as it is compared: in lower case, without accents nor hamzas (``Allée``,
    ``allee``; ``الإقليم``, ``الاقليم``), its spaces, dashes, dots, brackets and
    apostrophes one ``_`` (``Name-AR``, ``--name-ar``, ``name ar`` and ``Nom (AR)``
    alike)."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", header)
                   if unicodedata.category(ch) != "Mn")
    return _SEPARATORS.sub("_", bare.casefold()).strip("_")


#: the columns' names as an organiser may write them in French or Arabic, compared as
#: :func:`_fold` writes them (``Nom AR``, ``N° stand``, ``Secteur``, ``عدد الأعضاء``). A
#: province titled in Arabic is its Arabic name, one titled in French its Latin name;
#: :func:`_provinces` puts each cell where its letters say
_NAMED: dict[str, str] = {_fold(title): column for title, column in {
    "N° stand": "stand", "Nº stand": "stand", "No stand": "stand", "Stand N°": "stand",
    "Numéro de stand": "stand", "Numéro du stand": "stand", "Emplacement": "stand",
    "Allée": "stand", "الرواق": "stand", "رقم الرواق": "stand",
    "Nom AR": "name_ar", "Nom arabe": "name_ar", "Nom en arabe": "name_ar",
    "Coopérative AR": "name_ar", "الاسم": "name_ar", "الاسم بالعربية": "name_ar",
    "الاسم العربي": "name_ar", "اسم التعاونية": "name_ar", "التعاونية": "name_ar",
    "Nom": "name_fr", "Nom FR": "name_fr", "Nom français": "name_fr",
    "Nom en français": "name_fr", "Coopérative": "name_fr", "Coopérative FR": "name_fr",
    "Nom de la coopérative": "name_fr", "الاسم بالفرنسية": "name_fr",
    "الاسم الفرنسي": "name_fr", "اسم التعاونية بالفرنسية": "name_fr",
    "Secteur": "sector", "Secteur d'activité": "sector", "Filière": "sector",
    "القطاع": "sector",
    "Province FR": "province", "Province en français": "province",
    "الإقليم بالفرنسية": "province", "الإقليم باللاتينية": "province",
    "Province arabe": "province_ar", "Province en arabe": "province_ar",
    "الإقليم": "province_ar", "الإقليم بالعربية": "province_ar", "العمالة": "province_ar",
    "العمالة أو الإقليم": "province_ar",
    "Région": "region", "الجهة": "region",
    "Membres": "members", "Nombre de membres": "members", "Nb membres": "members",
    "Adhérents": "members", "Nombre d'adhérents": "members",
    "عدد الأعضاء": "members", "الأعضاء": "members", "عدد المنخرطين": "members",
    "Coopérative féminine": "women_led",
    "Dirigée par des femmes": "women_led", "نسائية": "women_led",
    "تعاونية نسائية": "women_led",
    "Coopérative de jeunes": "youth_led",
    "Dirigée par des jeunes": "youth_led", "شبابية": "youth_led",
    "تعاونية شبابية": "youth_led",
}.items()}


def _column(header: str) -> str:
    """A header as a column's name: the name ``cooperative add`` gives it, however it
    is written (:func:`_fold`), or its French or Arabic name (:data:`_NAMED`)."""
    name = _fold(header)
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
    header = next(reader, None) or []
    names = [_column(h) for h in header]
    while names and not names[-1]:  # Excel's empty columns at the right
        names.pop()
    unknown = [h.strip() for h, name in zip(header, names, strict=False)
               if name not in COLUMNS]
    if unknown:
        raise AdminError("server.err.csv_column_unknown", path=path, column=unknown[0],
                         columns=", ".join(COLUMNS))
    missing = [c for c in REQUIRED if c not in names
               and not (c == "province" and "province_ar" in names)]
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
    if "?" in name_ar and not admin.in_arabic(name_ar):
        raise AdminError("server.err.csv_arabic_lost", text=name_ar)
    province, province_ar = _provinces(values.get("province", ""),
                                       values.get("province_ar", ""))
    data = admin.check_cooperative(admin.CooperativeInput(
        market_id=market_id, name_ar=name_ar, name_fr=values.get("name_fr", ""),
        sector=sectors[sector.casefold()], province=province, province_ar=province_ar,
        region=values.get("region", "").strip() or None,
        stand=values.get("stand", ""), members=_members(values.get("members", "")),
        women_led=_yes_no(values.get("women_led", ""), "women_led"),
        youth_led=_yes_no(values.get("youth_led", ""), "youth_led"),
    ))
    first = stands.setdefault(admin.stand_key(data.stand), line)
    if first != line:
        raise AdminError("server.err.csv_stand_twice", stand=data.stand, first=first)
    return data


def _provinces(latin: str, arabic: str) -> tuple[str, str | None]:
    """A row's province, in Latin letters and in Arabic (None when not given), from its
    ``province`` and ``province_ar`` cells, each cell put where its letters say: an
    Arabic sheet writes the province in Arabic under ``الإقليم``, a French one in Latin
    letters under ``Province``, and a sheet may hold one column or both. The Latin name
    is needed (the French pages and files write it)."""
    cells = [cell.strip() for cell in (latin, arabic) if cell.strip()]
    in_arabic = [cell for cell in cells if admin.in_arabic(cell)]
    in_latin = [cell for cell in cells if not admin.in_arabic(cell)]
    if in_arabic and not in_latin:
        raise AdminError("server.err.csv_province_latin", province=in_arabic[0])
    return (in_latin[0] if in_latin else ""), (in_arabic[0] if in_arabic else None)


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
