"""The library's SQLite file: its schema, numbered migrations, and what its errors mean.

``PRAGMA user_version`` holds the number of migrations applied. Each migration
runs in one transaction; a library whose version is higher than ``len(MIGRATIONS)``
was written by a newer Clipper and is refused rather than damaged.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path
from typing import TypeGuard

from clipper.core.errors import LibraryError, LibraryTooNew

# 'Clip' in ASCII: marks a SQLite file as a Clipper library.
APPLICATION_ID = 0x436C6970

_V1 = """
CREATE TABLE clips (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL DEFAULT 'article',
    url           TEXT,
    canonical_url TEXT,
    norm_url      TEXT,
    norm_canonical TEXT,
    host          TEXT NOT NULL DEFAULT '',
    rhost         TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL,
    author        TEXT NOT NULL DEFAULT '',
    date          TEXT,
    site          TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    image         TEXT,
    language      TEXT NOT NULL DEFAULT '',
    word_count    INTEGER NOT NULL DEFAULT 0,
    created       TEXT NOT NULL,
    updated       TEXT NOT NULL,
    read          INTEGER NOT NULL DEFAULT 0,
    favourite     INTEGER NOT NULL DEFAULT 0,
    note          TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '',
    -- the large columns last, so list queries rarely touch their overflow pages
    text          TEXT NOT NULL DEFAULT '',
    html          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX clips_norm_url ON clips(norm_url) WHERE norm_url IS NOT NULL;
CREATE INDEX clips_norm_canonical ON clips(norm_canonical) WHERE norm_canonical IS NOT NULL;
CREATE INDEX clips_created ON clips(created);
CREATE INDEX clips_date ON clips(date);
CREATE INDEX clips_rhost ON clips(rhost);
CREATE INDEX clips_title ON clips(title COLLATE NOCASE);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key  TEXT NOT NULL UNIQUE  -- casefolded name: tags are unique ignoring case
);

