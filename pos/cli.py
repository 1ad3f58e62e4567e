"""``souk-pos`` commands that need no screen: init, users, products, demo-sales, report,
invoice, verify, backup, restore.

The ``souk-pos`` entry point (``ui.main``) adds the app itself, ``screenshots`` and
``sync`` to the parser built here. Bad input to any command prints one clear line in the
user's language and exits with code 2, having written nothing; so does a command that
reads or writes a stall's data run on a folder that holds no stall (only ``init``,
``demo-sales``, ``restore`` and the app make one). Ctrl+C stops a command with one line
saying what it leaves (:func:`run`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import json
import math
import os
import re
import sqlite3
import sys
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Final, NoReturn

from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from pos import (
    backup,
    catalogue,
    day,
    demo,
    folder_lock,
    invoices,
    journal,
    oserrors,
    receipts,
    sales_export,
    settings,
    usage,
    users,
    witness,
)
from pos.db import DamagedDatabase, NoDatabase, Store
from pos.errors import InputError, Ltr, RuleError, SoukError
from pos.files import DB_FILENAME, ctrl_c_held, default_data_dir, saved_language, write_partial
from pos.i18n import LANGUAGES, lookup, ltr, tr, tr_count
from pos.journal import verify
from pos.models import Sale
from pos.money import format_money
from pos.reports import DayReport, day_report

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: a command stopped with Ctrl+C, as a shell says a program ended by SIGINT (128 + 2)
EXIT_STOPPED: Final = 130
#: the catalogue's message ids of ``souk-pos``'s help (:func:`pos.usage.help_keys`)
HELP: Final = "cli.help"
#: the manager ``init --manager-pin`` adds when no ``--manager-name`` is given
DEFAULT_MANAGER_NAME: Final = "Manager"


@dataclass
class Context:
    """What every command gets: where the data is, the language, the open store."""

    data_dir: Path
    lang: str
    _store: Store | None = field(default=None, repr=False)

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def store(self) -> Store:
        """The database, created if there is none yet: for the commands that make a stall
        (``init``, ``demo-sales``); the others use :attr:`existing_store`."""
        if self._store is None:
            self._store = self._open(create=True)
        return self._store

    @property
    def existing_store(self) -> Store:
        """The database of the stall made in :attr:`data_dir`, for the commands that read
        or write a stall's data but do not make one: NoDatabase, with nothing created (no
        file, no folder), when the folder holds no stall (a mistyped ``--data-dir``, the
        wrong user's folder), rather than a new empty stall the real till never sees."""
        if self._store is None:
            if not self.holds_stall():
                raise NoDatabase("db.missing", path=Ltr(str(self.data_dir)))
            self._store = self._open(create=False)
        return self._store

    def holds_stall(self) -> bool:
        """Whether the data folder holds a stall's database: not an empty file such as
        ``sqlite3`` leaves where it is asked to open one, with no log beside it."""
        try:
            size = self.db_path.stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            return False
        return size > 0 or Path(f"{self.db_path}-wal").exists()

    def _open(self, *, create: bool) -> Store:
        """The store; a folder that cannot be made or opened (``--data-dir`` somewhere
        this user may not write, or under a file) is said with the system's reason."""
        try:
            return Store.open(self.db_path, create=create)
        except OSError as exc:
            raise InputError("db.unusable", path=str(self.db_path),
                             reason=oserrors.reason(exc)) from exc

    def t(self, key: str, /, **params: object) -> str:
        return tr(self.lang, key, **params)

    def say(self, text: str) -> None:
        print(text)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


Command = Callable[[Context, argparse.Namespace], int]


class Stopped(KeyboardInterrupt):
    """Ctrl+C, as a command says what it leaves: the message id ``key`` (:func:`run`)."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


#: what a command stopped with Ctrl+C leaves, said by :func:`run`: its parser's default
#: ``stopped`` (else ``cli.stopped``, only that it was stopped)
NOTHING_WRITTEN: Final = "cli.stopped_nothing"
#: a command stopped once all it does was done: Ctrl+C held off (:func:`ctrl_c_held`)
ALL_DONE: Final = "cli.stopped_all_done"
#: a command stopped once the file ``{path}`` was written whole
STOPPED_WRITTEN: Final = "cli.stopped_written"


def file_state(path: Path) -> tuple[int, int, int] | None:
    """What tells whether the file ``path`` was written since (a file written whole takes
    its name by a rename: a new inode); None when there is none."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns


class UsageError(InputError):
    """A command line argparse refuses, said in the user's language by :func:`run`;
    ``prog`` names the command it was given to (``souk-pos report z``)."""

    def __init__(self, prog: str, key: str, /, **params: object) -> None:
        super().__init__(key, **params)
        self.prog = prog


def usage_error(prog: str, message: str) -> UsageError:
    """argparse's English ``message`` as a translated :class:`UsageError`."""
    kind, params = usage.read(message)
    name = params.get("name", "")
    action = _ACTIONS.fullmatch(params.get("names", ""))
    if kind == "required" and action:  # ``report`` alone: say which ones it takes
        return UsageError(prog, "cli.usage_action", choices=action[1].replace(",", ", "))
    if kind == "choice" and name == "--lang":
        return UsageError(prog, "cli.unknown_language", value=params["value"])
    if kind == "choice" and not name.startswith("-"):  # a command or an action
        return UsageError(prog, "cli.usage_command", value=params["value"],
                          choices=params["choices"])
    if kind == "other":
        return UsageError(prog, "cli.usage", text=message)
    return UsageError(prog, f"cli.usage_{kind}", **params)


#: a subcommand's actions as argparse names them when none is given: ``{x,z}``
_ACTIONS: Final = re.compile(r"\{([^{}]+)\}")


def _name_positionals(parser: argparse.ArgumentParser) -> None:
    """Give each argument typed without an option (``reset-pin NAME``) of ``parser`` and its
    subcommands a name in capitals, as the README writes them, where it has none: argparse
    would show its ``dest`` (``name``, ``server_url``) in the help and in usage errors."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _name_positionals(sub)
        elif not action.option_strings and action.metavar is None and action.choices is None:
            action.metavar = action.dest.upper()


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are raised as :class:`UsageError`: :func:`run` prints
    them in one line in the user's language and exits with 2."""

    def error(self, message: str) -> NoReturn:
        raise usage_error(self.prog, message)


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise InputError("cli.bad_number", text=text, low=low, high=high)
        return value

    return parse


def seconds_up_to(high: float) -> Callable[[str], float]:
    """An argument type: a number of seconds, more than 0 and at most ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not 0 < value <= high:  # NaN and infinities too
            raise InputError("cli.bad_seconds", text=text, high=high)
        return value

    return parse


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError("cli.bad_date", text=text) from exc


def _z_label(text: str) -> str:
    """A Z number as the report prints it (``8``, or ``R2-8`` after a restore)."""
    if journal.z_label_parts(text) is None:
        raise InputError("cli.bad_z", text=text)
    return text


def _existing_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise InputError("cli.file_missing", path=text)
    return path


# --- commands --------------------------------------------------------------------------


def cmd_init(ctx: Context, args: argparse.Namespace) -> int:
    """Create the stall's database, or add to one what it lacks, and say what was done.

    A stall that already has a manager refuses ``--manager-pin`` (its PIN is changed in
    Settings → Users), having written nothing. ``--lang`` says this command's messages: it
    becomes the stall's language only when the stall has none yet (a new database), and
    never replaces the one chosen in the app.
    """
    # checked before the database file is made
    prefix = settings.check_prefix(args.prefix) if args.prefix is not None else None
    if args.manager_name is not None and args.manager_pin is None:
        raise InputError("cli.init_name_without_pin")  # a name alone would be dropped
    name = DEFAULT_MANAGER_NAME if args.manager_name is None else args.manager_name
    if args.manager_pin is not None:
        users.normalise_pin(args.manager_pin)
        users.plain_name(name)
    existed = ctx.db_path.exists()
    done: list[str] = []
    with ctx.store.write() as s:
        if args.manager_pin is not None and users.has_manager(s):
            raise InputError("cli.init_has_manager")
        settings.device_id(s)
        if prefix is not None and prefix != settings.device_prefix(s):
            settings.put(s, settings.DEVICE_PREFIX, prefix)
            done.append(ctx.t("cli.init_prefix", prefix=prefix))
        if settings.get(s, settings.LANGUAGE) is None:
            settings.put(s, settings.LANGUAGE, ctx.lang)
        if args.manager_pin is not None:
            users.add_user(s, name, users.MANAGER, args.manager_pin)
            done.append(ctx.t("cli.init_manager", name=name.strip()))
        if args.demo:
            done.append(_load_demo(ctx, s))
    if existed:
        ctx.say(ctx.t("cli.init_existing", path=ctx.db_path))
        done = done or [ctx.t("cli.init_nothing")]
    else:
        ctx.say(ctx.t("cli.initialised", path=ctx.db_path))
    for line in done:
        ctx.say(line)
    return EXIT_OK


def cmd_users_reset_pin(ctx: Context, args: argparse.Namespace) -> int:
    """Give the active manager ``args.name`` a new PIN, on the till's own computer: the way
    back for a manager who forgot theirs with no other manager to give a new one. The PIN
    is ``--pin`` (for scripts) or asked twice on the terminal, not shown; the same rules as
    the app's. Refused while the app runs on the folder: said before the PIN is asked, and
    the folder is held as the app's only while the PIN is saved, so that a cashier who
    starts the app while the manager types it is not told it is already open. An app
    opened meanwhile is refused with nothing written. The journal records the change,
    made from the command line; the PIN is kept hashed and never said."""
    pin = users.normalise_pin(args.pin) if args.pin is not None else None
    with ctx.existing_store.read() as s:  # a folder with no stall says so
        name = users.active_manager(s, args.name).name
    _refuse_while_app_open(ctx)
    if pin is None:
        ctx.close()  # nothing held while the manager types
        try:
            with warnings.catch_warnings():  # no terminal: the PIN would not be hidden
                warnings.simplefilter("error", getpass.GetPassWarning)
                typed = getpass.getpass(ctx.t("cli.reset_pin_ask", name=name))
                again = getpass.getpass(ctx.t("cli.reset_pin_again"))
        except getpass.GetPassWarning as exc:
            raise InputError("cli.reset_pin_no_terminal") from exc
        except (EOFError, KeyboardInterrupt) as exc:
            raise InputError("cli.reset_pin_stopped") from exc
        pin = users.confirmed_pin(typed, again)
    app = folder_lock.alone(ctx.data_dir, folder_lock.APP_LOCK_FILENAME)
    if app is None:  # the app was started while the PIN was typed
        raise RuleError("cli.app_opened_meanwhile", path=str(ctx.data_dir))
    with app, ctx.existing_store.write() as s:  # the manager as they are now
        users.set_pin(users.active_manager(s, args.name), pin,
                      done_from=users.FROM_COMMAND_LINE)
    ctx.say(ctx.t("cli.reset_pin_done", name=name))
    return EXIT_OK


def _refuse_while_app_open(ctx: Context) -> None:
    """RuleError ``cli.app_open`` while the app runs on the data folder (it holds
    :data:`pos.folder_lock.APP_LOCK_FILENAME`); the folder is not held after."""
    app = folder_lock.alone(ctx.data_dir, folder_lock.APP_LOCK_FILENAME)
    if app is None:
        raise RuleError("cli.app_open", path=str(ctx.data_dir))
    app.release()


def _load_demo(ctx: Context, session: Session) -> str:
    """Load the demo catalogue (and the demo staff on a stall with no manager) into a stall
    with no products; what was done, or why not."""
    if catalogue.all_products(session, include_inactive=True):
        return ctx.t("cli.init_demo_skipped")
    demo.load_catalogue(session, done_from=users.FROM_COMMAND_LINE)
    if not users.has_manager(session):  # the demo staff only on a stall with no manager
        demo.ensure_demo_users(session)
    return ctx.t("cli.init_demo")


class _Progress:
    """``Checking photos: 120/300`` on the terminal, written again in place as it goes;
    nothing when standard error is no terminal (a script's log, a pipe)."""

    def __init__(self, ctx: Context, key: str) -> None:
        self.ctx, self.key, self.width = ctx, key, 0
        self.shown = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.shown:
            text = self.ctx.t(self.key, done=done, total=total)
            print(f"\r{text}{' ' * (self.width - len(text))}", end="", file=sys.stderr,
                  flush=True)
            self.width = max(self.width, len(text))

    def clear(self) -> None:
        """Take the line away, for what is said next."""
        if self.width:
            print(f"\r{' ' * self.width}\r", end="", file=sys.stderr, flush=True)
            self.width = 0


def cmd_products_import(ctx: Context, args: argparse.Namespace) -> int:
    """Import the catalogue ``args.file`` into the stall, every row read and checked before
    the transaction opens, its stock moves said made from the command line (no user signs
    them). A folder with no stall is refused before the file is read."""
    store = ctx.existing_store
    progress = _Progress(ctx, "cli.checking_photos")
    try:
        file = catalogue.read_csv(args.file, ctx.data_dir, progress)
    finally:
        progress.clear()
    with store.write() as s:
        imported = catalogue.save_file(s, file, done_from=users.FROM_COMMAND_LINE)
    ctx.say(imported.text(ctx.lang))
    return EXIT_OK


def cmd_products_export(ctx: Context, args: argparse.Namespace) -> int:
    """Write the catalogue to ``args.file`` (:func:`pos.catalogue.export_file`). Stopped
    with Ctrl+C, the line says what was done, as it is on the disk: no file (one there is
    as it was), the file whole (never a part) before the till noted the stock it gives,
    or both."""
    store = ctx.existing_store
    before = file_state(args.file), _export_noted(store)
    try:
        count = catalogue.export_file(store, args.file, ctx.lang)
        ctx.say(tr_count(ctx.lang, "cli.exported", count, path=args.file))
    except KeyboardInterrupt:
        if file_state(args.file) == before[0]:
            raise Stopped(NOTHING_WRITTEN) from None
        path = ltr(str(args.file), ctx.lang)
        if _export_noted(store) == before[1]:  # its import would lose the sales made since
            raise Stopped("cli.stopped_export_unnoted", path=path) from None
        raise Stopped(STOPPED_WRITTEN, path=path) from None
    return EXIT_OK


def cmd_sales_export(ctx: Context, args: argparse.Namespace) -> int:
    """Write the tickets of ``--day``, of ``--from`` to ``--to`` (either open-ended), or
    else of the open day (the last one when none is open) to ``args.file``, a row per
    ticket line (:func:`pos.sales_export.export_sales`). Stopped with Ctrl+C, the line says
    whether the file was written (whole: never a part)."""
    if args.day is not None and (args.first is not None or args.last is not None):
        raise InputError("sales_csv.day_or_period")
    before = file_state(args.file)
    try:
        with ctx.existing_store.read() as s:
            if args.day is not None:
                days = sales_export.days_between(s, args.day, args.day)
            elif args.first is not None or args.last is not None:
                days = sales_export.days_between(s, args.first or dt.date.min,
                                                 args.last or dt.date.max)
            else:
                latest = day.current_day(s) or next(iter(day.days(s)), None)
                days = day.days_of_date(s, latest.date) if latest is not None else []
            exported = sales_export.export_sales(s, args.file, days, ctx.lang)
        ctx.say(exported.text(ctx.lang, ltr(str(args.file), ctx.lang)))
    except KeyboardInterrupt:
        if file_state(args.file) == before:
            raise Stopped(NOTHING_WRITTEN) from None
        raise Stopped(STOPPED_WRITTEN, path=ltr(str(args.file), ctx.lang)) from None
    return EXIT_OK


def _export_noted(store: Store) -> dt.datetime | None:
    """When the till noted the stock of the catalogue's last export (None: never)."""
    with store.read() as s:
        last = catalogue.last_export(s)
    return None if last is None else last.at


def cmd_demo_sales(ctx: Context, args: argparse.Namespace) -> int:
    """Ring invented days of sales, for trying the app or the reports: in a new folder,
    made a demo stall and said so, or in a stall with no sale of its own and not enrolled
    with a market server (:func:`pos.demo.check_demo_stall`, said before anything is
    written): the days would stay in a real stall's journal for ever, and reach the
    organisers as real figures."""
    new = not ctx.db_path.exists()
    count = demo.demo_sales(ctx.store, days=args.days, per_day=args.sales_per_day, seed=args.seed)
    if new:
        ctx.say(ctx.t("cli.demo_new_stall", path=ltr(str(ctx.data_dir), ctx.lang),
                      manager=demo.DEMO_MANAGER_PIN, cashier=demo.DEMO_CASHIER_PIN))
    days = tr_count(ctx.lang, "cli.demo_days", args.days)
    ctx.say(tr_count(ctx.lang, "cli.demo_done", count, days=days))
    return EXIT_OK


def report_lines(report: DayReport, lang: str) -> list[str]:
    """The X or Z report as plain text lines."""

    def t(key: str, **params: object) -> str:
        return tr(lang, key, **params)

    def m(centimes: int) -> str:
        return format_money(centimes, lang)

    title = t("report.z_title", z=report.z_label) if report.z_number else t("report.x_title")
    out = [title, t("report.day", date=report.date.isoformat())]
    rows = [
        ("report.sales", f"{report.sales_count}  {m(report.gross)}"),
        ("report.refunds", f"{report.refunds_count}  {m(-report.refunds)}"),
        ("report.voids", f"{report.voids_count}  {m(-report.voids)}"),
        ("report.discounts", m(report.discounts)),
        ("report.net", m(report.net)),
    ]
    rows += [(f"payment.{p.method}", m(p.amount)) for p in report.payments]
    rows += [("report.tax", f"{tx.rate} %  {m(tx.tax)}") for tx in report.taxes]
    cash = report.cash
    rows += [("report.float", m(cash.opening_float)), ("report.cash_in", m(cash.cash_in)),
             ("report.cash_out", m(cash.cash_out)), ("report.expected", m(cash.expected))]
    if cash.counted is not None and cash.difference is not None:
        rows += [("report.counted", m(cash.counted)), ("report.difference", m(cash.difference))]
    rows.append(("report.grand_total", m(report.grand_total)))
    out += [t("report.row", label=t(key), value=value) for key, value in rows]
    return out


def _print_report(ctx: Context, report: DayReport, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(report_lines(report, ctx.lang)))
    return EXIT_OK


def cmd_report_x(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.existing_store.read() as s:
        current = day.current_day(s)
        if current is None:
            raise InputError("cli.no_open_day")
        report = day_report(s, current)
    return _print_report(ctx, report, args.json)


def cmd_report_z(ctx: Context, args: argparse.Namespace) -> int:
    """The Z of the day closed on ``--day``; ``--z`` chooses when it was closed twice."""
    date = args.day.isoformat()
    with ctx.existing_store.read() as s:
        days = day.days_of_date(s, args.day)
        if not days:
            raise InputError("day.unknown", date=date)
        closed = [d for d in days if not d.is_open]
        marks = journal.z_marks(journal.driver_connection(s))
        if args.z is not None:  # as the Z report prints it: 8, or R2-8 after a restore
            number = journal.z_number_of(args.z, marks)
            closed = [d for d in closed if number is not None and d.z_number == number]
            if not closed:
                raise InputError("day.no_such_z", z=args.z, date=date)
        if not closed:
            raise InputError("day.still_open", date=date)
        if len(closed) > 1:
            numbers = ", ".join(journal.z_label_at(marks, d.z_number or 0) for d in closed)
            raise InputError("day.several_z", date=date, numbers=numbers)
        report = day_report(s, closed[0])
    return _print_report(ctx, report, args.json)


def cmd_invoice(ctx: Context, args: argparse.Namespace) -> int:
    """Make the invoice of a ticket (``--name`` required), or give the one it has again,
    marked as a duplicate; of a refund or void of an invoiced sale, give its credit note
    (made now if the refund was recorded before credit notes were made). Print it as text,
    or save it as PDF (an A4 page) or PNG (``--pdf``, ``--png``). ``--list``: the year's
    invoices and credit notes. Bad input writes nothing.

    The files asked are made first, each written whole beside its name, and the invoice is
    recorded only once they all are; then they take their names. One that cannot be
    written (a full disk, a read-only folder, a name the system refuses) records nothing
    and leaves no file, and one line says which and why: no invoice is numbered for a
    customer who never got it, to be given next time as a DUPLICATA. Ctrl+C stops it
    before the invoice is recorded, with nothing written; once it is, Ctrl+C waits until
    the files have their names (:func:`pos.files.ctrl_c_held`)."""
    if args.list:
        if args.ticket is not None:
            raise InputError("invoice.list_or_ticket")
        return _list_invoices(ctx, args.year or dt.date.today().year, args.json)
    if args.ticket is None:
        raise InputError("invoice.ticket_needed")
    if args.year is not None or args.json:
        raise InputError("invoice.list_only")
    _one_file_each(args)
    if args.pdf or args.receipt_pdf or args.png:
        from pos.printing import ensure_gui_app

        ensure_gui_app()
    return _give(ctx, args)


def _give(ctx: Context, args: argparse.Namespace) -> int:
    """The invoice or credit note of ``args.ticket``, its files written first and then
    recorded (:func:`cmd_invoice`), then said, with its text or where its files are."""
    committed = False
    failed: list[tuple[Path, OSError]] = []
    try:
        with ctrl_c_held() as stopped:
            files: list[tuple[Path, Path]] = []
            try:
                with ctx.existing_store.write() as s:
                    said, document = _invoice_of(ctx, s, args)
                    files = _files_written(s, document, args)
                    if stopped():  # before the point of no return
                        raise KeyboardInterrupt
            except BaseException:
                _discard(files)
                raise
            committed = True
            placed, failed = _put_in_place(files)
            ctx.say(said)
            for line in ([ctx.t("invoice.saved", path=str(path)) for path in placed]
                         or ([] if failed else [document.plain_text()])):
                ctx.say(line)
            for path, exc in failed:
                print("souk-pos: " + ctx.t("invoice.not_in_place", path=Ltr(str(path)),
                                           reason=oserrors.reason(exc)),
                      file=sys.stderr)
    except KeyboardInterrupt:
        if committed:  # Ctrl+C held off until all was done
            raise Stopped(ALL_DONE) from None
        raise
    return EXIT_FAILED if failed else EXIT_OK


def _put_in_place(files: list[tuple[Path, Path]]
                  ) -> tuple[list[Path], list[tuple[Path, OSError]]]:
    """Give each file written beside its name (:func:`_files_written`) that name, once the
    invoice is recorded: the files that took it, and those that could not (a stick pulled
    out, a folder made there meanwhile), with why; these are removed, as the same command
    run again gives the invoice's files again."""
    placed: list[Path] = []
    failed: list[tuple[Path, OSError]] = []
    for partial_file, path in files:
        try:
            partial_file.replace(path)
            placed.append(path)
        except OSError as exc:
            failed.append((path, exc))
            with contextlib.suppress(OSError):
                partial_file.unlink(missing_ok=True)
    return placed, failed


def _one_file_each(args: argparse.Namespace) -> None:
    """InputError when ``--pdf``, ``--receipt-pdf`` and ``--png`` name the same file."""
    seen: set[Path] = set()
    for path in (args.pdf, args.receipt_pdf, args.png):
        if path is not None and path.resolve() in seen:
            raise InputError("invoice.same_file", path=Ltr(str(path)))
        if path is not None:
            seen.add(path.resolve())


def _invoice_of(ctx: Context, session: Session, args: argparse.Namespace
                ) -> tuple[str, receipts.Document]:
    """The invoice of the ticket ``args.ticket`` (or the credit note of a refund or void of
    an invoiced sale), made in ``session``'s transaction when it has none: what to say of
    it, and the document."""
    conn = journal.driver_connection(session)
    number = journal.ticket_number(args.ticket, settings.device_prefix(session),
                                    journal.ticket_marks(conn))
    row = conn.execute("SELECT id, kind FROM sale WHERE number = ?",
                       (number,)).fetchone() if number is not None else None
    if row is None:
        raise InputError("invoice.unknown_ticket", ticket=args.ticket)
    if row[1] != "sale":
        said, new = _credit_note(ctx, session, row[0])
        load: Callable[..., receipts.Document] = receipts.load_credit_note
    else:
        existing = invoices.invoice_of(conn, row[0])
        customer = existing.customer if existing is not None else invoices.check_customer(
            args.name or "", args.ice or "", args.address or "")
        invoice, new = invoices.issue(session, row[0], customer)
        said = ctx.t("invoice.made" if new else "invoice.again", label=invoice.label,
                     ticket=journal.label_of(conn, invoice.ticket),
                     name=invoice.customer.name)
        load = receipts.load_invoice
    return said, load(session, row[0], duplicate=not new, lang=args.receipt_lang)


def _credit_note(ctx: Context, session: Session, refund_id: str) -> tuple[str, bool]:
    """What to say of the credit note of refund or void ``refund_id``, and whether it is
    new: the one it has, or one made now in ``session``'s transaction when the refund of an
    invoiced sale was recorded before credit notes were made. RuleError when the sale had
    no invoice."""
    conn = journal.driver_connection(session)
    refund = session.get_one(Sale, refund_id)
    ticket = journal.label_of(conn, refund.number)
    note, new = invoices.owed_credit(session, refund_id)
    if note is None:
        raise RuleError("invoice.no_credit_note", ticket=ticket)
    date = f"{refund.created_at + dt.timedelta(minutes=refund.utc_offset_minutes):%d/%m/%Y}"
    said = "invoice.credit_note_made" if new else "invoice.credit_note"
    return ctx.t(said, label=note.label, ticket=ticket, name=note.customer.name, date=date), new


def _files_written(session: Session, document: receipts.Document,
                   args: argparse.Namespace) -> list[tuple[Path, Path]]:
    """The files asked of ``document``, each written whole beside its name
    (:func:`pos.files.write_partial`), not yet under it: an A4 page as customers and their
    accountants file invoices (``--pdf``), the document as it prints as PDF or PNG
    (``--receipt-pdf``, ``--png``). InputError ``invoice.cannot_write``, naming the file
    and why, when one cannot be written; those written are removed."""
    made: list[tuple[Path, Callable[[], bytes]]] = []
    if args.pdf is not None:
        from pos.printing import a4

        sheet = a4.load_sheet(session, document)
        made.append((args.pdf, lambda: a4.pdf_bytes(sheet)[0]))
    if args.receipt_pdf or args.png:
        from pos.printing.render import render

        raster = render(document, _paper_width(session))
        made += [(path, data) for path, data in ((args.receipt_pdf, raster.pdf_bytes),
                                                 (args.png, raster.png_bytes)) if path]
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in made:
            try:
                written.append((write_partial(path, data()), path))
            except OSError as exc:
                raise InputError("invoice.cannot_write", path=Ltr(str(path)),
                                 reason=oserrors.reason(exc)) from exc
    except BaseException:
        _discard(written)
        raise
    return written


def _discard(files: list[tuple[Path, Path]]) -> None:
    """Remove the files written beside their names (:func:`_files_written`)."""
    for partial_file, _ in files:
        partial_file.unlink(missing_ok=True)


def _list_invoices(ctx: Context, year: int, as_json: bool) -> int:
    """The invoices and credit notes of ``year``, the newest first: as a table in the
    user's language, or as JSON (amounts in centimes, dates as ISO)."""
    with ctx.existing_store.read() as s:
        conn = journal.driver_connection(s)
        found = invoices.of_year(s, year)
        tickets = {d.ticket: journal.label_of(conn, d.ticket) for d in found}
    if as_json:
        print(json.dumps([invoices.as_json(d, tickets[d.ticket]) for d in found],
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    if not found:
        ctx.say(ctx.t("invoice.list_empty", year=year))
        return EXIT_OK
    head = [ctx.t(f"invoice.list.{c}") for c in ("number", "date", "customer", "ice", "total",
                                                 "ticket")]
    rows = [[d.label, f"{d.local_time:%d/%m/%Y}", d.customer.name, d.customer.ice,
             format_money(d.total, ctx.lang), tickets[d.ticket]] for d in found]
    widths = [max(_shown_width(row[i]) for row in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        ctx.say("  ".join(cell + " " * (w - _shown_width(cell))
                          for cell, w in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


def _shown_width(text: str) -> int:
    """How many characters of ``text`` a terminal shows: not the direction marks around an
    Arabic amount below zero."""
    return sum(1 for char in text if unicodedata.category(char) != "Cf")


def _paper_width(session: Session) -> int:
    """The paper width of the stall's printer, in dots (80 mm paper when none is set)."""
    config = settings.get(session, settings.PRINTER)
    width = config.get("width_dots") if isinstance(config, dict) else None
    return width if isinstance(width, int) and 200 <= width <= 1000 else 576


def _new_file(text: str) -> Path:
    """A file to write, in a folder that exists (checked before anything is written)."""
    path = Path(text)
    if os.path.isdir(path):  # (a name too long for the system is said when written)
        raise InputError("cli.is_folder", path=str(path))
    if not os.path.isdir(path.parent):
        raise InputError("cli.folder_missing", path=str(path.parent))
    return path


def _is_damage(exc: BaseException) -> bool:
    """Whether a database error means a damaged file (not a busy database, not a full
    disk, not a broken constraint)."""
    return isinstance(exc, DamagedDatabase) or type(exc) in (DatabaseError, sqlite3.DatabaseError)


def cmd_verify(ctx: Context, args: argparse.Namespace) -> int:
    """Exit 0 if the journal holds and holds each receipt given as printed; 1 if it does
    not or the file is damaged."""
    try:
        ctx.existing_store  # migrate if needed, then read the file directly  # noqa: B018
        conn = sqlite3.connect(f"file:{ctx.db_path}?mode=ro", uri=True)
        try:
            verdict = verify(conn)
            findings = [witness.check(conn, receipt) for receipt in args.receipt]
        finally:
            conn.close()
    except (DamagedDatabase, DatabaseError, sqlite3.DatabaseError) as exc:
        if not _is_damage(exc):
            raise
        print(f"souk-pos: {ctx.t('db.damaged', path=ctx.db_path)}", file=sys.stderr)
        return EXIT_FAILED
    if not verdict.ok:
        print(ctx.t(verdict.problem, **verdict.params), file=sys.stderr)
    elif all(finding.ok for finding in findings):
        ctx.say(tr_count(ctx.lang, "journal.ok", verdict.records, head=verdict.head_hash[:16]))
    else:  # a chain cut at its end still holds: the receipts show what it lost
        ctx.say(ctx.t("witness.chain_holds"))
    for finding in findings:
        print(finding.said.message(ctx.lang), file=sys.stdout if finding.ok else sys.stderr)
    return EXIT_OK if verdict.ok and all(f.ok for f in findings) else EXIT_FAILED


def cmd_backup(ctx: Context, args: argparse.Namespace) -> int:
    """A backup in the folder chosen in the app (else the laptop's own). Stopped with
    Ctrl+C while it is written, the part written is removed (:class:`Stopped`)."""
    ctx.existing_store  # noqa: B018
    conn = sqlite3.connect(f"file:{ctx.db_path}?mode=ro", uri=True)
    try:  # a damaged file must not push the good backups out
        ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    if not ok:
        raise DamagedDatabase("db.damaged", path=str(ctx.db_path))
    with ctx.store.read() as s:
        chosen = settings.get(s, settings.BACKUP_FOLDER)
    folders = [backup.backup_dir(ctx.db_path)] + ([Path(chosen)] if chosen else [])
    before = {path for folder in folders for path in _backup_files(folder)}
    try:
        written = backup.backup_to(ctx.db_path, chosen, keep=args.keep)
    except KeyboardInterrupt:
        new = {path for folder in folders for path in _backup_files(folder)} - before
        made = sorted(new)  # the .partial file it was writing is gone (make_backup)
        if made:  # stopped while it put away the oldest backups
            raise Stopped("cli.stopped_backup_made", path=ltr(str(made[0]), ctx.lang)) from None
        raise Stopped("cli.stopped_backup") from None
    ctx.say(backup.done_text(ctx.lang, written, cli=True))
    return EXIT_OK


def _backup_files(folder: Path) -> set[Path]:
    """The backups in ``folder``."""
    try:
        return {path for path in folder.glob("souk-*") if path.suffix == ".sqlite3"}
    except OSError:
        return set()


def cmd_restore(ctx: Context, args: argparse.Namespace) -> int:
    """Put the backup ``args.file`` in place of the stall's database, or make the stall
    from it on a new laptop (:func:`pos.backup.restore`), and say what it held and what it
    set aside. Stopped with Ctrl+C, the database is as it was, or restored whole, never in
    part, and the line says which."""
    backup.check_backup(args.file)
    found = backup.contents(args.file)
    said = ([] if found is None  # what it held and whose, as it was before the restore
            else backup.before_text(ctx.lang, found, backup.replaced(ctx.db_path, found),
                                    aside=False))
    restored: list[Path | None] = []
    try:
        restored.append(backup.restore(ctx.db_path, args.file))
        for line in said + backup.after_text(ctx.lang, ctx.db_path, args.file, restored[0]):
            ctx.say(line)
    except backup.Restored as stop:  # as it was put in place: it is, whole
        raise _restored(ctx, stop.kept) from None
    except KeyboardInterrupt:
        if restored:
            raise _restored(ctx, restored[0]) from None
        raise  # the parser's default: nothing restored
    return EXIT_OK


def _restored(ctx: Context, kept: Path | None) -> Stopped:
    """Ctrl+C once the backup was restored, the database it replaced set aside at
    ``kept`` (None: there was none)."""
    if kept is None:
        return Stopped("cli.stopped_restored")
    return Stopped("cli.stopped_restored_aside", path=ltr(str(kept), ctx.lang))


# --- parser ----------------------------------------------------------------------------


def build_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction[_Parser]]:
    """``souk-pos``'s parser; its help texts are the catalogue's ``cli.help.*``
    (:data:`HELP`), put in the user's language by :func:`run`."""
    parser = _Parser(prog="souk-pos")
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR")
    parser.add_argument("--lang", choices=LANGUAGES, default=None)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = command(sub, "init")
    p.add_argument("--manager-name", default=None, metavar="NAME")
    p.add_argument("--manager-pin", default=None, metavar="PIN")
    p.add_argument("--prefix", default=None, metavar="T03")
    p.add_argument("--demo", action="store_true")
    p.set_defaults(func=cmd_init)

    people = command(sub, "users")
    usub = people.add_subparsers(dest="action", required=True, parser_class=_Parser,
                                 metavar="{reset-pin}")
    p = command(usub, "reset-pin")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--pin", default=None, metavar="PIN")
    p.set_defaults(func=cmd_users_reset_pin, stopped=NOTHING_WRITTEN)  # one transaction

    products = command(sub, "products")
    psub = products.add_subparsers(dest="action", required=True, parser_class=_Parser,
                                   metavar="{import,export}")
    p = command(psub, "import")
    p.add_argument("file", type=_existing_file, metavar="FILE.csv")
    # one transaction, the photos taken back
    p.set_defaults(func=cmd_products_import, stopped=NOTHING_WRITTEN)
    p = command(psub, "export")
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p.set_defaults(func=cmd_products_export, stopped=NOTHING_WRITTEN)  # once begun: says what

    sales = command(sub, "sales")
    ssub = sales.add_subparsers(dest="action", required=True, parser_class=_Parser,
                                metavar="{export}")
    p = command(ssub, "export")
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p.add_argument("--day", type=_date, default=None, metavar="YYYY-MM-DD")
    p.add_argument("--from", dest="first", type=_date, default=None, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", type=_date, default=None, metavar="YYYY-MM-DD")
    p.set_defaults(func=cmd_sales_export, stopped=NOTHING_WRITTEN)  # once written: says so

    p = command(sub, "demo-sales")
    p.add_argument("--days", type=_int_in(1, 3650), default=5, metavar="D")
    p.add_argument("--sales-per-day", type=_int_in(1, 20000), default=200, metavar="N")
    p.add_argument("--seed", type=_int_in(0, 2**31), default=7, metavar="N")
    p.set_defaults(func=cmd_demo_sales, stopped="cli.stopped_demo")  # a transaction a day

    report = command(sub, "report")
    rsub = report.add_subparsers(dest="which", required=True, parser_class=_Parser,
                                 metavar="{x,z}")
    p = command(rsub, "x")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report_x, stopped=NOTHING_WRITTEN)  # reads only
    p = command(rsub, "z")
    p.add_argument("--day", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--z", type=_z_label, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report_z, stopped=NOTHING_WRITTEN)

    p = command(sub, "invoice")
    p.add_argument("ticket", nargs="?", default=None, metavar="TICKET")
    p.add_argument("--list", action="store_true")
    p.add_argument("--year", type=_int_in(2000, 2999), default=None, metavar="YYYY")
    p.add_argument("--json", action="store_true")
    p.add_argument("--name", default=None, metavar="NAME")
    p.add_argument("--ice", default=None, metavar="ICE")
    p.add_argument("--address", default=None, metavar="TEXT")
    p.add_argument("--receipt-lang", choices=receipts.RECEIPT_LANGUAGES, default=None)
    p.add_argument("--pdf", type=_new_file, default=None, metavar="FILE")
    p.add_argument("--receipt-pdf", type=_new_file, default=None, metavar="FILE")
    p.add_argument("--png", type=_new_file, default=None, metavar="FILE")
    # the invoice and its files recorded and written together (once done: ALL_DONE)
    p.set_defaults(func=cmd_invoice, stopped="cli.stopped_invoice")

    p = command(sub, "verify")
    p.add_argument("--receipt", type=witness.parse, action="append", default=[],
                   metavar="CODE")
    p.set_defaults(func=cmd_verify, stopped=NOTHING_WRITTEN)
    p = command(sub, "backup")
    p.add_argument("--keep", type=_int_in(1, 1000), default=backup.DEFAULT_KEPT, metavar="N")
    p.set_defaults(func=cmd_backup)
    p = command(sub, "restore")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(func=cmd_restore, stopped="cli.stopped_restore")  # else said as restored
    return parser, sub


def command(sub: argparse._SubParsersAction[_Parser], name: str) -> _Parser:
    """The subcommand ``name``, listed in its parent's help (argparse lists only those
    given a help); its words, ``cli.help.<command>``, are put in by :func:`run`."""
    return sub.add_parser(name, help="")


def _language(args: argparse.Namespace, data_dir: Path) -> str:
    return str(args.lang) if args.lang else saved_language(data_dir / DB_FILENAME)


def _pre_scan(argv: Sequence[str], option: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == option and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    return None


def _pre_scan_lang(argv: Sequence[str]) -> str:
    """The language for errors met while reading the arguments: ``--lang`` if it is one of
    :data:`LANGUAGES`, else the stall's saved language (in ``--data-dir`` or the default
    folder), else ``LANG``."""
    lang = _pre_scan(argv, "--lang")
    if lang in LANGUAGES:
        return str(lang)
    folder = _pre_scan(argv, "--data-dir")
    return saved_language((Path(folder) if folder else default_data_dir()) / DB_FILENAME)


def run(
    argv: Sequence[str] | None,
    parser: argparse.ArgumentParser,
    default: Command | None = None,
) -> int:
    """Parse ``argv`` with ``parser`` and run the chosen command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    said = _pre_scan_lang(argv)  # --help and usage errors come before the arguments are read
    _name_positionals(parser)
    usage.translate_help(parser, partial(lookup, said), HELP)
    try:
        args = parser.parse_args(argv)
    except SoukError as exc:  # a usage error, or raised by an argument type
        prog = exc.prog if isinstance(exc, UsageError) else "souk-pos"
        print(f"{prog}: {exc.message(said)}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    data_dir = args.data_dir or default_data_dir()
    ctx = Context(data_dir=data_dir, lang=_language(args, data_dir))
    func: Command | None = getattr(args, "func", None) or default
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        if data_dir.exists() and not data_dir.is_dir():  # nothing made beside or under it
            raise InputError("cli.data_dir_not_folder", path=str(data_dir))
        return func(ctx, args)
    except KeyboardInterrupt as exc:  # Ctrl+C: what is left, not a trace
        if isinstance(exc, Stopped):
            said = ctx.t(exc.key, **exc.params)
        else:
            said = ctx.t(getattr(args, "stopped", "cli.stopped"))
        after = "\n" if sys.stderr.isatty() else ""  # past the ^C the terminal shows
        print(f"{after}souk-pos: {said}", file=sys.stderr)
        return EXIT_STOPPED
    except SoukError as exc:
        print(f"souk-pos: {exc.message(ctx.lang)}", file=sys.stderr)
        return EXIT_USAGE
    except (OperationalError, sqlite3.OperationalError) as exc:
        problem = oserrors.database_problem(exc, ctx.db_path)
        print(f"souk-pos: {problem.message(ctx.lang)}", file=sys.stderr)
        return EXIT_FAILED
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        if not _is_damage(exc):
            raise
        print(f"souk-pos: {ctx.t('db.damaged', path=ctx.db_path)}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        ctx.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser, _ = build_parser()
    return run(argv, parser)


if __name__ == "__main__":
    raise SystemExit(main())
