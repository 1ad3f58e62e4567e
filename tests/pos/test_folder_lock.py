"""Holding a data folder: shared by every user of the database, alone for a restore."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos import folder_lock
from pos.folder_lock import FolderBusy


def test_users_share_the_folder_and_a_restore_needs_it_alone(tmp_path: Path) -> None:
    till = folder_lock.shared(tmp_path)
    command = folder_lock.shared(tmp_path)  # a souk-pos command next to the till
    assert folder_lock.alone(tmp_path) is None
    till.release()
    assert folder_lock.alone(tmp_path) is None  # the command still holds it
    command.release()
    restoring = folder_lock.alone(tmp_path)
    assert restoring is not None
    with pytest.raises(FolderBusy) as busy:
        folder_lock.shared(tmp_path, wait=0)
    assert "A backup is being restored" in busy.value.message("en")
    restoring.release()
    folder_lock.shared(tmp_path, wait=0).release()


def test_the_app_lock_is_apart_from_the_folders(tmp_path: Path) -> None:
    app = folder_lock.alone(tmp_path, folder_lock.APP_LOCK_FILENAME)
    assert app is not None
    assert folder_lock.alone(tmp_path, folder_lock.APP_LOCK_FILENAME) is None
    with folder_lock.shared(tmp_path):  # the app's own store
        pass
    app.release()
    again = folder_lock.alone(tmp_path, folder_lock.APP_LOCK_FILENAME)
    assert again is not None
    again.release()
