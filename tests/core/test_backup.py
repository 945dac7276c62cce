"""Backups, health checks and restores on real library files (one with real damage)."""

from __future__ import annotations

import argparse
import logging
import shutil
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from clipper.core.article import Article
from clipper.core.backup import (
    LibraryDamaged,
    backup_library,
    backup_time,
    check_library,
    latest_backup,
    list_backups,
    maybe_backup,
    restore_backup,
)
from clipper.core.errors import ClipperError, LibraryError
from clipper.core.library import Library
from clipper.core.settings import Settings, load_settings, save_settings

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def article(i: int) -> Article:
    text = f"Clip {i} is about item{i} and keeps a long paragraph. " * 40
    return Article(title=f"Clip {i}", html=f"<p>{text}</p>", text=text, url=f"https://e.com/{i}")


def make_library(path: Path, n: int) -> Path:
    with Library(path) as lib:
        for i in range(n):
            lib.add(article(i), tags=["even" if i % 2 else "odd"])
    return path


def corrupt(path: Path) -> None:
    """Overwrite bytes in the middle of the cell area of a b-tree page (not the file header)."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    # the fullest page of an index on clips: its middle is cell headers, not just text
    page = conn.execute(
        "SELECT pageno FROM dbstat WHERE name = 'clips_title' AND pagetype = 'leaf' "
        "ORDER BY ncell DESC LIMIT 1"
    ).fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    start = (page - 1) * page_size
    cells = int.from_bytes(data[start + 5 : start + 7], "big")  # where the cell area begins
    middle = start + (cells + page_size) // 2
    data[middle - 32 : middle + 32] = b"\xff" * 64
    path.write_bytes(bytes(data))


def clip_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM clips").fetchone()[0])
    finally:
        conn.close()


def test_backup_is_one_snapshot_and_writers_go_on_meanwhile(tmp_path: Path) -> None:
    lib = Library(make_library(tmp_path / "library.sqlite3", 120))
    steps: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        steps.append((done, total))
        if len(steps) == 1:  # mid-backup: a change through the same library must not wait
            started = time.monotonic()
            lib.add(article(999))
            assert time.monotonic() - started < 2

    import clipper.core.backup as backup_module

    pages = backup_module.STEP_PAGES
    backup_module.STEP_PAGES = 16  # many steps for a small library
    try:
        dest = backup_library(lib, tmp_path / "out" / "copy.sqlite3", progress)
    finally:
        backup_module.STEP_PAGES = pages
    assert len(steps) > 3 and steps[-1][0] == steps[-1][1]
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert clip_count(dest) == 120 and lib.count() == 121
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["copy.sqlite3"]
    lib.close()


def test_automatic_backups_are_due_by_age_and_rotate(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    settings = Settings(backup_keep=3, backup_every_hours=24)
    assert maybe_backup(path, settings, now=T0) is None  # no library yet
    Library(path).close()
    assert maybe_backup(path, settings, now=T0) is None  # nothing in it to keep
    make_library(path, 3)
    with Library(path) as lib:
        first = maybe_backup(lib, settings, now=T0)
        assert first == tmp_path / "backups" / "library-20250301-120000.sqlite3"
        assert maybe_backup(lib, settings, now=T0 + timedelta(hours=23)) is None
        made = [maybe_backup(lib, settings, now=T0 + timedelta(days=d)) for d in range(1, 6)]
    assert all(made)
    assert list_backups(path) == made[:-4:-1]  # the newest three, newest first
    assert backup_time(made[-1]) == T0 + timedelta(days=5)
    assert latest_backup(tmp_path) == made[-1]  # the data folder works as well as the file
    assert maybe_backup(path, Settings(backup_keep=0), now=T0 + timedelta(days=9)) is None
    other = make_library(tmp_path / "other.sqlite3", 1)
    assert latest_backup(other) is None  # backups of one library are never another's


def test_a_failed_automatic_backup_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = make_library(tmp_path / "library.sqlite3", 2)
    (tmp_path / "backups").write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING):
        assert maybe_backup(path, Settings()) is None
    assert "automatic backup" in caplog.text
    assert clip_count(path) == 2


def test_settings_keep_backup_fields(tmp_path: Path) -> None:
    assert Settings().backup_keep == 5 and Settings().backup_every_hours == 24
    save_settings(Settings(backup_keep=2, backup_every_hours=6.5), tmp_path / "s.json")
    loaded = load_settings(tmp_path / "s.json")
    assert (loaded.backup_keep, loaded.backup_every_hours) == (2, 6.5)


def test_real_damage_is_found_and_restore_keeps_the_damaged_file(tmp_path: Path) -> None:
    path = make_library(tmp_path / "library.sqlite3", 400)
    good = maybe_backup(path, Settings())
    assert good is not None and check_library(path).ok
    corrupt(path)
    damaged_bytes = path.read_bytes()
    report = check_library(path)
    assert report.damaged and report.problems
    assert "damaged" in report.describe()
    with pytest.raises(LibraryError, match="damaged"), Library(path) as lib:
        lib._read("SELECT title FROM clips ORDER BY title COLLATE NOCASE")
    assert latest_backup(path) == good
    kept = restore_backup(good, path)
    assert kept is not None and kept.name.startswith("library.sqlite3.damaged-")
    assert kept.read_bytes() == damaged_bytes  # kept as it was, never deleted
    assert check_library(path).ok
    with Library(path) as lib:
        assert lib.count() == 400 and lib.search("item7").total == 1
        lib.add(article(1000))


def test_latest_backup_skips_damaged_backups(tmp_path: Path) -> None:
    path = make_library(tmp_path / "library.sqlite3", 300)
    older = maybe_backup(path, Settings(), now=T0)
    newer = maybe_backup(path, Settings(), now=T0 + timedelta(days=2))
    assert older and newer
    corrupt(newer)
    assert latest_backup(path) == older


def test_restore_refuses_what_would_not_help_and_changes_nothing(tmp_path: Path) -> None:
    tmp_path = tmp_path / "here"
    path = make_library(tmp_path / "library.sqlite3", 300)
    before = path.read_bytes()
    bad = backup_library(path, tmp_path / "bad.sqlite3")
    corrupt(bad)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.close()
    cases = [
        (tmp_path / "missing.sqlite3", "no backup file"),
        (bad, "damaged too"),
        (other, "not a Clipper library"),
        (path, "the library itself"),
    ]
    for backup, message in cases:
        with pytest.raises(LibraryError, match=message):
            restore_backup(backup, path)
    good = backup_library(path, tmp_path / "good.sqlite3")
    with Library(path), pytest.raises(LibraryError, match="open in another Clipper"):
        restore_backup(good, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.sqlite3",
        "good.sqlite3",
        "library.sqlite3",
        "other.sqlite3",
    ]


def test_restoring_over_a_healthy_library_keeps_it_as_replaced(tmp_path: Path) -> None:
    path = make_library(tmp_path / "library.sqlite3", 2)
    copy = backup_library(path, tmp_path / "copy.sqlite3")
    with Library(path) as lib:
        lib.add(article(50))
    kept = restore_backup(copy, path)
    assert kept is not None and ".replaced-" in kept.name
    assert clip_count(path) == 2 and clip_count(kept) == 3
    assert restore_backup(copy, tmp_path / "new" / "library.sqlite3") is None


def test_a_write_waits_out_a_long_writer_with_retries(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    lib = Library(path)
    lib._conn.execute("PRAGMA busy_timeout = 100")  # shorter than the other writer's hold
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: other.execute("ROLLBACK"))
    release.start()
    try:
        assert lib.add(article(1)).status == "added"
    finally:
        release.join()
        other.close()
        lib.close()


# -- the CLI side (in-process; tests/test_durability.py runs the real commands) --------------


def cli_ctx(path: Path) -> SimpleNamespace:
    return SimpleNamespace(library_path=path, settings=Settings())


def run_command(argv: list[str], ctx: SimpleNamespace) -> int:
    from clipper.cli import _sub
    from clipper.cli_backup import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(), _sub)
    args = parser.parse_args(argv)
    return int(args.func(args, ctx))


def test_open_checked_names_the_backup_and_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clipper.cli_backup import open_checked

    path = tmp_path / "lib" / "mine.sqlite3"
    open_checked(cli_ctx(path))
    assert not path.parent.exists()  # nothing made for a library that is not there yet
    make_library(path, 300)
    open_checked(cli_ctx(path))  # healthy: the automatic backup is made
    (backup,) = list_backups(path)
    corrupt(path)
    with pytest.raises(LibraryDamaged) as caught:
        open_checked(cli_ctx(path))
    message = str(caught.value)
    assert message.startswith(f"The library {path} is damaged (")
    assert f"The newest good backup is {backup} (300 clips, made " in message
    assert f"clipper --library {path} restore {backup}" in message
    assert run_command(["restore", str(backup)], cli_ctx(path)) == 0
    out = capsys.readouterr().out
    assert "Restored" in out and ".damaged-" in out
    open_checked(cli_ctx(path))
    assert run_command(["backup", str(tmp_path / "copies") + "/"], cli_ctx(path)) == 0
    (copy,) = (tmp_path / "copies").iterdir()
    assert copy.name.startswith("mine-") and clip_count(copy) == 300
    with pytest.raises(ClipperError, match="already exists"):
        run_command(["backup", str(copy)], cli_ctx(path))


def test_open_checked_without_any_backup_says_so(tmp_path: Path) -> None:
    from clipper.cli_backup import open_checked

    path = make_library(tmp_path / "library.sqlite3", 300)
    corrupt(path)
    shutil.rmtree(tmp_path / "backups", ignore_errors=True)
    with pytest.raises(LibraryDamaged, match="no good backup"):
        open_checked(cli_ctx(path))


def test_big_libraries_are_checked_when_their_backup_is_due(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import clipper.cli_backup as cli_backup

    path = make_library(tmp_path / "library.sqlite3", 300)
    maybe_backup(path, Settings())
    corrupt(path)
    monkeypatch.setattr(cli_backup, "ALWAYS_CHECK_BYTES", 1000)  # every library is "big"
    cli_backup.open_checked(cli_ctx(path))  # a backup is not due: no check, no delay
    due = SimpleNamespace(library_path=path, settings=Settings(backup_every_hours=0.0001))
    time.sleep(0.5)
    with pytest.raises(LibraryDamaged):
        cli_backup.open_checked(due)
    assert len(list_backups(path)) == 1  # and no damaged backup was made
