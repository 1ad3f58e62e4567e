"""``souk-pos sync`` commands.

``souk-pos sync``                       push now; prints what happened; exit 0 only when the
                                        server acknowledged every day
``souk-pos sync enrol SERVER_URL CODE`` enrol this till with the organiser's one-time code
``souk-pos sync status``                the server, the market, and each day's versions
                                        (the stall's and the server's, asked of it), and
                                        how far this laptop's clock is from the server's
                                        past 5 minutes
``souk-pos sync retry``                 push the days set aside again (then as ``sync``)
``souk-pos sync export FILE``           write a signed day-close bundle (USB stick)

The device token is never printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DatabaseError, DBAPIError, StatementError

from pos import oserrors
from pos.cli import (
    EXIT_FAILED,
    EXIT_OK,
    NOTHING_WRITTEN,
    STOPPED_WRITTEN,
    Context,
    Stopped,
    command,
    file_state,
    seconds_up_to,
)
from pos.db import Store
from pos.errors import SoukError
from pos.i18n import ltr, tr_count
from pos.settings import market_city
from sync.client import config, outbox
from sync.client.bundle import export_bundle
from sync.client.engine import (
    Outcome,
    ask_server,
    check_enrolment,
    enrol_store,
    retry_set_aside,
    sync_store,
)
from sync.client.errors import SyncError, date_text, describe, hide_values
from sync.client.status import (
    DayRow,
    Snapshot,
    age_text,
    clock_text,
    restored_text,
    snapshot,
    status_text,
)
from sync.client.transport import Backoff, Timeouts


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "timeouts": Timeouts(connect=args.connect_timeout, read=args.read_timeout,
                             total=max(args.read_timeout * 3, 10.0)),
        "backoff": Backoff(attempts=args.attempts, base=args.backoff),
    }


def cmd_enrol(ctx: Context, args: argparse.Namespace) -> int:
    """Enrol the stall with the organiser's code: a folder with no stall is refused (the
    code would be spent on an empty stall the real till never sees), after the address
    and the code are checked. Stopped with Ctrl+C, the line says whether the enrolment
    was saved, as the till's database says."""
    url, code, ca_file = check_enrolment(args.server_url, args.code, args.ca_file)
    store = ctx.existing_store
    before = _token(store)
    try:
        cfg = enrol_store(store, url, code, ca_file=ca_file, name=args.name,
                          **_options(args))
        _say_enrolled(ctx, cfg)
    except KeyboardInterrupt:
        enrolled = _token(store) not in (before, None)
        raise Stopped("sync.cli.stopped_enrolled" if enrolled
                      else "sync.cli.stopped_enrol") from None
    return EXIT_OK


def _token(store: Store) -> str | None:
    with store.read() as s:
        return config.load(s).token


def _say_enrolled(ctx: Context, cfg: config.SyncConfig) -> None:
    coop = cfg.cooperative
    market = coop.get("market", {})
    name = coop.get("name_ar") if ctx.lang == "ar" else coop.get("name_fr")
    market_name = market.get("name_ar") if ctx.lang == "ar" else market.get("name_fr")
    ctx.say(ctx.t("sync.enrolled", cooperative=name, stand=coop.get("stand", ""),
                  market=market_name, city=market_city(market, ctx.lang)))


def _server_newer_line(ctx: Context, day: DayRow) -> str:
    held = outbox.server_version(day.rejected_reason)
    return ctx.t("sync.cli.server_newer", date=day.date.isoformat(), version=day.local_version,
                 held="?" if held is None else held)


def _not_sent(snap: Snapshot) -> list[DayRow]:
    """Days outside the market's dates with figures the server never acknowledged."""
    return [d for d in snap.days if d.outside]


