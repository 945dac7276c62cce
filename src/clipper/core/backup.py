"""Backups of the library: copies made with SQLite's online backup API, health checks, restores.

Automatic backups live in ``backups/`` beside the library (for the default library that is
``<data dir>/backups``), named ``<library name>-YYYYmmdd-HHMMSS.sqlite3`` in UTC, so names
sort by age and two libraries in one folder never share backups. A copy is written under a
temporary name, checked, then renamed into place: a backup that exists is whole.

Nothing here deletes a library: restoring renames the old file (and its -wal, if it holds
anything) to ``library.sqlite3.damaged-<time>`` (``.replaced-<time>`` when it was healthy).
"""

from __future__ import annotations

import errno
import logging
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clipper.core.errors import LibraryError
from clipper.core.library import Library
from clipper.core.paths import LIBRARY_FILE
from clipper.core.schema import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    connect_read_only,
    explain,
    is_busy,
)
from clipper.core.settings import Settings

log = logging.getLogger(__name__)

BACKUP_FOLDER = "backups"
_STAMP = "%Y%m%d-%H%M%S"
_STAMP_RE = r"(\d{8}-\d{6})"
# Pages copied per step (4 MiB at SQLite's default page size). Every step reads the same
# snapshot; in WAL mode a reader never blocks writers, and the GIL is free during a step.
STEP_PAGES = 1024
_STALE_PART = timedelta(days=1)  # temporary files left by a killed backup are removed after this

Progress = Callable[[int, int], None]
"""Called after each step of a backup with (pages copied, pages in all)."""


@dataclass(frozen=True)
class HealthReport:
    """What ``PRAGMA quick_check`` found in a library file."""

    path: Path
    damaged: bool
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.damaged

    def describe(self) -> str:
        """One sentence for the user."""
        if not self.damaged:
            return f"The library {self.path} is in good order."
        return f"The library {self.path} is damaged ({self.problems[0]})."


# Up to this size a library is checked (PRAGMA quick_check) every time it is opened; a larger
# one only when its automatic backup is due, since the check reads the whole file.
ALWAYS_CHECK_BYTES = 256 * 1024 * 1024


class LibraryDamaged(LibraryError):
    """The library failed its health check; ``report`` says how."""

    def __init__(self, message: str, report: HealthReport) -> None:
        super().__init__(message)
        self.report = report


# -- where backups are ---------------------------------------------------------------------


def _library_file(where: Path) -> Path:
    """A library file, given the file or the data folder that holds the default library."""
    return where / LIBRARY_FILE if where.is_dir() else where


def backup_folder(library_path: Path) -> Path:
    """Where the automatic backups of a library go: ``backups/`` beside it."""
    return library_path.parent / BACKUP_FOLDER


def backup_name(library_path: Path, when: datetime | None = None) -> str:
    """The file name of a backup of ``library_path`` made at ``when`` (default: now)."""
    stamp = (when or datetime.now(UTC)).astimezone(UTC).strftime(_STAMP)
    return f"{library_path.stem}-{stamp}.sqlite3"


def backup_time(backup: Path) -> datetime | None:
    """When a backup was made, read from its name; None for other names."""
    match = re.search(_STAMP_RE + r"\.sqlite3$", backup.name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)


def list_backups(where: Path) -> list[Path]:
    """The automatic backups of a library (file, or data folder for the default), newest first."""
    library = _library_file(where)
    pattern = re.compile(re.escape(library.stem) + "-" + _STAMP_RE + r"\.sqlite3")
    try:
        entries = list(backup_folder(library).iterdir())
    except OSError:
        return []
    found = [(m.group(1), p) for p in entries if (m := pattern.fullmatch(p.name)) and p.is_file()]
    return [p for _, p in sorted(found, reverse=True)]


def latest_backup(where: Path) -> Path | None:
    """The newest automatic backup that passes its health check, or None.

    ``where`` is the library file, or the data folder holding the default library.
    """
    for backup in list_backups(where):
        if check_library(backup).ok and _identity(backup) is not None:
            return backup
    return None


def backup_summary(path: Path) -> str:
    """'1,234 clips, made 2025-01-31 09:15 UTC' for a backup (or library) file."""
    identity = _identity(path)
    clips = f"{identity[1]:,} clips" if identity else "not a Clipper library"
    made = backup_time(path)
    return f"{clips}, made {made:%Y-%m-%d %H:%M} UTC" if made else clips


def _identity(path: Path) -> tuple[int, int] | None:
    """(format version, clip count) of a Clipper library file; None if it is not one."""
    try:
        with closing(connect_read_only(path)) as conn:
            app_id, version = (
                conn.execute(f"PRAGMA {p}").fetchone()[0]
                for p in ("application_id", "user_version")
            )
            if app_id != APPLICATION_ID:
                return None
            return int(version), int(conn.execute("SELECT count(*) FROM clips").fetchone()[0])
    except sqlite3.Error:
        return None


