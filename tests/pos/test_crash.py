"""kill -9 at random instants while sales are rung: every acknowledged sale survives,
no sale is half-written, and the journal still verifies."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pos import journal
from pos.db import Store

DRIVER = Path(__file__).with_name("crash_driver.py")
KILLS = 50


def _acknowledged(output: bytes) -> list[str]:
    lines = output.decode().splitlines()
    # a line cut by the kill has no newline after it: only whole lines were acknowledged
    complete = lines if output.endswith(b"\n") else lines[:-1]
    return [line for line in complete if len(line) == 36]


@pytest.mark.slow
def test_sales_survive_sigkill_at_random_instants(store: Store, open_day: int) -> None:
    path = store.path
    store.close()
    rng = random.Random(20261129)
    acknowledged: list[str] = []
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    for kill in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, str(DRIVER), str(path), str(kill)],
            stdout=subprocess.PIPE, env=env,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"READY\n"
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        acknowledged += _acknowledged(out)

        conn = sqlite3.connect(path)
        try:
            ids = {row[0] for row in conn.execute("SELECT id FROM sale")}
            missing = [a for a in acknowledged if a not in ids]
            assert not missing, f"kill {kill}: acknowledged sales lost: {missing}"
            partial = conn.execute(
                "SELECT s.id FROM sale s LEFT JOIN sale_line l ON l.sale_id = s.id "
                "LEFT JOIN payment p ON p.sale_id = s.id "
                "GROUP BY s.id HAVING COUNT(l.id) = 0 OR COUNT(p.position) = 0"
            ).fetchall()
            assert not partial
            numbers = [row[0] for row in conn.execute("SELECT number FROM sale ORDER BY number")]
            assert numbers == list(range(1, len(numbers) + 1))
            verdict = journal.verify(conn)
            assert verdict.ok, f"kill {kill}: {verdict}"
        finally:
            conn.close()
    assert len(acknowledged) > KILLS  # the kills did land among real sales
