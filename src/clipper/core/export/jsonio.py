"""JSON backups: the library (or some clips) as one JSON file, and back again.

The file is ``{"format": "clipper-library", "version": 1, "exported": ..., "clips": [...]}``
with one clip per line: every field of a clip, and with ``include_pages`` the original
page it was extracted from (base64), so a restored clip can be extracted again.

Both directions work clip by clip, so memory stays bounded however large the library:
the export streams into a temp file that becomes the backup only when complete, and the
import reads the ``clips`` array one entry at a time.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from clipper.core.article import KIND_ARTICLE, KIND_LINK, KIND_TEXT, Article
from clipper.core.errors import ClipperError
from clipper.core.export.common import ExportCancelled, Progress
from clipper.core.export.filenames import unique_path
from clipper.core.fileio import describe_os_error
from clipper.core.library import Clip, Library, now_iso
from clipper.core.sources import HTML, MARKDOWN, MHTML, TEXT, RawDocument
from clipper.core.urls import host_of

FORMAT = "clipper-library"
VERSION = 1
BATCH = 200  # clips loaded from the library at a time
_FIELDS = tuple(f.name for f in fields(Clip) if f.name != "snippet")
_KINDS = frozenset({KIND_ARTICLE, KIND_TEXT, KIND_LINK})
_PAGE_TYPES = frozenset({HTML, TEXT, MARKDOWN, MHTML})
_PAGE_FIELDS = ("content_type", "charset", "url", "origin", "name")  # and "body", in base64
_READ_SIZE = 1 << 16
# A value that ends this close to the end of what has been read may go on (a number
# cut in two, "tr" of "true"): read on before trusting it.
_LOOKAHEAD = 64
_DECODER = json.JSONDecoder()


@dataclass
class ImportReport:
    """What an import did: clips added, updated, skipped as already present, and problems."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    cancelled: bool = False


# --- export --------------------------------------------------------------------------


def clip_record(clip: Clip, page: RawDocument | None = None) -> dict[str, Any]:
    """One clip as a backup entry: every field, and its original page when given."""
    record = {name: getattr(clip, name) for name in _FIELDS}
    if page is not None:
        body = base64.b64encode(page.body).decode("ascii")
        record["page"] = {"body": body} | {name: getattr(page, name) for name in _PAGE_FIELDS}
    return record


