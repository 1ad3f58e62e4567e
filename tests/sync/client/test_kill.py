"""The stall process killed at random instants during a sync loses and doubles nothing."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync.client import config
from tests.sync.client.faultproxy import FaultProxy
from tests.sync.client.support import LiveServer, Till, local_figures

ROOT = Path(__file__).resolve().parents[3]
KILLS = 30


@pytest.mark.slow
def test_killed_mid_sync_then_restarted_the_figures_still_match(
    till: Till, server: LiveServer
) -> None:
    rng = random.Random(11)
    db = till.store.path
    # a slow network, so that the instants fall inside the sync
    proxy = FaultProxy(server.port, seed=11, hold=0.3, weights={"pass": 1.0}, latency=0.08)
    with till.store.write() as s:
        config.update(s, url=proxy.url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    driver = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.client.killdriver", str(db)], cwd=ROOT, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert driver.stdin is not None and driver.stdout is not None
    killed = completed = 0
    try:
        while killed < KILLS:
            assert killed + completed < 4 * KILLS, (killed, completed)
            for _ in range(rng.randint(0, 3)):
                till.sell(rng)
            if rng.random() < 0.15:
                till.close_day()
            driver.stdin.write("sync\n")
            driver.stdin.flush()
            pid = int(driver.stdout.readline())
            time.sleep(rng.uniform(0.01, 0.5))
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            status = int(driver.stdout.readline())
            if os.WIFSIGNALED(status):
                killed += 1
            else:
                completed += 1
    finally:
        driver.stdin.close()
        driver.wait(10)
        driver.stdout.close()
        proxy.close()
    print(f"killed {killed}, completed {completed}")
    with till.store.write() as s:
        config.update(s, url=server.url)
    # restarted: the real command, with nothing left to kill it
    done = subprocess.run(
        [sys.executable, "-m", "ui.main", "--data-dir", str(db.parent), "--lang", "en", "sync",
         "--read-timeout", "5"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Everything is on the server." in done.stdout
    with till.store.read() as s:
        device = config.load(s).device_id
    assert device is not None
    assert server.held(device) == local_figures(till.store)
    assert server.rows_per_day() == 1 and server.conflicts() == 0