def _print_outcome(ctx: Context, outcome: Outcome, snap: Snapshot) -> None:
    if outcome.lost:
        ctx.say(tr_count(ctx.lang, "sync.cli.lost", len(outcome.lost)))
    ctx.say(tr_count(ctx.lang, "sync.cli.acked", len(outcome.acked)))
    for date, reason in outcome.set_aside:
        ctx.say(ctx.t("sync.cli.set_aside", date=date.isoformat(),
                      reason=describe(reason, ctx.lang)))
    for day in sorted((d for d in snap.days if d.server_newer), key=lambda d: d.date):
        ctx.say(_server_newer_line(ctx, day))
    for day in snap.restored:  # the days this run delivered (all of them: "sync status")
        if day.date in outcome.acked:
            ctx.say(restored_text(ctx.lang, day))
    outside = _not_sent(snap)
    if outside:
        market = snap.cooperative.get("market", {})
        ctx.say(tr_count(ctx.lang, "sync.cli.outside", len(outside),
                         starts=date_text(market.get("starts_on", "")),
                         ends=date_text(market.get("ends_on", ""))))
    if outcome.waiting:
        ctx.say(tr_count(ctx.lang, "sync.cli.waiting", outcome.waiting))
    if clock := clock_text(ctx.lang, snap.clock_offset):
        ctx.say(clock)
    if outcome.error is not None:
        print(f"souk-pos: {outcome.error.message(ctx.lang)}", file=sys.stderr)


def cmd_push(ctx: Context, args: argparse.Namespace) -> int:
    """Exit 0 only when the server holds every day of the market at the stall's version
    (and no day of the stall was left out as outside the market's dates)."""
    outcome = sync_store(ctx.existing_store, **_options(args))
    snap = snapshot(ctx.existing_store)
    _print_outcome(ctx, outcome, snap)
    if outcome.ok and not snap.set_aside and not snap.server_newer and not _not_sent(snap):
        ctx.say(ctx.t("sync.cli.all_acked"))
        return EXIT_OK
    return EXIT_FAILED


def cmd_retry(ctx: Context, args: argparse.Namespace) -> int:
    """The days set aside put back to wait (one transaction), then :func:`cmd_push`."""
    ctx.say(tr_count(ctx.lang, "sync.cli.retrying", retry_set_aside(ctx.existing_store)))
    return cmd_push(ctx, args)


def _day_line(ctx: Context, day: DayRow) -> str:
    """One day: its Z, the stall's version, the server's (what it acknowledged, or the
    newer one it holds), and the state in words, as the app's sync panel says it."""
    server = day.acked_version
    if day.set_aside:
        state = ctx.t("sync.day.set_aside", reason=describe(day.rejected_reason, ctx.lang))
    elif day.server_newer:
        state = ctx.t("sync.day.server_newer", reason=describe(day.rejected_reason, ctx.lang))
        server = outbox.server_version(day.rejected_reason) or server
    elif day.outside:
        state = ctx.t("sync.day.outside")
    elif day.waiting:
        state = ctx.t("sync.day.waiting")
        if day.last_error:
            state += " - " + describe(day.last_error, ctx.lang)
    else:
        state = ctx.t("sync.day.synced")
    if day.restored is not None:
        state += " · " + ctx.t("sync.day.restored")
    z = f"Z{day.z_label}" if day.z_number else ctx.t("sync.day.open")
    return f"{day.date.isoformat()}  {z:>6}  {day.local_version:>7}  {server:>7}  {state}"


def _status_lines(ctx: Context, snap: Snapshot, unasked: SyncError | None = None
                  ) -> list[str]:
    now = dt.datetime.now(dt.UTC)
    lines = [status_text(snap, ctx.lang, now)]
    if unasked is not None:
        lines.append(ctx.t("sync.cli.unasked", error=unasked.message(ctx.lang)))
    if snap.enrolled and (clock := clock_text(ctx.lang, snap.clock_offset)):
        lines.append(clock)
    if snap.enrolled:
        coop = snap.cooperative
        market = coop.get("market", {})
        lines.append(ctx.t("sync.cli.server", url=snap.url, device=snap.device_id))
        lines.append(ctx.t("sync.cli.cooperative", name=coop.get("name_fr", ""),
                           name_ar=coop.get("name_ar", ""), stand=coop.get("stand", "")))
        lines.append(ctx.t("sync.cli.market",
                           name=market.get("name_ar" if ctx.lang == "ar" else "name_fr", ""),
                           city=market_city(market, ctx.lang),
                           starts=date_text(market.get("starts_on", "")),
                           ends=date_text(market.get("ends_on", ""))))
        if snap.last_success_at:
            lines.append(ctx.t("sync.cli.last_success",
                               age=age_text(ctx.lang, snap.last_success_at, now)))
        if snap.last_error and snap.failing:
            lines.append(ctx.t("sync.cli.last_error", error=describe(snap.last_error, ctx.lang)))
    if snap.days:
        lines.append(ctx.t("sync.cli.header"))
        lines += [_day_line(ctx, d) for d in snap.days]
    lines += [restored_text(ctx.lang, d) for d in snap.restored]
    return lines


