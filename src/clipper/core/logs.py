"""Logging to a rotating file in the per-user log folder. Secrets are never logged."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from clipper.core.paths import user_folders

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(level: int = logging.INFO, log_file: Path | None = None) -> Path | None:
    """Log to the rotating log file; returns its path (None if it cannot be written)."""
    path = log_file or user_folders().log_file
    root = logging.getLogger()
    root.setLevel(level)
    if any(getattr(h, "_clipper", False) for h in root.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None  # a read-only home must not stop Clipper from working
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._clipper = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return path
