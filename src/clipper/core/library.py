"""The library: one SQLite file holding clips, tags, original pages and a search index."""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clipper.core import tags as tagnames
from clipper.core.article import Article
from clipper.core.errors import ClipperError, LibraryError, NotFound
from clipper.core.schema import begin_immediate, can_write, explain, is_environmental, open_library
from clipper.core.search import SORTS, SearchPage, run_ids, search_page, snippets_for
from clipper.core.sources import RawDocument
from clipper.core.urls import host_of, normalise_url, reversed_host

_SUMMARY_COLUMNS = (
    "id, kind, url, canonical_url, title, author, date, site, description, image, language, "
    "word_count, created, updated, read, favourite, note, tags"
)
_CHUNK = 500  # ids per statement; stays well under SQLite's variable limit


def now_iso() -> str:
    """The current UTC time as ISO 8601 with a Z, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Clip:
    """A clip as stored. ``html`` and ``text`` are None in list results (not loaded)."""

    id: int
    kind: str
    url: str | None
    canonical_url: str | None
    title: str
    author: str
    date: str | None
    site: str
    description: str
    image: str | None
    language: str
    word_count: int
    created: str
    updated: str
    read: bool
    favourite: bool
    note: str
    tags: list[str]
    text: str | None = None
    html: str | None = None
    snippet: str | None = None

    @property
    def markdown(self) -> str:
        from clipper.core.markdown import html_to_markdown

        return html_to_markdown(self.html or "", base_url=self.url)

    def to_json(self, *, body: bool = True) -> dict[str, Any]:
        """The clip as the CLI's --json prints it."""
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "author": self.author or None,
            "date": self.date,
            "site": self.site or None,
            "language": self.language or None,
            "description": self.description or None,
            "image": self.image,
            "tags": self.tags,
            "word_count": self.word_count,
            "created": self.created,
            "updated": self.updated,
            "read": self.read,
            "favourite": self.favourite,
            "note": self.note,
        }
        if self.snippet is not None:
            data["snippet"] = self.snippet
        if body:
            data.update(text=self.text, html=self.html, markdown=self.markdown)
        return data


@dataclass(frozen=True)
class AddResult:
    clip: Clip
    status: str  # "added" or "updated"


@dataclass(frozen=True)
class TagCount:
    name: str
    count: int