def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    """What the server holds of each day: asked of the server first (and recorded, as a
    sync would: a day it lost, a day it holds newer); from the last sync when it cannot
    be reached, which a line says."""
    store = ctx.existing_store
    snap = snapshot(store)
    unasked: SyncError | None = None
    if snap.enrolled and not snap.revoked:
        try:
            ask_server(store, **_options(args))
        except SyncError as exc:
            unasked = exc
        snap = snapshot(store)
    for line in _status_lines(ctx, snap, unasked):
        ctx.say(line)
    return EXIT_OK


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    """Write the day-close bundle (:func:`sync.client.bundle.export_bundle`, whole or not at
    all). Stopped with Ctrl+C, the line says whether the file was written, as the disk
    says (the export marks nothing sent)."""
    store = ctx.existing_store
    before = file_state(args.file)
    try:
        bundle = export_bundle(store, args.file)
        ctx.say(tr_count(ctx.lang, "sync.exported", len(bundle.summaries), path=args.file))
    except KeyboardInterrupt:
        if file_state(args.file) == before:
            raise Stopped(NOTHING_WRITTEN) from None
        raise Stopped(STOPPED_WRITTEN, path=ltr(str(args.file), ctx.lang)) from None
    return EXIT_OK


def cmd_sync(ctx: Context, args: argparse.Namespace) -> int:
    """Run the sync command asked. A write of the till's database that fails (a full
    disk, a database that refuses it) is said in one line in the user's language, never
    with the statement's values: the sync settings it writes hold the device token."""
    action = getattr(args, "sync_action", None)
    commands = {None: cmd_push, "enrol": cmd_enrol, "status": cmd_status, "export": cmd_export,
                "retry": cmd_retry}
    try:
        return commands[action](ctx, args)
    except StatementError as exc:
        hide_values(exc)
        if type(exc) is DatabaseError:  # a damaged file: souk-pos says so
            raise
        print(f"souk-pos: {_database_problem(exc, ctx).message(ctx.lang)}", file=sys.stderr)
        return EXIT_FAILED


def _database_problem(exc: StatementError, ctx: Context) -> SoukError:
    """What to tell of ``exc``: SQLite's reason (busy, full, refused...), never the
    statement nor its values."""
    if isinstance(exc, DBAPIError):
        return oserrors.database_problem(exc, ctx.db_path)
    return SoukError("db.unusable", path=str(ctx.db_path), reason=type(exc.orig).__name__)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``sync`` command to the ``souk-pos`` parser (its help: ``cli.help.sync.*``)."""
    p = command(sub, "sync")
    p.add_argument("--connect-timeout", type=seconds_up_to(600), default=5.0)
    p.add_argument("--read-timeout", type=seconds_up_to(600), default=20.0)
    p.add_argument("--attempts", type=int, choices=range(1, 11), default=4, metavar="1-10")
    p.add_argument("--backoff", type=seconds_up_to(600), default=0.5)
    # the days recorded as on the server stay so; the others wait for the next sync
    p.set_defaults(func=cmd_sync, stopped="sync.cli.stopped")
    ssub = p.add_subparsers(dest="sync_action", parser_class=type(p))
    e = command(ssub, "enrol")
    e.add_argument("server_url")
    e.add_argument("code")
    e.add_argument("--ca-file", default=None)
    e.add_argument("--name", default=None)
    e.set_defaults(stopped="sync.cli.stopped_enrol")  # once asked: as the database says
    command(ssub, "status").set_defaults(stopped="sync.cli.stopped_status")  # sends nothing
    command(ssub, "retry").set_defaults(stopped="sync.cli.stopped_retry")
    x = command(ssub, "export")
    x.add_argument("file", type=Path)
    x.set_defaults(stopped=NOTHING_WRITTEN)  # once begun: as the disk says


__all__ = ["config", "register"]
