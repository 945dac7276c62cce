"""Opening a damaged library in the window offers the latest backup (and keeps the damage)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from clipper.core.backup import backup_library, check_library
from clipper.gui import app

_spec = importlib.util.spec_from_file_location(
    "backup_tests", Path(__file__).parents[1] / "core" / "test_backup.py"
)
assert _spec is not None and _spec.loader is not None
backup_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(backup_tests)


def test_damaged_library_is_restored_after_asking(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = backup_tests.make_library(tmp_path / "library.sqlite3", 60)
    backup_library(path, tmp_path / "backups" / "library-20250101-000000.sqlite3")
    backup_tests.corrupt(path)
    assert check_library(path).damaged
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes,
    )
    assert app._check_health(path)
    assert "Restore the latest backup" in asked[0] and "60 clips" in asked[0]
    assert not check_library(path).damaged
    assert list(tmp_path.glob("library.sqlite3.damaged-*"))


def test_no_is_respected(qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = backup_tests.make_library(tmp_path / "library.sqlite3", 60)
    backup_library(path, tmp_path / "backups" / "library-20250101-000000.sqlite3")
    backup_tests.corrupt(path)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert not app._check_health(path)
    assert check_library(path).damaged  # left exactly as it was
