"""Markdown export: YAML front matter plus a CommonMark body, ready for Obsidian."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clipper.core.export.common import Progress, each_clip, write_each, write_target
from clipper.core.export.filenames import render_template, safe_filename
from clipper.core.library import Clip

DEFAULT_FIELDS = ("title", "url", "author", "date", "site", "tags", "description", "clipped")
# A YAML plain scalar is only safe when it cannot be read as another type or as syntax.
_PLAIN_SAFE = re.compile(r"^[\w\u00a0-\uffff][\w\u00a0-\uffff .,'()/+-]*$")
_NOT_PLAIN = re.compile(r"^(?:true|false|yes|no|on|off|null|~|[-+]?[\d.]+(?:e[-+]?\d+)?)$", re.I)


def yaml_scalar(value: Any) -> str:
    """A YAML scalar: plain when that is unambiguous, else a JSON-style double-quoted string."""
    if value is None:
        return '""'
    text = str(value)
    if _PLAIN_SAFE.match(text) and not _NOT_PLAIN.match(text) and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def _field_values(clip: Clip) -> dict[str, Any]:
    return {
        "title": clip.title,
        "url": clip.url or clip.canonical_url,
        "author": clip.author or None,
        "date": clip.date,
        "site": clip.site or None,
        "tags": clip.tags,
        "description": clip.description or None,
        "clipped": clip.created,
        "language": clip.language or None,
        "id": clip.id,
        "word_count": clip.word_count,
    }


def front_matter(clip: Clip, fields: Sequence[str] = DEFAULT_FIELDS) -> str:
    """The YAML block between ``---`` lines; empty fields are left out (tags always listed)."""
    values = _field_values(clip)
    lines = ["---"]
    for name in fields:
        value = values.get(name)
        if name == "tags":
            lines.append("tags:" + ("" if value else " []"))
            lines += [f"  - {yaml_scalar(t)}" for t in value or []]
        elif value not in (None, ""):
            lines.append(f"{name}: {value if name == 'date' else yaml_scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def clip_to_markdown(clip: Clip, fields: Sequence[str] = DEFAULT_FIELDS) -> str:
    """A whole Markdown document for one clip (front matter, then the body)."""
    body = clip.markdown.strip()
    return f"{front_matter(clip, fields)}\n{body}\n"


def file_stem(clip: Clip, template: str = "{title}") -> str:
    """The file name (without extension) for a clip, from the name template."""
    values = _field_values(clip)
    values["date"] = clip.date or clip.created[:10]
    return safe_filename(render_template(template, values), fallback=f"Clip {clip.id}")


def export_markdown(
    clips: Sequence[Clip],
    folder: Path,
    *,
    template: str = "{title}",
    fields: Sequence[str] = DEFAULT_FIELDS,
    progress: Progress | None = None,
) -> list[Path]:
    """One ``.md`` file per clip in ``folder``; existing files get a numbered sibling instead."""
    return write_each(
        clips,
        folder,
        ".md",
        lambda c: clip_to_markdown(c, fields).encode("utf-8"),
        lambda c: file_stem(c, template),
        progress,
    )


def _section(clip: Clip) -> str:
    """One clip as a section of a combined document: heading, source line, body."""
    source = " · ".join(x for x in (clip.author, clip.site, clip.date or "") if x)
    link = clip.url or clip.canonical_url
    lines = [f"# {clip.title}", ""]
    if source:
        lines += [f"_{source}_", ""]
    if link:
        lines += [f"<{link}>", ""]
    body = clip.markdown.strip()
    # the clip's own headings sit one level below its title
    body = "\n".join("#" + line if line.startswith("#") else line for line in body.split("\n"))
    return "\n".join(lines) + body + "\n"


def export_markdown_combined(
    clips: Sequence[Clip],
    path: Path,
    *,
    title: str | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> Path:
    """All clips in one Markdown file, each under its own heading."""
    heading = title or f"Clipper export: {len(clips)} clip{'s' if len(clips) != 1 else ''}"
    front = f"---\ntitle: {yaml_scalar(heading)}\nclips: {len(clips)}\n---\n\n"
    parts: list[str] = []
    for clip in each_clip(clips, len(clips), progress, []):
        parts.append(_section(clip))
    return write_target(
        path, (front + "\n---\n\n".join(parts)).encode("utf-8"), overwrite=overwrite
    )
