"""Per-user folders (platformdirs), with overrides for tests and portable use.

On Linux the XDG variables are honoured, so tests point them at temp folders.
``CLIPPER_LIBRARY`` (or ``--library`` / the ``library_path`` setting) picks
another library file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from clipper import APP_ID

LIBRARY_FILE = "library.sqlite3"
SETTINGS_FILE = "settings.json"
LOG_FILE = "clipper.log"


@dataclass(frozen=True)
class Folders:
    """Where Clipper keeps its files for this user."""

    data: Path
    config: Path
    log: Path
    cache: Path

    @property
    def default_library(self) -> Path:
        return self.data / LIBRARY_FILE

    @property
    def settings_file(self) -> Path:
        return self.config / SETTINGS_FILE

    @property
    def log_file(self) -> Path:
        return self.log / LOG_FILE


def user_folders() -> Folders:
    """The per-user folders, read afresh (so environment changes are seen)."""
    dirs = platformdirs.PlatformDirs(APP_ID, appauthor=False)
    return Folders(
        data=Path(dirs.user_data_dir),
        config=Path(dirs.user_config_dir),
        log=Path(dirs.user_log_dir),
        cache=Path(dirs.user_cache_dir),
    )


def library_path(
    explicit: str | os.PathLike[str] | None = None, setting: str | None = None
) -> Path:
    """The library file to open: explicit argument, then $CLIPPER_LIBRARY, setting, default."""
    for candidate in (explicit, os.environ.get("CLIPPER_LIBRARY"), setting):
        if candidate:
            return Path(candidate).expanduser()
    return user_folders().default_library
