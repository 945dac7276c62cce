"""Writing files safely: atomic, and never over an existing file by accident."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from clipper.core.errors import ClipperError


def write_new_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; FileExistsError if ``path`` exists.

    The data goes to a temp file in the same folder first, so a crash or a full
    disk never leaves a half-written file under the final name.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".clipper-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _link_or_rename(Path(tmp), path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _link_or_rename(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)  # fails if path exists: no race with another writer
    except FileExistsError:
        raise
    except OSError:
        # file systems without hard links (FAT, some network shares)
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(tmp, path)


def describe_os_error(exc: OSError, path: Path) -> ClipperError:
    """A user-level error for a failed write (full disk, no permission, ...)."""
    reason = exc.strerror or str(exc)
    return ClipperError(f"Could not write {path}: {reason}.")