def _row_to_clip(row: sqlite3.Row) -> Clip:
    keys = row.keys()
    return Clip(
        id=row["id"],
        kind=row["kind"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        title=row["title"],
        author=row["author"],
        date=row["date"],
        site=row["site"],
        description=row["description"],
        image=row["image"],
        language=row["language"],
        word_count=row["word_count"],
        created=row["created"],
        updated=row["updated"],
        read=bool(row["read"]),
        favourite=bool(row["favourite"]),
        note=row["note"],
        tags=tagnames.split(row["tags"]),
        text=row["text"] if "text" in keys else None,
        html=row["html"] if "html" in keys else None,
    )


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _article_values(article: Article) -> dict[str, Any]:
    """Column values for an article (everything except identity, times and user state)."""
    url = article.url or None
    host = host_of(url or article.canonical_url)
    return {
        "kind": article.kind,
        "url": url,
        "canonical_url": article.canonical_url or None,
        "norm_url": normalise_url(url) if url and host else None,
        "norm_canonical": normalise_url(article.canonical_url) if article.canonical_url else None,
        "host": host,
        "rhost": reversed_host(host),
        "title": article.title,
        "author": article.author or "",
        "date": article.date,
        "site": article.site or "",
        "description": article.description or "",
        "image": article.image,
        "language": (article.language or "").lower(),
        "word_count": article.word_count,
        "text": article.text,
        "html": article.html,
    }


class Library:
    """A Clipper library file. Safe to share between threads (calls are serialised).

    A library this user cannot write (a read-only file or folder) opens read-only:
    ``read_only`` is then True, reading works and every change fails with a LibraryError.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.read_only = not can_write(self.path)
        self._lock = threading.RLock()
        self._conn = self._connect()

    # -- opening and closing -------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            return open_library(self.path, read_only=self.read_only)
        except sqlite3.Error as exc:
            raise LibraryError(self._explain(exc)) from exc
        except OSError as exc:
            raise LibraryError(f"Could not open the library {self.path}: {exc}.") from exc

    def _explain(self, exc: sqlite3.Error) -> str:
        return explain(exc, self.path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it.

        Starting it waits for another writer (busy_timeout), then retries with backoff.
        A failure of the disk (full, read-only) rolls everything back and becomes a
        LibraryError saying so.
        """
        with self._lock:
            try:
                begin_immediate(self._conn)
            except sqlite3.Error as exc:
                raise LibraryError(self._explain(exc)) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:  # after a disk error SQLite may have rolled back
                    with suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                if is_environmental(exc):
                    raise LibraryError(self._explain(exc)) from exc
                raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                if not is_environmental(exc):
                    raise
                raise LibraryError(self._explain(exc)) from exc

    # -- clips ---------------------------------------------------------------------------

    def find_duplicate(self, *urls: str | None) -> int | None:
        """The id of a clip whose URL or canonical URL matches any of ``urls`` after normalising."""
        keys = sorted({normalise_url(u) for u in urls if u and host_of(u)})
        if not keys:
            return None
        m = _marks(len(keys))
        rows = self._read(
            f"SELECT id FROM clips WHERE norm_url IN ({m}) OR norm_canonical IN ({m}) "
            "ORDER BY id LIMIT 1",
            [*keys, *keys],
        )
        return int(rows[0]["id"]) if rows else None

    def add(
        self, article: Article, raw: RawDocument | None = None, tags: Iterable[str] = ()
    ) -> AddResult:
        """Store an article; the same article again (by URL or canonical link) updates the clip."""
        values = _article_values(article)
        stamp = now_iso()
        with self._write() as conn:
            existing = self.find_duplicate(article.url, article.canonical_url)
            if existing is None:
                # A new clip is written with its tags in one row, so the index sees it once.
                clip_id, status = self._insert_clip(conn, values, stamp, tags), "added"
            else:
                sets = ", ".join(f"{c} = ?" for c in values)
                conn.execute(
                    f"UPDATE clips SET {sets}, updated = ? WHERE id = ?",
                    [*values.values(), stamp, existing],
                )
                clip_id, status = existing, "updated"
                self._attach_tags(conn, [clip_id], tags)
            if raw is not None:
                self._store_page(conn, clip_id, raw, stamp)
        return AddResult(self.get(clip_id), status)

    def _store_page(
        self, conn: sqlite3.Connection, clip_id: int, raw: RawDocument, stamp: str
    ) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO pages (clip_id, url, content_type, charset, origin, name, "
            "fetched, size, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                clip_id,
                raw.url,
                raw.content_type,
                raw.charset,
                raw.origin,
                raw.name,
                stamp,
                len(raw.body),
                zlib.compress(raw.body, 6),
            ),
        )

    def replace_article(self, clip_id: int, article: Article) -> Clip:
        """Rebuild a clip's content from a new extraction, keeping tags, note and read state."""
        values = _article_values(article)
        with self._write() as conn:
            sets = ", ".join(f"{c} = ?" for c in values)
            cur = conn.execute(
                f"UPDATE clips SET {sets}, updated = ? WHERE id = ?",
                [*values.values(), now_iso(), clip_id],
            )
            if cur.rowcount == 0:
                raise NotFound(f"There is no clip #{clip_id}.")
        return self.get(clip_id)

    def get(self, clip_id: int) -> Clip:
        """One clip with its body; NotFound if there is no such clip."""
        rows = self._read(
            f"SELECT {_SUMMARY_COLUMNS}, text, html FROM clips WHERE id = ?", [clip_id]
        )
        if not rows:
            raise NotFound(f"There is no clip #{clip_id}.")
        return _row_to_clip(rows[0])

    def get_many(self, ids: Sequence[int], *, body: bool = False) -> list[Clip]:
        """Clips in the order of ``ids``; ids that do not exist are skipped."""
        cols = f"{_SUMMARY_COLUMNS}, text, html" if body else _SUMMARY_COLUMNS
        found: dict[int, Clip] = {}
        for chunk in _chunks(list(ids)):
            for row in self._read(
                f"SELECT {cols} FROM clips WHERE id IN ({_marks(len(chunk))})", chunk
            ):
                found[row["id"]] = _row_to_clip(row)
        return [found[i] for i in ids if i in found]

    def page(self, clip_id: int) -> RawDocument | None:
        """The original page kept for a clip, or None."""
        rows = self._read("SELECT * FROM pages WHERE clip_id = ?", [clip_id])
        if not rows:
            return None
        r = rows[0]
        return RawDocument(
            body=zlib.decompress(r["body"]),
            content_type=r["content_type"],
            url=r["url"],
            charset=r["charset"],
            origin=r["origin"],
            name=r["name"],
        )

    def delete(self, ids: Sequence[int]) -> int:
        """Delete clips (with their tags links and pages); returns how many existed."""
        deleted = 0
        with self._write() as conn:
            for chunk in _chunks(list(ids)):
                cur = conn.execute(f"DELETE FROM clips WHERE id IN ({_marks(len(chunk))})", chunk)
                deleted += cur.rowcount
        return deleted

    def _set_flag(self, column: str, ids: Sequence[int], value: bool) -> None:
        with self._write() as conn:
            for chunk in _chunks(list(ids)):
                conn.execute(
                    f"UPDATE clips SET {column} = ? WHERE id IN ({_marks(len(chunk))})",
                    [int(value), *chunk],
                )

    def set_read(self, ids: Sequence[int], read: bool = True) -> None:
        self._set_flag("read", ids, read)

    def set_favourite(self, ids: Sequence[int], favourite: bool = True) -> None:
        self._set_flag("favourite", ids, favourite)

    def restore_times(self, clip_id: int, created: str, updated: str) -> None:
        """Set when a clip was clipped and updated (restoring a backup keeps those times)."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE clips SET created = ?, updated = ? WHERE id = ?",
                (created, updated, clip_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"There is no clip #{clip_id}.")

    def set_title(self, clip_id: int, title: str) -> None:
        """Give a clip a title of the user's choosing (an empty title is refused)."""
        title = " ".join(title.split())
        if not title:
            raise ClipperError("A clip needs a title.")
        with self._write() as conn:
            cur = conn.execute("UPDATE clips SET title = ? WHERE id = ?", (title, clip_id))
            if cur.rowcount == 0:
                raise NotFound(f"There is no clip #{clip_id}.")

    def set_note(self, clip_id: int, note: str) -> None:
        with self._write() as conn:
            if (
                conn.execute("UPDATE clips SET note = ? WHERE id = ?", (note, clip_id)).rowcount
                == 0
            ):
                raise NotFound(f"There is no clip #{clip_id}.")

    def all_ids(self) -> list[int]:
        return [int(r["id"]) for r in self._read("SELECT id FROM clips ORDER BY id")]

    def count(self) -> int:
        return int(self._read("SELECT count(*) FROM clips")[0][0])

    # -- tags ----------------------------------------------------------------------------

    def _tag_id(self, conn: sqlite3.Connection, name: str) -> int:
        key = tagnames.key(name)
        row = conn.execute("SELECT id FROM tags WHERE key = ?", (key,)).fetchone()
        if row:
            return int(row["id"])
        return int(
            conn.execute("INSERT INTO tags (name, key) VALUES (?, ?)", (name, key)).lastrowid or 0
        )

    def _refresh_tag_text(self, conn: sqlite3.Connection, ids: Sequence[int]) -> None:
        """Copy tag names into clips.tags, which feeds the search index."""
        for chunk in _chunks(list(ids)):
            conn.execute(
                "UPDATE clips SET tags = coalesce((SELECT group_concat(name, char(10)) FROM "
                "(SELECT t.name FROM clip_tags ct JOIN tags t ON t.id = ct.tag_id "
                "WHERE ct.clip_id = clips.id ORDER BY t.key)), '') "
                f"WHERE id IN ({_marks(len(chunk))})",
                chunk,
            )

    def _existing_ids(self, conn: sqlite3.Connection, ids: Sequence[int]) -> list[int]:
        found: list[int] = []
        for chunk in _chunks(list(ids)):
            rows = conn.execute(f"SELECT id FROM clips WHERE id IN ({_marks(len(chunk))})", chunk)
            found.extend(int(r["id"]) for r in rows)
        missing = sorted(set(ids) - set(found))
        if missing:
            raise NotFound(f"There is no clip #{missing[0]}.")
        return found

    def _attach_tags(
        self, conn: sqlite3.Connection, ids: Sequence[int], names: Iterable[str]
    ) -> None:
        clean = tagnames.clean_all(names)
        if not clean:
            return
        tag_ids = [self._tag_id(conn, n) for n in clean]
        conn.executemany(
            "INSERT OR IGNORE INTO clip_tags (clip_id, tag_id) VALUES (?, ?)",
            [(c, t) for c in ids for t in tag_ids],
        )
        self._refresh_tag_text(conn, ids)

    def add_tags(self, ids: Sequence[int], names: Iterable[str]) -> None:
        """Tag every clip in ``ids`` with every name (created as needed)."""
        with self._write() as conn:
            self._attach_tags(conn, self._existing_ids(conn, ids), names)

    def remove_tags(self, ids: Sequence[int], names: Iterable[str]) -> None:
        """Take tags off clips; tags left on no clip are kept (delete_tag removes them)."""
        keys = [tagnames.key(n) for n in tagnames.clean_all(names)]
        with self._write() as conn:
            found = self._existing_ids(conn, ids)
            for chunk in _chunks(found):
                conn.execute(
                    f"DELETE FROM clip_tags WHERE clip_id IN ({_marks(len(chunk))}) AND tag_id IN "
                    f"(SELECT id FROM tags WHERE key IN ({_marks(len(keys))}))",
                    [*chunk, *keys],
                )
            self._refresh_tag_text(conn, found)

    def tags(self) -> list[TagCount]:
        """Every tag with the number of clips that carry it, by name."""
        rows = self._read(
            "SELECT t.name, count(ct.clip_id) AS n FROM tags t "
            "LEFT JOIN clip_tags ct ON ct.tag_id = t.id GROUP BY t.id ORDER BY t.key"
        )
        return [TagCount(r["name"], int(r["n"])) for r in rows]

    def _require_tag(self, conn: sqlite3.Connection, name: str) -> int:
        row = conn.execute("SELECT id FROM tags WHERE key = ?", (tagnames.key(name),)).fetchone()
        if row is None:
            raise NotFound(f'There is no tag "{name.strip()}".')
        return int(row["id"])

    def _clips_with_tag(self, conn: sqlite3.Connection, tag_id: int) -> list[int]:
        rows = conn.execute("SELECT clip_id FROM clip_tags WHERE tag_id = ?", (tag_id,))
        return [int(r["clip_id"]) for r in rows]

    def rename_tag(self, old: str, new: str) -> None:
        """Rename a tag; renaming onto another existing tag merges the two."""
        new_name = tagnames.clean(new)
        with self._write() as conn:
            tag_id = self._require_tag(conn, old)
            other = conn.execute(
                "SELECT id FROM tags WHERE key = ?", (tagnames.key(new_name),)
            ).fetchone()
            if other is not None and int(other["id"]) != tag_id:
                self._merge(conn, tag_id, int(other["id"]))
                return
            conn.execute(
                "UPDATE tags SET name = ?, key = ? WHERE id = ?",
                (new_name, tagnames.key(new_name), tag_id),
            )
            self._refresh_tag_text(conn, self._clips_with_tag(conn, tag_id))

    def merge_tags(self, source: str, target: str) -> None:
        """Move every clip tagged ``source`` to ``target`` and delete ``source``."""
        with self._write() as conn:
            src = self._require_tag(conn, source)
            dst = self._tag_id(conn, tagnames.clean(target))
            if src != dst:
                self._merge(conn, src, dst)

    def _merge(self, conn: sqlite3.Connection, src: int, dst: int) -> None:
        ids = self._clips_with_tag(conn, src)
        conn.execute(
            "INSERT OR IGNORE INTO clip_tags (clip_id, tag_id) SELECT clip_id, ? FROM clip_tags "
            "WHERE tag_id = ?",
            (dst, src),
        )
        conn.execute("DELETE FROM tags WHERE id = ?", (src,))
        self._refresh_tag_text(conn, ids)

    def delete_tag(self, name: str) -> int:
        """Delete a tag from every clip; returns how many clips had it."""
        with self._write() as conn:
            tag_id = self._require_tag(conn, name)
            ids = self._clips_with_tag(conn, tag_id)
            conn.execute("DELETE FROM tags WHERE id = ?", (tag_id,))
            self._refresh_tag_text(conn, ids)
        return len(ids)

    # -- search --------------------------------------------------------------------------

    def search(
        self,
        text: str = "",
        *,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 50,
        descending: bool | None = None,
    ) -> SearchPage:
        """One page of clips matching the query language in ``text``, with the total count.

        ``sort`` is one of SORTS; ``descending`` None keeps its natural direction.
        """
        from clipper.core.query import parse_query

        query = parse_query(text)
        with self._lock:
            try:
                total, ids = search_page(self._conn, query, sort, offset, limit, descending)
                snippets = snippets_for(self._conn, query, ids)
            except sqlite3.DatabaseError as exc:
                if not is_environmental(exc):
                    raise
                raise LibraryError(self._explain(exc)) from exc
        clips = self.get_many(ids)
        for clip in clips:
            clip.snippet = snippets.get(clip.id)
        return SearchPage(total=total, clips=clips, warnings=query.warnings, query=query)

    def search_ids(
        self, text: str = "", *, sort: str = "relevance", descending: bool | None = None
    ) -> list[int]:
        """Every matching clip id in order (for exports and the window's id list)."""
        from clipper.core.query import parse_query

        with self._lock:
            return run_ids(self._conn, parse_query(text), sort, descending)

    # -- facts ---------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        """Clip, tag and page counts and the file's size in bytes (with its WAL)."""
        row = self._read(
            "SELECT (SELECT count(*) FROM clips) AS clips, (SELECT count(*) FROM tags) AS tags, "
            "(SELECT count(*) FROM pages) AS pages"
        )[0]
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return {"clips": row["clips"], "tags": row["tags"], "pages": row["pages"], "bytes": size}

    def integrity_check(self) -> str:
        return str(self._read("PRAGMA integrity_check")[0][0])

    # -- adding and searching at scale -------------------------------------------------------

    def _insert_clip(
        self, conn: sqlite3.Connection, values: dict[str, Any], stamp: str, tags: Iterable[str]
    ) -> int:
        """Insert a new clip with its tag names already in ``clips.tags``; returns its id.

        Writing the tags column in the INSERT (rather than updating it afterwards) spares the
        search index a delete and a second insert of the whole article.
        """
        tag_ids = [self._tag_id(conn, name) for name in tagnames.clean_all(tags)]
        tag_text = ""
        if tag_ids:
            tag_text = conn.execute(
                "SELECT coalesce(group_concat(name, char(10)), '') FROM "
                f"(SELECT name FROM tags WHERE id IN ({_marks(len(tag_ids))}) ORDER BY key)",
                tag_ids,
            ).fetchone()[0]
        cols = [*values, "tags", "created", "updated"]
        cur = conn.execute(
            f"INSERT INTO clips ({', '.join(cols)}) VALUES ({_marks(len(cols))})",
            [*values.values(), tag_text, stamp, stamp],
        )
        clip_id = int(cur.lastrowid or 0)
        conn.executemany(
            "INSERT INTO clip_tags (clip_id, tag_id) VALUES (?, ?)",
            [(clip_id, tag_id) for tag_id in tag_ids],
        )
        return clip_id


__all__ = ["SORTS", "AddResult", "Clip", "Library", "TagCount"]
