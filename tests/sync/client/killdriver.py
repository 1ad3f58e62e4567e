"""A stall process to kill: imports once, then runs each sync in a forked child.

Usage: ``python -m tests.sync.client.killdriver DB_PATH``; every line read on stdin forks
a child that opens the database and syncs once; the driver prints the child's pid, then
its wait status once it has ended (killed or not).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pos.db import Store
from sync.client.engine import sync_store
from sync.client.transport import Backoff, Timeouts


def child(db: Path) -> int:
    store = Store.open(db)
    outcome = sync_store(store, timeouts=Timeouts(connect=0.5, read=0.5, total=2.0),
                         backoff=Backoff(attempts=2, base=0.01, cap=0.02))
    return 0 if outcome.ok else 1


def main() -> None:
    db = Path(sys.argv[1])
    for _line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            os._exit(child(db))
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(status, flush=True)


if __name__ == "__main__":
    main()
