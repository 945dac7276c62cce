"""A typed, versioned settings file (JSON). Unknown keys are kept; bad values fall back."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from clipper.core.paths import user_folders

SETTINGS_VERSION = 1
log = logging.getLogger(__name__)


@dataclass
class Settings:
    """Everything a user can set. Defaults are what a new user gets."""

    library_path: str = ""
    fetch_timeout: float = 30.0
    max_page_mb: float = 20.0
    export_filename_template: str = "{title}"
    # Markdown front matter, in this order (any of: title url author date site tags
    # description clipped language id word_count)
    export_fields: list[str] = field(
        default_factory=lambda: [
            "title",
            "url",
            "author",
            "date",
            "site",
            "tags",
            "description",
            "clipped",
        ]
    )
    export_folder: str = ""
    reader_font: str = "serif"  # "serif" or "sans"
    reader_size: int = 17  # px
    theme: str = "system"  # "system", "light" or "dark"
    backup_keep: int = 5  # automatic backups kept; 0 turns them off
    backup_every_hours: float = 24.0  # make one when the newest is older than this
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def max_page_bytes(self) -> int:
        return int(self.max_page_mb * 1024 * 1024)


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Keep a stored value only if it has the default's type (ints accepted for floats)."""
    if (
        isinstance(default, float)
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return float(value) if value > 0 else default
    if isinstance(default, list) and isinstance(value, list):
        return [v for v in value if isinstance(v, str)] or default
    if type(value) is type(default):
        return value
    log.warning("Setting %s has an unusable value; using the default.", name)
    return default


def load_settings(path: Path | None = None) -> Settings:
    """Read settings; a missing or damaged file gives the defaults (and never raises)."""
    path = path or user_folders().settings_file
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("Could not read settings %s (%s); using defaults.", path, exc)
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    defaults = Settings()
    known = {f.name for f in fields(Settings)} - {"extra"}
    values = {k: _coerce(k, raw[k], getattr(defaults, k)) for k in known if k in raw}
    extra = {k: v for k, v in raw.items() if k not in known and k != "version"}
    return Settings(**values, extra=extra)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write settings atomically (temp file, then rename)."""
    path = path or user_folders().settings_file
    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(settings)
    data.update(data.pop("extra"))
    data["version"] = SETTINGS_VERSION
    fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)
