"""The library's SQLite schema and its numbered migrations.

``PRAGMA user_version`` holds the number of migrations applied. Each migration
runs in one transaction; a library whose version is higher than ``len(MIGRATIONS)``
was written by a newer Clipper and is refused rather than damaged.
"""

from __future__ import annotations

import sqlite3

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

MIGRATIONS: tuple[str, ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


def _check_identity(conn: sqlite3.Connection, path: str) -> int:
    """Return the library's schema version; refuse files that are not Clipper libraries."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    has_tables = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0] > 0
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
            raise