# -- health --------------------------------------------------------------------------------


def _is_damage(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (
        "malformed" in text or "not a database" in text
    )


def check_library(path: Path) -> HealthReport:
    """Run ``PRAGMA quick_check`` on a library file, changing nothing.

    A file that does not exist yet is healthy (it is about to be made). Errors that are
    not damage (busy, no permission) are left for opening the library to explain.
    """
    if not path.exists():
        return HealthReport(path, damaged=False)
    try:
        with closing(connect_read_only(path)) as conn:
            rows = conn.execute("PRAGMA quick_check(10)").fetchall()
    except sqlite3.Error as exc:
        damaged = _is_damage(exc)
        return HealthReport(path, damaged=damaged, problems=(str(exc),) if damaged else ())
    except MemoryError:  # SQLite's NOMEM: a damaged record claimed a huge size
        return HealthReport(path, damaged=True, problems=("a record is too damaged to read",))
    lines = [line for row in rows for line in str(row[0]).splitlines()]
    problems = tuple(line for line in lines if line.strip() and not line.startswith("***"))
    if problems == ("ok",):
        return HealthReport(path, damaged=False)
    return HealthReport(path, damaged=True, problems=problems or ("quick_check failed",))


# -- making backups ------------------------------------------------------------------------


def _source_path(library: Library | Path) -> Path:
    return library.path if isinstance(library, Library) else Path(library)


def _copy_pages(source: Path, target: Path, progress: Progress | None) -> None:
    """Copy one snapshot of ``source`` into the new file ``target``, STEP_PAGES at a time."""

    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    with closing(connect_read_only(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.execute("BEGIN")  # one read transaction: every step sees the same snapshot
        src.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        src.backup(dst, pages=STEP_PAGES, progress=step)
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name in ("SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC")


def _backup_failed(exc: BaseException, source: Path, dest: Path) -> LibraryError:
    if _is_disk_full(exc):
        reason = "the disk is full"
    elif isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
    elif isinstance(exc, sqlite3.Error) and _is_damage(exc):
        return LibraryError(explain(exc, source))
    else:
        reason = str(exc)
    return LibraryError(
        f"Clipper could not back up {source} to {dest}: {reason}. The library was not changed."
    )


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut (POSIX; elsewhere a no-op)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup_library(library: Library | Path, dest: Path, progress: Progress | None = None) -> Path:
    """Copy a library to ``dest`` with SQLite's online backup API; returns ``dest``.

    Safe while the library is in use, by this process or another: the copy is read from
    one snapshot, so changes made meanwhile are simply not in it. It is written beside
    ``dest`` under a temporary name, checked with quick_check, then renamed, so ``dest``
    is never half written. Raises LibraryError (disk full, damaged library, ...).
    """
    source = _source_path(library)
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        os.close(fd)
    except OSError as exc:
        raise _backup_failed(exc, source, dest) from exc
    part = Path(name)
    try:
        _copy_pages(source, part, progress)
        report = check_library(part)
        if report.damaged:
            raise LibraryDamaged(
                f"The library {source} is damaged ({report.problems[0]}), so no backup was made.",
                HealthReport(source, True, report.problems),
            )
        os.replace(part, dest)
    except (OSError, sqlite3.Error) as exc:
        raise _backup_failed(exc, source, dest) from exc
    finally:
        part.unlink(missing_ok=True)
    _fsync_folder(dest.parent)
    return dest


def prune_backups(where: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` automatic backups (and stale temporary files)."""
    removed = list_backups(where)[max(keep, 0) :]
    library = _library_file(where)
    stale_before = time.time() - _STALE_PART.total_seconds()
    with suppress(OSError):
        for part in backup_folder(library).glob(f".{library.stem}-*.part"):
            if part.stat().st_mtime < stale_before:
                removed.append(part)
    for path in removed:
        try:
            path.unlink(missing_ok=True)  # another Clipper pruning at the same time is fine
        except OSError as exc:
            log.warning("Could not delete the old backup %s: %s", path, exc)
    return removed


def _worth_backing_up(path: Path) -> bool:
    identity = _identity(path) if path.is_file() else None
    return identity is not None and identity[1] > 0


def backup_due(library_path: Path, settings: Settings, now: datetime | None = None) -> bool:
    """Whether automatic backups are on and the newest is older than the setting says."""
    if settings.backup_keep <= 0:
        return False
    newest = next(iter(list_backups(library_path)), None)
    made = backup_time(newest) if newest else None
    if made is None:
        return True
    age = (now or datetime.now(UTC)) - made
    return not timedelta(0) <= age < timedelta(hours=settings.backup_every_hours)


def maybe_backup(
    library: Library | Path,
    settings: Settings,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Make an automatic backup if the newest is older than ``settings.backup_every_hours``.

    Keeps the newest ``settings.backup_keep`` backups (0 turns automatic backups off) and
    skips libraries with no clips. Returns the new backup, or None when none was due or it
    failed: a failure (full disk, read-only folder) is logged, never raised, so it cannot
    stop anyone from using the library.
    """
    path = _source_path(library)
    now = now or datetime.now(UTC)
    if not backup_due(path, settings, now) or not _worth_backing_up(path):
        return None
    dest = backup_folder(path) / backup_name(path, now)
    try:
        backup_library(path, dest, progress)
    except LibraryError as exc:
        log.warning("The automatic backup of %s failed: %s", path, exc)
        return None
    prune_backups(path, settings.backup_keep)
    log.info("Backed up %s to %s", path, dest)
    return dest


# -- restoring -----------------------------------------------------------------------------


def _check_backup(backup: Path, library_path: Path) -> None:
    """Refuse (LibraryError) a backup that would not give the user a working library."""
    if not backup.is_file():
        raise LibraryError(f"There is no backup file {backup}.")
    if library_path.exists() and backup.resolve() == library_path.resolve():
        raise LibraryError(f"{backup} is the library itself, not a backup of it.")
    report = check_library(backup)
    if report.damaged:
        raise LibraryError(
            f"The backup {backup} is damaged too ({report.problems[0]}). "
            "The library was not changed."
        )
    identity = _identity(backup)
    if identity is None:
        raise LibraryError(f"{backup} is not a Clipper library. The library was not changed.")
    if identity[0] > SCHEMA_VERSION:
        raise LibraryError(
            f"{backup} was made by a newer version of Clipper. Update Clipper to restore it."
        )


def _refuse_if_in_use(path: Path) -> None:
    """LibraryError if another connection (a window, a command) has the library open."""
    if not path.exists():
        return
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=0.5)
    except sqlite3.Error:
        return
    try:
        # An exclusive lock is refused while any other connection has the file open.
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        if is_busy(exc):
            raise LibraryError(
                f"The library {path} is open in another Clipper (a window or a command). "
                "Close it, then restore again. Nothing was changed."
            ) from exc
    finally:
        conn.close()


def _move_aside(path: Path) -> Path | None:
    """Rename the library (and its -wal) to a name that says why; None if there is none."""
    if not path.exists():
        return None
    label = "damaged" if check_library(path).damaged else "replaced"
    stamp = datetime.now(UTC).strftime(_STAMP)
    kept = path.with_name(f"{path.name}.{label}-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.name}.{label}-{stamp}-{n}")
    os.replace(path, kept)
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if wal.exists() and wal.stat().st_size > 0:  # changes not yet in the file: keep them with it
        os.replace(wal, f"{kept}-wal")
    # No one has the file open (checked), so these hold nothing SQLite cannot rebuild.
    wal.unlink(missing_ok=True)
    shm.unlink(missing_ok=True)
    return kept


def _put_back(kept: Path | None, path: Path) -> None:
    if kept is None:
        return
    for suffix in ("", "-wal"):
        old, new = Path(f"{kept}{suffix}"), Path(f"{path}{suffix}")
        if old.exists() and not new.exists():
            os.replace(old, new)


def restore_backup(backup: Path, library_path: Path) -> Path | None:
    """Replace the library with a backup; returns where the old library was kept (or None).

    The old file is renamed, never deleted: ``<name>.damaged-<time>`` when it fails its
    health check, ``<name>.replaced-<time>`` otherwise. Refuses with a LibraryError, and
    changes nothing, when the backup is damaged or not a Clipper library, or when another
    Clipper has the library open.
    """
    backup, library_path = Path(backup), Path(library_path)
    _check_backup(backup, library_path)
    _refuse_if_in_use(library_path)
    staged = library_path.with_name(f".{library_path.name}.restoring")
    backup_library(backup, staged)
    kept: Path | None = None
    try:
        kept = _move_aside(library_path)
        os.replace(staged, library_path)
    except OSError as exc:
        _put_back(kept, library_path)
        raise LibraryError(
            f"Clipper could not put the backup in place of {library_path} ({exc.strerror}). "
            "The library was not changed."
        ) from exc
    finally:
        staged.unlink(missing_ok=True)
    _fsync_folder(library_path.parent)
    log.info("Restored %s from %s; the old library is %s", library_path, backup, kept)
    return kept
