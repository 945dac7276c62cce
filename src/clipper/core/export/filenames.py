"""File names that are safe on Windows, macOS and Linux, from titles and templates."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

MAX_NAME_BYTES = 200  # leaves room for " (123)" and an extension under the usual 255-byte limit
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in (*range(10), "¹", "²", "³")}
    | {f"LPT{i}" for i in (*range(10), "¹", "²", "³")}
)
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Bidi overrides and other invisible format characters can disguise a file's extension.
_INVISIBLE = frozenset({"Cf", "Cc", "Cs", "Co", "Cn"})


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")[:limit]
    return encoded.decode("utf-8", errors="ignore")


def safe_filename(name: str, fallback: str = "Untitled") -> str:
    """A file name (without extension) safe on all three desktop systems."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(" " if unicodedata.category(ch) in _INVISIBLE else ch for ch in text)
    text = _FORBIDDEN.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    text = _truncate_utf8(text, MAX_NAME_BYTES).strip(" .")
    if not text:
        text = fallback
    if text.split(".")[0].upper().strip() in _WINDOWS_RESERVED:
        text = f"_{text}"
    return text


def unique_path(folder: Path, stem: str, extension: str) -> Path:
    """``folder/stem.ext``, or ``stem (2).ext``, ``stem (3).ext``... whichever does not exist."""
    candidate = folder / f"{stem}{extension}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({number}){extension}"
        number += 1
    return candidate


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render_template(template: str, values: dict[str, Any]) -> str:
    """Fill ``{title}``, ``{date}``, ``{site}``, ``{id}``... unknown fields become empty."""
    try:
        return template.format_map(_Fields(values))
    except (ValueError, IndexError, AttributeError, KeyError):
        return str(values.get("title", ""))
