"""Tag names: trimmed, single-spaced, unique ignoring case."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_TAG_LENGTH = 100
_SPACE = re.compile(r"\s+")
SEPARATOR = "\n"  # how clips.tags joins names (a separator for the search tokenizer too)


def clean(name: str) -> str:
    """A tag name as stored: whitespace runs become one space, ends trimmed, length bounded."""
    return _SPACE.sub(" ", name).strip()[:MAX_TAG_LENGTH].strip()


def key(name: str) -> str:
    """What makes two tag names the same tag."""
    return clean(name).casefold()


def clean_all(names: Iterable[str]) -> list[str]:
    """Cleaned, non-empty names, first spelling of each kept, in order."""
    seen: set[str] = set()
    result: list[str] = []
    for name in names:
        cleaned = clean(name)
        if cleaned and key(cleaned) not in seen:
            seen.add(key(cleaned))
            result.append(cleaned)
    return result


def split(stored: str) -> list[str]:
    """Tag names from the clips.tags column."""
    return [t for t in stored.split(SEPARATOR) if t]
