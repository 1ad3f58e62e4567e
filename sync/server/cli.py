"""``souk-server``: run the organisers' server and administer it.

    souk-server [--data-dir DIR] [--database-url URL] COMMAND ...

The database is ``--database-url``, else ``$SOUK_SERVER_DATABASE_URL``, else an SQLite
file in the data dir. Migrations are applied before any command. Bad input prints one
line on stderr in the organiser's language and exits with status 2, having written
nothing: the arguments and the database URL are checked (and a password or a bundle file
read) before the database is opened, and an SQLite file that a failed command created is
removed again. A database that cannot be reached is one such line too, with status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import getpass
import io
import ipaddress
import json
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError
from sqlalchemy import URL, func, make_url, select
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from pos import usage
from sync.protocol import Bundle, plain_http_allowed
from sync.server import admin, ingest, roster
from sync.server.db import (
    ENV_DATABASE_URL,
    SQLITE_FILE,
    Database,
    default_data_dir,
    resolve_database_url,
)
from sync.server.enrol_sheet import enrol_sheet
from sync.server.i18n import Translator, market_time
from sync.server.messages import (
    LANGUAGES,
    AdminError,
    Field,
    language,
    listed,
    lookup,
    tr,
)
from sync.server.models import SECTORS, Cooperative, Device, Market, User

USAGE_ERROR, FAILED = 2, 1
#: the databases souk-server runs on, as (backend, driver) of their URL
DATABASES = frozenset({("sqlite", "pysqlite"), ("postgresql", "psycopg")})
_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


class CommandError(AdminError):
    """Shown as one line in the organiser's language, exit status 2."""


class Unreachable(AdminError):
    """The database cannot be reached (or made): one line, exit status 1."""


class BadArgument(Exception):
    """A value argparse cannot take; reported like any other bad input."""

    def __init__(self, error: AdminError) -> None:
        super().__init__(error.key)
        self.error = error


def _date(text: str) -> dt.date:
    try:
        return admin.parse_date(text)
    except AdminError as exc:
        raise BadArgument(exc) from None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BadArgument(AdminError("server.err.bad_int", text=text)) from None