def export_json(
    library: Library,
    path: Path,
    *,
    ids: Sequence[int] | None = None,
    include_pages: bool = False,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Back up clips (all of them without ``ids``) to one JSON file; returns the file written.

    An existing file is replaced only with ``overwrite``; else the backup gets a numbered
    sibling name. A cancelled or failed export leaves no file behind.
    """
    chosen = list(library.all_ids() if ids is None else ids)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".clipper-", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            _write_backup(out, library, chosen, include_pages, progress)
            out.flush()
            os.fsync(out.fileno())
        return _publish(tmp, path, overwrite)
    except OSError as exc:
        raise describe_os_error(exc, path) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _write_backup(
    out: TextIO, library: Library, ids: list[int], pages: bool, progress: Progress | None
) -> None:
    header = json.dumps({"format": FORMAT, "version": VERSION, "exported": now_iso()})
    out.write(header[:-1] + ', "clips": [')
    separator = "\n"
    for start in range(0, len(ids), BATCH):
        for clip in library.get_many(ids[start : start + BATCH], body=True):
            record = clip_record(clip, library.page(clip.id) if pages else None)
            out.write(separator + json.dumps(record, ensure_ascii=False))
            separator = ",\n"
        done = min(start + BATCH, len(ids))
        if progress is not None and progress(done, len(ids)) is False:
            raise ExportCancelled([])
    out.write("\n]}\n")


def _publish(tmp: Path, path: Path, overwrite: bool) -> Path:
    """Give the finished temp file its name: ``path``, or a free sibling unless overwriting."""
    if overwrite:
        os.replace(tmp, path)
        return path
    for _attempt in range(100):
        target = unique_path(path.parent, path.stem, path.suffix)
        try:
            os.link(tmp, target)  # fails if the name was taken meanwhile: no overwrite race
            return target
        except FileExistsError:
            continue
        except OSError:  # file systems without hard links
            if target.exists():
                continue
            os.replace(tmp, target)
            return target
    raise ClipperError(f"Could not find a free file name for {path.name} in {path.parent}.")


# --- reading a backup piece by piece ---------------------------------------------------


class _Reader:
    """Reads JSON text from a file a piece at a time, keeping only what is not consumed."""

    def __init__(self, handle: TextIO, path: Path) -> None:
        self._handle = handle
        self._path = path
        self._buffer = ""
        self._pos = 0
        self._lines = 0  # line breaks in the text already dropped from the buffer
        self._eof = False

    def _more(self) -> bool:
        """Read on (at least as much again as is buffered); False at the end of the file."""
        if self._eof:
            return False
        try:
            chunk = self._handle.read(max(_READ_SIZE, len(self._buffer) - self._pos))
        except UnicodeDecodeError:
            raise ClipperError(
                f"{self._path} is not a Clipper backup: it is not UTF-8 text."
            ) from None
        if not chunk:
            self._eof = True
            return False
        self._lines += self._buffer.count("\n", 0, self._pos)
        self._buffer = self._buffer[self._pos :] + chunk
        self._pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space; "" at the end of the file."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buffer) or not self._more():
                return self._buffer[self._pos : self._pos + 1]

    def expect(self, chars: str, what: str) -> str:
        """Consume the next character, which must be one of ``chars``."""
        char = self.peek()
        if not char or char not in chars:
            raise self.error(f"expected {what}")
        self._pos += 1
        return char

    def value(self) -> Any:
        """Decode the next JSON value."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as exc:
                near_end = exc.pos + _LOOKAHEAD >= len(self._buffer)
                if (near_end or exc.msg.startswith("Unterminated string")) and self._more():
                    continue
                raise self.error(exc.msg, exc.pos) from None
            if end + _LOOKAHEAD <= len(self._buffer) or not self._more():
                self._pos = end
                return value

    def error(self, message: str, pos: int | None = None) -> ClipperError:
        at = self._pos if pos is None else pos
        line = self._lines + self._buffer.count("\n", 0, at) + 1
        return ClipperError(f"{self._path} is not valid JSON (line {line}): {message}.")


def _open(path: Path) -> TextIO:
    try:
        return path.open(encoding="utf-8-sig")  # a BOM from a Windows editor is harmless
    except FileNotFoundError:
        raise ClipperError(f"{path} does not exist.") from None
    except OSError as exc:
        raise ClipperError(f"{path} could not be read: {exc.strerror or exc}.") from None


def _check_header(header: dict[str, Any], path: Path) -> None:
    kind = header.get("format")
    if kind != FORMAT:
        raise ClipperError(
            f"{path} is not a Clipper library backup (format {kind!r}, expected {FORMAT!r})."
        )
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ClipperError(f"{path} has an unknown backup version: {version!r}.")
    if version > VERSION:
        raise ClipperError(
            f"{path} was written by a newer version of Clipper (backup version {version}; "
            f"this version reads up to {VERSION}). Update Clipper to import it."
        )


def read_entries(path: Path) -> Iterator[Any]:
    """The entries of a backup's ``clips`` array one at a time, after checking its header.

    ``format`` and ``version`` must come before ``clips``, as Clipper writes them.
    """
    with _open(path) as handle:
        reader = _Reader(handle, path)
        if reader.peek() != "{":
            raise ClipperError(f"{path} is not a Clipper library backup.")
        reader.expect("{", "'{'")
        header: dict[str, Any] = {}
        while reader.peek() != "}":
            key = reader.value()
            if not isinstance(key, str):
                raise reader.error("expected a name in double quotes")
            reader.expect(":", "':'")
            if key == "clips":
                _check_header(header, path)
                yield from _array(reader)
            else:
                header[key] = reader.value()
            if reader.peek() != "}":
                reader.expect(",", "',' or '}'")
        reader.expect("}", "'}'")
        if reader.peek():
            raise reader.error("unexpected text after the end")
        _check_header(header, path)


def _array(reader: _Reader) -> Iterator[Any]:
    reader.expect("[", "'['")
    if reader.peek() == "]":
        reader.expect("]", "']'")
        return
    while True:
        yield reader.value()
        if reader.expect(",]", "',' or ']'") == "]":
            return


# --- import --------------------------------------------------------------------------


class _BadEntry(Exception):
    """A backup entry that cannot become a clip (the reason is in the message)."""


@dataclass
class _Entry:
    article: Article
    page: RawDocument | None
    tags: list[str]
    read: bool
    favourite: bool
    note: str
    created: str | None
    updated: str | None


def _get(record: dict[str, Any], name: str, kind: type, default: Any = None) -> Any:
    """``record[name]`` if it has the right type; missing or null gives ``default``."""
    value = record.get(name)
    if value is None:
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _BadEntry(f'"{name}" should be {kind.__name__}, not {type(value).__name__}')
    return value


def _time(record: dict[str, Any], name: str) -> str | None:
    value: str | None = _get(record, name, str)
    if value is not None:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise _BadEntry(f'"{name}" is not a date and time: {value!r}') from None
    return value


def _page(value: Any) -> RawDocument | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _BadEntry('"page" should be an object')
    kind = _get(value, "content_type", str, "")
    if kind not in _PAGE_TYPES:
        raise _BadEntry(f"the saved page has an unknown content type {kind!r}")
    try:
        body = base64.b64decode(_get(value, "body", str, ""), validate=True)
    except (binascii.Error, ValueError):
        raise _BadEntry("the saved page is not valid base64") from None
    return RawDocument(
        body=body,
        content_type=kind,
        url=_get(value, "url", str),
        charset=_get(value, "charset", str),
        origin=_get(value, "origin", str, "url"),
        name=_get(value, "name", str),
    )


def parse_entry(record: Any) -> _Entry:
    """Check one backup entry and turn it into what Library.add and friends need."""
    if not isinstance(record, dict):
        raise _BadEntry("it is not a JSON object")
    title = _get(record, "title", str, "")
    if not title.strip():
        raise _BadEntry("it has no title")
    kind = _get(record, "kind", str, KIND_ARTICLE)
    if kind not in _KINDS:
        raise _BadEntry(f"unknown kind {kind!r}")
    tags = _get(record, "tags", list, [])
    if not all(isinstance(t, str) for t in tags):
        raise _BadEntry('"tags" should be a list of names')
    article = Article(
        title=title,
        html=_get(record, "html", str, ""),
        text=_get(record, "text", str, ""),
        url=_get(record, "url", str),
        canonical_url=_get(record, "canonical_url", str),
        author=_get(record, "author", str, ""),
        date=_get(record, "date", str),
        site=_get(record, "site", str, ""),
        description=_get(record, "description", str, ""),
        image=_get(record, "image", str),
        language=_get(record, "language", str, ""),
        kind=kind,
    )
    return _Entry(
        article=article,
        page=_page(record.get("page")),
        tags=tags,
        read=_get(record, "read", bool, False),
        favourite=_get(record, "favourite", bool, False),
        note=_get(record, "note", str, ""),
        created=_time(record, "created"),
        updated=_time(record, "updated"),
    )


def _has_web_address(url: str | None, canonical: str | None) -> bool:
    """Whether Library.add would recognise this clip again by its address."""
    return bool(host_of(url) or host_of(canonical))


def _note_key(title: str, text: str) -> bytes:
    return hashlib.sha256(f"{title}\0{text}".encode("utf-8", "surrogatepass")).digest()


def _label(record: Any, n: int) -> str:
    title = record.get("title") if isinstance(record, dict) else None
    return f'Clip {n} ("{title}")' if isinstance(title, str) and title else f"Clip {n}"


def _restore(library: Library, entry: _Entry) -> str:
    """Add or update one clip with its user state and times; returns "added" or "updated"."""
    result = library.add(entry.article, raw=entry.page, tags=entry.tags)
    clip_id = result.clip.id
    library.set_read([clip_id], entry.read)
    library.set_favourite([clip_id], entry.favourite)
    library.set_note(clip_id, entry.note)
    if entry.created:
        library.restore_times(clip_id, entry.created, entry.updated or entry.created)
    return result.status


class _KnownNotes:
    """Keys of the library's clips without a web address, read when first needed."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self._keys: set[bytes] | None = None

    def __contains__(self, key: bytes) -> bool:
        if self._keys is None:
            ids = self._library.all_ids()
            batches = (
                self._library.get_many(ids[i : i + BATCH], body=True)
                for i in range(0, len(ids), BATCH)
            )
            self._keys = {
                _note_key(c.title, c.text or "")
                for batch in batches
                for c in batch
                if not _has_web_address(c.url, c.canonical_url)
            }
        return key in self._keys


def import_json(library: Library, path: Path, *, progress: Progress | None = None) -> ImportReport:
    """Restore clips from a JSON backup; a clip already in the library is updated.

    Clips are matched by address (as Library.add does); a clip without a web address is
    skipped when one with the same title and text exists. Bad entries are skipped and
    listed in ``errors``; a file that is not a valid backup raises ClipperError before
    anything is imported (the whole file is read through once first).
    """
    total = sum(1 for _ in read_entries(path))
    report = ImportReport()
    notes = _KnownNotes(library)
    for n, record in enumerate(read_entries(path), 1):
        _import_one(library, record, n, notes, report)
        if progress is not None and progress(n, total) is False:
            report.cancelled = True
            break
    return report


def _import_one(
    library: Library, record: Any, n: int, notes: _KnownNotes, report: ImportReport
) -> None:
    try:
        entry = parse_entry(record)
    except _BadEntry as exc:
        report.errors.append(f"{_label(record, n)} was skipped: {exc}.")
        return
    article = entry.article
    # Library.add recognises clips by address; a note without one is matched by content
    unaddressed = not _has_web_address(article.url, article.canonical_url)
    if unaddressed and _note_key(article.title, article.text) in notes:
        report.skipped += 1
    elif _restore(library, entry) == "added":
        report.added += 1
    else:
        report.updated += 1
