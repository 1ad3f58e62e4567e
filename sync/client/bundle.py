"""The last resort: a signed day-close bundle on a USB stick (``souk-pos sync export``).

The bundle (``sync.protocol.Bundle``) carries the full summary of each business day (the
newest :data:`MAX_DAYS`), signed with the device's token, so the organisers' server
imports it (``souk-server import FILE``) exactly like a push: a day it already holds at
that version or a newer one is left as it is. Exporting does not mark anything synced.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pos import oserrors
from pos.db import Store
from pos.errors import InputError
from pos.files import write_whole
from sync.client import config, outbox
from sync.client.errors import NotEnrolled
from sync.protocol import Bundle, DaySummary, bundle_signature, token_hash

MAX_DAYS = 400


def make_bundle(store: Store) -> Bundle:
    with store.read() as s:
        cfg = config.load(s)
        if not cfg.enrolled or cfg.device_id is None or cfg.token is None:
            raise NotEnrolled()
        states = outbox.day_states(s)
        dates = outbox.market_dates(s)  # another market's days are not this one's
        last_of_date = {st.date: st for st in states if outbox.within(dates, st.date)}
        summaries: list[DaySummary] = []
        for state in list(last_of_date.values())[-MAX_DAYS:]:
            built = outbox.build(s, state)
            if isinstance(built, DaySummary):
                summaries.append(built)
    if not summaries:
        raise InputError("sync.export_nothing")
    signature = bundle_signature(token_hash(cfg.token), cfg.device_id, summaries)
    return Bundle(device_id=cfg.device_id, created_at=dt.datetime.now(dt.UTC),
                  summaries=summaries, signature=signature)


def export_bundle(store: Store, path: Path) -> Bundle:
    """Write the bundle to ``path`` (atomically: a partial file never has the name, and
    none is left behind on a full or unplugged USB stick). The data reaches the stick
    before the name does, so a stick pulled out just after holds the whole bundle."""
    bundle = make_bundle(store)
    try:
        write_whole(path, bundle.model_dump_json())
    except OSError as exc:
        raise InputError("sync.export_failed", path=path, reason=oserrors.reason(exc)) from None
    return bundle