def _int_in(low: int, high: int) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high`` (ids fit the databases' integers)."""
    def parse(text: str) -> int:
        value = _int(text)
        if not low <= value <= high:
            raise BadArgument(AdminError("server.err.int_range", text=text, low=low,
                                         high=high))
        return value

    return parse


MAX_ID = 2**31 - 1
_id = _int_in(1, MAX_ID)


#: a decimal comma, as French and Arabic write a fraction (``0,5``, ``٠٫٥``), read as a point
_DECIMAL_POINT = str.maketrans({",": ".", "\u066b": "."})


def _number(text: str) -> float:
    try:
        value = float(text.strip().translate(_DECIMAL_POINT))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BadArgument(AdminError("server.err.bad_number", text=text))
    return value


def _opens(text: str) -> dt.time:
    try:
        return admin.parse_opens(text)
    except AdminError as exc:
        raise BadArgument(exc) from None


def _one_of(choices: Sequence[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise BadArgument(AdminError("server.err.usage_choice", value=text,
                                         choices=", ".join(choices)))
        return text

    return parse


def _sector(text: str) -> str:
    if text not in SECTORS:
        raise BadArgument(AdminError("server.err.sector", sector=text,
                                     choices=", ".join(SECTORS)))
    return text


def usage_error(message: str) -> AdminError:
    """An argparse error message as an :class:`AdminError` (translated)."""
    kind, params = usage.read(message)
    return AdminError("server.err.usage" if kind == "other" else f"server.err.usage_{kind}",
                      **params)


class _Parser(argparse.ArgumentParser):
    """Usage errors raised as :class:`BadArgument`: one line in the organiser's language,
    exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise BadArgument(usage_error(message))


#: the catalogue's message ids of ``souk-server``'s help (:func:`pos.usage.help_keys`)
HELP = "server.help"


def _parser(lang: str = "en") -> argparse.ArgumentParser:
    """``souk-server``'s parser, its help in ``lang`` (``server.help.*``)."""
    p = _Parser(prog="souk-server")
    p.add_argument("--data-dir")
    p.add_argument("--lang", type=_one_of(LANGUAGES), metavar="{ar,fr,en}")
    p.add_argument("--database-url")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = _command(sub, "serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_int_in(1, 65535), default=8700)

    market = _command(sub, "market").add_subparsers(dest="action", required=True)
    add = _command(market, "add")
    add.add_argument("--name-ar", required=True)
    add.add_argument("--name-fr", required=True)
    add.add_argument("--city", required=True)
    add.add_argument("--city-ar")
    add.add_argument("--region", required=True)
    add.add_argument("--region-ar")
    add.add_argument("--starts", type=_date, required=True)
    add.add_argument("--ends", type=_date, required=True)
    add.add_argument("--opens", type=_opens, default=admin.DEFAULT_OPENS, metavar="HH:MM")
    edit = _command(market, "edit")
    edit.add_argument("market", type=_id)
    edit.add_argument("--city-ar")
    edit.add_argument("--region-ar")
    edit.add_argument("--opens", type=_opens, metavar="HH:MM")
    edit.add_argument("--starts", type=_date)
    edit.add_argument("--ends", type=_date)
    _command(market, "list")

    coop = _command(sub, "cooperative").add_subparsers(dest="action", required=True)
    add = _command(coop, "add")
    add.add_argument("--market", type=_id, required=True)
    add.add_argument("--name-ar", required=True)
    add.add_argument("--name-fr", required=True)
    add.add_argument("--sector", required=True, type=_sector,
                     metavar="{" + ",".join(SECTORS) + "}")
    add.add_argument("--province", required=True)
    add.add_argument("--province-ar")
    add.add_argument("--region")
    add.add_argument("--stand", required=True)
    add.add_argument("--members", type=_int, required=True)
    add.add_argument("--women-led", action="store_true")
    add.add_argument("--youth-led", action="store_true")
    edit = _command(coop, "edit")
    edit.add_argument("cooperative", type=_id)
    edit.add_argument("--province-ar")
    edit.add_argument("--region")
    _command(coop, "list")
    move = _command(coop, "move")
    move.add_argument("cooperative", type=_id)
    move.add_argument("--market", type=_id, required=True)
    move.add_argument("--stand")
    move.add_argument("--dry-run", action="store_true")
    imp = _command(coop, "import")
    imp.add_argument("file", type=Path)
    imp.add_argument("--market", type=_id, required=True)

    code = _command(sub, "enrol-code")
    code.add_argument("cooperative", type=_id, nargs="?")
    code.add_argument("--market", type=_id)
    code.add_argument("--not-enrolled", action="store_true")
    code.add_argument("--url")
    code.add_argument("--html", type=Path, metavar="FILE")
    code.add_argument("--days", type=_number, default=admin.DEFAULT_CODE_DAYS)
    code.add_argument("--no-qr", action="store_true")

    device = _command(sub, "device").add_subparsers(dest="action", required=True)
    _command(device, "list")
    revoke = _command(device, "revoke")
    revoke.add_argument("device")
    duplicates = _command(device, "duplicates")
    duplicates.add_argument("--market", type=_id)
    merge = _command(device, "merge")
    merge.add_argument("old", metavar="OLD")
    merge.add_argument("--into", required=True, metavar="NEW")
    merge.add_argument("--dry-run", action="store_true")

    user = _command(sub, "user").add_subparsers(dest="action", required=True)
    add = _command(user, "add")
    add.add_argument("username")
    add.add_argument("--password-stdin", action="store_true")

    imp = _command(sub, "import")
    imp.add_argument("file", type=Path)
    _name_choices(p)
    usage.translate_help(p, partial(lookup, lang), HELP)
    return p


def _name_choices(parser: argparse.ArgumentParser) -> None:
    """Name each command's subcommands by their choices (``{add,edit,list}``), as its help
    writes them, so that one left out is asked for by them, not by the word "action"."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action.metavar = "{" + ",".join(action.choices) + "}"
            for sub in action.choices.values():
                _name_choices(sub)


def _command(sub: argparse._SubParsersAction[_Parser], name: str) -> _Parser:
    """The subcommand ``name``, listed in its parent's help (argparse lists only those
    given a help); its words, ``server.help.<command>``, are put in by :func:`_parser`."""
    return sub.add_parser(name, help="")


# --- checks before the database is opened ------------------------------------------------


def _check(args: argparse.Namespace) -> None:
    """Check what needs no database (reading a password or a bundle file into ``args``);
    raises :class:`AdminError`."""
    action = getattr(args, "action", None)
    if args.command == "market" and action == "add":
        admin.check_market(name_ar=args.name_ar, name_fr=args.name_fr, city=args.city,
                           city_ar=args.city_ar, region=args.region,
                           region_ar=args.region_ar, starts_on=args.starts, ends_on=args.ends,
                           opens=args.opens)
    elif args.command == "market" and action == "edit":
        admin.check_changes(city_ar=args.city_ar, region_ar=args.region_ar, opens=args.opens,
                            starts_on=args.starts, ends_on=args.ends)
        if args.starts and args.ends:
            admin.check_dates(args.starts, args.ends)
    elif args.command == "cooperative" and action == "edit":
        admin.check_changes(province_ar=args.province_ar, region=args.region)
    elif args.command == "cooperative" and action == "move":
        args.stand = admin.check_stand(args.stand)
    elif args.command == "cooperative" and action == "add":
        args.data = admin.check_cooperative(admin.CooperativeInput(
            market_id=args.market, name_ar=args.name_ar, name_fr=args.name_fr,
            sector=args.sector, province=args.province, province_ar=args.province_ar,
            region=args.region,
            stand=args.stand, members=args.members, women_led=args.women_led,
            youth_led=args.youth_led,
        ))
    elif args.command == "cooperative" and action == "import":
        args.rows = roster.read_cooperatives(args.file, _read(args.file), args.market)
    elif args.command == "enrol-code":
        _check_enrol_code(args)
    elif args.command == "device":
        _check_device(args)
    elif args.command == "user" and action == "add":
        args.password = _read_password(args)
        admin.check_user(args.username, args.password)
    elif args.command == "import":
        args.bundle = _read_bundle(args.file)


def _check_device(args: argparse.Namespace) -> None:
    """The device ids typed (``revoke``, ``merge``), read as :func:`admin.find_device`
    looks them up."""
    if args.action == "revoke":
        args.device_id = admin.parse_device_id(args.device)
    elif args.action == "merge":
        args.old_id = admin.parse_device_id(args.old)
        args.new_id = admin.parse_device_id(args.into)


def _check_enrol_code(args: argparse.Namespace) -> None:
    """One cooperative's code, or (``--market``) every stall's of a market, on the terminal
    or (``--html``) as a page to print, which needs the server's address."""
    if (args.cooperative is None) == (args.market is None):
        raise CommandError("server.err.code_whom")
    if args.market is None:
        for option, given in (("--not-enrolled", args.not_enrolled), ("--html", args.html)):
            if given:
                raise CommandError("server.err.code_market_only", option=option)
    if args.url is not None:
        args.url = admin.check_server_url(args.url)
    if args.html is not None:
        if args.url is None:
            raise CommandError("server.err.sheet_url")
        folder = args.html.parent
        if not folder.is_dir():
            raise CommandError("server.err.cannot_write", path=args.html,
                               reason=tr(args.lang, "server.err.no_folder", folder=folder))
    admin.check_code_days(args.days)


#: the reasons a file is not read or written, said in the organiser's language
_OS_REASONS = {errno.ENOENT: "server.os.not_found", errno.EACCES: "server.os.denied",
               errno.EPERM: "server.os.denied", errno.EISDIR: "server.os.folder",
               errno.ENOTDIR: "server.os.not_folder", errno.ENOSPC: "server.os.full"}


def _why(exc: OSError) -> Field | str:
    """Why a file could not be read or written, in the organiser's language when it is a
    usual reason (else as the system says it)."""
    key = _OS_REASONS.get(exc.errno or 0)
    return Field(key) if key else (exc.strerror or str(exc))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError("server.err.cannot_read", path=path, reason=_why(exc)) from None


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(tr(args.lang, "server.out.password") + " ")
    if first != getpass.getpass(tr(args.lang, "server.out.password_again") + " "):
        raise CommandError("server.err.passwords_differ")
    return first


def _read_bundle(path: Path) -> Bundle:
    raw = _read(path)
    try:
        return Bundle.model_validate_json(raw)
    except ValidationError as exc:
        # said as the push API says it (the field of the first problem, how many there
        # are), in the organiser's language: never pydantic's English
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise CommandError("server.err.bundle_not_json", path=path) from None
        where, problems = ingest.first_problem(exc, "bundle")
        raise CommandError("server.err.bundle_invalid", path=path, problems=problems,
                           where=where) from None


# --- commands ----------------------------------------------------------------------------


def _serve(db: Database, args: argparse.Namespace) -> None:
    from sync.server.app import create_app, run

    app = create_app(db)
    with db.read() as s:
        if not s.scalar(select(func.count()).select_from(User)):
            print(tr(args.lang, "server.out.no_login"))
    for line in _serving(args.lang, args.host, args.port):
        print(line)
    sys.stdout.flush()
    run(app, args.host, args.port, log_level="info", server_header=False)


_EVERY_ADDRESS = ("0.0.0.0", "::", "")  # the host that listens on every address


def _serving(lang: str, host: str, port: int) -> list[str]:
    """What ``serve`` says before it serves: where the dashboard is, and the address the
    stalls enrol with, or that only this computer reaches the server."""
    every = host in _EVERY_ADDRESS
    shown = "127.0.0.1" if every else f"[{host}]" if ":" in host else host
    lines = [tr(lang, "server.out.serving", url=f"http://{shown}:{port}/dashboard/")]
    if _loopback(host):
        lines.append(tr(lang, "server.out.serving_local", port=port))
        return lines
    lan = _lan_address() if every else host
    if lan and plain_http_allowed(lan):  # a till sends to another only over https
        url = f"http://[{lan}]:{port}" if ":" in lan else f"http://{lan}:{port}"
        lines.append(tr(lang, "server.out.serving_stalls", url=url))
    return lines


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _lan_address() -> str | None:
    """This computer's address on its network (the one its default route leaves by), as
    the stalls reach it; None without a network. Nothing is sent."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def _both(lang: str, latin: str, arabic: str | None) -> str:
    """A place's name, and its Arabic name beside it when it has one (first in Arabic)."""
    if not arabic:
        return latin
    return f"{arabic} / {latin}" if lang == "ar" else f"{latin} / {arabic}"


def _opening(opens: dt.time) -> str:
    return f"{opens:%H:%M}"


def _market_line(lang: str, m: Market) -> str:
    """A market's details, as ``market add`` and ``market edit`` confirm them."""
    t = Translator(lang)
    return tr(lang, "server.out.market", id=m.id, name_ar=m.name_ar, name_fr=m.name_fr,
              city=_both(lang, m.city, m.city_ar), region=_both(lang, m.region, m.region_ar),
              starts=t.date(m.starts_on), ends=t.date(m.ends_on), opens=_opening(m.opens),
              zone=t.zone)


def _latin_places(lang: str, m: Market) -> list[str]:
    """What the Arabic pages, files and receipts write in Latin letters of a market, its
    city or region given no Arabic name, and the command that gives it one."""
    lines = []
    if not m.city_ar:
        lines.append(tr(lang, "server.out.latin_city", id=m.id, city=m.city))
    if not m.region_ar:
        lines.append(tr(lang, "server.out.latin_region", id=m.id, region=m.region))
    return lines


def _market(db: Database, args: argparse.Namespace) -> None:
    with db.write() as s:
        if args.action == "add":
            m = admin.add_market(s, name_ar=args.name_ar, name_fr=args.name_fr, city=args.city,
                                 city_ar=args.city_ar, region=args.region,
                                 region_ar=args.region_ar, starts_on=args.starts,
                                 ends_on=args.ends, opens=args.opens)
            print("\n".join([_market_line(args.lang, m), *_latin_places(args.lang, m)]))
            return
        if args.action == "edit":
            m = admin.edit_market(s, args.market, city_ar=args.city_ar,
                                  region_ar=args.region_ar, opens=args.opens,
                                  starts_on=args.starts, ends_on=args.ends)
            print("\n".join([_market_line(args.lang, m), *_latin_places(args.lang, m)]))
            return
        from sync.server.queries import list_markets

        t = Translator(args.lang)
        for m in list_markets(s):
            print(f"{m.id}\t{t.date(m.starts_on)}..{t.date(m.ends_on)}\t{m.city}\t{m.name_fr}"
                  f"\t{m.name_ar}"
                  f"\t{m.city_in('ar')}\t{m.region}\t{m.region_in('ar')}\t{_opening(m.opens)}")


def _cooperative_line(lang: str, c: Cooperative) -> str:
    """A cooperative's details, as ``cooperative add`` and ``cooperative edit`` confirm
    them."""
    return tr(lang, "server.out.cooperative", id=c.id, name_ar=c.name_ar, name_fr=c.name_fr,
              stand=c.stand, province=_both(lang, c.province, c.province_ar), region=c.region)


def _latin_provinces(lang: str, coops: Sequence[Cooperative]) -> list[str]:
    """The cooperatives whose province the Arabic pages and files write in Latin letters,
    given no Arabic name, and the command that gives it one."""
    latin = [c for c in coops if not c.province_ar]
    if len(latin) == 1:
        return [tr(lang, "server.out.latin_province", id=latin[0].id,
                   province=latin[0].province)]
    if latin:
        ids = listed(lang, [str(c.id) for c in latin])
        return [tr(lang, "server.out.latin_provinces", ids=ids)]
    return []


def _change_and_say(db: Database, args: argparse.Namespace,
                    change: Callable[[Session, argparse.Namespace], list[str]]) -> None:
    """Make ``change`` in one transaction (``--dry-run``: rolled back) and print what it
    says once it is committed, when the pushes it held go on (see admin.hold_pushes)."""
    said: list[str] = []
    with suppress(_DryRun), db.write() as s:
        said = change(s, args)
        if args.dry_run:
            raise _DryRun
    print("\n".join(said))


def _cooperative(db: Database, args: argparse.Namespace) -> None:
    if args.action == "move":
        _change_and_say(db, args, _move)
        return
    if args.action == "import":
        with db.write() as s:
            added = roster.add_cooperatives(s, args.file, args.market, args.rows)
            lines = [_cooperative_line(args.lang, c) for c in added]
            latin = _latin_provinces(args.lang, added)
        print("\n".join(lines))  # once committed
        print(tr(args.lang, "server.out.cooperatives_imported", count=len(added),
                 market=args.market))
        print("\n".join(latin), end="\n" if latin else "")
        return
    with db.write() as s:
        if args.action in ("add", "edit"):
            c = (admin.add_cooperative(s, args.data) if args.action == "add"
                 else admin.edit_cooperative(s, args.cooperative, province_ar=args.province_ar,
                                             region=args.region))
            print("\n".join([_cooperative_line(args.lang, c), *_latin_provinces(args.lang, [c])]))
            return
        t = Translator(args.lang)
        for c in s.scalars(select(Cooperative).order_by(Cooperative.market_id, Cooperative.id)):
            print(f"{c.id}\t{tr(args.lang, 'server.out.of_market', id=c.market_id)}\t"
                  f"{tr(args.lang, 'server.out.stand', stand=c.stand)}\t{t.sector(c.sector)}\t"
                  f"{c.name_fr}\t{c.name_ar}\t{c.province}\t{c.province_in('ar')}")


class _DryRun(Exception):
    """Raised in a write transaction to roll back what it did (``--dry-run``)."""


def _edition(session: Session, market: Market) -> tuple[int, int]:
    """A market's edition net and tickets, as its dashboard adds them up."""
    from sync.server.queries import day_rows

    days = day_rows(session, market)
    return sum(d["net"] for d in days), sum(d["tickets"] for d in days)


def _move(s: Session, args: argparse.Namespace) -> list[str]:
    """``cooperative move``: the lines that say what was moved, and each market's edition
    before and after (with ``--dry-run``, that nothing was)."""
    lang = args.lang
    t = Translator(lang)
    admin.hold_pushes(s)  # the figures read before are those the move starts from
    coop = admin.get_cooperative(s, args.cooperative)
    markets = [admin.get_market(s, coop.market_id), admin.get_market(s, args.market)]
    before = [_edition(s, m) for m in markets]
    moved = admin.move_cooperative(s, coop.id, args.market, stand=args.stand)
    after = [_edition(s, m) for m in markets]
    c, (source, target) = moved.cooperative, markets
    same_stand = admin.stand_key(c.stand) == admin.stand_key(moved.stand)
    said = "server.out.moved" if same_stand else "server.out.moved_new_stand"
    lines = [
        tr(lang, said, id=c.id, name=c.name_ar if lang == "ar" else c.name_fr,
           source=source.id, target=target.id, stand=c.stand, was=moved.stand),
        tr(lang, "server.out.moved_figures", days=t.count(moved.days),
           devices=t.count(moved.devices), net=t.money(moved.net),
           tickets=t.count(moved.tickets)),
    ]
    for m, (net_before, tickets_before), (net_after, tickets_after) in zip(
            markets, before, after, strict=True):
        lines.append(tr(lang, "server.out.move_market", id=m.id,
                        name=m.name_ar if lang == "ar" else m.name_fr,
                        net_before=t.money(net_before), net_after=t.money(net_after),
                        tickets_before=t.count(tickets_before),
                        tickets_after=t.count(tickets_after)))
    if moved.devices:
        lines.append(tr(lang, "server.out.move_devices", target=target.id))
        if not same_stand:  # the tills are told their stand at their next sync
            lines.append(tr(lang, "server.out.move_stand_tills", was=moved.stand,
                            stand=c.stand))
    if args.dry_run:
        lines.append(tr(lang, "server.out.move_dry_run"))
    return lines


def ascii_qr(text: str) -> str:
    import qrcode

    qr = qrcode.QRCode(border=2)
    qr.add_data(text)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()


def _enrol_code(db: Database, args: argparse.Namespace) -> None:
    if args.market is not None:
        _market_codes(db, args)
        return
    with db.write() as s:
        code, row = admin.issue_enrol_code(s, args.cooperative, days=args.days)
        coop = admin.get_cooperative(s, args.cooperative)
    name = coop.name_ar if args.lang == "ar" else coop.name_fr
    t = Translator(args.lang)
    print(tr(args.lang, "server.out.enrol_code", id=coop.id, name=name,
             until=t.moment(row.expires_at), zone=t.zone))
    if args.url:
        print(tr(args.lang, "server.out.enrol_server", url=args.url))
    print(f"\n    {code}\n")
    if not args.no_qr:
        print(ascii_qr(code))


def _market_codes(db: Database, args: argparse.Namespace) -> None:
    """``enrol-code --market``: a code for each stall of the market, listed by stand, or
    written as a page to print (``--html``; the codes are kept only once it is written)."""
    lang = args.lang
    t = Translator(lang)
    with db.write() as s:
        market = admin.get_market(s, args.market)
        issued = admin.issue_market_codes(s, market.id, args.days,
                                          not_enrolled=args.not_enrolled)
        if args.html is not None:
            _write_private(args.html, enrol_sheet(lang, market, issued, args.url))
        name = market.name_ar if lang == "ar" else market.name_fr
        until = t.moment(issued[0].row.expires_at)
    if args.html is not None:
        print(tr(lang, "server.out.sheet_written", path=args.html, count=len(issued),
                 until=until, zone=t.zone))
        return
    print(tr(lang, "server.out.market_codes", id=args.market, name=name, until=until,
             zone=t.zone))
    if args.url:
        print(tr(lang, "server.out.enrol_server", url=args.url))
    for i in issued:
        c = i.cooperative
        coop = tr(lang, "server.out.of_cooperative", id=c.id,
                  name=c.name_ar if lang == "ar" else c.name_fr)
        print(f"{tr(lang, 'server.out.stand', stand=c.stand)}\t{i.code}\t{coop}")


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only (it holds secrets)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as out:
            os.chmod(fd, 0o600)  # a file it replaces may have been readable by others
            out.write(text)
    except OSError as exc:
        raise CommandError("server.err.cannot_write", path=path, reason=_why(exc)) from None


def _device(db: Database, args: argparse.Namespace) -> None:
    if args.action == "duplicates":
        with db.read() as s:
            lines = _duplicates(s, args.lang, args.market)
        print("\n".join(lines))
        return
    if args.action == "merge":
        _change_and_say(db, args, _merge)
        return
    if args.action == "revoke":
        with db.write() as s:
            revoked_before = admin.find_device(s, args.device_id).revoked_at
            d = admin.revoke_device(s, args.device_id)
        if revoked_before is not None:  # its first revocation stands, as it was
            day = Translator(args.lang).date(market_time(revoked_before).date())
            print(tr(args.lang, "server.out.device_already_revoked", id=d.id, name=d.name,
                     day=day))
            return
        print(tr(args.lang, "server.out.device_revoked", id=d.id, name=d.name))
        print(tr(args.lang, "server.out.device_revoked_next", cooperative=d.cooperative_id))
        return
    lang = args.lang
    t = Translator(lang)
    with db.read() as s:
        for d, c in admin.list_devices(s):
            # the day it was revoked at the market, as the last contact's time is read there
            state = (tr(lang, "server.out.revoked_on",
                        day=t.date(market_time(d.revoked_at).date()))
                     if d.revoked_at else tr(lang, "server.out.active"))
            seen = (tr(lang, "server.out.last_contact_at", when=t.moment(d.last_seen_at),
                       zone=t.zone) if d.last_seen_at
                    else tr(lang, "server.out.last_contact",
                            when=tr(lang, "server.out.never")))
            name = c.name_ar if lang == "ar" else c.name_fr
            refused = ""
            if d.refused_at and (d.last_push_at is None or d.refused_at > d.last_push_at):
                refused = "\t" + tr(lang, "server.out.refused_since",
                                    when=t.moment(d.refused_at), zone=t.zone,
                                    reason=t.refusal(d.refused_key, json.loads(
                                        d.refused_params or "{}")))
            print(f"{d.id}\t{state}\t{tr(lang, 'server.out.of_cooperative', id=c.id, name=name)}"
                  f"\t{d.name}\t{seen}{refused}")


def _short(device_id: object) -> str:
    """A device id as ``device duplicates`` writes it: its first 8 characters, which
    ``device merge`` takes for the whole id (:data:`admin.DEVICE_ID_START`)."""
    return str(device_id)[:8]


def _contact(lang: str, d: Device) -> str:
    """A device's last contact with the server, as ``device list`` says it."""
    t = Translator(lang)
    if d.last_seen_at is None:
        return tr(lang, "server.out.last_contact", when=tr(lang, "server.out.never"))
    return tr(lang, "server.out.last_contact_at", when=t.moment(d.last_seen_at), zone=t.zone)


def _duplicates(s: Session, lang: str, market_id: int | None) -> list[str]:
    """``device duplicates``: each pair of devices of one till, what it counts twice, and
    the command that merges it."""
    t = Translator(lang)
    found = admin.find_duplicates(s, market_id)
    if not found:
        return [tr(lang, "server.out.no_duplicates")]
    lines: list[str] = []
    for pair in found:
        c = pair.cooperative
        lines.append(tr(lang, "server.out.duplicate", id=c.id,
                        name=c.name_ar if lang == "ar" else c.name_fr, stand=c.stand,
                        market=c.market_id, old=_short(pair.old.id), new=_short(pair.new.id)))
        for d in (pair.old, pair.new):
            lines.append(tr(lang, "server.out.duplicate_device", id=_short(d.id), name=d.name,
                            enrolled=t.date(market_time(d.enrolled_at).date()),
                            contact=_contact(lang, d)))
        lines.append(tr(lang, "server.out.duplicate_days", count=t.count(len(pair.days)),
                        days=", ".join(t.date(day) for day in pair.days),
                        net=t.money(pair.net), tickets=t.count(pair.tickets)))
        lines.append(tr(lang, "server.out.duplicate_merge", old=_short(pair.old.id),
                        new=_short(pair.new.id)))
    return lines


def _merge(s: Session, args: argparse.Namespace) -> list[str]:
    """``device merge``: what was merged, and the market's figures before and after (with
    ``--dry-run``, that nothing was)."""
    lang = args.lang
    t = Translator(lang)
    admin.hold_pushes(s)  # the figures read before are those the merge starts from
    admin.device_to_merge(s, args.old_id)  # refused first when unknown
    coop = admin.get_cooperative(s, admin.device_to_merge(s, args.new_id).cooperative_id)
    market = admin.get_market(s, coop.market_id)
    net_before, tickets_before = _edition(s, market)
    merged = admin.merge_devices(s, args.old_id, args.new_id)
    net_after, tickets_after = _edition(s, market)
    old, new = merged.old, merged.new
    lines = [
        tr(lang, "server.out.merged", old=_short(old.id), old_name=old.name,
           new=_short(new.id), new_name=new.name, cooperative=coop.id,
           name=coop.name_ar if lang == "ar" else coop.name_fr),
        tr(lang, "server.out.merged_days", moved=t.count(len(merged.moved)),
           twice=t.count(len(merged.twice)), net=t.money(merged.net),
           tickets=t.count(merged.tickets)),
        tr(lang, "server.out.move_market", id=market.id,
           name=market.name_ar if lang == "ar" else market.name_fr,
           net_before=t.money(net_before), net_after=t.money(net_after),
           tickets_before=t.count(tickets_before), tickets_after=t.count(tickets_after)),
        tr(lang, "server.out.merged_revoked", old=_short(old.id), new=_short(new.id)),
    ]
    if args.dry_run:
        lines.append(tr(lang, "server.out.merge_dry_run"))
    return lines


def _user(db: Database, args: argparse.Namespace) -> None:
    with db.write() as s:
        u = admin.add_user(s, args.username, args.password)
    print(tr(args.lang, "server.out.user_added", name=u.username))


def _import(db: Database, args: argparse.Namespace) -> None:
    with db.write() as s:
        results = ingest.import_bundle(db, s, args.bundle)
    t = Translator(args.lang)
    for r in results:
        print(f"{t.date(r.business_day)}\t{tr(args.lang, f'server.out.import.{r.status}')}\t"
              f"{tr(args.lang, 'server.out.version', version=r.version)}")


COMMANDS: dict[str, Callable[[Database, argparse.Namespace], None]] = {
    "serve": _serve, "market": _market, "cooperative": _cooperative,
    "enrol-code": _enrol_code, "device": _device, "user": _user, "import": _import,
}


def _requested_language(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _fail(lang: str, message: str, status: int = USAGE_ERROR) -> int:
    print(tr(lang, "server.err.prefix", message=message), file=sys.stderr)
    return status


def _shown(text: str) -> str:
    """A database URL, or a driver's message quoting one, with its password hidden."""
    return _PASSWORD.sub(r"\1***@", text)


def check_database_url(text: str) -> URL:
    """The URL of a database souk-server runs on (:data:`DATABASES`), its driver
    installed; raises :class:`CommandError` before anything connects."""
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise CommandError("server.err.database_url", url=_shown(text)) from None
    if (url.get_backend_name(), url.get_driver_name()) not in DATABASES:
        raise CommandError("server.err.database_kind",
                           url=url.render_as_string(hide_password=True))
    try:
        url.get_dialect().import_dbapi()
    except ImportError:
        raise CommandError("server.err.database_driver", driver=url.get_driver_name()) from None
    return url


def _given_url(args: argparse.Namespace) -> URL | None:
    """The database URL given (``--database-url``, else the environment), checked; None
    for the SQLite file in the data dir."""
    text = args.database_url or os.environ.get(ENV_DATABASE_URL)
    return check_database_url(text) if text else None


def _new_sqlite_file(args: argparse.Namespace,
                     url: URL | None) -> tuple[Path | None, Path | None]:
    """(the SQLite file the command will create, the data dir it will create): None for
    what exists already, or is not SQLite."""
    if url is not None:
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None, None
        path = Path(url.database)
        return (None if path.exists() else path), None
    folder = Path(args.data_dir) if args.data_dir else default_data_dir()
    path = folder / SQLITE_FILE
    return (None if path.exists() else path), (None if folder.exists() else folder)


def _remove_new(path: Path | None, folder: Path | None) -> None:
    """Remove the SQLite file (and the data dir) a failed command created."""
    if path is None:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if folder is not None:
        with suppress(OSError):
            folder.rmdir()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = language(_requested_language(argv))
    try:
        args = _parser(lang).parse_args(argv)
    except BadArgument as exc:  # a bad value met while parsing (a date...)
        return _fail(lang, exc.error.message(lang))
    args.lang = lang  # the language of the command's own messages (a password's prompt too)
    try:
        url = _given_url(args)
        _check(args)
    except AdminError as exc:
        return _fail(lang, exc.message(lang))
    new_file, new_folder = _new_sqlite_file(args, url)
    try:
        code = _run(args, lang)
        sys.stdout.flush()
    except BrokenPipeError:  # what reads the output stopped (``list | head``): no traceback
        with suppress(OSError, ValueError):  # nor another when Python flushes it at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return FAILED
    if code != 0:
        _remove_new(new_file, new_folder)
    return code


def _reason(exc: BaseException) -> str:
    """The first line of what the database driver said, password hidden."""
    orig = getattr(exc, "orig", None)
    lines = str(orig if orig is not None else exc).strip().splitlines()
    return _shown(lines[0] if lines else exc.__class__.__name__)


def _open(args: argparse.Namespace) -> Database:
    """The database, reached once; :class:`Unreachable` if it cannot be."""
    try:
        url = resolve_database_url(args.database_url, args.data_dir)
    except OSError as exc:  # the data dir cannot be made
        raise Unreachable("server.err.database_unreachable",
                          url=exc.filename or args.data_dir, reason=exc.strerror) from None
    db = Database.connect(url)
    try:
        with db.engine.connect():
            pass
    except SQLAlchemyError as exc:
        db.dispose()
        password = db.engine.url.password
        reason = _reason(exc)
        raise Unreachable("server.err.database_unreachable",
                          url=db.engine.url.render_as_string(hide_password=True),
                          reason=reason.replace(password, "***") if password else reason,
                          ) from None
    return db


def _run(args: argparse.Namespace, lang: str) -> int:
    """Open the database, migrate it and run the command; the exit status."""
    try:
        db = _open(args)
        try:
            db.migrate()
            COMMANDS[args.command](db, args)
        finally:
            db.dispose()
    except Unreachable as exc:
        return _fail(lang, exc.message(lang), FAILED)
    except AdminError as exc:
        return _fail(lang, exc.message(lang))
    except ingest.IngestError as exc:
        return _fail(lang, exc.message(lang))
    except SQLAlchemyError as exc:
        return _fail(lang, tr(lang, "server.err.database", reason=_reason(exc)), FAILED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
