"""Fixtures of the pos tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``souk-pos ARGV``: (exit code, standard output, standard error)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A data folder made by ``souk-pos init --manager-pin 1234 --demo`` (in French)."""
    folder = tmp_path / "data"
    code, _, _ = run(capsys, "--data-dir", str(folder), "--lang", "fr", "init",
                     "--manager-pin", "1234", "--demo")
    assert code == 0
    return folder
