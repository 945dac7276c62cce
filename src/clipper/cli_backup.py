"""The CLI's backup side: ``clipper backup DEST``, ``clipper restore BACKUP``, and the check
run before a command opens the library (refuse a damaged one, make the automatic backup).

Wired into clipper.cli by ``register(subs, _sub)`` and by calling ``open_checked(ctx)``
just before the library is opened.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TextIO

from clipper.core.backup import (
    ALWAYS_CHECK_BYTES,
    HealthReport,
    LibraryDamaged,
    Progress,
    backup_due,
    backup_library,
    backup_name,
    backup_summary,
    check_library,
    latest_backup,
    maybe_backup,
    restore_backup,
)
from clipper.core.errors import ClipperError
from clipper.core.settings import Settings

# quick_check reads the whole file: about 0.5 s a gigabyte from the page cache, more from
# disk. Every command checks a library up to this size; bigger ones are checked when their
# automatic backup is due (daily by default), so a command on them stays quick.


class BackupContext(Protocol):
    """What these commands need from clipper.cli.Context."""

    library_path: Path
    settings: Settings


Command = Callable[[argparse.Namespace, Any], int]
SubCommand = Callable[[Any, str, Command, str], argparse.ArgumentParser]


def _progress_on(stream: TextIO) -> Progress | None:
    """A progress line on a terminal; None (silence) when output goes to a file or pipe."""
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\rBacking up... {done * 100 // max(total, 1)}%")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


def cmd_backup(args: argparse.Namespace, ctx: BackupContext) -> int:
    """Copy the library to DEST (a new file, or a folder to put it in)."""
    source = ctx.library_path
    if not source.is_file():
        raise ClipperError(f"There is no library at {source} to back up.")
    dest = Path(args.dest).expanduser()
    if dest.is_dir() or args.dest.endswith(("/", os.sep)):
        dest = dest / backup_name(source)
    if dest.exists():
        raise ClipperError(f"{dest} already exists; Clipper will not overwrite it.")
    backup_library(source, dest, _progress_on(sys.stderr))
    print(f"Backed up {source} to {dest} ({backup_summary(dest)}).", flush=True)
    return 0


def cmd_restore(args: argparse.Namespace, ctx: BackupContext) -> int:
    """Replace the library with BACKUP; the old library file is kept, renamed."""
    backup = Path(args.backup).expanduser()
    kept = restore_backup(backup, ctx.library_path)
    print(f"Restored {ctx.library_path} from {backup} ({backup_summary(backup)}).", flush=True)
    if kept is not None:
        print(f"The library it replaced is kept as {kept}.", flush=True)
    return 0


def register(subs: Any, sub: SubCommand) -> None:
    """Add the ``backup`` and ``restore`` commands to the CLI's subparsers."""
    p = sub(subs, "backup", cmd_backup, "copy the library to a file, safely, even while in use")
    p.add_argument("dest", metavar="DEST", help="a new file, or a folder to put the copy in")
    p = sub(subs, "restore", cmd_restore, "replace the library with a backup (the old is kept)")
    p.add_argument("backup", metavar="BACKUP", help="a backup file, e.g. from `clipper backup`")


def _restore_command(ctx: BackupContext, backup: Path) -> str:
    from clipper.core.paths import library_path

    # `--library` only when the library would not be found without it
    usual = library_path(None, ctx.settings.library_path)
    where = "" if usual == ctx.library_path else f"--library {shlex.quote(str(ctx.library_path))} "
    return f"clipper {where}restore {shlex.quote(str(backup))}"


def damage_message(report: HealthReport, ctx: BackupContext) -> str:
    """What the CLI says about a damaged library: what is wrong and how to restore it."""
    lines = [f"{report.describe()} Clipper left it untouched."]
    backup = latest_backup(ctx.library_path)
    if backup is None:
        lines.append(
            "There is no good backup of it to restore. Keep a copy of the file before "
            "trying anything else (for instance the sqlite3 tool's .recover command)."
        )
    else:
        name = ctx.library_path.name
        lines += [
            f"The newest good backup is {backup} ({backup_summary(backup)}).",
            f"To restore it (the damaged file is kept as {name}.damaged-<time>), run:",
            f"  {_restore_command(ctx, backup)}",
        ]
    return "\n".join(lines)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def open_checked(ctx: BackupContext) -> None:
    """Run before opening the library: refuse a damaged one, make an automatic backup if due.

    Raises LibraryDamaged (a ClipperError: one message, exit 1) naming the newest good
    backup and the command that restores it. Never opens or creates the library itself.
    Libraries over ALWAYS_CHECK_BYTES are checked only when a backup is due.
    """
    path = ctx.library_path
    due = backup_due(path, ctx.settings)
    if due or _size(path) <= ALWAYS_CHECK_BYTES:
        report = check_library(path)
        if report.damaged:
            raise LibraryDamaged(damage_message(report, ctx), report)
    if due:
        maybe_backup(path, ctx.settings)
