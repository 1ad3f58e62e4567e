"""The app holds its data folder while it runs: a backup is not restored under it, a second
app on the same folder says the first is open and stops, and a crash leaves no lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pos import backup
from pos.db import DB_FILENAME

ROOT = Path(__file__).resolve().parents[2]

APP = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui.app import application
from ui.main import main

application()


def answer():  # the seller reads the message and presses OK
    box = QApplication.activeModalWidget()
    if box is None:
        QTimer.singleShot(20, answer)
        return
    print("told:", box.text(), flush=True)
    box.accept()


if sys.argv[2] == "first":
    QTimer.singleShot(0, lambda: print("running", flush=True))
else:
    QTimer.singleShot(0, answer)
sys.exit(main(["--data-dir", sys.argv[1], "--lang", "en"]))
"""


def souk_pos(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from ui.main import main; "
                           "raise SystemExit(main())", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_one_app_per_folder_and_no_restore_under_it(data_dir: Path) -> None:
    saved = backup.make_backup(data_dir / DB_FILENAME)
    first = subprocess.Popen([sys.executable, "-c", APP, str(data_dir), "first"], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout is not None and first.stdout.readline() == "running\n"

        refused = souk_pos("--data-dir", str(data_dir), "--lang", "en", "restore", str(saved))
        assert refused.returncode == 2
        assert refused.stderr == (f"souk-pos: The till is open on this folder ({data_dir}): "
                                  "close it first, and any souk-pos command using it; "
                                  "then restore.\n")

        second = subprocess.run([sys.executable, "-c", APP, str(data_dir), "second"],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        told = (f"Souk POS is already open on this folder ({data_dir}): "
                "use the window that is open.")
        assert second.stdout == f"told: {told}\n"
        assert second.returncode == 2 and f"souk-pos: {told}\n" in second.stderr
        assert first.poll() is None  # the first app runs on
    finally:
        first.kill()  # as a crash would end it
        first.communicate(timeout=60)

    restored = souk_pos("--data-dir", str(data_dir), "--lang", "en", "restore", str(saved))
    assert restored.returncode == 0 and restored.stdout.startswith("Backup: till T01 ")
    assert f"\nRestored from {saved}" in restored.stdout