CREATE TABLE clip_tags (
    clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (clip_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX clip_tags_tag ON clip_tags(tag_id, clip_id);

-- The page as it arrived (zlib-compressed), so clips can be rebuilt offline.
CREATE TABLE pages (
    clip_id      INTEGER PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
    url          TEXT,
    content_type TEXT NOT NULL,
    charset      TEXT,
    origin       TEXT NOT NULL,
    name         TEXT,
    fetched      TEXT NOT NULL,
    size         INTEGER NOT NULL,
    body         BLOB NOT NULL
);

CREATE VIRTUAL TABLE clips_fts USING fts5(
    title, author, site, text, tags, note,
    content = 'clips', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER clips_fts_insert AFTER INSERT ON clips BEGIN
    INSERT INTO clips_fts(rowid, title, author, site, text, tags, note)
    VALUES (new.id, new.title, new.author, new.site, new.text, new.tags, new.note);
END;
CREATE TRIGGER clips_fts_delete AFTER DELETE ON clips BEGIN
    INSERT INTO clips_fts(clips_fts, rowid, title, author, site, text, tags, note)
    VALUES ('delete', old.id, old.title, old.author, old.site, old.text, old.tags, old.note);
END;
CREATE TRIGGER clips_fts_update AFTER UPDATE OF title, author, site, text, tags, note ON clips
BEGIN
    INSERT INTO clips_fts(clips_fts, rowid, title, author, site, text, tags, note)
    VALUES ('delete', old.id, old.title, old.author, old.site, old.text, old.tags, old.note);
    INSERT INTO clips_fts(rowid, title, author, site, text, tags, note)
    VALUES (new.id, new.title, new.author, new.site, new.text, new.tags, new.note);
END;
"""

# Search at scale: a small full-text index of the short fields (title, author, site, tags,
# note) ranks "the word is in the title" matches without touching the article text, and
# indexes let the site filter, the unread and favourite lists and the sorted lists avoid
# reading every clip.
_FIELD_INDEX = """
CREATE VIRTUAL TABLE clips_fields USING fts5(
    title, author, site, tags, note,
    content = 'clips', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO clips_fields(clips_fields) VALUES ('rebuild');
CREATE TRIGGER clips_fields_insert AFTER INSERT ON clips BEGIN
    INSERT INTO clips_fields(rowid, title, author, site, tags, note)
    VALUES (new.id, new.title, new.author, new.site, new.tags, new.note);
END;
CREATE TRIGGER clips_fields_delete AFTER DELETE ON clips BEGIN
    INSERT INTO clips_fields(clips_fields, rowid, title, author, site, tags, note)
    VALUES ('delete', old.id, old.title, old.author, old.site, old.tags, old.note);
END;
CREATE TRIGGER clips_fields_update AFTER UPDATE OF title, author, site, tags, note ON clips
BEGIN
    INSERT INTO clips_fields(clips_fields, rowid, title, author, site, tags, note)
    VALUES ('delete', old.id, old.title, old.author, old.site, old.tags, old.note);
    INSERT INTO clips_fields(rowid, title, author, site, tags, note)
    VALUES (new.id, new.title, new.author, new.site, new.tags, new.note);
END;
CREATE INDEX clips_site ON clips(site COLLATE NOCASE);
CREATE INDEX clips_read ON clips(read, created);
CREATE INDEX clips_favourite ON clips(favourite, created);
CREATE INDEX clips_author ON clips(author COLLATE NOCASE);
CREATE INDEX clips_words ON clips(word_count);
"""

# Prefix search at scale: without a prefix index "data*" merges the lists of every word
# starting "data" on each query (seconds at 100,000 clips). FTS5 cannot add one to an
# existing index, so the main index is rebuilt from the clips table, once: 1-2 seconds at
# 1,000 clips, minutes at 100,000. The existing triggers keep feeding the new table.
_PREFIX_INDEX = """
DROP TABLE clips_fts;
CREATE VIRTUAL TABLE clips_fts USING fts5(
    title, author, site, text, tags, note,
    content = 'clips', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3 4'
);
INSERT INTO clips_fts(clips_fts) VALUES ('rebuild');
"""

MIGRATIONS: tuple[str, ...] = (_V1, _FIELD_INDEX, _PREFIX_INDEX)
SCHEMA_VERSION = len(MIGRATIONS)


def _check_identity(conn: sqlite3.Connection, path: str) -> int:
    """Return the library's schema version; refuse files that are not Clipper libraries."""
    # one statement, so one snapshot: another program may be creating the library right now
    app_id, version, tables = conn.execute(
        "SELECT (SELECT application_id FROM pragma_application_id), "
        "(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)"
    ).fetchone()
    version, has_tables = int(version), tables > 0
    if has_tables and app_id != APPLICATION_ID:
        raise LibraryError(
            f"{path} is a database, but not a Clipper library; Clipper left it alone."
        )
    if version > SCHEMA_VERSION:
        raise LibraryTooNew(
            f"{path} was written by a newer version of Clipper (library format {version}; "
            f"this version knows up to {SCHEMA_VERSION}). Update Clipper to open it."
        )
    return version


def migrate(conn: sqlite3.Connection, path: str) -> None:
    """Bring the schema up to date, one migration per transaction."""
    version = _check_identity(conn, path)
    for number in range(version + 1, SCHEMA_VERSION + 1):
        script = MIGRATIONS[number - 1]
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\n"
                f"PRAGMA application_id = {APPLICATION_ID};\n"
                f"PRAGMA user_version = {number};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            # Two programs opening a new library at once: the other one got there first.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= number:
                continue
            raise


# -- opening files and explaining errors ------------------------------------------------------

# BEGIN IMMEDIATE already waits busy_timeout for another writer; if one holds the library
# even longer (a huge batch in another process), try again a few times before telling the
# user it is busy: about _BEGIN_ATTEMPTS x busy_timeout in all.
BUSY_TIMEOUT_MS = 10_000
_BEGIN_ATTEMPTS = 4
_BEGIN_BACKOFF = 0.05  # seconds, doubled after each failed attempt, with jitter

# What opening a WAL library read-only says when its -wal/-shm files cannot be created.
_NO_WAL_FILES = ("SQLITE_READONLY_DIRECTORY", "SQLITE_CANTOPEN")

# SQLite's names for a failed write: the disk (or the file size limit) said no.
_WRITE_FAILURES = frozenset(
    {
        "SQLITE_IOERR_WRITE",
        "SQLITE_IOERR_FSYNC",
        "SQLITE_IOERR_DIR_FSYNC",
        "SQLITE_IOERR_TRUNCATE",
        "SQLITE_IOERR_SHMSIZE",
    }
)


def can_write(path: Path) -> bool:
    """Whether this user may change the library file and create files beside it (for WAL)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # a folder still to be made: ask its nearest existing parent
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def connect_read_only(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open a library for reading only, even from a read-only folder.

    A WAL library normally needs its -wal and -shm files; where they cannot be
    created (a read-only folder) no one can be writing to it, so it is opened as
    immutable instead.
    """
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=check_same_thread
        )
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        no_wal_files = getattr(exc, "sqlite_errorname", "") in _NO_WAL_FILES
        if not (no_wal_files and path.is_file()):
            raise
        conn.close()
    return sqlite3.connect(
        uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=check_same_thread
    )


def open_library(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A connection to a library file, set up (WAL, foreign keys) and migrated.

    Raises sqlite3.Error or OSError as they come; LibraryError for files that are not
    libraries of this version.
    """
    if read_only:
        conn = connect_read_only(path, check_same_thread=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            _use_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn, str(path))
    except BaseException:
        conn.close()
        raise
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL, retrying: on a new file, the switch does not wait out a busy
    library (another program creating it at the same moment)."""
    for attempt in range(1, 21):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if attempt == 20 or not is_busy(exc):
                raise
        time.sleep(0.01 * attempt)


def begin_immediate(conn: sqlite3.Connection) -> None:
    """Start a write transaction, retrying with backoff while another writer holds the lock."""
    for attempt in range(1, _BEGIN_ATTEMPTS + 1):
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if attempt == _BEGIN_ATTEMPTS or not is_busy(exc):
                raise
        time.sleep(_BEGIN_BACKOFF * 2**attempt * random.uniform(0.5, 1.0))


def is_environmental(exc: BaseException) -> TypeGuard[sqlite3.DatabaseError]:
    """Whether a SQLite error comes from the file or the disk (tell the user), not from a bug."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError
    )


def is_busy(exc: BaseException) -> bool:
    """Whether another connection held the lock for longer than the busy timeout."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


_UNCHANGED = "Nothing was changed."
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def explain(exc: sqlite3.Error, path: Path) -> str:
    """A message a person understands for a SQLite error on the library ``path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if name == "SQLITE_FULL" or "disk is full" in text:
        return f"The disk is full: Clipper could not save to the library {path}. {_UNCHANGED}"
    if name in _WRITE_FAILURES:
        return (
            f"The disk is full or failing: Clipper could not save to the library {path} ({text}). "
            f"{_UNCHANGED}"
        )
    if name == "SQLITE_READONLY_DBMOVED":
        return f"The library {path} was moved or replaced while Clipper had it open; restart it."
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return (
            f"The library is read-only: Clipper cannot save changes to {path} "
            f"(check the permissions of the file and its folder). {_UNCHANGED}"
        )
    if name.startswith(_DAMAGED) or "malformed" in text or "not a database" in text:
        return f"{path} is not a Clipper library, or it is damaged ({text})."
    if is_busy(exc):
        return f"The library {path} is busy: another program is writing to it. Try again."
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return f"Clipper cannot open the library {path} ({text}); check its folder and permissions."
    if name.startswith("SQLITE_IOERR"):
        return f"The disk holding the library {path} reported an error ({text})."
    return f"The library {path} could not be used: {text}."
